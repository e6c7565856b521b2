//go:build linux

package bpf

import (
	"bufio"
	"encoding/binary"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	xbpf "golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The kernel test loads programs in a helper process (the test binary run
// again): a program the kernel accepts stays installed on the loading
// thread. Programs whose every path returns ALLOW leave the thread usable,
// so they are loaded on a fresh locked thread that then dies. Any other
// program is loaded on a locked thread that first blocks all signals and
// announces its thread id; if the load succeeds it spins without making
// another system call, so the filter never runs. The parent sees the filter
// in /proc/PID/task/TID/status, kills the helper and starts a new one after
// that program. Nothing in the helper has to survive its own filter.

const (
	envHelperFile  = "SECC_BPF_KERNEL_HELPER"
	envHelperStart = "SECC_BPF_KERNEL_START"
)

// Report records on the helper's pipe: kind, index, errno.
const (
	recTry    = 'T' // about to load a program that may not let us report; errno is the tid
	recResult = 'R' // loaded: errno 0 = accepted
)

// benign reports whether prog, once installed, returns ALLOW for every
// system call.
func benign(prog []xbpf.RawInstruction) bool {
	for _, ins := range prog {
		switch ins.Op {
		case OpRetA, OpDivX, OpModX:
			return false
		case OpRetK:
			if ins.K != RetAllow {
				return false
			}
		}
	}
	return true
}

// seccompLoad installs prog on the calling thread with no_new_privs set and
// returns the errno of seccomp(2).
func seccompLoad(prog []xbpf.RawInstruction) unix.Errno {
	if _, _, e := unix.RawSyscall(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0); e != 0 {
		return e
	}
	fp := unix.SockFprog{Len: uint16(len(prog))}
	if len(prog) > 0 {
		fp.Filter = (*unix.SockFilter)(unsafe.Pointer(&prog[0]))
	}
	if len(prog) > 0xffff {
		fp.Len = 0xffff // sock_fprog.len is 16 bits; still more than 4096
	}
	_, _, e := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fp)))
	runtime.KeepAlive(prog)
	return e
}

func TestKernelHelper(t *testing.T) {
	path := os.Getenv(envHelperFile)
	if path == "" {
		t.Skip("only runs as the helper of TestCheckAgainstKernel")
	}
	start, _ := strconv.Atoi(os.Getenv(envHelperStart))
	progs, err := readProgs(path)
	if err != nil {
		panic(err)
	}
	report := os.NewFile(3, "report")
	put := func(kind byte, i int, errno unix.Errno) {
		var b [9]byte
		b[0] = kind
		binary.LittleEndian.PutUint32(b[1:], uint32(i))
		binary.LittleEndian.PutUint32(b[5:], uint32(errno))
		if _, err := report.Write(b[:]); err != nil {
			panic(err)
		}
	}
	runtime.LockOSThread()
	for i := start; i < len(progs); i++ {
		prog := progs[i]
		done := make(chan unix.Errno)
		if benign(prog) {
			go func() {
				runtime.LockOSThread() // never unlocked: the thread dies with us
				done <- seccompLoad(prog)
			}()
			put(recResult, i, <-done)
			continue
		}
		go func() {
			runtime.LockOSThread()
			all := ^uint64(0)
			unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, uintptr(unsafe.Pointer(&all)), 0, 8, 0, 0)
			put(recTry, i, unix.Errno(unix.Gettid()))
			e := seccompLoad(prog)
			if e == 0 {
				for {
				}
			}
			put(recResult, i, e)
			done <- e
		}()
		<-done
	}
	report.Close()
	unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
}

func writeProgs(path string, progs [][]xbpf.RawInstruction) error {
	var b []byte
	for _, p := range progs {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, Encode(p)...)
	}
	return os.WriteFile(path, b, 0o600)
}

func readProgs(path string) ([][]xbpf.RawInstruction, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var progs [][]xbpf.RawInstruction
	for len(b) > 0 {
		n := int(binary.LittleEndian.Uint32(b)) * InsnSize
		p, err := Decode(b[4 : 4+n])
		if err != nil {
			return nil, err
		}
		progs = append(progs, p)
		b = b[4+n:]
	}
	return progs, nil
}

// kernelVerdicts loads every program in helpers and returns the errno of
// each (0: accepted).
func kernelVerdicts(t *testing.T, progs [][]xbpf.RawInstruction) []unix.Errno {
	path := filepath.Join(t.TempDir(), "progs")
	if p := os.Getenv("SECC_DUMP"); p != "" {
		path = p
	}
	if err := writeProgs(path, progs); err != nil {
		t.Fatal(err)
	}
	verdicts := make([]unix.Errno, len(progs))
	helpers := 0
	for start := 0; start < len(progs); {
		helpers++
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestKernelHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), envHelperFile+"="+path, envHelperStart+"="+strconv.Itoa(start))
		cmd.ExtraFiles = []*os.File{w}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		type record struct {
			kind byte
			i    int
			v    uint32
		}
		recs := make(chan record, 64)
		go func() {
			defer close(recs)
			br := bufio.NewReader(r)
			for {
				var b [9]byte
				if _, err := io.ReadFull(br, b[:]); err != nil {
					return
				}
				recs <- record{b[0], int(binary.LittleEndian.Uint32(b[1:])), binary.LittleEndian.Uint32(b[5:])}
			}
		}()
		deadline := time.Now().Add(20 * time.Second)
		pending, tid := -1, 0 // announced, not yet reported
		next := -1            // where the next helper starts, once known
	read:
		for {
			var tick <-chan time.Time
			if pending >= 0 {
				tick = time.After(200 * time.Microsecond)
			}
			select {
			case rec, ok := <-recs:
				if !ok {
					break read
				}
				switch rec.kind {
				case recTry:
					pending, tid = rec.i, int(rec.v)
				case recResult:
					verdicts[rec.i] = unix.Errno(rec.v)
					pending = -1
					if rec.i == len(progs)-1 {
						next = len(progs)
					}
				}
			case <-tick:
				if seccompFilters(cmd.Process.Pid, tid) > 0 {
					next = pending + 1 // accepted, now installed
					cmd.Process.Kill()
					break read
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("helper stuck on program %d", pending)
				}
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		r.Close()
		if next < 0 {
			t.Fatalf("helper stopped without a report (%v)", cmd.ProcessState)
		}
		start = next
	}
	t.Logf("%d programs, %d helper processes", len(progs), helpers)
	return verdicts
}

func TestCheckAgainstKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("loads thousands of filters")
	}
	// A trivially valid filter first: if the kernel refuses it, seccomp is
	// unavailable here and there is nothing to compare with.
	progs := [][]xbpf.RawInstruction{{Stmt(OpRetK, RetAllow)}}
	g := &progGen{r: rand.New(rand.NewSource(1))}
	const count = 5000
	for len(progs) < count {
		// Most programs return ALLOW only: they cost no helper restart.
		g.allow = g.r.Intn(200) != 0
		p := g.valid()
		for m := g.r.Intn(3); m > 0 && p != nil; m-- {
			p = g.mutate(p)
		}
		progs = append(progs, p)
	}
	verdicts := kernelVerdicts(t, progs)
	if verdicts[0] != 0 {
		t.Skipf("the kernel refuses even a trivial seccomp filter (%v); no comparison possible", verdicts[0])
	}
	accepted, bad := 0, 0
	reasons := map[string]int{} // refusals by kind, to see the edges are covered
	for i, p := range progs {
		err := Check(p)
		if err != nil {
			msg := err.Error()
			if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "insn ") {
				msg = rest
			}
			msg, _, _ = strings.Cut(msg, "(")
			if strings.HasPrefix(msg, "code ") {
				msg = "other opcode"
			}
			reasons[strings.TrimSpace(msg)]++
		}
		kernelOK := verdicts[i] == 0
		if kernelOK {
			accepted++
		} else if verdicts[i] != unix.EINVAL {
			t.Errorf("program %d: kernel says %v, expected EINVAL or success", i, verdicts[i])
		}
		if (err == nil) != kernelOK {
			bad++
			if bad <= 10 {
				t.Errorf("program %d: kernel accepts=%v, Check says %v\n%s", i, kernelOK, err, disasmString(p))
			}
		}
	}
	t.Logf("%d of %d programs accepted by the kernel; Check's refusals: %v", accepted, len(progs), reasons)
	if accepted < len(progs)/5 || accepted > len(progs)*4/5 {
		t.Errorf("generator is unbalanced: %d of %d accepted", accepted, len(progs))
	}
}

// seccompFilters reads Seccomp_filters from /proc/PID/task/TID/status: the
// number of filters installed on that thread (-1 if unknown).
func seccompFilters(pid, tid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Seccomp_filters:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}
