package analysis

import (
	"math/rand"
	"testing"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
)

// randomFilter makes a program shaped like real filters (loads of arch, nr
// and argument words, masks, jumps on K and sometimes on X, arithmetic,
// scratch memory), with forward jumps only, ending in returns.
func randomFilter(r *rand.Rand) []xbpf.RawInstruction {
	n := 4 + r.Intn(40)
	prog := make([]xbpf.RawInstruction, n)
	consts := []uint32{0, 1, 2, 3, 59, 60, 0x40000000, 0x3fffffff, 0xffffffff, abi.AuditArchX86_64, abi.AuditArchI386, 8, 0x80}
	k := func() uint32 {
		if r.Intn(5) == 0 {
			return r.Uint32()
		}
		return consts[r.Intn(len(consts))]
	}
	rets := []uint32{bpf.RetAllow, bpf.RetErrno | 1, bpf.RetKillProcess, bpf.RetTrap, bpf.RetLog}
	stored := false
	for pc := 0; pc < n-1; pc++ {
		room := n - pc - 2
		off := func() uint8 { return uint8(r.Intn(min(room, 8) + 1)) }
		switch c := r.Intn(20); {
		case c < 6:
			w := []uint32{bpf.OffNr, bpf.OffArch, bpf.ArgLo(0), bpf.ArgHi(0), bpf.ArgLo(1), bpf.OffIP}[r.Intn(6)]
			prog[pc] = bpf.Stmt(bpf.OpLdAbsW, w)
		case c < 12:
			op := []uint16{bpf.OpJeqK, bpf.OpJgtK, bpf.OpJgeK, bpf.OpJsetK}[r.Intn(4)]
			if r.Intn(8) == 0 {
				op |= 0x08 // compare with X
			}
			prog[pc] = bpf.Jump(op, k(), off(), off())
		case c < 14:
			prog[pc] = bpf.Stmt(bpf.OpAndK, k())
		case c < 15:
			op := []uint16{bpf.OpAddK, bpf.OpOrK, bpf.OpRshK, bpf.OpSubK}[r.Intn(4)]
			kk := k()
			if op == bpf.OpRshK {
				kk %= 32
			}
			prog[pc] = bpf.Stmt(op, kk)
		case c < 16:
			prog[pc] = bpf.Stmt([]uint16{bpf.OpTax, bpf.OpTxa, bpf.OpLdxImm, bpf.OpLdImm}[r.Intn(4)], k())
		case c < 17:
			prog[pc] = bpf.Stmt(bpf.OpSt, 1)
			stored = true
		case c < 18 && stored:
			prog[pc] = bpf.Stmt(bpf.OpLdMem, 1)
		case c < 19:
			prog[pc] = bpf.Stmt(bpf.OpJA, uint32(r.Intn(min(room, 4)+1)))
		default:
			prog[pc] = bpf.Stmt(bpf.OpRetK, rets[r.Intn(len(rets))])
		}
	}
	prog[n-1] = bpf.Stmt(bpf.OpRetK, rets[r.Intn(len(rets))])
	if r.Intn(6) == 0 {
		prog[n-1] = bpf.Stmt(bpf.OpRetA, 0)
	}
	return prog
}

// TestExploreAgreesWithRun holds the explorer to the interpreter: wherever
// the explored decision is not opaque, it must give exactly what running
// the program gives, on inputs at and around every constant.
func TestExploreAgreesWithRun(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	programs, checked, opaque := 0, 0, 0
	for programs < 3000 {
		prog := randomFilter(r)
		if bpf.Check(prog) != nil {
			continue
		}
		programs++
		res, err := Explore(prog)
		if err != nil {
			t.Fatalf("explore: %v", err)
		}
		var vals []uint32
		for _, ins := range prog {
			vals = append(vals, ins.K, ins.K-1, ins.K+1)
		}
		pickV := func() uint32 {
			if r.Intn(4) == 0 {
				return r.Uint32()
			}
			return vals[r.Intn(len(vals))]
		}
		for i := 0; i < 200; i++ {
			arch, nr := pickV(), pickV()
			if r.Intn(2) == 0 {
				arch = []uint32{abi.AuditArchX86_64, abi.AuditArchI386}[r.Intn(2)]
			}
			var args [6]uint64
			for j := range args {
				args[j] = uint64(pickV()) | uint64(pickV())<<32*uint64(r.Intn(2))
			}
			want, _, err := bpf.Run(prog, &bpf.SeccompData{Nr: int32(nr), Arch: arch, Args: args})
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			iv := res.Lookup(arch, nr)
			got, ok := iv.Node.Eval(&args)
			if !ok {
				opaque++
				continue
			}
			checked++
			if got != want {
				t.Fatalf("arch %#x nr %#x args %#x: explorer says %#x, program returns %#x\n%v", arch, nr, args, got, want, prog)
			}
		}
	}
	t.Logf("%d programs, %d inputs compared, %d in opaque regions", programs, checked, opaque)
	if checked < 2*opaque {
		t.Errorf("too few inputs compared symbolically (%d against %d opaque): the generator has drifted", checked, opaque)
	}
}
