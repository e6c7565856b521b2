//go:build linux

package filter

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xbpf "golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Live tests install filters in a child: the test binary run again with
// envHelper naming what to do. The child prints "RESULT key=value" lines.
const envHelper = "SECC_FILTER_LOAD_HELPER"

// The filters use x86_64 numbers; 1234 fits in the errno range.
const testErrno = 1234

func result(key string, v any) { fmt.Printf("RESULT %s=%v\n", key, v) }

func getppidErrno() unix.Errno {
	_, _, e := unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
	return e
}

// seccompFiltersOf returns Seccomp_filters of every thread of this process.
func seccompFiltersOf() []string {
	var out []string
	tasks, _ := filepath.Glob("/proc/self/task/*/status")
	for _, st := range tasks {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "Seccomp_filters:"); ok {
				out = append(out, strings.TrimSpace(v))
			}
		}
	}
	return out
}

func TestLoadHelper(t *testing.T) {
	mode := os.Getenv(envHelper)
	if mode == "" {
		t.Skip("only runs as the helper of the live Load tests")
	}
	p := errnoFilter(testErrno)
	switch mode {
	case "errno", "flags":
		runtime.LockOSThread()
		flags := LoadFlags{}
		if mode == "flags" {
			flags = LoadFlags{Log: true, SpecAllow: true}
		}
		fd, err := p.Load(flags)
		result("err", err)
		result("fd", fd)
		result("getppid", int(getppidErrno()))
		_, _, e := unix.RawSyscall(unix.SYS_GETPID, 0, 0, 0)
		result("getpid", int(e))
		result("thread_filtered", strings.Join(seccompFiltersOf(), ","))
	case "tsync":
		// Threads that exist before the load, each locked, check the
		// filter reached them.
		const threads = 4
		start := make(chan struct{})
		errs := make(chan unix.Errno, threads)
		ready := make(chan struct{}, threads)
		for range threads {
			go func() {
				runtime.LockOSThread()
				ready <- struct{}{}
				<-start
				errs <- getppidErrno()
			}()
		}
		for range threads {
			<-ready
		}
		_, err := p.Load(LoadFlags{TSync: true})
		result("err", err)
		close(start)
		var got []string
		for range threads {
			got = append(got, fmt.Sprint(int(<-errs)))
		}
		result("threads", strings.Join(got, ","))
		result("filters", strings.Join(seccompFiltersOf(), ","))
	case "listener", "listener-tsync":
		n := &Program{Insns: []xbpf.RawInstruction{
			bpf.Stmt(bpf.OpLdAbsW, bpf.OffNr),
			bpf.Jump(bpf.OpJeqK, 0xffff, 0, 1), // a number no one calls
			bpf.Stmt(bpf.OpRetK, bpf.RetUserNotif),
			bpf.Stmt(bpf.OpRetK, bpf.RetAllow),
		}}
		runtime.LockOSThread()
		fd, err := n.Load(LoadFlags{NewListener: true, TSync: mode == "listener-tsync"})
		result("err", err)
		_, ferr := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		result("fd_valid", fd > 2 && ferr == nil)
		// A second listener in the same chain is refused.
		_, err = n.Load(LoadFlags{NewListener: true})
		result("second", err != nil && strings.Contains(err.Error(), "listener is already installed"))
	}
	os.Stdout.Sync()
	unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0) // skip the test framework's output
}

func runHelper(t *testing.T, mode string) map[string]string {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Skip("the live filters use x86_64 system call numbers")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), envHelper+"="+mode)
	out, err := cmd.Output()
	require.NoError(t, err, "helper %s: %s", mode, out)
	res := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if kv, ok := strings.CutPrefix(sc.Text(), "RESULT "); ok {
			k, v, _ := strings.Cut(kv, "=")
			res[k] = v
		}
	}
	if strings.Contains(res["err"], "no seccomp filter support") {
		t.Skip("kernel without seccomp filters")
	}
	return res
}

func TestLoadErrno(t *testing.T) {
	res := runHelper(t, "errno")
	assert.Equal(t, "<nil>", res["err"])
	assert.Equal(t, "-1", res["fd"])
	assert.Equal(t, fmt.Sprint(testErrno), res["getppid"])
	assert.Equal(t, "0", res["getpid"])
	// Only the loading thread has the filter.
	assert.Contains(t, res["thread_filtered"], "1")
	assert.Contains(t, res["thread_filtered"], "0")
}

func TestLoadFlagsLogSpecAllow(t *testing.T) {
	res := runHelper(t, "flags")
	assert.Equal(t, "<nil>", res["err"])
	assert.Equal(t, fmt.Sprint(testErrno), res["getppid"])
}

func TestLoadTSync(t *testing.T) {
	res := runHelper(t, "tsync")
	assert.Equal(t, "<nil>", res["err"])
	want := fmt.Sprint(testErrno)
	assert.Equal(t, strings.Repeat(want+",", 3)+want, res["threads"])
	for _, n := range strings.Split(res["filters"], ",") {
		assert.Equal(t, "1", n, "every thread has the filter: %s", res["filters"])
	}
}

func TestLoadNewListener(t *testing.T) {
	for _, mode := range []string{"listener", "listener-tsync"} {
		res := runHelper(t, mode)
		assert.Equal(t, "<nil>", res["err"], mode)
		assert.Equal(t, "true", res["fd_valid"], mode)
		assert.Equal(t, "true", res["second"], mode)
	}
}

func TestLoadRefusesBadProgram(t *testing.T) {
	// Checked before any system call, so safe in this process.
	p := &Program{Insns: []xbpf.RawInstruction{bpf.Stmt(bpf.OpLdAbsW, 2), bpf.Stmt(bpf.OpRetK, bpf.RetAllow)}}
	_, err := p.Load(LoadFlags{})
	assert.ErrorContains(t, err, "insn 0: load from offset 2")
	_, err = (&Program{}).Load(LoadFlags{})
	assert.ErrorContains(t, err, "empty program")
}
