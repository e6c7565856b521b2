package bpf

import (
	"fmt"

	xbpf "golang.org/x/net/bpf"
)

// Check reports whether the kernel would refuse prog as a seccomp filter,
// and why. It mirrors, in one pass, what seccomp(SECCOMP_SET_MODE_FILTER)
// runs: the length check of seccomp_prepare_filter, bpf_check_classic
// (allowed codes, division by constant 0, shifts by 32 or more, scratch
// indices, jump ranges, a final RET, and check_load_and_stores), then
// seccomp_check_filter (the seccomp subset, and 4-aligned word loads inside
// struct seccomp_data). Any of these makes the kernel answer EINVAL.
// Errors name the first offending instruction.
func Check(prog []xbpf.RawInstruction) error {
	n := len(prog)
	if n == 0 {
		return fmt.Errorf("empty program")
	}
	if n > MaxInsns {
		return fmt.Errorf("%d instructions, more than the kernel's limit of %d", n, MaxInsns)
	}
	for pc := range prog {
		if err := checkInsn(prog[pc], pc, n); err != nil {
			return err
		}
	}
	if op := prog[n-1].Op; op != OpRetK && op != OpRetA {
		return insnErr(n-1, "last instruction is not a return")
	}
	return checkLoadsAndStores(prog)
}

// checkInsn checks one instruction on its own.
func checkInsn(ins xbpf.RawInstruction, pc, n int) error {
	k := ins.K
	switch ins.Op {
	case OpLdAbsW:
		if k >= DataSize || k&3 != 0 {
			return insnErr(pc, "load from offset %d: seccomp loads 32-bit words at 4-aligned offsets below %d", k, DataSize)
		}
	case OpLdMem, OpLdxMem, OpSt, OpStx:
		if k >= MemWords {
			return insnErr(pc, "scratch memory index %d out of range (0..%d)", k, MemWords-1)
		}
	case OpDivK:
		if k == 0 {
			return insnErr(pc, "division by constant 0")
		}
	case OpLshK, OpRshK:
		if k >= 32 {
			return insnErr(pc, "shift by %d, more than 31", k)
		}
	case OpJA:
		if uint64(k) >= uint64(n-pc-1) {
			return insnErr(pc, "jump past end of program")
		}
	case OpJeqK, OpJgtK, OpJgeK, OpJsetK, OpJeqX, OpJgtX, OpJgeX, OpJsetX:
		if pc+int(ins.Jt)+1 >= n || pc+int(ins.Jf)+1 >= n {
			return insnErr(pc, "jump past end of program")
		}
	case OpLdLenW, OpLdxLenW, OpLdImm, OpLdxImm,
		OpAddK, OpSubK, OpMulK, OpOrK, OpAndK, OpXorK,
		OpAddX, OpSubX, OpMulX, OpDivX, OpOrX, OpAndX, OpXorX, OpLshX, OpRshX,
		OpNeg, OpTax, OpTxa, OpRetK, OpRetA:
	default:
		return insnErr(pc, "%s not allowed in seccomp filters", opName(ins.Op))
	}
	return nil
}

// opName names codes the checker refuses, for its errors.
func opName(op uint16) string {
	switch op {
	case OpLdAbsH, OpLdAbsB:
		return fmt.Sprintf("byte/halfword load (code 0x%02x)", op)
	case OpLdIndW, OpLdIndH, OpLdIndB:
		return fmt.Sprintf("indirect load (code 0x%02x)", op)
	case OpLdxMsh:
		return fmt.Sprintf("LDX MSH (code 0x%02x)", op)
	case OpModK, OpModX:
		return fmt.Sprintf("modulo (code 0x%02x)", op)
	}
	return fmt.Sprintf("code 0x%02x", op)
}

// checkLoadsAndStores refuses a read of scratch cell M[i] unless a store to
// it comes before on every path, exactly as the kernel's
// check_load_and_stores computes it: a linear scan that carries the set of
// stored cells, intersects into each jump target the set at the jump, and
// restarts from everything after a jump (the target's intersection then
// rules). Like the kernel, it lets the set flow from a RET into the next
// instruction; that can only accept loads that no path reaches.
func checkLoadsAndStores(prog []xbpf.RawInstruction) error {
	masks := make([]uint16, len(prog))
	for i := range masks {
		masks[i] = 0xffff
	}
	var valid uint16
	for pc, ins := range prog {
		valid &= masks[pc]
		switch ins.Op {
		case OpSt, OpStx:
			valid |= 1 << ins.K
		case OpLdMem, OpLdxMem:
			if valid&(1<<ins.K) == 0 {
				return insnErr(pc, "reads M[%d], which is not stored on every path before", ins.K)
			}
		case OpJA:
			masks[pc+1+int(ins.K)] &= valid
			valid = 0xffff
		case OpJeqK, OpJgtK, OpJgeK, OpJsetK, OpJeqX, OpJgtX, OpJgeX, OpJsetX:
			masks[pc+1+int(ins.Jt)] &= valid
			masks[pc+1+int(ins.Jf)] &= valid
			valid = 0xffff
		}
	}
	return nil
}
