package abi

import (
	"errors"
	"io/fs"
	"os"
	"sort"
	"testing"

	"github.com/secc-lang/secc/compiler/abi/internal/syscalldata"
)

const (
	csvPath      = "../../../shared/data/syscalls.csv"
	versionsPath = "../../../shared/data/syscall-versions.txt"
)

func readTable(t *testing.T) *syscalldata.Table {
	t.Helper()
	f, err := os.Open(csvPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s absent", csvPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := syscalldata.ParseTable(f)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// allowedCSVDiffs lists differences from syscalls.csv that are accepted, per
// ABI and name, with the reason. There are none: keep it that way.
var allowedCSVDiffs = map[string]map[string]string{}

func TestTablesMatchCSV(t *testing.T) {
	tab := readTable(t)
	for _, a := range All {
		t.Run(a.Name, func(t *testing.T) {
			col, ok := tab.Column(a.Name)
			if !ok {
				t.Fatalf("syscalls.csv has no %s column", a.Name)
			}
			allowed := allowedCSVDiffs[a.Name]
			for name, nr := range col {
				want := nr | a.NrBase
				got, ok := a.Nr(name)
				switch {
				case allowed[name] != "":
				case !ok:
					t.Errorf("%s missing (csv: %d)", name, nr)
				case got != want:
					t.Errorf("%s = %#x, csv says %#x", name, got, want)
				}
			}
			for _, s := range a.Syscalls() {
				if _, ok := col[s.Name]; !ok && allowed[s.Name] == "" {
					t.Errorf("%s (%#x) is not a %s syscall per the csv", s.Name, s.Nr, a.Name)
				}
			}
		})
	}
}

// TestEditsApply makes sure every correction still finds upstream as it
// describes it: an edit that no longer changes anything (upstream fixed) or
// clobbers another call must be revisited.
func TestEditsApply(t *testing.T) {
	for _, a := range All {
		src := tableSources[a.Name]
		if _, stale := applyEdits(upstream(src.info), src.edits); len(stale) > 0 {
			t.Errorf("%s: stale edits:\n%v", a.Name, stale)
		}
	}
}

func TestTablesConsistent(t *testing.T) {
	for _, a := range All {
		ss := a.Syscalls()
		if !sort.SliceIsSorted(ss, func(i, j int) bool { return ss[i].Nr < ss[j].Nr }) {
			t.Errorf("%s: Syscalls not sorted", a.Name)
		}
		for i, s := range ss {
			if i > 0 && ss[i-1].Nr == s.Nr {
				t.Errorf("%s: %d used twice", a.Name, s.Nr)
			}
			if nr, _ := a.Nr(s.Name); nr != s.Nr {
				t.Errorf("%s: Nr(%s) = %d, listed as %d", a.Name, s.Name, nr, s.Nr)
			}
			if n, _ := a.SyscallName(s.Nr); n != s.Name {
				t.Errorf("%s: SyscallName(%d) = %s, want %s", a.Name, s.Nr, n, s.Name)
			}
			if s.Nr&X32Bit != a.NrBase {
				t.Errorf("%s: %s = %#x, bit 30 must be %#x", a.Name, s.Name, s.Nr, a.NrBase)
			}
			if !KnownAnywhere(s.Name) {
				t.Errorf("%s: %s not in the all-ABI name list", a.Name, s.Name)
			}
		}
	}
}

func TestSyscallNumbers(t *testing.T) {
	tests := []struct {
		abi  *ABI
		name string
		nr   uint32
		ok   bool
	}{
		{X86_64, "read", 0, true},
		{X86_64, "newfstatat", 262, true},
		{X86_64, "fstatat64", 0, false},
		{X86_64, "uretprobe", 335, true},
		{X86_64, "uprobe", 336, true},
		{X86_64, "socketcall", 0, false},
		{X86_64, "cachestat", 451, true},
		{X86_64, "mseal", 462, true},
		{X86_64, "file_setattr", 469, true},
		{X86, "socketcall", 102, true},
		{X86, "fstatat64", 300, true},
		{X86, "newfstatat", 0, false},
		{X86, "clock_gettime64", 403, true},
		{X86, "read", 3, true},
		{X32, "read", 0x40000000, true},
		{X32, "rt_sigaction", 0x40000200, true},
		{X32, "execve", 0x40000000 | 520, true},
		{X32, "pwritev2", 0x40000000 | 547, true},
		{X32, "newfstatat", 0x40000000 | 262, true},
		{X32, "_sysctl", 0, false},
		{X32, "uselib", 0, false},
		{X32, "futex_wake", 0x40000000 | 454, true},
		{Aarch64, "open", 0, false},
		{Aarch64, "newfstatat", 79, true},
		{Aarch64, "fstatat", 0, false},
		{Aarch64, "clock_gettime64", 0, false},
		{Aarch64, "arch_specific_syscall", 0, false},
		{Aarch64, "openat", 56, true},
		{Aarch64, "listmount", 458, true},
		{ARM, "breakpoint", 0x0f0001, true},
		{ARM, "cacheflush", 0x0f0002, true},
		{ARM, "usr26", 0x0f0003, true},
		{ARM, "usr32", 0x0f0004, true},
		{ARM, "set_tls", 0x0f0005, true},
		{ARM, "get_tls", 0x0f0006, true},
		{ARM, "fstatat64", 327, true},
		{ARM, "open", 5, true},
		{ARM, "arm_fadvise64_64", 270, true},
	}
	for _, tt := range tests {
		nr, ok := tt.abi.Nr(tt.name)
		if nr != tt.nr || ok != tt.ok {
			t.Errorf("%s.Nr(%s) = %#x, %v; want %#x, %v", tt.abi, tt.name, nr, ok, tt.nr, tt.ok)
		}
	}
	for _, tt := range []struct {
		abi  *ABI
		nr   uint32
		name string
	}{
		{Aarch64, 403, ""},
		{Aarch64, 79, "newfstatat"},
		{X32, 0x40000000 | 13, ""},
		{X32, 13, ""}, // without bit 30 it is an x86_64 number, not an x32 one
		{X32, 0x40000000 | 512, "rt_sigaction"},
		{X86_64, 13, "rt_sigaction"},
		{X86_64, 512, ""},
		{ARM, 0x0f0001, "breakpoint"},
	} {
		if name, _ := tt.abi.SyscallName(tt.nr); name != tt.name {
			t.Errorf("%s.SyscallName(%#x) = %q, want %q", tt.abi, tt.nr, name, tt.name)
		}
	}
}
