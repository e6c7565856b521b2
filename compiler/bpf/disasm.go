package bpf

import (
	"bufio"
	"fmt"
	"io"

	"github.com/secc-lang/secc/compiler/abi"
	xbpf "golang.org/x/net/bpf"
)

// DisasmOptions tune Disassemble.
type DisasmOptions struct {
	// Arch is the AUDIT_ARCH assumed where no arch check precedes an
	// instruction, to name system calls; 0 names none there.
	Arch uint32
	// NoHeader leaves out the column header.
	NoHeader bool
}

// Disassemble writes prog in the style of seccomp-tools: one line per
// instruction with its index, code, jt, jf and k, then pseudo-code
// ("A = sys_number", "if (A == read) goto 0005", "return ERRNO(EPERM)").
//
// Syscall numbers are named with the ABI(s) of the AUDIT_ARCH a preceding
// arch check establishes on every path to the comparison (x32 numbers as
// "x32:read"); values compared with the arch are named ARCH_X86_64 and so
// on. Disassemble accepts any program, also one Check refuses.
func Disassemble(w io.Writer, prog []xbpf.RawInstruction, opts DisasmOptions) error {
	bw := bufio.NewWriter(w)
	if !opts.NoHeader {
		fmt.Fprintln(bw, " line  CODE  JT   JF      K")
		fmt.Fprintln(bw, "=================================")
	}
	states := trackStates(prog, opts.Arch)
	for pc, ins := range prog {
		fmt.Fprintf(bw, " %04d: 0x%02x 0x%02x 0x%02x 0x%08x  %s\n", pc, ins.Op, ins.Jt, ins.Jf, ins.K,
			describe(prog, pc, &states[pc]))
	}
	return bw.Flush()
}

// A value's origin, as far as the disassembler follows it.
type valKind uint8

const (
	valUnknown valKind = iota
	valData            // the word at offset k of seccomp_data
	valConst           // the constant k
)

type val struct {
	kind valKind
	k    uint32
}

// Whether the arch is known at an instruction.
type archKind uint8

const (
	archUnchecked archKind = iota // no arch check on any path: DisasmOptions.Arch
	archKnown                     // every path checked it equal to arch
	archUnknown
)

type state struct {
	reached bool
	a, x    val
	mem     [MemWords]val
	ak      archKind
	arch    uint32
}

func (s *state) merge(t *state) {
	if !s.reached {
		*s = *t
		return
	}
	mv := func(p *val, q val) {
		if *p != q {
			*p = val{}
		}
	}
	mv(&s.a, t.a)
	mv(&s.x, t.x)
	for i := range s.mem {
		mv(&s.mem[i], t.mem[i])
	}
	if s.ak != t.ak || s.arch != t.arch {
		s.ak, s.arch = archUnknown, 0
	}
}

// trackStates follows the program forward (jumps only go forward) and
// returns, for each instruction, what holds on every path reaching it.
func trackStates(prog []xbpf.RawInstruction, arch uint32) []state {
	n := len(prog)
	states := make([]state, n)
	if n == 0 {
		return states
	}
	states[0] = state{reached: true, ak: archUnchecked, arch: arch}
	flow := func(to int, s *state) {
		if to < n {
			states[to].merge(s)
		}
	}
	for pc, ins := range prog {
		s := states[pc]
		if !s.reached { // dead code: describe it with nothing known
			s = state{reached: true, ak: archUnknown}
			states[pc] = s
		}
		k := ins.K
		switch ins.Op {
		case OpLdAbsW:
			s.a = val{valData, k}
		case OpLdImm:
			s.a = val{valConst, k}
		case OpLdLenW:
			s.a = val{valConst, DataSize}
		case OpLdxImm:
			s.x = val{valConst, k}
		case OpLdxLenW:
			s.x = val{valConst, DataSize}
		case OpLdMem:
			if k < MemWords {
				s.a = s.mem[k]
			}
		case OpLdxMem:
			if k < MemWords {
				s.x = s.mem[k]
			}
		case OpSt:
			if k < MemWords {
				s.mem[k] = s.a
			}
		case OpStx:
			if k < MemWords {
				s.mem[k] = s.x
			}
		case OpTax:
			s.x = s.a
		case OpTxa:
			s.a = s.x
		case OpRetK, OpRetA:
			continue
		case OpJA:
			if uint64(k) < uint64(n) {
				flow(pc+1+int(k), &s)
			}
			continue
		case OpJeqK, OpJgtK, OpJgeK, OpJsetK, OpJeqX, OpJgtX, OpJgeX, OpJsetX:
			t := s
			if ins.Op == OpJeqK && s.a == (val{valData, OffArch}) {
				t.ak, t.arch = archKnown, k
			}
			flow(pc+1+int(ins.Jt), &t)
			flow(pc+1+int(ins.Jf), &s)
			continue
		default:
			if ins.Op&0x07 == 0x04 { // ALU: A is now computed
				s.a = val{}
			} else if ins.Op&0x07 == 0x01 {
				s.x = val{}
			} else {
				s.a = val{}
			}
		}
		flow(pc+1, &s)
	}
	return states
}

var archNames = map[uint32]string{
	abi.AuditArchX86_64:  "ARCH_X86_64",
	abi.AuditArchI386:    "ARCH_I386",
	abi.AuditArchAarch64: "ARCH_AARCH64",
	abi.AuditArchARM:     "ARCH_ARM",
}

// dataName names the word at offset k of seccomp_data.
func dataName(k uint32) string {
	switch {
	case k == OffNr:
		return "sys_number"
	case k == OffArch:
		return "arch"
	case k == OffIP:
		return "instruction_pointer (lo)"
	case k == OffIP+4:
		return "instruction_pointer (hi)"
	case k >= OffArgs && k < DataSize && k%4 == 0:
		half := "lo"
		if k%8 != 0 {
			half = "hi"
		}
		return fmt.Sprintf("args[%d] (%s)", (k-OffArgs)/8, half)
	}
	return fmt.Sprintf("data[%d]", k)
}

// num prints a constant: small ones in decimal, others in hex.
func num(k uint32) string {
	if k < 4096 {
		return fmt.Sprint(k)
	}
	return fmt.Sprintf("0x%x", k)
}

// syscallName names nr under the arch state s, or returns "".
func syscallName(s *state, nr uint32) string {
	if s.ak == archUnknown {
		return ""
	}
	for _, a := range abi.ByAuditArch(s.arch) {
		if (nr&abi.X32Bit != 0) != (a.NrBase != 0) {
			continue
		}
		if name, ok := a.SyscallName(nr); ok {
			if a.NrBase != 0 {
				return a.Name + ":" + name
			}
			return name
		}
	}
	return ""
}

// operand renders the K operand of a jump, named after what A holds.
func operand(s *state, k uint32, named bool) string {
	if s.a.kind == valData && named {
		switch s.a.k {
		case OffArch:
			if n, ok := archNames[k]; ok {
				return n
			}
		case OffNr:
			if n := syscallName(s, k); n != "" {
				return n
			}
		}
	}
	return num(k)
}

// retName renders a return value: ERRNO with the errno's name.
func retName(k uint32) string {
	if k&RetActionFull == RetErrno {
		if n := errnoName(k & RetData); n != "" {
			return "ERRNO(" + n + ")"
		}
	}
	return ActionString(k)
}

var aluOps = map[uint16]string{0x00: "+=", 0x10: "-=", 0x20: "*=", 0x30: "/=", 0x40: "|=",
	0x50: "&=", 0x60: "<<=", 0x70: ">>=", 0x90: "%=", 0xa0: "^="}

// describe renders instruction pc as pseudo-code.
func describe(prog []xbpf.RawInstruction, pc int, s *state) string {
	ins := prog[pc]
	k := ins.K
	switch ins.Op {
	case OpLdAbsW:
		return "A = " + dataName(k)
	case OpLdImm:
		return "A = " + num(k)
	case OpLdxImm:
		return "X = " + num(k)
	case OpLdLenW:
		return "A = len"
	case OpLdxLenW:
		return "X = len"
	case OpLdMem:
		return fmt.Sprintf("A = mem[%d]", k)
	case OpLdxMem:
		return fmt.Sprintf("X = mem[%d]", k)
	case OpSt:
		return fmt.Sprintf("mem[%d] = A", k)
	case OpStx:
		return fmt.Sprintf("mem[%d] = X", k)
	case OpTax:
		return "X = A"
	case OpTxa:
		return "A = X"
	case OpNeg:
		return "A = -A"
	case OpRetK:
		return "return " + retName(k)
	case OpRetA:
		return "return A"
	case OpJA:
		return fmt.Sprintf("goto %04d", uint64(pc)+1+uint64(k))
	case OpJeqK, OpJgtK, OpJgeK, OpJsetK, OpJeqX, OpJgtX, OpJgeX, OpJsetX:
		return describeJump(ins, pc, s)
	}
	if ins.Op&0x07 == 0x04 {
		if op, ok := aluOps[ins.Op&0xf0]; ok {
			if ins.Op&0x08 != 0 {
				return "A " + op + " X"
			}
			return "A " + op + " " + num(k)
		}
	}
	return fmt.Sprintf("invalid (code 0x%02x)", ins.Op)
}

func describeJump(ins xbpf.RawInstruction, pc int, s *state) string {
	t, f := pc+1+int(ins.Jt), pc+1+int(ins.Jf)
	if t == f {
		return fmt.Sprintf("goto %04d", t)
	}
	rhs := "X"
	if ins.Op&0x08 == 0 {
		rhs = operand(s, ins.K, ins.Op == OpJeqK)
	}
	var yes, no string
	switch ins.Op &^ 0x08 {
	case OpJeqK:
		yes, no = "A == "+rhs, "A != "+rhs
	case OpJgtK:
		yes, no = "A > "+rhs, "A <= "+rhs
	case OpJgeK:
		yes, no = "A >= "+rhs, "A < "+rhs
	default:
		yes, no = "A & "+rhs, "!(A & "+rhs+")"
	}
	switch {
	case ins.Jf == 0:
		return fmt.Sprintf("if (%s) goto %04d", yes, t)
	case ins.Jt == 0:
		return fmt.Sprintf("if (%s) goto %04d", no, f)
	}
	return fmt.Sprintf("if (%s) goto %04d else goto %04d", yes, t, f)
}
