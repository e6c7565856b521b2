package secc_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc"
	"github.com/secc-lang/secc/diag"
)

// childEnv makes the test binary act as a child that loads a filter (see
// loadChild): a filter cannot be taken off again, so it goes on a process
// of its own.
const childEnv = "SECC_TEST_LOAD_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(loadChild(mode, os.Getenv("SECC_TEST_DIR")))
	}
	os.Exit(m.Run())
}

// loadChild loads a filter and reports on stdout what mkdir returns, from
// the loading thread and from another one.
func loadChild(mode, dir string) int {
	runtime.LockOSThread()
	switch mode {
	case "tsync", "thread":
		p, err := secc.Compile("child.sec", []byte("$syscall in (@mkdir, @mkdirat) => ERRNO(EXDEV);\n=> ALLOW;\n"), secc.Options{})
		if err != nil {
			fmt.Println("compile:", err)
			return 1
		}
		if _, err := p.Load(secc.LoadFlags{TSync: mode == "tsync", SpecAllow: true}); err != nil {
			fmt.Println("load:", err)
			return 1
		}
		fmt.Println("this thread:", errnoOf(os.Mkdir(filepath.Join(dir, "a"), 0o755)))
		// Another goroutine, locked to another OS thread.
		done := make(chan string)
		go func() {
			runtime.LockOSThread()
			done <- errnoOf(os.Mkdir(filepath.Join(dir, "b"), 0o755))
		}()
		fmt.Println("other thread:", <-done)
	case "refused":
		// LD ABS B: classic BPF, but seccomp refuses byte loads.
		p, err := secc.ReadFilter([]byte{0x30, 0, 0, 0, 0, 0, 0, 0, 0x06, 0, 0, 0, 0, 0, 0xff, 0x7f})
		if err != nil {
			fmt.Println("read:", err)
			return 1
		}
		_, err = p.Load(secc.LoadFlags{})
		fmt.Println(err)
		// The kernel allows one notification listener per process.
		allow, err := secc.Compile("allow.sec", []byte("=> ALLOW;\n"), secc.Options{})
		if err != nil {
			fmt.Println("compile:", err)
			return 1
		}
		if _, err := allow.Load(secc.LoadFlags{NewListener: true}); err != nil {
			fmt.Println("first listener:", err)
			return 1
		}
		_, err = allow.Load(secc.LoadFlags{NewListener: true})
		fmt.Println(err, errors.Is(err, syscall.EBUSY))
	}
	return 0
}

func errnoOf(err error) string {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e.Error()
	}
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func runChild(t *testing.T, mode string) string {
	t.Helper()
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("loading needs Linux on x86_64 or aarch64")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "SECC_TEST_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Logf("child %s:\n%s", mode, out)
	return string(out)
}

// Load really installs the filter: mkdir fails with the policy's errno,
// on every thread with TSync and on the calling thread only without.
func TestLoad(t *testing.T) {
	assert.Equal(t, "this thread: invalid cross-device link\nother thread: invalid cross-device link\n", runChild(t, "tsync"))
	assert.Equal(t, "this thread: invalid cross-device link\nother thread: ok\n", runChild(t, "thread"))
}

// A filter the kernel refuses gives an error that says so.
func TestLoadRefused(t *testing.T) {
	out := runChild(t, "refused")
	assert.Contains(t, out, "not allowed in seccomp filters", "checked before the kernel sees it")
	assert.Contains(t, out, "notification listener is already installed: device or resource busy true")
}

func TestPolicyError(t *testing.T) {
	_, err := secc.Compile("p.sec", []byte("$syscall == @opne => ALLOW;\n$syscall == @mkdri => ALLOW;\n=> ALLOW;\n"), secc.Options{Target: "x86_64"})
	var e *secc.Error
	require.ErrorAs(t, err, &e)
	assert.GreaterOrEqual(t, len(e.Diags), 2, "every error is reported: %v", e)
	assert.Contains(t, e.Report, "p.sec:1:13")
	var dl diag.List
	assert.ErrorAs(t, err, &dl)

	_, err = secc.Compile("p.sec", []byte("=> ALLOW;"), secc.Options{Target: "sparc"})
	assert.ErrorContains(t, err, `unknown target "sparc"`)
	_, err = secc.Compile("p.sec", []byte("=> ALLOW;"), secc.Options{Caps: []string{"CAP_FLY"}})
	assert.ErrorContains(t, err, "CAP_FLY")
	_, err = secc.CompileBuiltin("nope", secc.Options{})
	assert.ErrorContains(t, err, `no built-in policy "nope"`)
}

func TestOptions(t *testing.T) {
	policy := []byte(`
#if KERNEL >= 5.0 && defined(WIDE)
$syscall == @getpid => ERRNO(E2BIG);
#endif
$syscall == @getppid && $arg0 == LIMIT => ERRNO(EPERM);
$syscall == @getppid => ALLOW;
`)
	p, err := secc.Compile("o.sec", policy, secc.Options{
		Target: "x86_64", ABIs: []string{"x86_64", "x32"}, Kernel: "5.4",
		Defines: map[string]string{"WIDE": "", "LIMIT": "7"}, Default: "KILL_PROCESS", BadABIAction: "ERRNO(ENOSYS)",
		Optimize: "size",
	})
	require.NoError(t, err)
	assert.Equal(t, "x86_64", p.Target())
	assert.Equal(t, []string{"x86_64", "x32"}, p.ABIs())
	for _, c := range []struct {
		abi, call string
		args      []uint64
		want      string
	}{
		{"x86_64", "getpid", nil, "ERRNO(E2BIG)"},
		{"x32", "getpid", nil, "ERRNO(E2BIG)"},
		{"x86_64", "getppid", []uint64{7}, "ERRNO(EPERM)"},
		{"x86_64", "getppid", []uint64{8}, "ALLOW"},
		{"x86_64", "read", nil, "KILL_PROCESS"},
		{"x86", "getpid", nil, "ERRNO(ENOSYS)"},
	} {
		got, err := p.Simulate(c.abi, c.call, c.args...)
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "%s %s %v", c.abi, c.call, c.args)
	}
	old, err := secc.Compile("o.sec", policy, secc.Options{Target: "x86_64", Kernel: "4.19", Defines: map[string]string{"WIDE": "", "LIMIT": "7"}, Default: "ALLOW"})
	require.NoError(t, err)
	got, _ := old.Simulate("x86_64", "getpid")
	assert.Equal(t, "ALLOW", got, "#if KERNEL >= 5.0 is false for 4.19")
}

func TestForSpecApply(t *testing.T) {
	spec := []byte(`{"ociVersion":"1.0.2",
"process":{"capabilities":{"bounding":["sys_admin","CAP_KILL"]}},
"linux":{"resources":{"memory":{"limit":9223372036854775807}},"seccomp":{"flags":[]}},
"annotations":{"org.example/keep":"yes"}}`)
	f, err := secc.ForSpec("s.sec", []byte("#ifdef CAP_SYS_ADMIN\n$syscall == @mount => ALLOW;\n#endif\n=> ERRNO(EPERM);\n"), spec, secc.Options{Target: "x86_64"})
	require.NoError(t, err)
	assert.Equal(t, []string{"CAP_SYS_ADMIN", "CAP_KILL"}, f.Caps)
	assert.Equal(t, []string{}, f.Flags)
	got, _ := f.Program.Simulate("x86_64", "mount")
	assert.Equal(t, "ALLOW", got)

	out, err := f.Apply(spec)
	require.NoError(t, err)
	assert.Contains(t, string(out), "9223372036854775807", "numbers keep every digit")
	var back struct {
		Annotations map[string]string `json:"annotations"`
		Process     json.RawMessage   `json:"process"`
	}
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, "yes", back.Annotations["org.example/keep"])
	assert.Equal(t, f.Program.Base64(), back.Annotations[secc.AnnotationKey])
	assert.JSONEq(t, `{"capabilities":{"bounding":["sys_admin","CAP_KILL"]}}`, string(back.Process))

	// A spec without capabilities runs with none.
	f, err = secc.ForSpec("s.sec", []byte("#ifdef CAP_SYS_ADMIN\n$syscall == @mount => ALLOW;\n#endif\n=> ERRNO(EPERM);\n"), []byte(`{}`), secc.Options{Target: "x86_64", Caps: []string{"all"}})
	require.NoError(t, err)
	got, _ = f.Program.Simulate("x86_64", "mount")
	assert.Equal(t, "ERRNO(EPERM)", got, "the spec's bounding set replaces Options.Caps")

	_, err = secc.ForSpec("s.sec", []byte("=> ALLOW;"), []byte(`{"process":`), secc.Options{})
	assert.ErrorContains(t, err, "OCI spec")
	_, err = secc.SetAnnotation([]byte(`[1]`), "k", "v")
	assert.Error(t, err)
}

func TestParseLoadFlags(t *testing.T) {
	f, err := secc.ParseLoadFlags([]string{"SECCOMP_FILTER_FLAG_LOG", "new_listener", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"})
	require.NoError(t, err)
	assert.Equal(t, secc.LoadFlags{Log: true, NewListener: true}, f)
	_, err = secc.ParseLoadFlags([]string{"SECCOMP_FILTER_FLAG_FAST"})
	assert.ErrorContains(t, err, "FAST")
}

// cacheFiles lists the entries of a cache directory, failing on a
// temporary file left behind.
func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	hidden, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	assert.Empty(t, hidden, "no temporary files left")
	return names
}

func TestCache(t *testing.T) {
	src := t.TempDir()
	cache := filepath.Join(t.TempDir(), "cache")
	inc := filepath.Join(src, "inc.sec")
	main := filepath.Join(src, "main.sec")
	require.NoError(t, os.WriteFile(inc, []byte("$syscall == @mkdir => ERRNO(EPERM);\n"), 0o644))
	require.NoError(t, os.WriteFile(main, []byte("#include \"inc.sec\"\n#ifdef CAP_SYS_ADMIN\n$syscall == @mount => ALLOW;\n#endif\n=> ALLOW;\n"), 0o644))
	opts := secc.Options{Target: "x86_64", Kernel: "6.1", CacheDir: cache}

	first, err := secc.CompileFile(main, opts)
	require.NoError(t, err)
	assert.False(t, first.Cached())
	assert.Len(t, cacheFiles(t, cache), 1)

	again, err := secc.CompileFile(main, opts)
	require.NoError(t, err)
	assert.True(t, again.Cached(), "same inputs: from the cache")
	assert.Equal(t, first.Raw(), again.Raw())
	assert.Equal(t, first.ABIs(), again.ABIs())
	assert.Equal(t, first.Target(), again.Target())

	// Each input is part of the key.
	for name, o := range map[string]secc.Options{
		"caps":    {Target: "x86_64", Kernel: "6.1", CacheDir: cache, Caps: []string{"SYS_ADMIN"}},
		"kernel":  {Target: "x86_64", Kernel: "6.2", CacheDir: cache},
		"abis":    {Target: "x86_64", Kernel: "6.1", CacheDir: cache, ABIs: []string{"x86_64", "x86"}},
		"defines": {Target: "x86_64", Kernel: "6.1", CacheDir: cache, Defines: map[string]string{"X": "1"}},
		"target":  {Target: "aarch64", Kernel: "6.1", CacheDir: cache},
		"default": {Target: "x86_64", Kernel: "6.1", CacheDir: cache, BadABIAction: "KILL_THREAD"},
	} {
		p, err := secc.CompileFile(main, o)
		require.NoError(t, err)
		assert.False(t, p.Cached(), "a different %s is a different key", name)
	}

	// Editing an included file changes the key.
	require.NoError(t, os.WriteFile(inc, []byte("$syscall == @mkdir => ERRNO(EACCES);\n"), 0o644))
	edited, err := secc.CompileFile(main, opts)
	require.NoError(t, err)
	assert.False(t, edited.Cached(), "an edited include is a miss")
	got, _ := edited.Simulate("x86_64", "mkdir")
	assert.Equal(t, "ERRNO(EACCES)", got)

	// A damaged entry is ignored and rewritten.
	opts.CacheDir = filepath.Join(t.TempDir(), "cache2")
	_, err = secc.CompileFile(main, opts)
	require.NoError(t, err)
	for _, damage := range []func([]byte) []byte{
		func([]byte) []byte { return []byte("not json") },
		func(b []byte) []byte { return b[:len(b)/2] },
		func(b []byte) []byte {
			var e map[string]any
			require.NoError(t, json.Unmarshal(b, &e))
			e["filter"] = "AAAAAAAAAAA=" // valid base64, wrong sum
			out, _ := json.Marshal(e)
			return out
		},
	} {
		for _, f := range cacheFiles(t, opts.CacheDir) {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(f, damage(b), 0o644))
		}
		p, err := secc.CompileFile(main, opts)
		require.NoError(t, err)
		assert.False(t, p.Cached(), "a damaged entry is not used")
		assert.Equal(t, edited.Raw(), p.Raw())
		p, err = secc.CompileFile(main, opts)
		require.NoError(t, err)
		assert.True(t, p.Cached(), "the entry was rewritten")
	}

	// A policy error is reported, not cached.
	_, err = secc.Compile("bad.sec", []byte("$syscall == @nope => ALLOW;\n"), opts)
	var pe *secc.Error
	assert.ErrorAs(t, err, &pe)
	_, err = secc.Compile("bad.sec", []byte("#include \"missing.sec\"\n=> ALLOW;\n"), opts)
	assert.Error(t, err)
}

func TestCacheJSON(t *testing.T) {
	cache := t.TempDir()
	profile := []byte(`{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG"],
"syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO","includes":{"caps":["CAP_SYS_ADMIN"]}}]}`)
	for _, caps := range [][]string{nil, {"SYS_ADMIN"}} {
		for round := 0; round < 2; round++ {
			p, err := secc.Compile("p.json", profile, secc.Options{Target: "x86_64", Caps: caps, CacheDir: cache})
			require.NoError(t, err)
			assert.Equal(t, round == 1, p.Cached(), "caps %v round %d", caps, round)
			assert.Equal(t, []string{"SECCOMP_FILTER_FLAG_LOG"}, p.Flags(), "flags survive the cache")
			want := "ALLOW"
			if caps != nil {
				want = "ERRNO(EPERM)"
			}
			got, _ := p.Simulate("x86_64", "mount")
			assert.Equal(t, want, got)
		}
	}
}

// TestEnosysUnknown: for a JSON profile, calls newer than the kernel get
// ENOSYS instead of the default action, and the cache tells the two
// filters apart; a .sec policy refuses the option.
func TestEnosysUnknown(t *testing.T) {
	cache := t.TempDir()
	profile := []byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","openat2"],"action":"SCMP_ACT_ALLOW"}]}`)
	for _, c := range []struct {
		enosys      bool
		listns, bpf string
	}{{false, "ERRNO(EPERM)", "ERRNO(EPERM)"}, {true, "ERRNO(ENOSYS)", "ERRNO(EPERM)"}} {
		p, err := secc.Compile("p.json", profile, secc.Options{Target: "x86_64", Kernel: "6.6", EnosysUnknown: c.enosys, CacheDir: cache})
		require.NoError(t, err)
		assert.False(t, p.Cached(), "enosys %v came from the other's cache entry", c.enosys)
		for call, want := range map[string]string{"listns": c.listns, "bpf": c.bpf, "read": "ALLOW"} {
			got, err := p.Simulate("x86_64", call)
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s, enosys %v", call, c.enosys)
		}
	}
	_, err := secc.Compile("p.sec", []byte("=> ALLOW;\n"), secc.Options{EnosysUnknown: true})
	assert.ErrorContains(t, err, "for JSON profiles")
}

func TestBuiltins(t *testing.T) {
	names := secc.Builtins()
	assert.Contains(t, names, "static")
	p, err := secc.CompileBuiltin("static", secc.Options{Target: "aarch64"})
	require.NoError(t, err)
	got, err := p.Simulate("aarch64", "write", 1)
	require.NoError(t, err)
	assert.Equal(t, "ALLOW", got)
	got, _ = p.Simulate("aarch64", "write", 3)
	assert.Equal(t, "ERRNO(EPERM)", got)
	_, err = p.Simulate("aarch64", "open")
	assert.ErrorContains(t, err, `no system call "open" on aarch64`)
}

func TestEncodings(t *testing.T) {
	p, err := secc.CompileBuiltin("static", secc.Options{Target: "x86_64"})
	require.NoError(t, err)
	assert.Equal(t, 8*p.Len(), len(p.Raw()))
	var ann map[string]string
	require.NoError(t, json.Unmarshal([]byte(p.OCIAnnotation()), &ann))
	assert.Equal(t, map[string]string{secc.AnnotationKey: p.Base64()}, ann)
	back, err := secc.ReadFilter(p.Raw())
	require.NoError(t, err)
	assert.Equal(t, p.Instructions(), back.Instructions())
	assert.True(t, strings.Contains(p.CArray("prog"), "prog"))
	assert.NotEmpty(t, p.Disasm())
}

// TestReadmePolicy compiles the policy README.md shows, with the file it
// includes, and checks what its rules say.
func TestReadmePolicy(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	text := string(readme)
	start := strings.Index(text, "```c\n")
	require.GreaterOrEqual(t, start, 0, "README.md has no ```c block")
	text = text[start+len("```c\n"):]
	text = text[:strings.Index(text, "```")]
	read := func(name string) ([]byte, error) {
		if filepath.Base(name) == "common.sec" {
			return []byte("$syscall == @getpid => ALLOW;\n"), nil
		}
		return os.ReadFile(name)
	}
	for _, c := range []struct {
		kernel, caps string
		abi, call    string
		args         []uint64
		want         string
	}{
		{"6.18", "none", "x86_64", "getpid", nil, "ALLOW"},
		{"6.18", "none", "x86_64", "personality", []uint64{0xffffffff}, "ALLOW"},
		{"6.18", "none", "x86_64", "personality", []uint64{0x1_ffffffff}, "ERRNO(EPERM)"},
		{"6.18", "none", "x86_64", "socket", []uint64{40}, "ERRNO(EAFNOSUPPORT)"},
		{"6.18", "none", "x86_64", "clone", []uint64{0x10000000}, "ERRNO(EPERM)"},
		{"6.18", "none", "x86_64", "clone", []uint64{0}, "ALLOW"},
		{"6.18", "none", "x86_64", "mount", nil, "ERRNO(EPERM)"},
		{"6.18", "all", "x86_64", "mount", nil, "ALLOW"},
		{"5.4", "none", "x86_64", "faccessat2", nil, "ERRNO(EPERM)"}, // #if KERNEL >= 5.8 is false
		{"6.18", "none", "x86_64", "listns", nil, "ERRNO(ENOSYS)"},   // newer than KERNEL(6.18)
		{"6.18", "none", "x86_64", "faccessat2", nil, "ALLOW"},
		{"6.18", "none", "x86", "read", nil, "ALLOW"},
		{"6.18", "none", "x86", "getpid", nil, "ALLOW"},
		{"6.18", "none", "x86", "mount", nil, "KILL_PROCESS"},
	} {
		p, err := secc.Compile("readme.sec", []byte(text), secc.Options{Target: "x86_64", ABIs: []string{"all"},
			Kernel: c.kernel, Caps: []string{c.caps}, ReadFile: read})
		require.NoError(t, err)
		got, err := p.Simulate(c.abi, c.call, c.args...)
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "kernel %s caps %s: %s %s %#x", c.kernel, c.caps, c.abi, c.call, c.args)
	}
}
