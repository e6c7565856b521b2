package main

// End-to-end tests of the secc command: TestMain builds the binary once and
// every test runs it as a real process, checking exit codes, standard
// output, standard error and the files it writes. Inputs live in testdata/;
// expected outputs that are worth reading in review are golden files there
// (go test ./cmd/secc -update rewrites them).

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// seccBin is the binary TestMain builds.
var seccBin string

// corpusDir holds the shared JSON profiles and easyseccomp's policy; tests
// that need it skip when it is absent.
const corpusDir = "../../../shared/corpus"

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "secc-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	seccBin = filepath.Join(dir, "secc")
	out, err := exec.Command(goTool, "build", "-o", seccBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building secc: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// result is what one run of secc did.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("secc %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// expect fails the test unless the run exited with code.
func (r result) expect(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %v", code, r)
	}
	return r
}

// stderrHas fails the test unless standard error contains every string.
func (r result) stderrHas(t *testing.T, subs ...string) result {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q: %v", s, r)
		}
	}
	return r
}

// stdoutHas fails the test unless standard output contains every string.
func (r result) stdoutHas(t *testing.T, subs ...string) result {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q: %v", s, r)
		}
	}
	return r
}

// invocation is how to run secc: where, with what input, on what stdout.
type invocation struct {
	dir    string   // working directory; testdata when empty
	stdin  string   // standard input
	stdout *os.File // standard output when not captured (a terminal)
}

func (inv invocation) run(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, seccBin, args...)
	cmd.Dir = inv.dir
	if cmd.Dir == "" {
		cmd.Dir = "testdata"
	}
	// The C locale fixes the wording of messages from commands secc execs.
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANGUAGE=")
	cmd.Stdin = strings.NewReader(inv.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if inv.stdout != nil {
		cmd.Stdout = inv.stdout
	}
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() < 0 {
			t.Fatalf("secc %s: %v\nstderr:\n%s", strings.Join(args, " "), err, r.stderr)
		}
		r.code = ee.ExitCode()
	}
	return r
}

// cli runs the binary in testdata with empty standard input.
func cli(t *testing.T, args ...string) result {
	t.Helper()
	return invocation{}.run(t, args...)
}

// golden compares got with testdata/NAME.golden, or rewrites it under
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (check it, then go test -update):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

var simLine = regexp.MustCompile(`^(\S+) \((\d+) instructions executed\)\n$`)

// sim runs `secc sim FILTER [--arch x86_64] ARGS...`, checks the output
// format and returns the action. The call is x86_64's unless args name an
// ABI, so that the tests do not depend on the host.
func sim(t *testing.T, filter string, args ...string) string {
	t.Helper()
	full := []string{"sim", filter}
	if !slices.Contains(args, "--arch") {
		full = append(full, "--arch", "x86_64")
	}
	r := cli(t, append(full, args...)...).expect(t, 0)
	m := simLine.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("want \"ACTION (N instructions executed)\", got %v", r)
	}
	if n, _ := strconv.Atoi(m[2]); n < 1 {
		t.Errorf("no instructions executed: %v", r)
	}
	return m[1]
}

// simCase is one simulated call and the action it must get.
type simCase struct {
	args []string // after the filter: [--arch ABI] NAME|NR [ARGS...]
	want string
}

func checkSims(t *testing.T, filter string, cases []simCase) {
	t.Helper()
	for _, c := range cases {
		if got := sim(t, filter, c.args...); got != c.want {
			t.Errorf("secc sim %s %s = %s, want %s", filter, strings.Join(c.args, " "), got, c.want)
		}
	}
}

// compileTo compiles with args into dir/name and returns the path.
func compileTo(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cli(t, append(append([]string{"compile"}, args...), "-o", out)...).expect(t, 0)
	return out
}

// readFilter reads a raw filter and checks its size.
func readFilter(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 || len(b)%8 != 0 {
		t.Fatalf("%s: %d bytes, not a whole number of 8-byte instructions", path, len(b))
	}
	return b
}

// dirNames lists a directory, to see that no temporary file is left over.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func needCorpus(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(corpusDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("corpus file absent: %v", err)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// policyCases are the decisions of testdata/policy.sec on x86_64.
var policyCases = []simCase{
	{[]string{"--arch", "x86_64", "read"}, "ALLOW"},
	{[]string{"0"}, "ALLOW"}, // read by number
	{[]string{"openat"}, "ERRNO(EACCES)"},
	{[]string{"personality", "8"}, "ALLOW"},
	{[]string{"personality", "0xffffffff"}, "ALLOW"},
	{[]string{"personality", "4294967295"}, "ALLOW"},
	{[]string{"135", "0xffffffff"}, "ALLOW"},
	{[]string{"personality", "0x1ffffffff"}, "ERRNO(EACCES)"}, // all 64 bits compared
	{[]string{"personality", "-1"}, "ERRNO(EACCES)"},
	{[]string{"personality", "1"}, "ERRNO(EACCES)"},
	{[]string{"socket", "40"}, "ERRNO(EAFNOSUPPORT)"},
	{[]string{"socket", "0xffffffff00000028"}, "ERRNO(EAFNOSUPPORT)"}, // .lo
	{[]string{"socket", "2"}, "ERRNO(EACCES)"},
	{[]string{"kill", "-1", "9"}, "ERRNO(EPERM)"},
	{[]string{"kill", "0xffffffff"}, "ERRNO(EPERM)"},
	{[]string{"kill", "1", "9"}, "ALLOW"},
	{[]string{"kill", "-2"}, "ALLOW"},
	{[]string{"mmap", "0", "4096", "3"}, "ALLOW"},
	{[]string{"mmap", "0", "4096", "7"}, "ERRNO(EACCES)"},
	{[]string{"-1"}, "ERRNO(EACCES)"}, // a tracer's skip goes through the rules
}

// badABICases are the calls of ABIs that policy.sec's x86_64 filter does
// not accept by default.
var badABICases = []simCase{
	{[]string{"0x40000000"}, "KILL_PROCESS"},            // x32 numbers
	{[]string{"--arch", "x32", "read"}, "KILL_PROCESS"}, // same, by name
	{[]string{"--arch", "x86", "read"}, "KILL_PROCESS"},
}

func TestCompileFileAndStdin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := compileTo(t, dir, "policy.bpf", "--arch", "x86_64", "policy.sec")
	raw := readFilter(t, out)

	// The same policy from standard input, raw to a pipe.
	text, err := os.ReadFile("testdata/policy.sec")
	if err != nil {
		t.Fatal(err)
	}
	r := invocation{stdin: string(text)}.run(t, "compile", "--arch", "x86_64", "-").expect(t, 0)
	if r.stdout != string(raw) {
		t.Errorf("compile - wrote %d bytes, compile -o %d; they differ", len(r.stdout), len(raw))
	}

	// disasm reads the filter back: one line per instruction.
	d := cli(t, "disasm", out).expect(t, 0)
	if n := strings.Count(d.stdout, "\n 0"); n != len(raw)/8 {
		t.Errorf("disasm shows %d instructions, the filter has %d:\n%s", n, len(raw)/8, d.stdout)
	}
	golden(t, "disasm", d.stdout)
	checkSims(t, out, policyCases)
	checkSims(t, out, badABICases)
	checkSims(t, out, []simCase{{[]string{"--arch", "aarch64", "read"}, "KILL_PROCESS"}})
}

func TestCompileFormats(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	raw := readFilter(t, compileTo(t, dir, "policy.bpf", "--arch", "x86_64", "policy.sec"))
	n := len(raw) / 8
	formatOut := func(f string) string {
		return cli(t, "compile", "--arch", "x86_64", "--format", f, "policy.sec").expect(t, 0).stdout
	}

	if got := formatOut("raw"); got != string(raw) {
		t.Errorf("--format raw differs from -o")
	}

	b64 := formatOut("base64")
	if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64)); err != nil || !bytes.Equal(dec, raw) {
		t.Errorf("--format base64 does not decode to the raw filter (err %v): %q", err, b64)
	}

	var oci map[string]string
	if err := json.Unmarshal([]byte(formatOut("oci")), &oci); err != nil {
		t.Errorf("--format oci is not a JSON object of strings: %v", err)
	} else if dec, err := base64.StdEncoding.DecodeString(oci["run.oci.seccomp_bpf_data"]); err != nil || !bytes.Equal(dec, raw) {
		t.Errorf("--format oci: run.oci.seccomp_bpf_data does not decode to the raw filter (err %v): %v", err, oci)
	}

	if got, want := formatOut("disasm"), cli(t, "disasm", filepath.Join(dir, "policy.bpf")).stdout; got != want {
		t.Errorf("--format disasm differs from secc disasm:\n%s\n---\n%s", got, want)
	}

	goSrc := formatOut("go")
	if formatted, err := format.Source([]byte(goSrc)); err != nil {
		t.Errorf("--format go does not parse: %v\n%s", err, goSrc)
	} else if string(formatted) != goSrc {
		t.Errorf("--format go is not gofmt-formatted")
	}
	if c := strings.Count(goSrc, "{Code: "); c != n {
		t.Errorf("--format go has %d instructions, want %d", c, n)
	}

	cSrc := formatOut("c")
	if c := strings.Count(cSrc, "BPF_STMT(") + strings.Count(cSrc, "BPF_JUMP("); c != n {
		t.Errorf("--format c has %d instructions, want %d:\n%s", c, n, cSrc)
	}
	t.Run("cc", func(t *testing.T) {
		cc, err := exec.LookPath("cc")
		if err != nil {
			t.Skip("no cc on PATH")
		}
		// The output is a fragment that needs <linux/filter.h>.
		hdr := filepath.Join(dir, "hdr.c")
		os.WriteFile(hdr, []byte("#include <linux/filter.h>\n"), 0o644)
		if out, err := exec.Command(cc, "-c", "-o", filepath.Join(dir, "hdr.o"), hdr).CombinedOutput(); err != nil {
			t.Skipf("cc cannot include <linux/filter.h>: %v\n%s", err, out)
		}
		src := filepath.Join(dir, "filter.c")
		os.WriteFile(src, []byte("#include <linux/filter.h>\n"+cSrc), 0o644)
		if out, err := exec.Command(cc, "-Wall", "-Werror", "-c", "-o", filepath.Join(dir, "filter.o"), src).CombinedOutput(); err != nil {
			t.Errorf("cc -c of --format c: %v\n%s\n%s", err, out, cSrc)
		}
	})

	cli(t, "compile", "--format", "elf", "policy.sec").expect(t, 2).stderrHas(t, `unknown format "elf"`)
}

func TestCompileTargetsAndABIs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	arm := compileTo(t, dir, "aarch64.bpf", "--arch", "aarch64", "policy.sec")
	if d := cli(t, "disasm", arm).expect(t, 0); !strings.Contains(d.stdout, "ARCH_AARCH64") || strings.Contains(d.stdout, "ARCH_X86_64") {
		t.Errorf("--arch aarch64: the arch check is not aarch64's:\n%s", d.stdout)
	}
	checkSims(t, arm, []simCase{
		{[]string{"--arch", "aarch64", "read"}, "ALLOW"},
		{[]string{"--arch", "aarch64", "socket", "40"}, "ERRNO(EAFNOSUPPORT)"},
		{[]string{"--arch", "arm", "read"}, "KILL_PROCESS"},
		{[]string{"--arch", "x86_64", "read"}, "KILL_PROCESS"},
	})

	x32 := compileTo(t, dir, "x32.bpf", "--arch", "x86_64", "--abi", "x86_64,x32", "policy.sec")
	checkSims(t, x32, []simCase{
		{[]string{"--arch", "x86_64", "read"}, "ALLOW"},
		{[]string{"--arch", "x32", "read"}, "ALLOW"},
		{[]string{"--arch", "x32", "personality", "8"}, "ALLOW"},
		{[]string{"--arch", "x32", "openat"}, "ERRNO(EACCES)"},
		{[]string{"--arch", "x86", "read"}, "KILL_PROCESS"},
	})

	all := compileTo(t, dir, "all.bpf", "--arch", "x86_64", "--abi", "all", "policy.sec")
	checkSims(t, all, []simCase{
		{[]string{"--arch", "x86_64", "read"}, "ALLOW"},
		{[]string{"--arch", "x86", "read"}, "ALLOW"},
		{[]string{"--arch", "x86", "socket", "40"}, "ERRNO(EAFNOSUPPORT)"},
		{[]string{"--arch", "x86", "openat"}, "ERRNO(EACCES)"},
		{[]string{"--arch", "x32", "kill", "-1"}, "ERRNO(EPERM)"},
		{[]string{"--arch", "aarch64", "read"}, "KILL_PROCESS"},
		{[]string{"--arch", "arm", "read"}, "KILL_PROCESS"},
	})

	// sim compiles a policy itself, for the target of the call's ABI.
	for _, a := range []string{"x86_64", "x86", "x32", "aarch64", "arm"} {
		if got := sim(t, "policy.sec", "--abi", "all", "--arch", a, "personality", "8"); got != "ALLOW" {
			t.Errorf("sim policy.sec --abi all --arch %s personality 8 = %s, want ALLOW", a, got)
		}
		if got := sim(t, "policy.sec", "--abi", "all", "--arch", a, "kill", "-1"); got != "ERRNO(EPERM)" {
			t.Errorf("sim policy.sec --abi all --arch %s kill -1 = %s, want ERRNO(EPERM)", a, got)
		}
	}

	cli(t, "compile", "--arch", "mips", "policy.sec").expect(t, 2).stderrHas(t, `unknown target "mips"`)
	cli(t, "compile", "--abi", "x86_64,vax", "policy.sec").expect(t, 2).stderrHas(t, `unknown ABI "vax"`)
}

func TestCompileSymbols(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := []string{"--arch", "x86_64", "-I", "inc", "--kernel", "5.4", "--caps", "none", "--default", "ERRNO(EPERM)", "symbols.sec"}
	calls := []string{"getpid", "mount", "chroot", "getuid", "getgid", "faccessat2", "openat"}
	for i, tc := range []struct {
		name  string
		extra []string
		allow []string // of calls; the others get ERRNO(EPERM)
	}{
		{"base", nil, []string{"getpid"}},
		{"caps docker", []string{"--caps", "docker"}, []string{"getpid", "chroot"}},
		{"caps all", []string{"--caps", "all"}, []string{"getpid", "mount", "chroot"}},
		{"caps SYS_ADMIN", []string{"--caps", "SYS_ADMIN"}, []string{"getpid", "mount"}},
		{"-d FOO", []string{"-d", "FOO"}, []string{"getpid", "getuid"}},
		{"-D LEVEL=3", []string{"-D", "LEVEL=3"}, []string{"getpid", "getgid"}},
		{"-D LEVEL=2", []string{"-D", "LEVEL=2"}, []string{"getpid"}},
		{"kernel 5.8", []string{"--kernel", "5.8"}, []string{"getpid", "faccessat2"}},
	} {
		// Later flags win: the extras follow the base.
		out := compileTo(t, dir, fmt.Sprintf("s%d.bpf", i), append(append([]string{}, base...), tc.extra...)...)
		for _, c := range calls {
			want := "ERRNO(EPERM)"
			for _, a := range tc.allow {
				if a == c {
					want = "ALLOW"
				}
			}
			if got := sim(t, out, c); got != want {
				t.Errorf("%s: %s = %s, want %s", tc.name, c, got, want)
			}
		}
	}

	// --default gives the action of calls no rule decides.
	out := compileTo(t, dir, "eacces.bpf", "--arch", "x86_64", "-I", "inc", "--default", "ERRNO(EACCES)", "symbols.sec")
	if got := sim(t, out, "openat"); got != "ERRNO(EACCES)" {
		t.Errorf("--default ERRNO(EACCES): openat = %s", got)
	}
	cli(t, "compile", "--arch", "x86_64", "-I", "inc", "symbols.sec", "-o", filepath.Join(dir, "x.bpf")).
		expect(t, 1).stderrHas(t, "symbols.sec:", "no default action", "--default")
	cli(t, "compile", "--arch", "x86_64", "--default", "ERRNO(EPERM)", "symbols.sec", "-o", filepath.Join(dir, "x.bpf")).
		expect(t, 1).stderrHas(t, `symbols.sec:3:10: error: include file "common.sec" not found`)
	if _, err := os.Stat(filepath.Join(dir, "x.bpf")); err == nil {
		t.Errorf("a failed compile wrote its output file")
	}
	cli(t, "compile", "--default", "ERRNO(EPERM", "policy.sec").expect(t, 2)
	cli(t, "compile", "--kernel", "five", "policy.sec").expect(t, 2)
	cli(t, "compile", "-D", "=3", "policy.sec").expect(t, 2).stderrHas(t, "NAME=VALUE")
	cli(t, "compile", "-d", "", "policy.sec").expect(t, 2)
	cli(t, "compile", "--caps", "CAP_NOPE", "policy.sec").expect(t, 2).stderrHas(t, "CAP_NOPE")
}

func TestCompileBadABIAction(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := compileTo(t, dir, "trap.bpf", "--arch", "x86_64", "--bad-abi-action", "TRAP", "policy.sec")
	checkSims(t, out, []simCase{
		{[]string{"--arch", "x86", "read"}, "TRAP"},
		{[]string{"--arch", "aarch64", "read"}, "TRAP"},
		{[]string{"--arch", "x32", "read"}, "TRAP"},
		{[]string{"0x40000001"}, "TRAP"},
		{[]string{"read"}, "ALLOW"},
	})
	out = compileTo(t, dir, "trap3.bpf", "--arch", "x86_64", "--bad-abi-action", "TRAP(3)", "policy.sec")
	if got := sim(t, out, "--arch", "arm", "read"); got != "TRAP(3)" {
		t.Errorf("--bad-abi-action TRAP(3): arm read = %s", got)
	}
	cli(t, "compile", "--bad-abi-action", "EXPLODE", "policy.sec").expect(t, 2)
}

func TestCompileVerifyAndOptimize(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	v := cli(t, "compile", "--arch", "x86_64", "-v", "policy.sec", "-o", filepath.Join(dir, "v.bpf")).expect(t, 0)
	if !regexp.MustCompile(`(?m)^\d+ instructions for x86_64 \(ABIs x86_64\); verified [1-9]\d* inputs`).MatchString(v.stderr) {
		t.Errorf("-v: no summary with a verification count: %v", v)
	}
	v.stderrHas(t, "x86_64: ", "system calls", "instructions run on average")
	nv := cli(t, "compile", "--arch", "x86_64", "-v", "--no-verify", "policy.sec", "-o", filepath.Join(dir, "nv.bpf")).expect(t, 0)
	nv.stderrHas(t, "not verified")
	if !bytes.Equal(readFilter(t, filepath.Join(dir, "v.bpf")), readFilter(t, filepath.Join(dir, "nv.bpf"))) {
		t.Errorf("--no-verify changed the filter")
	}
	if r := cli(t, "compile", "--arch", "x86_64", "policy.sec", "-o", filepath.Join(dir, "quiet.bpf")).expect(t, 0); r.stderr != "" {
		t.Errorf("without -v, compile printed: %v", r)
	}

	// Every optimization level decides every call alike.
	size := map[string]int{}
	files := map[string]string{}
	levels := []string{"none", "size", "speed", "mean"}
	for _, level := range levels {
		files[level] = compileTo(t, dir, level+".bpf", "--arch", "x86_64", "--abi", "all", "--optimize", level, "policy.sec")
		size[level] = len(readFilter(t, files[level])) / 8
	}
	cases := append([]simCase{
		{[]string{"--arch", "x86", "socket", "40"}, "ERRNO(EAFNOSUPPORT)"},
		{[]string{"--arch", "x32", "personality", "8"}, "ALLOW"},
		{[]string{"--arch", "x86", "openat"}, "ERRNO(EACCES)"},
	}, policyCases...)
	for _, c := range cases {
		for _, level := range levels {
			if got := sim(t, files[level], c.args...); got != c.want {
				t.Errorf("sim %s --optimize %s: %s, want %s", strings.Join(c.args, " "), level, got, c.want)
			}
		}
	}
	for _, level := range []string{"none", "size", "mean"} {
		cli(t, "diff", files[level], files["speed"]).expect(t, 0)
	}
	if size["size"] > size["none"] || size["size"] > size["speed"] {
		t.Errorf("--optimize size is not the smallest: %v instructions", size)
	}
	cli(t, "compile", "--optimize", "fast", "policy.sec").expect(t, 2).stderrHas(t, "none, size, speed or mean")
}

// TestCompileWeights: --weights reads strace -c tables, shortens the paths
// of the calls it weighs without changing any decision, reports the
// weighted mean with -v (cached calls running nothing where the kernel
// caches) and warns about names that are no system call.
func TestCompileWeights(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	table := filepath.Join(dir, "strace-c.txt")
	os.WriteFile(table, []byte(`% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 90.00    0.000900          10      9000           execve
 10.00    0.000100          10       100           opne
------ ----------- ----------- --------- --------- ----------------
100.00    0.001000          10      9100           total
`), 0o644)
	plain := compileTo(t, dir, "plain.bpf", "--arch", "x86_64", "--kernel", "5.4", "policy.sec")
	out := filepath.Join(dir, "weighted.bpf")
	r := cli(t, "compile", "--arch", "x86_64", "--kernel", "5.4", "--weights", table, "-v", "policy.sec", "-o", out).expect(t, 0)
	r.stderrHas(t, "weighted by --weights, ", `"opne" is no system call (did you mean "open"?)`)
	cli(t, "diff", plain, out).expect(t, 0)
	steps := func(file string) int {
		got := cli(t, "sim", file, "--arch", "x86_64", "execve").expect(t, 0).stdout
		m := regexp.MustCompile(`\((\d+) instructions executed\)`).FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("sim output: %q", got)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if w, p := steps(out), steps(plain); w >= p {
		t.Errorf("execve, weighted 9000 to 100: %d instructions, %d without weights", w, p)
	}
	cli(t, "compile", "--arch", "x86_64", "--kernel", "6.18", "--weights", table, "-v", "policy.sec", "-o", out).
		expect(t, 0).stderrHas(t, "(calls the kernel's cache answers run none)")
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("many read\n"), 0o644)
	cli(t, "compile", "--weights", bad, "policy.sec", "-o", out).expect(t, 2).stderrHas(t, "bad.txt: line 1:")
}

func TestCompileEasyseccompFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	viaVerb := compileTo(t, dir, "verb.bpf", "-d", "ARCH_AMD64", "policy.sec")
	dropIn := filepath.Join(dir, "dropin.bpf")
	cli(t, "-d", "ARCH_AMD64", "-i", "policy.sec", "-o", dropIn).expect(t, 0)
	if !bytes.Equal(readFilter(t, viaVerb), readFilter(t, dropIn)) {
		t.Errorf("secc -d ARCH_AMD64 -i policy.sec -o F differs from secc compile")
	}
	r := cli(t, "-v", "-d", "ARCH_AMD64", "-i", "policy.sec", "-o", dropIn).expect(t, 0)
	r.stderrHas(t, "instructions for")
	t.Run("easyseccomp-default", func(t *testing.T) {
		p := needCorpus(t, "easyseccomp-default.sec")
		out := filepath.Join(dir, "easy.bpf")
		cli(t, "-d", "ARCH_AMD64", "--caps", "docker", "-i", p, "-o", out).expect(t, 0)
		readFilter(t, out)
	})
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.bpf")
	r := cli(t, "compile", "--arch", "x86_64", "error.sec", "-o", out).expect(t, 1)
	golden(t, "error", r.stderr)
	r.stderrHas(t, "error.sec:2:13: ", "\n                ^\n", `did you mean "mkdir"?`)
	if r.stdout != "" {
		t.Errorf("a failed compile printed to stdout: %v", r)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("a failed compile left files: %v", names)
	}

	// An existing output file is left as it was.
	if err := os.WriteFile(out, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, "compile", "--arch", "x86_64", "error.sec", "-o", out).expect(t, 1)
	if b, _ := os.ReadFile(out); string(b) != "keep" {
		t.Errorf("a failed compile changed the existing output file: %q", b)
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("a failed compile left files: %v", names)
	}
	// A good compile replaces it, with no temporary file left behind.
	cli(t, "compile", "--arch", "x86_64", "policy.sec", "-o", out).expect(t, 0)
	readFilter(t, out)
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("compile left files: %v", names)
	}

	cli(t, "compile", "missing.sec").expect(t, 1).stderrHas(t, "missing.sec")
	cli(t, "compile").expect(t, 2).stderrHas(t, "usage: secc compile")
	cli(t, "compile", "policy.sec", "policy2.sec").expect(t, 2)
	cli(t, "compile", "--no-such-flag", "policy.sec").expect(t, 2).stderrHas(t, "no-such-flag")
	cli(t, "compile", "--builtin", "container-default", "policy.sec").expect(t, 2)
	cli(t, "frobnicate").expect(t, 2).stderrHas(t, `unknown command "frobnicate"`, "usage: secc")
}

// version names the build and the targets, however it is asked for.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		cli(t, args...).expect(t, 0).stdoutHas(t, "secc ", "go1.", "target x86_64: ABIs x86_64, x86, x32", "target aarch64: ABIs aarch64, arm")
	}
	cli(t, "version", "extra").expect(t, 2).stderrHas(t, "usage: secc version")
}

// openPty returns the two ends of a new pseudo-terminal.
func openPty() (master, slave *os.File, err error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	master = os.NewFile(uintptr(fd), "/dev/ptmx")
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, err
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	return master, slave, nil
}

func TestCompileRefusesTerminal(t *testing.T) {
	t.Parallel()
	const refusal = "refusing to write a binary filter to a terminal"
	master, slave, err := openPty()
	if err != nil {
		// Without /dev/ptmx, script(1) gives the command a terminal.
		scr, lerr := exec.LookPath("script")
		if lerr != nil {
			t.Skipf("no pseudo-terminal (%v) and no script(1)", err)
		}
		policy, _ := filepath.Abs("testdata/policy.sec")
		out, serr := exec.Command(scr, "-qec", seccBin+" compile "+policy, "/dev/null").CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(serr, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), refusal) {
			t.Errorf("compile to a terminal (via script): %v\n%s", serr, out)
		}
		return
	}
	defer master.Close()
	defer slave.Close()
	inv := invocation{stdout: slave}
	inv.run(t, "compile", "--arch", "x86_64", "policy.sec").expect(t, 1).stderrHas(t, refusal)
	inv.run(t, "compile", "--arch", "x86_64", "--format", "raw", "policy.sec").expect(t, 1).stderrHas(t, refusal)
	// Text formats are fine on a terminal.
	inv.run(t, "compile", "--arch", "x86_64", "--format", "base64", "policy.sec").expect(t, 0)
}

func TestCompileBuiltin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := compileTo(t, dir, "builtin.bpf", "--arch", "x86_64", "--builtin", "container-default")
	readFilter(t, out)
	checkSims(t, out, []simCase{
		{[]string{"read"}, "ALLOW"},
		{[]string{"--arch", "aarch64", "read"}, "KILL_PROCESS"},
	})
	if got := sim(t, out, "kexec_load"); got == "ALLOW" {
		t.Errorf("container-default allows kexec_load")
	}
	cli(t, "audit", out).expect(t, 0)
	cli(t, "compile", "--builtin", "no-such-policy").expect(t, 2).stderrHas(t, "container-default")
}

func TestCompileJSONProfiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// testdata/profile.json: ABIs from its architectures, Docker's
	// capabilities without --caps, and from standard input too.
	prof := compileTo(t, dir, "profile.bpf", "--arch", "x86_64", "profile.json")
	checkSims(t, prof, []simCase{
		{[]string{"read"}, "ALLOW"},
		{[]string{"--arch", "x86", "read"}, "ALLOW"},
		{[]string{"--arch", "x32", "read"}, "ALLOW"},
		{[]string{"--arch", "aarch64", "read"}, "KILL_THREAD"},
		{[]string{"chroot"}, "ALLOW"},
		{[]string{"personality", "8"}, "ALLOW"},
		{[]string{"personality", "0x100000008"}, "ERRNO(EPERM)"},
		{[]string{"--arch", "x32", "personality", "0x100000008"}, "ALLOW"}, // libseccomp: 32-bit compare
		{[]string{"openat"}, "ERRNO(EPERM)"},
	})
	noCaps := compileTo(t, dir, "nocaps.bpf", "--arch", "x86_64", "--caps", "none", "profile.json")
	if got := sim(t, noCaps, "chroot"); got != "ERRNO(EPERM)" {
		t.Errorf("--caps none: chroot = %s", got)
	}
	text, err := os.ReadFile("testdata/profile.json")
	if err != nil {
		t.Fatal(err)
	}
	r := invocation{stdin: string(text)}.run(t, "compile", "--arch", "x86_64", "-").expect(t, 0)
	if r.stdout != string(readFilter(t, prof)) {
		t.Errorf("a JSON profile on stdin compiles differently")
	}
	cli(t, "compile", "badaction.json", "-o", filepath.Join(dir, "bad.bpf")).expect(t, 1).
		stderrHas(t, "badaction.json:5:", "syscalls[1].action", "SCMP_ACT_BOGUS")
	cli(t, "compile", "--enosys-unknown", "policy.sec").expect(t, 1).stderrHas(t, "--enosys-unknown is for JSON profiles")

	t.Run("moby", func(t *testing.T) {
		moby := needCorpus(t, "moby-default.json")
		plain := compileTo(t, dir, "moby.bpf", "--arch", "x86_64", "--kernel", "5.4", moby)
		enosys := compileTo(t, dir, "moby-enosys.bpf", "--arch", "x86_64", "--kernel", "5.4", "--enosys-unknown", moby)
		recent := compileTo(t, dir, "moby-recent.bpf", "--arch", "x86_64", "--kernel", "6.18", "--enosys-unknown", moby)
		for _, c := range []struct{ call, plain, enosys, recent string }{
			{"read", "ALLOW", "ALLOW", "ALLOW"},
			// Newer than 5.4 and not in the profile.
			{"open_tree_attr", "ERRNO(EPERM)", "ERRNO(ENOSYS)", "ERRNO(EPERM)"},
			{"file_getattr", "ERRNO(EPERM)", "ERRNO(ENOSYS)", "ERRNO(EPERM)"},
			// Unknown to every table.
			{"1000", "ERRNO(EPERM)", "ERRNO(ENOSYS)", "ERRNO(ENOSYS)"},
			// Newer than 5.4 but allowed by the profile: its rule comes first.
			{"faccessat2", "ALLOW", "ALLOW", "ALLOW"},
			// The profile's own ENOSYS rule (no CAP_SYS_ADMIN).
			{"clone3", "ERRNO(ENOSYS)", "ERRNO(ENOSYS)", "ERRNO(ENOSYS)"},
			{"kexec_load", "ERRNO(EPERM)", "ERRNO(EPERM)", "ERRNO(EPERM)"},
		} {
			for _, v := range []struct{ file, want, what string }{
				{plain, c.plain, "--kernel 5.4"},
				{enosys, c.enosys, "--kernel 5.4 --enosys-unknown"},
				{recent, c.recent, "--kernel 6.18 --enosys-unknown"},
			} {
				if got := sim(t, v.file, c.call); got != v.want {
					t.Errorf("moby-default.json %s: %s = %s, want %s", v.what, c.call, got, v.want)
				}
			}
		}
		allCaps := compileTo(t, dir, "moby-all.bpf", "--arch", "x86_64", "--caps", "all", moby)
		if got := sim(t, allCaps, "clone3"); got != "ALLOW" {
			t.Errorf("moby-default.json --caps all: clone3 = %s, want ALLOW", got)
		}
		cli(t, "audit", plain).expect(t, 0)
	})
}

func TestSim(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := compileTo(t, dir, "policy.bpf", "--arch", "x86_64", "policy.sec")
	// A policy is compiled on the fly and decides as its filter does, but
	// for the target of the call's ABI: an aarch64 call is not foreign.
	checkSims(t, "policy.sec", policyCases)
	checkSims(t, "policy.sec", badABICases)
	if got := sim(t, "policy.sec", "--arch", "aarch64", "read"); got != "ALLOW" {
		t.Errorf("sim policy.sec --arch aarch64 read = %s, want ALLOW", got)
	}
	// "--" ends the flags: what follows is all arguments.
	if got := sim(t, out, "--", "kill", "-1"); got != "ERRNO(EPERM)" {
		t.Errorf("sim -- kill -1 = %s", got)
	}
	// A negative number after a flag is an argument, unless the flag
	// takes a value.
	if got := sim(t, out, "kill", "--no-verify", "-1"); got != "ERRNO(EPERM)" {
		t.Errorf("sim kill --no-verify -1 = %s", got)
	}
	if got := sim(t, out, "--ip=7", "kill", "-1"); got != "ERRNO(EPERM)" {
		t.Errorf("sim --ip=7 kill -1 = %s", got)
	}
	cli(t, "sim", out, "--ip", "-1", "read").expect(t, 2).stderrHas(t, `invalid value "-1" for flag -ip`)
	// A policy on standard input (read once: it cannot be read twice).
	text, err := os.ReadFile("testdata/policy.sec")
	if err != nil {
		t.Fatal(err)
	}
	r := (invocation{stdin: string(text)}).run(t, "sim", "-", "kill", "-1").expect(t, 0)
	if !strings.HasPrefix(r.stdout, "ERRNO(EPERM) (") {
		t.Errorf("sim - kill -1: %v", r)
	}
	cli(t, "sim", out, "personalty", "8").expect(t, 2).stderrHas(t, `unknown system call "personalty"`, `did you mean "personality"?`)
	cli(t, "sim", out, "--arch", "aarch64", "open").expect(t, 2).stderrHas(t, "open does not exist on aarch64")
	cli(t, "sim", out, "--arch", "vax", "read").expect(t, 2).stderrHas(t, `unknown ABI "vax"`)
	cli(t, "sim", out, "read", "0xzz").expect(t, 2).stderrHas(t, `bad number "0xzz"`)
	cli(t, "sim", out).expect(t, 2)
	cli(t, "sim", out, "read", "1", "2", "3", "4", "5", "6", "7").expect(t, 2)
	cli(t, "sim", "missing.bpf", "read").expect(t, 1)
}

func TestDisasm(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := compileTo(t, dir, "policy.bpf", "--arch", "x86_64", "policy.sec")
	raw := readFilter(t, out)
	fromFilter := cli(t, "disasm", out).expect(t, 0).stdout
	fromPolicy := cli(t, "disasm", "--arch", "x86_64", "policy.sec").expect(t, 0).stdout
	if fromFilter != fromPolicy {
		t.Errorf("disasm of the policy differs from disasm of its filter")
	}
	text, err := os.ReadFile("testdata/policy.sec")
	if err != nil {
		t.Fatal(err)
	}
	if r := (invocation{stdin: string(text)}).run(t, "disasm", "--arch", "x86_64", "-").expect(t, 0); r.stdout != fromFilter {
		t.Errorf("disasm of the policy on stdin differs from disasm of its filter: %v", r)
	}
	if r := (invocation{stdin: string(raw)}).run(t, "disasm", "-").expect(t, 0); r.stdout != fromFilter {
		t.Errorf("disasm of the filter on stdin differs: %v", r)
	}
	for _, s := range []string{"A = arch", "ARCH_X86_64", "A = sys_number", "return ALLOW", "return KILL_PROCESS", "return ERRNO(EAFNOSUPPORT)", "args[0] (lo)"} {
		if !strings.Contains(fromFilter, s) {
			t.Errorf("disasm lacks %q:\n%s", s, fromFilter)
		}
	}

	bad := filepath.Join(dir, "short.bpf")
	os.WriteFile(bad, raw[:len(raw)-1], 0o644)
	cli(t, "disasm", bad).expect(t, 1).stderrHas(t, "short.bpf", fmt.Sprintf("%d bytes, not a multiple of 8", len(raw)-1))
	empty := filepath.Join(dir, "empty.bpf")
	os.WriteFile(empty, nil, 0o644)
	cli(t, "disasm", empty).expect(t, 1).stderrHas(t, "empty")
	cli(t, "disasm", "missing.bpf").expect(t, 1).stderrHas(t, "missing.bpf")
	cli(t, "disasm").expect(t, 2)
}

func TestFmt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/unformatted.sec")
	if err != nil {
		t.Fatal(err)
	}
	formatted := cli(t, "fmt", "unformatted.sec").expect(t, 0).stdout
	golden(t, "fmt", formatted)
	if r := (invocation{stdin: string(src)}).run(t, "fmt").expect(t, 0); r.stdout != formatted {
		t.Errorf("fmt of stdin differs from fmt of the file: %v", r)
	}
	if r := (invocation{stdin: string(src)}).run(t, "fmt", "-").expect(t, 0); r.stdout != formatted {
		t.Errorf("fmt - differs from fmt of the file: %v", r)
	}
	if r := (invocation{stdin: formatted}).run(t, "fmt").expect(t, 0); r.stdout != formatted {
		t.Errorf("fmt is not idempotent:\n%s", r.stdout)
	}

	r := cli(t, "fmt", "-l", "unformatted.sec").expect(t, 1)
	if r.stdout != "unformatted.sec\n" {
		t.Errorf("fmt -l: %v", r)
	}
	d := cli(t, "fmt", "-d", "unformatted.sec").expect(t, 0)
	golden(t, "fmt-diff", d.stdout)

	// -w rewrites in place, keeping the mode; flags may follow the file.
	p := filepath.Join(dir, "p.sec")
	if err := os.WriteFile(p, src, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := cli(t, "fmt", p, "-w").expect(t, 0); r.stdout != "" {
		t.Errorf("fmt -w printed: %v", r)
	}
	if b, _ := os.ReadFile(p); string(b) != formatted {
		t.Errorf("fmt -w wrote:\n%s", b)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("fmt -w changed the mode: %v %v", fi.Mode(), err)
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("fmt -w left files: %v", names)
	}
	if r := cli(t, "fmt", "-l", p).expect(t, 0); r.stdout != "" {
		t.Errorf("fmt -l of a formatted file: %v", r)
	}
	if r := cli(t, "fmt", "-d", p).expect(t, 0); r.stdout != "" {
		t.Errorf("fmt -d of a formatted file: %v", r)
	}

	cli(t, "fmt", "-w").expect(t, 2).stderrHas(t, "standard input")
	bad := invocation{stdin: "$syscall == => ALLOW;\n"}.run(t, "fmt").expect(t, 1)
	bad.stderrHas(t, "<stdin>:1:13: error:", "^")
	cli(t, "fmt", "missing.sec").expect(t, 1)
}

func TestConvert(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := cli(t, "convert", "profile.json").expect(t, 0)
	golden(t, "convert", r.stdout)

	// The .sec decides as the profile does, given the same ABIs and
	// capabilities and runc's bad-arch action.
	sec := filepath.Join(dir, "profile.sec")
	cli(t, "convert", "profile.json", "-o", sec).expect(t, 0)
	if b, _ := os.ReadFile(sec); string(b) != r.stdout {
		t.Errorf("convert -o wrote something else than convert to stdout")
	}
	same := []string{"--arch", "x86_64", "--abi", "x86_64,x86,x32", "--caps", "docker", "--bad-abi-action", "KILL_THREAD"}
	cli(t, append(append([]string{"diff"}, same...), sec, "profile.json")...).expect(t, 0)

	// Bad profiles: the JSON path and line:column, exit 1, nothing written
	// and an existing file kept.
	keep := filepath.Join(dir, "keep.sec")
	os.WriteFile(keep, []byte("keep"), 0o644)
	cli(t, "convert", "badaction.json", "-o", keep).expect(t, 1).
		stderrHas(t, "badaction.json:5:34: error: syscalls[1].action: unknown action \"SCMP_ACT_BOGUS\"", "^")
	cli(t, "convert", "badsyntax.json", "-o", keep).expect(t, 1).
		stderrHas(t, "badsyntax.json:4:", "invalid JSON")
	if b, _ := os.ReadFile(keep); string(b) != "keep" {
		t.Errorf("a failed convert changed the output file: %q", b)
	}
	if names := dirNames(t, dir); strings.Join(names, " ") != "keep.sec profile.sec" {
		t.Errorf("convert left files: %v", names)
	}
	cli(t, "convert").expect(t, 2)

	for _, name := range []string{"moby-default.json", "containers-default.json"} {
		t.Run(name, func(t *testing.T) {
			prof := needCorpus(t, name)
			out := filepath.Join(dir, strings.TrimSuffix(name, ".json")+".sec")
			cli(t, "convert", prof, "-o", out).expect(t, 0)
			fr := cli(t, "fmt", "-l", out).expect(t, 0) // the output parses and is canonical
			if fr.stdout != "" {
				t.Errorf("convert output is not fmt-canonical")
			}
			compileTo(t, dir, name+".bpf", "--arch", "x86_64", "--abi", "all", "--caps", "docker", out)
			args := append(append([]string{"diff"}, same...), "--kernel", "6.6", out, prof)
			if d := cli(t, args...); d.code != 0 {
				t.Errorf("the converted profile decides differently: %v", d)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	r := cli(t, "explain", "--only", "args", "--arch", "x86_64", "--abi", "all", "policy.sec").expect(t, 0)
	golden(t, "explain-args", r.stdout)
	full := cli(t, "explain", "--arch", "x86_64", "policy.sec").expect(t, 0)
	if !regexp.MustCompile(`(?m)^  read +ALLOW`).MatchString(full.stdout) || !regexp.MustCompile(`(?m)^  openat +ERRNO\(EACCES\)`).MatchString(full.stdout) {
		t.Errorf("explain lacks read or openat:\n%s", full.stdout)
	}
	j := cli(t, "explain", "--format", "json", "--arch", "x86_64", "policy.sec").expect(t, 0)
	if !json.Valid([]byte(j.stdout)) {
		t.Errorf("explain --format json is not JSON:\n%s", j.stdout)
	}
	cli(t, "explain", "--only", "sometimes", "policy.sec").expect(t, 2)
	cli(t, "explain", "--enosys-unknown", "policy.sec").expect(t, 1).stderrHas(t, "--enosys-unknown is for JSON profiles")
}

// TestExplainProfileFlags: explain reads a JSON profile as compile and sim
// do: --enosys-unknown applies, and the header names the ABIs the
// profile's filter accepts, which --abi does not change (it picks the
// tables shown).
func TestExplainProfileFlags(t *testing.T) {
	t.Parallel()
	prof := needCorpus(t, "moby-default.json")
	base := []string{"explain", "--arch", "x86_64", "--abi", "x86_64", "--caps", "docker", "--kernel", "6.6"}
	plain := cli(t, append(base, prof)...).expect(t, 0)
	plain.stdoutHas(t, "accepts: x86_64, x86, x32\n")
	enosys := cli(t, append(base, "--enosys-unknown", prof)...).expect(t, 0)
	// listns is newer than 6.6 and not in the profile.
	listns := regexp.MustCompile(`(?m)^  listns +(\S+)`)
	if m := listns.FindStringSubmatch(plain.stdout); m == nil || m[1] != "ERRNO(EPERM)" {
		t.Errorf("listns without --enosys-unknown: %v", m)
	}
	if m := listns.FindStringSubmatch(enosys.stdout); m == nil || m[1] != "ERRNO(ENOSYS)" {
		t.Errorf("listns with --enosys-unknown: %v", m)
	}
	cli(t, "sim", "--arch", "x86_64", "--caps", "docker", "--kernel", "6.6", "--enosys-unknown", prof, "listns").
		expect(t, 0).stdoutHas(t, "ERRNO(ENOSYS)")
	// As for compile and sim, a given bad-ABI action replaces libseccomp's.
	plain.stdoutHas(t, "other arches: KILL_THREAD\n")
	cli(t, append(base, "--bad-abi-action", "ERRNO(EPERM)", prof)...).expect(t, 0).stdoutHas(t, "other arches: ERRNO(EPERM)\n")
}

func TestDiff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := compileTo(t, dir, "policy.bpf", "--arch", "x86_64", "policy.sec")
	if r := cli(t, "diff", "--arch", "x86_64", "policy.sec", out).expect(t, 0); r.stdout != "" {
		t.Errorf("diff of a policy and its filter: %v", r)
	}
	cli(t, "diff", "--arch", "x86_64", "policy.sec", "policy.sec").expect(t, 0)
	r := cli(t, "diff", "--arch", "x86_64", "policy.sec", "policy2.sec").expect(t, 1)
	golden(t, "diff", r.stdout)
	r.stdoutHas(t, "x86_64 getpid: ERRNO(EACCES) → ALLOW\n")
	j := cli(t, "diff", "--format", "json", "--arch", "x86_64", "policy.sec", "policy2.sec").expect(t, 1)
	var doc struct {
		Differences []map[string]any `json:"differences"`
	}
	if err := json.Unmarshal([]byte(j.stdout), &doc); err != nil || len(doc.Differences) == 0 {
		t.Errorf("diff --format json: %v\n%s", err, j.stdout)
	}
	cli(t, "diff", "policy.sec").expect(t, 2)
	cli(t, "diff", "policy.sec", "missing.sec").expect(t, 2)
}

func TestLint(t *testing.T) {
	t.Parallel()
	r := cli(t, "lint", "--arch", "x86_64", "shadowed.sec").expect(t, 0) // a warning
	r.stdoutHas(t, "shadowed.sec:2:1: warning:", "[shadowed]")
	golden(t, "lint-shadowed", r.stdout)
	cli(t, "lint", "--strict", "--arch", "x86_64", "shadowed.sec").expect(t, 1)

	h := cli(t, "lint", "--arch", "x86_64", "highbits.sec").expect(t, 1)
	h.stdoutHas(t, "highbits.sec:1:24: error:", "[high-bits]", "$arg0.lo")
	golden(t, "lint-highbits", h.stdout)
	j := cli(t, "lint", "--format", "json", "--arch", "x86_64", "highbits.sec").expect(t, 1)
	if !json.Valid([]byte(j.stdout)) {
		t.Errorf("lint --format json is not JSON:\n%s", j.stdout)
	}

	dir := t.TempDir()
	out := compileTo(t, dir, "policy.bpf", "--arch", "x86_64", "policy.sec")
	cli(t, "lint", out).expect(t, 2).stderrHas(t, "secc audit")
	cli(t, "lint", "error.sec").expect(t, 1).stderrHas(t, "error.sec:2:13")
}

// rawFilter assembles sock_filter instructions little-endian, as the
// kernel reads them.
func rawFilter(insns ...[4]uint32) []byte {
	var b []byte
	for _, in := range insns {
		b = binary.LittleEndian.AppendUint16(b, uint16(in[0]))
		b = append(b, byte(in[1]), byte(in[2]))
		b = binary.LittleEndian.AppendUint32(b, in[3])
	}
	return b
}

func TestAudit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A hand-written deny-list: kill execve, allow the rest, never look at
	// the arch.
	noArch := filepath.Join(dir, "noarch.bpf")
	os.WriteFile(noArch, rawFilter(
		[4]uint32{0x20, 0, 0, 0},          // A = sys_number
		[4]uint32{0x15, 0, 1, 59},         // if (A != execve) goto allow
		[4]uint32{0x06, 0, 0, 0x80000000}, // return KILL_PROCESS
		[4]uint32{0x06, 0, 0, 0x7fff0000}, // return ALLOW
	), 0o644)
	r := invocation{dir: dir}.run(t, "audit", "noarch.bpf").expect(t, 1)
	r.stdoutHas(t, "[no-arch-check]", "[x32-bypass]")
	golden(t, "audit-noarch", r.stdout)

	for _, args := range [][]string{
		{"--arch", "x86_64", "policy.sec"},
		{"--arch", "x86_64", "--abi", "all", "policy.sec"},
		{"--arch", "aarch64", "--abi", "all", "policy.sec"},
	} {
		out := compileTo(t, dir, "own.bpf", args...)
		if a := cli(t, "audit", out).expect(t, 0); !strings.Contains(a.stdout, "0 errors") {
			t.Errorf("audit of secc's own filter (%v): %v", args, a)
		}
	}
	cli(t, "audit", "--arch", "x86_64", "policy.sec").expect(t, 0)
}

func TestGraph(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := compileTo(t, dir, "policy.bpf", "--arch", "x86_64", "policy.sec")
	dotFile := filepath.Join(dir, "g.dot")
	for _, tc := range []struct {
		args []string
		file string // where the graph goes; stdout when empty
	}{
		{[]string{"--arch", "x86_64", "policy.sec"}, ""},
		{[]string{out}, ""},
		{[]string{"--arch", "x86_64", "policy.sec", "-o", dotFile}, dotFile},
	} {
		text := cli(t, append([]string{"graph"}, tc.args...)...).expect(t, 0).stdout
		if tc.file != "" {
			b, err := os.ReadFile(tc.file)
			if err != nil || text != "" {
				t.Fatalf("graph -o: %v, stdout %q", err, text)
			}
			text = string(b)
		}
		if !strings.HasPrefix(text, "digraph") || !strings.HasSuffix(text, "}\n") {
			t.Errorf("graph %v: not a digraph:\n%s", tc.args, text)
		}
		if dot, err := exec.LookPath("dot"); err == nil {
			cmd := exec.Command(dot, "-Tcanon")
			cmd.Stdin = strings.NewReader(text)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("graph %v: dot rejects the graph: %v\n%s", tc.args, err, out)
			}
		}
	}
	cli(t, "graph", "--format", "png", "policy.sec").expect(t, 2)
}

func TestExec(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("secc exec needs Linux")
	}
	if st, err := os.ReadFile("/proc/self/status"); err != nil || !strings.Contains(string(st), "\nSeccomp:") {
		t.Skip("this kernel has no seccomp")
	}
	t.Parallel()
	dir := t.TempDir()
	policy, _ := filepath.Abs("testdata/nomkdir.sec")
	inv := invocation{dir: dir}
	if r := inv.run(t, "exec", "--policy", policy, "--", "/bin/true"); r.code != 0 {
		t.Fatalf("exec /bin/true under a permissive policy: %v", r)
	}
	r := inv.run(t, "exec", "--policy", policy, "--", "/bin/mkdir", "X")
	if r.code == 0 || !strings.Contains(r.stderr, "Operation not permitted") {
		t.Errorf("mkdir under a policy denying it: %v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "X")); err == nil {
		t.Errorf("mkdir created X under the filter")
	}
	// Without the filter mkdir works here: the denial was the filter's.
	if err := exec.Command("/bin/mkdir", filepath.Join(dir, "Y")).Run(); err != nil {
		t.Fatalf("mkdir without a filter: %v", err)
	}

	filter := compileTo(t, dir, "nomkdir.bpf", policy)
	inv.run(t, "exec", "--filter", filter, "--", "/bin/true").expect(t, 0)
	inv.run(t, "exec", "--filter", filter, "--", "/bin/mkdir", "Z").expect(t, 1)
	inv.run(t, "exec", "--builtin", "container-default", "--", "/bin/true").expect(t, 0)

	inv.run(t, "exec", "--policy", policy).expect(t, 2).stderrHas(t, "no command given")
	inv.run(t, "exec", "--", "/bin/true").expect(t, 2).stderrHas(t, "name the filter")
	// The input as the first argument: its kind is read from it, and
	// flags may follow it up to --.
	inv.run(t, "exec", policy, "--", "/bin/mkdir", "P").expect(t, 1).stderrHas(t, "Operation not permitted")
	inv.run(t, "exec", policy, "--optimize", "size", "--", "/bin/true").expect(t, 0)
	inv.run(t, "exec", filter, "--", "/bin/mkdir", "Q").expect(t, 1)
	inv.run(t, "exec", filter, "/bin/true").expect(t, 2).stderrHas(t, "end the flags with --")
	inv.run(t, "exec", filter, "extra", "--", "/bin/true").expect(t, 2).stderrHas(t, `unexpected "extra"`)
	for _, name := range []string{"P", "Q"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("mkdir created %s under the filter", name)
		}
	}
	inv.run(t, "exec", "--policy", policy, "--filter", filter, "--", "/bin/true").expect(t, 2)
	inv.run(t, "exec", "--policy", policy, "--", "/no/such/command").expect(t, 1)
}

// verbs are the commands secc must have; TestHelp checks the list against
// secc's own usage text, so a new verb is not left out.
var verbs = []string{"audit", "compile", "convert", "diff", "disasm", "exec", "explain", "fmt", "graph", "lint", "sim", "version"}

func TestHelp(t *testing.T) {
	t.Parallel()
	r := cli(t).expect(t, 2)
	r.stderrHas(t, "usage: secc <command>")
	for _, h := range []string{"-h", "--help", "help"} {
		cli(t, h).expect(t, 0).stderrHas(t, "usage: secc <command>")
	}
	var listed []string
	for _, m := range regexp.MustCompile(`(?m)^  (\w+) `).FindAllStringSubmatch(r.stderr, -1) {
		listed = append(listed, m[1])
	}
	if strings.Join(listed, " ") != strings.Join(verbs, " ") {
		t.Errorf("secc lists the commands %v, the tests know %v", listed, verbs)
	}
	for _, v := range verbs {
		for _, h := range []string{"-h", "--help"} {
			r := cli(t, v, h).expect(t, 0)
			if !strings.Contains(strings.ToLower(r.stderr), "example") || !strings.Contains(r.stderr, "secc "+v) {
				t.Errorf("secc %s %s prints no example: %v", v, h, r)
			}
		}
	}
}
