package bpf

import (
	"math/rand"

	xbpf "golang.org/x/net/bpf"
)

// progGen makes random programs for the differential tests.
type progGen struct {
	r *rand.Rand
	// xnet restricts programs to what both Run and x/net/bpf's VM run the
	// same way: no NEG (the VM lacks it), no shift by X (the VM does not
	// mask the count), no LD LEN of X (not in the VM).
	xnet bool
	// allow makes every RET K return ALLOW, so a filter the kernel accepts
	// leaves the thread usable.
	allow bool
}

var (
	aluK = []uint16{OpAddK, OpSubK, OpMulK, OpDivK, OpOrK, OpAndK, OpXorK, OpLshK, OpRshK}
	aluX = []uint16{OpAddX, OpSubX, OpMulX, OpDivX, OpOrX, OpAndX, OpXorX, OpLshX, OpRshX}
	jmpC = []uint16{OpJeqK, OpJgtK, OpJgeK, OpJsetK, OpJeqX, OpJgtX, OpJgeX, OpJsetX}
	// refused are codes classic BPF or nobody has, which seccomp refuses.
	refused = []uint16{OpLdAbsH, OpLdAbsB, OpLdIndW, OpLdIndH, OpLdIndB, OpLdxMsh, OpModK, OpModX,
		0x0e /* RET X */, 0x0d /* JA X */, 0x08, 0x10 /* LD IMM with a size */, 0x8c, /* NEG X */
		0x87 | 0x08, 0x0f, 0xa8, 0x24 | 0x100, 0xffff, 0x56 /* RET|A|0x40 */, 0x1e}
)

// word returns a 32-bit value biased to edges.
func (g *progGen) word() uint32 {
	switch g.r.Intn(6) {
	case 0:
		return uint32(g.r.Intn(4))
	case 1:
		return 0xffffffff - uint32(g.r.Intn(3))
	case 2:
		return 0x80000000 + uint32(g.r.Intn(3)) - 1
	case 3:
		return uint32(g.r.Intn(64))
	}
	return g.r.Uint32()
}

func (g *progGen) ret() xbpf.RawInstruction {
	if g.allow {
		return Stmt(OpRetK, RetAllow)
	}
	if g.r.Intn(4) == 0 {
		return Stmt(OpRetA, 0)
	}
	return Stmt(OpRetK, g.word())
}

// insn returns an instruction valid at pc in a program of n, where pc <
// n-1. Scratch slots come from a small set so that loads and stores meet.
func (g *progGen) insn(pc, n int) xbpf.RawInstruction {
	room := n - pc - 2 // largest jump offset that stays inside
	off := func() uint8 {
		m := min(room, 255)
		if g.r.Intn(3) == 0 {
			return uint8(m)
		}
		return uint8(g.r.Intn(min(m, 6) + 1))
	}
	switch c := g.r.Intn(20); {
	case c < 4:
		return Stmt(OpLdAbsW, uint32(g.r.Intn(16))*4)
	case c < 5:
		switch g.r.Intn(4) {
		case 0:
			return Stmt(OpLdImm, g.word())
		case 1:
			return Stmt(OpLdxImm, g.word())
		case 2:
			return Stmt(OpLdLenW, 0)
		default:
			if g.xnet {
				return Stmt(OpLdLenW, 0)
			}
			return Stmt(OpLdxLenW, 0)
		}
	case c < 7:
		code := []uint16{OpSt, OpStx, OpLdMem, OpLdxMem}[g.r.Intn(4)]
		return Stmt(code, uint32(g.r.Intn(3)))
	case c < 10:
		code := aluK[g.r.Intn(len(aluK))]
		k := g.word()
		switch code {
		case OpDivK:
			if k == 0 {
				k = 1
			}
		case OpLshK, OpRshK:
			k %= 32
		}
		return Stmt(code, k)
	case c < 12:
		code := aluX[g.r.Intn(len(aluX))]
		if g.xnet && (code == OpLshX || code == OpRshX) {
			code = OpAddX
		}
		if g.allow && code == OpDivX && g.r.Intn(8) != 0 {
			code = OpMulX // dividing by X == 0 returns KILL_THREAD
		}
		return Stmt(code, 0)
	case c < 13:
		if !g.xnet && g.r.Intn(3) == 0 {
			return Stmt(OpNeg, 0)
		}
		return Stmt([]uint16{OpTax, OpTxa}[g.r.Intn(2)], 0)
	case c < 14 && room >= 0:
		return Stmt(OpJA, uint32(g.r.Intn(min(room, 8)+1)))
	case c < 19 && room >= 0:
		return Jump(jmpC[g.r.Intn(len(jmpC))], g.word(), off(), off())
	}
	return g.ret()
}

// valid returns a program the kernel's per-instruction checks accept; its
// scratch reads may or may not be preceded by stores.
func (g *progGen) valid() []xbpf.RawInstruction {
	n := 1 + g.r.Intn(24)
	if g.r.Intn(50) == 0 {
		n = 200 + g.r.Intn(400)
	}
	prog := make([]xbpf.RawInstruction, n)
	for pc := 0; pc < n-1; pc++ {
		prog[pc] = g.insn(pc, n)
	}
	prog[n-1] = g.ret()
	return prog
}

// mutate breaks (or nearly breaks) one thing in prog, returning the result.
func (g *progGen) mutate(prog []xbpf.RawInstruction) []xbpf.RawInstruction {
	n := len(prog)
	pc := g.r.Intn(n)
	ins := &prog[pc]
	switch g.r.Intn(14) {
	case 0:
		ins.Op = refused[g.r.Intn(len(refused))]
	case 1:
		ins.Op = uint16(g.r.Intn(256))
	case 2:
		ins.Op = OpLdAbsW
		ins.K = []uint32{60, 61, 62, 63, 64, 68, 2, 0xfffff000, 0xfffff004, 0x80000000}[g.r.Intn(10)]
	case 3:
		ins.Op = []uint16{OpSt, OpStx, OpLdMem, OpLdxMem}[g.r.Intn(4)]
		ins.K = []uint32{15, 16, 17, 0xffffffff}[g.r.Intn(4)]
	case 4:
		ins.Op = []uint16{OpDivK, OpModK, OpDivX, OpModX}[g.r.Intn(4)]
		ins.K = uint32(g.r.Intn(2))
	case 5:
		ins.Op = []uint16{OpLshK, OpRshK}[g.r.Intn(2)]
		ins.K = 30 + uint32(g.r.Intn(4))
	case 6:
		ins.Op = OpJA
		ins.K = uint32(n-pc-1) - uint32(g.r.Intn(2))
		if g.r.Intn(4) == 0 {
			ins.K = 0xffffffff
		}
	case 7:
		ins.Op = jmpC[g.r.Intn(len(jmpC))]
		ins.Jt = uint8(n - pc - 1 - g.r.Intn(2))
		ins.Jf = uint8(g.r.Intn(2))
		if g.r.Intn(2) == 0 {
			ins.Jt, ins.Jf = ins.Jf, ins.Jt
		}
	case 8:
		prog[n-1] = g.insn(max(n-2, 0), n)
	case 9:
		return nil
	case 10:
		big := make([]xbpf.RawInstruction, MaxInsns+g.r.Intn(2))
		for i := range big {
			big[i] = Stmt(OpRetK, RetAllow)
		}
		return big
	case 11:
		// A store on one branch only, then a load: refused.
		if n >= 5 {
			prog[0] = Jump(OpJeqK, 0, 0, 1)
			prog[1] = Stmt(OpSt, 1)
			prog[2] = Stmt(OpLdMem, 1)
		}
	case 12:
		ins.Op = []uint16{OpRetK, OpRetK, OpRetK, OpRetA}[g.r.Intn(4)]
		ins.Jt, ins.Jf = uint8(g.r.Intn(256)), uint8(g.r.Intn(256))
	default:
		// Set jt/jf on a non-jump: ignored by the kernel.
		ins.Jt, ins.Jf = uint8(g.r.Intn(256)), uint8(g.r.Intn(256))
	}
	return prog
}
