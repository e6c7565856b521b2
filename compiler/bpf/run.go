package bpf

import (
	"fmt"

	xbpf "golang.org/x/net/bpf"
)

// Run executes prog on d the way the kernel does and returns the filter's
// return value and the number of instructions executed.
//
// Semantics follow the kernel's conversion of classic BPF to eBPF
// (bpf_convert_filter) and its 32-bit ALU:
//   - loads are 32-bit native-endian words of struct seccomp_data; LD LEN
//     is 64;
//   - MOD is classic BPF but not in seccomp's subset, so Run refuses it;
//   - DIV by X == 0 ends the filter with return value 0 (classic
//     BPF always did, and the conversion keeps it);
//   - a shift by X uses X & 31, as the eBPF interpreter masks the count and
//     x86's 32-bit shl/shr (what the JIT emits) do too. Shifts by K >= 32 are
//     refused when loading, so Run refuses them too.
//
// Run returns an error, instead of a value, for anything Check would refuse
// that it meets on the executed path (unknown opcode, bad offset, a jump
// past the end, reading scratch memory never stored), so a result from Run
// is what the kernel would return, provided Check accepts the program.
// Run allocates nothing unless it fails.
func Run(prog []xbpf.RawInstruction, d *SeccompData) (ret uint32, steps int, err error) {
	w := d.words()
	var (
		a, x  uint32
		mem   [MemWords]uint32
		valid uint16 // scratch cells stored so far
	)
	n := len(prog)
	for pc := 0; pc < n; pc++ {
		steps++
		ins := &prog[pc]
		k := ins.K
		switch ins.Op {
		case OpLdAbsW:
			if k >= DataSize || k&3 != 0 {
				return 0, steps, insnErr(pc, "load from offset %d outside seccomp_data or unaligned", k)
			}
			a = w[k>>2]
		case OpLdLenW:
			a = DataSize
		case OpLdxLenW:
			x = DataSize
		case OpLdImm:
			a = k
		case OpLdxImm:
			x = k
		case OpLdMem, OpLdxMem:
			if k >= MemWords {
				return 0, steps, insnErr(pc, "scratch memory index %d out of range", k)
			}
			if valid&(1<<k) == 0 {
				return 0, steps, insnErr(pc, "reads M[%d] before it is stored", k)
			}
			if ins.Op == OpLdMem {
				a = mem[k]
			} else {
				x = mem[k]
			}
		case OpSt, OpStx:
			if k >= MemWords {
				return 0, steps, insnErr(pc, "scratch memory index %d out of range", k)
			}
			valid |= 1 << k
			if ins.Op == OpSt {
				mem[k] = a
			} else {
				mem[k] = x
			}
		case OpAddK:
			a += k
		case OpSubK:
			a -= k
		case OpMulK:
			a *= k
		case OpDivK:
			if k == 0 {
				return 0, steps, insnErr(pc, "division by constant 0")
			}
			a /= k
		case OpOrK:
			a |= k
		case OpAndK:
			a &= k
		case OpXorK:
			a ^= k
		case OpLshK:
			if k >= 32 {
				return 0, steps, insnErr(pc, "shift by %d", k)
			}
			a <<= k
		case OpRshK:
			if k >= 32 {
				return 0, steps, insnErr(pc, "shift by %d", k)
			}
			a >>= k
		case OpAddX:
			a += x
		case OpSubX:
			a -= x
		case OpMulX:
			a *= x
		case OpDivX:
			if x == 0 {
				return 0, steps, nil
			}
			a /= x
		case OpOrX:
			a |= x
		case OpAndX:
			a &= x
		case OpXorX:
			a ^= x
		case OpLshX:
			a <<= x & 31
		case OpRshX:
			a >>= x & 31
		case OpNeg:
			a = -a
		case OpTax:
			x = a
		case OpTxa:
			a = x
		case OpJA:
			if uint64(k) >= uint64(n-pc-1) {
				return 0, steps, insnErr(pc, "jump past end of program")
			}
			pc += int(k)
		// Conditional jumps: each case picks the offset, then one shared
		// bounds check.
		case OpJeqK:
			pc, err = cond(pc, n, ins, a == k)
		case OpJgtK:
			pc, err = cond(pc, n, ins, a > k)
		case OpJgeK:
			pc, err = cond(pc, n, ins, a >= k)
		case OpJsetK:
			pc, err = cond(pc, n, ins, a&k != 0)
		case OpJeqX:
			pc, err = cond(pc, n, ins, a == x)
		case OpJgtX:
			pc, err = cond(pc, n, ins, a > x)
		case OpJgeX:
			pc, err = cond(pc, n, ins, a >= x)
		case OpJsetX:
			pc, err = cond(pc, n, ins, a&x != 0)
		case OpRetK:
			return k, steps, nil
		case OpRetA:
			return a, steps, nil
		default:
			return 0, steps, insnErr(pc, "opcode 0x%02x not allowed in seccomp filters", ins.Op)
		}
		if err != nil {
			return 0, steps, err
		}
	}
	return 0, steps, fmt.Errorf("ran off the end of the program after insn %d", n-1)
}

// cond returns the pc before the next instruction after a conditional
// jump at pc.
func cond(pc, n int, ins *xbpf.RawInstruction, taken bool) (int, error) {
	off := int(ins.Jf)
	if taken {
		off = int(ins.Jt)
	}
	if pc+off+1 >= n {
		return pc, insnErr(pc, "jump past end of program")
	}
	return pc + off, nil
}

func insnErr(pc int, format string, args ...any) error {
	return fmt.Errorf("insn %d: %s", pc, fmt.Sprintf(format, args...))
}
