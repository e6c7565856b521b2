//go:build linux && amd64

package compiler_test

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/filter"
)

// The live tests load compiled filters into the running kernel. Go cannot
// fork, so the test binary re-executes itself as a child that installs the
// filter on one locked thread (other runtime threads stay unfiltered, so a
// strict policy cannot break the Go runtime), makes raw system calls, and
// stores their results in a shared memory page the parent reads even when
// the filter kills the child.

const liveChildEnv = "SECC_LIVE_CHILD"

// probe is one system call the child makes.
type probe struct {
	nr   uintptr
	args [6]uintptr
}

// outcome is what the child observed for one probe.
type outcome struct {
	ret   uintptr
	errno syscall.Errno
}

// liveResult is the child's results and how it ended.
type liveResult struct {
	outcomes []outcome
	done     int    // probes completed before the child ended
	signal   string // set when a signal killed the child
	exitCode int
}

func TestLiveChild(t *testing.T) {
	if os.Getenv(liveChildEnv) == "" {
		t.Skip("helper process for the live kernel tests")
	}
	liveChild()
}

// liveChild: args come from the environment: the filter file, the shared
// result file and the probes.
func liveChild() {
	raw, err := os.ReadFile(os.Getenv("SECC_LIVE_FILTER"))
	if err != nil {
		os.Exit(10)
	}
	var probes []probe
	for _, spec := range strings.Split(os.Getenv("SECC_LIVE_PROBES"), ";") {
		var p probe
		for i, f := range strings.Fields(spec) {
			v, err := strconv.ParseUint(f, 0, 64)
			if err != nil {
				os.Exit(11)
			}
			if i == 0 {
				p.nr = uintptr(v)
			} else {
				p.args[i-1] = uintptr(v)
			}
		}
		probes = append(probes, p)
	}
	f, err := os.OpenFile(os.Getenv("SECC_LIVE_RESULTS"), os.O_RDWR, 0)
	if err != nil {
		os.Exit(12)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		os.Exit(13)
	}
	prog, err := filter.Read(raw)
	if err != nil {
		os.Exit(14)
	}
	runtime.LockOSThread()
	if _, err := prog.Load(filter.LoadFlags{}); err != nil {
		os.Stderr.WriteString(err.Error())
		os.Exit(15)
	}
	// From here on: no allocation, only raw system calls and stores to
	// the shared page. Layout: done count, then (ret, errno) pairs.
	words := (*[512]uint64)(unsafe.Pointer(&mem[0]))
	for i, p := range probes {
		r, _, e := syscall.RawSyscall6(p.nr, p.args[0], p.args[1], p.args[2], p.args[3], p.args[4], p.args[5])
		words[1+2*i] = uint64(r)
		words[2+2*i] = uint64(e)
		words[0] = uint64(i + 1)
	}
	syscall.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
}

// runLive compiles policy for x86_64 and runs the probes under it.
func runLive(t *testing.T, policy string, probes ...probe) liveResult {
	t.Helper()
	if os.Getuid() != 0 && unix.Prctl(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != nil {
		t.Skip("seccomp needs no_new_privs")
	}
	res := compile(t, policy, compiler.Options{})
	return runLiveRaw(t, res.Program.Raw(), probes...)
}

// runLiveRaw runs the probes under a raw filter.
func runLiveRaw(t *testing.T, raw []byte, probes ...probe) liveResult {
	t.Helper()
	dir := t.TempDir()
	filterPath := filepath.Join(dir, "filter.bpf")
	require.NoError(t, os.WriteFile(filterPath, raw, 0o600))
	resultsPath := filepath.Join(dir, "results")
	require.NoError(t, os.WriteFile(resultsPath, make([]byte, 4096), 0o600))
	var specs []string
	for _, p := range probes {
		fields := []string{strconv.FormatUint(uint64(p.nr), 10)}
		for _, a := range p.args {
			fields = append(fields, strconv.FormatUint(uint64(a), 10))
		}
		specs = append(specs, strings.Join(fields, " "))
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLiveChild$")
	cmd.Env = append(os.Environ(), liveChildEnv+"=1", "GODEBUG=asyncpreemptoff=1",
		"SECC_LIVE_FILTER="+filterPath, "SECC_LIVE_RESULTS="+resultsPath,
		"SECC_LIVE_PROBES="+strings.Join(specs, ";"))
	out, err := cmd.CombinedOutput()
	var r liveResult
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(t, ok, "child: %v", err)
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.signal = ws.Signal().String()
		} else {
			r.exitCode = ee.ExitCode()
			require.NotContains(t, []int{10, 11, 12, 13, 14, 15}, r.exitCode, "child setup failed: %s", out)
		}
	}
	page, err := os.ReadFile(resultsPath)
	require.NoError(t, err)
	r.done = int(binary.LittleEndian.Uint64(page))
	for i := 0; i < r.done; i++ {
		r.outcomes = append(r.outcomes, outcome{
			ret:   uintptr(binary.LittleEndian.Uint64(page[8+16*i:])),
			errno: syscall.Errno(binary.LittleEndian.Uint64(page[16+16*i:])),
		})
	}
	return r
}

func call6(nr uintptr, args ...uintptr) probe {
	p := probe{nr: nr}
	copy(p.args[:], args)
	return p
}

// errnos lists each probe's errno (0 for success).
func (r liveResult) errnos() []syscall.Errno {
	var out []syscall.Errno
	for _, o := range r.outcomes {
		out = append(out, o.errno)
	}
	return out
}

// getppid ignores its arguments, but the filter sees them: it is the probe
// for argument rules.
var getppid = uintptr(unix.SYS_GETPPID)

func TestLiveDenyList(t *testing.T) {
	r := runLive(t, `$syscall == @getppid => ERRNO(EPERM); => ALLOW;`,
		call6(unix.SYS_GETPID), call6(getppid), call6(unix.SYS_GETUID))
	assert.Equal(t, []syscall.Errno{0, unix.EPERM, 0}, r.errnos())
}

func TestLiveAllowList(t *testing.T) {
	r := runLive(t, `$syscall in (@getpid, @exit_group, @rt_sigreturn) => ALLOW; => ERRNO(ENOSYS);`,
		call6(unix.SYS_GETPID), call6(getppid), call6(unix.SYS_GETUID))
	assert.Equal(t, []syscall.Errno{0, unix.ENOSYS, unix.ENOSYS}, r.errnos())
	assert.Zero(t, r.exitCode)
}

func TestLiveErrnoValues(t *testing.T) {
	r := runLive(t, `
$syscall == @getppid && $arg0 == 1 => ERRNO(4095);
$syscall == @getppid && $arg0 == 2 => ERRNO(0);
$syscall == @getppid => ERRNO(EACCES);
=> ALLOW;`, call6(getppid, 1), call6(getppid, 2), call6(getppid, 3))
	require.Equal(t, 3, r.done)
	// -4095 is the largest errno; Go's raw syscall wrapper reports errors
	// only above it, so look at the raw return value.
	assert.Equal(t, ^uintptr(4095-1), r.outcomes[0].ret, "ERRNO(4095) returns -4095")
	assert.Equal(t, outcome{0, 0}, r.outcomes[1], "ERRNO(0) returns success without running the call")
	assert.Equal(t, unix.EACCES, r.outcomes[2].errno)
}

func TestLiveEveryOperator(t *testing.T) {
	r := runLive(t, `
$syscall == @getppid && $arg0 == 5 && $arg1 != 7 => ERRNO(1);
$syscall == @getppid && $arg0 < 3 => ERRNO(2);
$syscall == @getppid && $arg0 <= 3 => ERRNO(3);
$syscall == @getppid && $arg0 > 0xfffffffffffffff0 => ERRNO(4);
$syscall == @getppid && $arg0 >= 0x100000000 => ERRNO(5);
$syscall == @getppid && ($arg1 & 0xf0) == 0x30 => ERRNO(6);
$syscall == @getppid && $arg1 in (100, 200..300) => ERRNO(7);
$syscall == @getppid && $arg1 not in (1000..2000) => ERRNO(8);
=> ALLOW;`,
		call6(getppid, 5, 6), call6(getppid, 5, 7, 0), call6(getppid, 2), call6(getppid, 3),
		call6(getppid, ^uintptr(0)), call6(getppid, 1<<32), call6(getppid, 4, 0x3f),
		call6(getppid, 4, 250), call6(getppid, 4, 1500), call6(getppid, 4, 5000))
	assert.Equal(t, []syscall.Errno{1, 8, 2, 3, 4, 5, 6, 7, 0, 8}, r.errnos())
}

func TestLive64BitArguments(t *testing.T) {
	r := runLive(t, `
$syscall == @getppid && $arg0 == 1 => ERRNO(1);
$syscall == @getppid && $arg0.lo == 1 => ERRNO(2);
$syscall == @getppid && $arg2 == 0x123456789abcdef0 => ERRNO(3);
$syscall == @getppid && $arg3.hi == 0xdeadbeef => ERRNO(4);
=> ALLOW;`,
		call6(getppid, 1), call6(getppid, 0x1_00000001), call6(getppid, 9, 0, 0x123456789abcdef0),
		call6(getppid, 9, 0, 0x9abcdef0), call6(getppid, 9, 0, 0, 0xdeadbeef_00000000))
	assert.Equal(t, []syscall.Errno{1, 2, 3, 0, 4}, r.errnos(),
		"$arg0 == 1 must not match 0x100000001, while $arg0.lo == 1 does")
}

func TestLivePersonality(t *testing.T) {
	// personality(0xffffffff) only queries; the kernel reads an unsigned int.
	r := runLive(t, `$syscall == @personality && $arg0 == 0xffffffff => ALLOW;
$syscall == @personality => ERRNO(EPERM); => ALLOW;`,
		call6(unix.SYS_PERSONALITY, 0xffffffff), call6(unix.SYS_PERSONALITY, 0x1_ffffffff))
	assert.Equal(t, []syscall.Errno{0, unix.EPERM}, r.errnos())
}

func TestLiveKillProcess(t *testing.T) {
	r := runLive(t, `$syscall == @getppid => KILL_PROCESS; => ALLOW;`,
		call6(unix.SYS_GETPID), call6(getppid), call6(unix.SYS_GETPID))
	assert.Equal(t, 1, r.done, "the process dies at getppid")
	assert.Equal(t, "bad system call", r.signal)
}

func TestLiveTrap(t *testing.T) {
	// SIGSYS from TRAP reaches the Go runtime, which crashes the child.
	r := runLive(t, `$syscall == @getppid => TRAP(7); => ALLOW;`, call6(unix.SYS_GETPID), call6(getppid))
	assert.Equal(t, 1, r.done)
	assert.True(t, r.signal != "" || r.exitCode == 2, "child must die of the SIGSYS: %+v", r)
}

func TestLiveLogAllows(t *testing.T) {
	r := runLive(t, `$syscall == @getppid => LOG; => ERRNO(EPERM);`, call6(getppid), call6(unix.SYS_GETUID))
	require.Equal(t, 2, r.done)
	assert.Equal(t, []syscall.Errno{0, unix.EPERM}, r.errnos())
	assert.Equal(t, uintptr(os.Getpid()), r.outcomes[0].ret, "getppid ran and returned the parent's pid")
}

func TestLiveTraceWithoutTracer(t *testing.T) {
	// With no tracer attached the kernel fails a TRACE call with ENOSYS.
	r := runLive(t, `$syscall == @getppid => TRACE(3); => ALLOW;`, call6(getppid))
	assert.Equal(t, []syscall.Errno{unix.ENOSYS}, r.errnos())
}

func TestLiveDefaultFromCommandLine(t *testing.T) {
	r := runLive(t, `$syscall == @getppid && $arg5 == 77 => ERRNO(EIO);
$syscall in (@getppid, @getpid) => ALLOW; => ERRNO(EXDEV);`,
		call6(getppid, 0, 0, 0, 0, 0, 77), call6(getppid), call6(unix.SYS_GETUID))
	assert.Equal(t, []syscall.Errno{unix.EIO, 0, unix.EXDEV}, r.errnos())
}

func TestLiveKernelSets(t *testing.T) {
	// getppid is from 2.6.12; listmount (6.8) is not in KERNEL(5.3).
	r := runLive(t, `$syscall == @listmount => ERRNO(ENOSYS);
$syscall in KERNEL(5.3) => ALLOW; => ERRNO(EPERM);`,
		call6(getppid), call6(unix.SYS_GETPID), call6(458))
	assert.Equal(t, []syscall.Errno{0, 0, unix.ENOSYS}, r.errnos())
}

func TestLiveDockerProfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpusDir, "moby-default.json"))
	if err != nil {
		t.Skip("corpus not available:", err)
	}
	res, _, _, err := compiler.CompileProfile(compiler.Profile{Name: "moby-default.json", Data: data}, compiler.Options{})
	require.NoError(t, err)
	r := runLiveRaw(t, res.Program.Raw(),
		call6(unix.SYS_GETPID), call6(unix.SYS_PERSONALITY, 0xffffffff), call6(unix.SYS_PERSONALITY, 1),
		call6(unix.SYS_SOCKET, 40, 1, 0), call6(unix.SYS_KEXEC_LOAD))
	assert.Equal(t, []syscall.Errno{0, 0, unix.EPERM, unix.EPERM, unix.EPERM}, r.errnos())
}
