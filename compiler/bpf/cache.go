package bpf

import xbpf "golang.org/x/net/bpf"

// CacheableAllow reports whether the kernel's action cache (Linux 5.11+)
// would mark system call nr on arch as always allowed by prog, so the
// kernel skips running the filter for it.
//
// It follows kernel/seccomp.c seccomp_is_const_allow, which
// seccomp_cache_prepare_bitmap runs for every nr of the native and compat
// arches when a filter is attached: with only nr and arch known, it walks
// the original program and may only execute LD W ABS of nr or arch, JEQ,
// JGE, JGT, JSET with K, JA, AND K and RET K; anything else (loading an
// argument or the instruction pointer, X, other ALU, RET A) gives up. Only
// RET K with exactly SECCOMP_RET_ALLOW caches (not LOG, not ALLOW with
// data). The kernel builds the bitmap only for nr below its syscall count,
// so x32 numbers are never cached; callers decide which nr to ask about.
// The kernel's uretprobe exception is a property of the nr, not the filter,
// and is left out.
func CacheableAllow(prog []xbpf.RawInstruction, arch uint32, nr uint32) bool {
	var a uint32
	for pc := 0; pc < len(prog); pc++ {
		ins := prog[pc]
		switch ins.Op {
		case OpLdAbsW:
			switch ins.K {
			case OffNr:
				a = nr
			case OffArch:
				a = arch
			default:
				return false
			}
		case OpRetK:
			return ins.K == RetAllow
		case OpJA:
			pc += int(ins.K)
		case OpJeqK, OpJgeK, OpJgtK, OpJsetK:
			var taken bool
			switch ins.Op {
			case OpJeqK:
				taken = a == ins.K
			case OpJgeK:
				taken = a >= ins.K
			case OpJgtK:
				taken = a > ins.K
			default:
				taken = a&ins.K != 0
			}
			if taken {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		case OpAndK:
			a &= ins.K
		default:
			return false
		}
	}
	return false // ran off the end: the kernel warns and does not cache
}
