package analysis

import (
	"fmt"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/bpf"
)

// asm is one line of a hand-written test filter: an optional label, the
// instruction, and jump targets by label (jt/jf for conditional jumps, jt
// alone for JA) so tests never count offsets by hand.
type asm struct {
	label  string
	ins    xbpf.RawInstruction
	jt, jf string
}

func assemble(lines []asm) []xbpf.RawInstruction {
	at := map[string]int{}
	for i, l := range lines {
		if l.label != "" {
			at[l.label] = i
		}
	}
	off := func(pc int, label string) int {
		if label == "" {
			return 0
		}
		t, ok := at[label]
		if !ok {
			panic(fmt.Sprintf("asm: no label %q", label))
		}
		return t - pc - 1
	}
	prog := make([]xbpf.RawInstruction, len(lines))
	for i, l := range lines {
		ins := l.ins
		if ins.Op == bpf.OpJA {
			if l.jt != "" {
				ins.K = uint32(off(i, l.jt))
			}
		} else if l.jt != "" || l.jf != "" {
			ins.Jt, ins.Jf = uint8(off(i, l.jt)), uint8(off(i, l.jf))
		}
		prog[i] = ins
	}
	return prog
}

func ld(off uint32) asm { return asm{ins: bpf.Stmt(bpf.OpLdAbsW, off)} }
func ret(a uint32) asm  { return asm{ins: bpf.Stmt(bpf.OpRetK, a)} }
func jmp(op uint16, k uint32, jt, jf string) asm {
	return asm{ins: bpf.Jump(op, k, 0, 0), jt: jt, jf: jf}
}
func stmt(op uint16, k uint32) asm { return asm{ins: bpf.Stmt(op, k)} }

// at labels a line.
func (a asm) at(label string) asm { a.label = label; return a }
