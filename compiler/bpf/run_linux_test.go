//go:build linux

package bpf

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	xbpf "golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// TestRunAgainstKernel compares Run with the kernel's own execution: random
// programs compute a value that reaches user space as the errno of
// getppid(2). Each program is wrapped so that only getppid runs it, and
// every return becomes ERRNO(value & 0x7ff), so the thread stays usable
// (Go reads a return of -4095 as success, hence not 0xfff).
// The helper installs each on a fresh thread and calls getppid with
// several argument sets.

const envRunHelper = "SECC_BPF_RUN_HELPER"

const nrGetppid = 110 // x86_64

// argSets are the arguments each program is run with; they include shift
// counts of 32 and more.
var argSets = [][6]uint64{
	{0, 0, 0, 0, 0, 0},
	{33, 40, 0xffffffff_ffffffff, 64, 1, 0x80000000_00000001},
	{0x12345678_9abcdef0, 31, 32, 0xfffffffe, 0x1_00000000, 7},
	{0xffffffff, 0x7fffffff, 0x80000000, 63, 0xdeadbeef_cafef00d, 3},
}

// errnoWrap wraps body (a program that passes Check) as described above.
func errnoWrap(body []xbpf.RawInstruction) []xbpf.RawInstruction {
	n := len(body)
	out := []xbpf.RawInstruction{
		Stmt(OpLdAbsW, OffNr),
		Jump(OpJeqK, nrGetppid, 1, 0),
		Stmt(OpRetK, RetAllow),
	}
	for pc, ins := range body {
		switch ins.Op {
		case OpRetK:
			ins = Stmt(OpRetK, RetErrno|ins.K&0x7ff)
		case OpRetA:
			ins = Stmt(OpJA, uint32(n-pc-1)) // to the epilogue
		}
		out = append(out, ins)
	}
	return append(out, Stmt(OpAndK, 0x7ff), Stmt(OpOrK, RetErrno), Stmt(OpRetA, 0))
}

func TestRunHelper(t *testing.T) {
	path := os.Getenv(envRunHelper)
	if path == "" {
		t.Skip("only runs as the helper of TestRunAgainstKernel")
	}
	progs, err := readProgs(path)
	if err != nil {
		panic(err)
	}
	w := bufio.NewWriter(os.Stdout)
	for i, prog := range progs {
		res := make(chan string)
		go func() {
			runtime.LockOSThread() // never unlocked: the filtered thread dies
			if e := seccompLoad(prog); e != 0 {
				res <- fmt.Sprintf("load %v", e)
				return
			}
			var got []string
			for _, a := range argSets {
				_, _, e := unix.RawSyscall6(unix.SYS_GETPPID, uintptr(a[0]), uintptr(a[1]), uintptr(a[2]),
					uintptr(a[3]), uintptr(a[4]), uintptr(a[5]))
				got = append(got, fmt.Sprint(int(e)))
			}
			res <- strings.Join(got, ",")
		}()
		fmt.Fprintf(w, "RESULT %d %s\n", i, <-res)
	}
	w.Flush()
	unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
}

func TestRunAgainstKernel(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the wrapper uses the x86_64 number of getppid")
	}
	g := &progGen{r: rand.New(rand.NewSource(3))}
	var progs [][]xbpf.RawInstruction
	// Shifts by X of 32 and more, which C leaves undefined: the kernel
	// masks the count.
	for i := range 6 {
		for _, sh := range []uint16{OpLshX, OpRshX} {
			progs = append(progs, errnoWrap([]xbpf.RawInstruction{Stmt(OpLdAbsW, ArgLo(i)), Stmt(OpTax, 0),
				Stmt(OpLdImm, 0x600), Stmt(sh, 0), Stmt(OpRetA, 0)}))
		}
	}
	for len(progs) < 1500 {
		body := g.valid()
		for i, ins := range body {
			switch {
			case ins.Op == OpDivX:
				body[i].Op = OpMulX // X == 0 would return KILL_THREAD
			case ins.Op == OpLdAbsW && (ins.K == OffIP || ins.K == OffIP+4):
				body[i].K = ArgLo(1) // the instruction pointer is not known here
			}
		}
		if Check(body) != nil {
			continue
		}
		p := errnoWrap(body)
		if Check(p) != nil {
			continue // a wrapped jump grew past 255
		}
		progs = append(progs, p)
	}
	path := filepath.Join(t.TempDir(), "progs")
	if err := writeProgs(path, progs); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), envRunHelper+"="+path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	got := map[int]string{}
	for _, line := range strings.Split(string(out), "\n") {
		var i int
		var s string
		if n, _ := fmt.Sscanf(line, "RESULT %d %s", &i, &s); n == 2 {
			got[i] = s
		}
	}
	if strings.HasPrefix(got[0], "load") {
		t.Skipf("the kernel refuses seccomp filters: %s", got[0])
	}
	bad := 0
	for i, p := range progs {
		var want []string
		for _, a := range argSets {
			ret, _, err := Run(p, &SeccompData{Nr: nrGetppid, Arch: 0xc000003e, Args: a})
			if err != nil {
				t.Fatalf("program %d: %v", i, err)
			}
			want = append(want, fmt.Sprint(ret&RetData))
		}
		if w := strings.Join(want, ","); got[i] != w {
			bad++
			if bad <= 5 {
				t.Errorf("program %d: kernel %s, Run %s\n%s", i, got[i], w, disasmString(p))
			}
		}
	}
	t.Logf("%d programs × %d argument sets agree with the kernel", len(progs)-bad, len(argSets))
}
