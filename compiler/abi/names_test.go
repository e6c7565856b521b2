package abi

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/secc-lang/secc/compiler/abi/internal/syscalldata"
	"github.com/secc-lang/secc/internal/kver"
)

// TestZdataUpToDate regenerates zdata.go in memory from the shared data; if
// it fails, run `go generate ./compiler/abi`.
func TestZdataUpToDate(t *testing.T) {
	tab := readTable(t)
	vf, err := os.Open(versionsPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s absent", versionsPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer vf.Close()
	vs, err := syscalldata.ParseVersions(vf)
	if err != nil {
		t.Fatal(err)
	}
	want, err := syscalldata.Generate(tab, vs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("zdata.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("zdata.go is stale: run go generate ./compiler/abi")
	}
}

func TestKnownAnywhere(t *testing.T) {
	for _, tt := range []struct {
		name string
		want bool
	}{
		{"open", true},             // not on aarch64, still known
		{"socketcall", true},       // x86 and others only
		{"riscv_hwprobe", true},    // riscv only
		{"atomic_barrier", true},   // m68k only
		{"spu_run", true},          // ppc only
		{"cachestat", true},        // 6.5
		{"rseq_slice_yield", true}, // newest in the table
		{"opne", false},
		{"", false},
		{"OPEN", false}, // names are case-sensitive
		{"fstatat", false},
	} {
		if got := KnownAnywhere(tt.name); got != tt.want {
			t.Errorf("KnownAnywhere(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	for _, tt := range []struct {
		name, want string
	}{
		{"opne", "open"},
		{"reed", "read"},
		{"clone33", "clone3"},
		{"wirte", "write"},
		{"exceve", "execve"},
		{"OPEN", "open"},
		{"spu_runn", "spu_run"}, // known only on ppc, still a suggestion
		{"openat22", "openat2"},
		{"socket_call", "socketcall"},
		{"rt_sigprocmsk", "rt_sigprocmask"},
		{"xyzzy_foo", ""},
		{"hello", ""},
		{"", ""},
		{"zz", ""},
	} {
		got, ok := Suggest(tt.name)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Suggest(%q) = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	arches := ArchNames()
	for _, tt := range []struct {
		name string
		cand []string
		want string
	}{
		{"aarch46", arches, "aarch64"},
		{"x86-46", arches, "x86-64"},
		{"AF_INTE", ConstNames(), "AF_INET"},
		{"EPREM", ConstNames(), "EPERM"},
		{"read", []string{"read"}, ""}, // equal is no suggestion
		{"bar", []string{"baz", "bat"}, "bat"},
	} {
		got, ok := Closest(tt.name, tt.cand)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Closest(%q) = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

func TestSuggestPrefersCompiledABIs(t *testing.T) {
	// At equal distance a preferred candidate beats an alphabetically
	// earlier one.
	cand := []string{"abd", "abe"}
	if got, _ := closest("abc", cand, func(s string) bool { return s == "abe" }); got != "abe" {
		t.Errorf("closest with preference = %q, want abe", got)
	}
	if got, _ := closest("abc", cand, nil); got != "abd" {
		t.Errorf("closest without preference = %q, want abd", got)
	}
	// A preferred candidate does not beat a strictly nearer one.
	if got, _ := closest("aab", []string{"aab1", "abbbb"}, func(s string) bool { return s == "abbbb" }); got != "aab1" {
		t.Errorf("closest = %q, want aab1", got)
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"open", "open", 0},
		{"opne", "open", 1}, {"reed", "read", 1}, {"clone33", "clone3", 1},
		{"kitten", "sitting", 3}, {"ca", "abc", 3}, // OSA, not full Damerau (2)
	} {
		if d := distance(tt.a, tt.b); d != tt.d {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, d, tt.d)
		}
		if d := distance(tt.b, tt.a); d != tt.d {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.b, tt.a, d, tt.d)
		}
	}
}

func TestFirstVersion(t *testing.T) {
	for _, tt := range []struct {
		name, want string
	}{
		{"read", "2.6.12"},
		{"openat", "2.6.16"},
		{"seccomp", "3.17"},
		{"clone3", "5.3"},
		{"close_range", "5.9"},
		{"openat2", "5.6"},
		{"cachestat", "6.5"},
		{"mseal", "6.10"},
		{"file_getattr", "6.17"},
		{"breakpoint", "2.6.12"},
		{"newfstatat", "2.6.16"},
		{"nonexistent", ""},
	} {
		v, ok := FirstVersion(tt.name)
		if tt.want == "" {
			if ok {
				t.Errorf("FirstVersion(%q) = %v, want none", tt.name, v)
			}
			continue
		}
		if !ok || v != kver.MustParse(tt.want) {
			t.Errorf("FirstVersion(%q) = %v, %v; want %s", tt.name, v, ok, tt.want)
		}
	}
	// Everything secc compiles must have a version, or KERNEL(v) would
	// silently leave it out.
	for _, a := range All {
		for _, s := range a.Syscalls() {
			if _, ok := FirstVersion(s.Name); !ok {
				t.Errorf("%s: %s has no first version", a.Name, s.Name)
			}
		}
	}
}

func TestSyscallsUpTo(t *testing.T) {
	up := func(a *ABI, v string) map[string]bool {
		m := make(map[string]bool)
		for _, s := range a.SyscallsUpTo(kver.MustParse(v)) {
			m[s.Name] = true
		}
		return m
	}
	s53 := up(X86_64, "5.3")
	for name, want := range map[string]bool{"read": true, "clone3": true, "pidfd_open": true, "openat2": false, "close_range": false} {
		if s53[name] != want {
			t.Errorf("x86_64 KERNEL(5.3) has %s = %v, want %v", name, s53[name], want)
		}
	}
	if a := up(Aarch64, "99.0"); a["open"] || len(a) != len(Aarch64.Syscalls()) {
		t.Errorf("aarch64 KERNEL(99.0) has %d of %d calls (open: %v)", len(a), len(Aarch64.Syscalls()), a["open"])
	}
	if a := up(X86, "2.6.11"); len(a) != 0 {
		t.Errorf("x86 KERNEL(2.6.11) = %d calls, want none (the data starts at 2.6.12)", len(a))
	}
}

func TestKnownArchName(t *testing.T) {
	for _, n := range []string{
		"x86_64", "amd64", "x86", "i386", "x32", "aarch64", "arm64", "arm",
		"loongarch64", "m68k", "mips", "mipsel", "mips64", "mipsel64", "mips64n32", "mipsel64n32",
		"parisc", "parisc64", "ppc", "ppc64", "ppc64le", "riscv64", "s390", "s390x", "sh", "sheb",
		"SCMP_ARCH_X86_64", "SCMP_ARCH_PPC64LE",
	} {
		if !KnownArchName(n) {
			t.Errorf("KnownArchName(%q) = false", n)
		}
	}
	for _, n := range []string{"", "x87", "arm65", "sparc64x", "read"} {
		if KnownArchName(n) {
			t.Errorf("KnownArchName(%q) = true", n)
		}
	}
}
