package analysis

import (
	"fmt"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
)

// ActionName renders a filter's return value as policies write it, with
// errno names: ERRNO(EPERM), KILL_PROCESS, TRACE(7).
func ActionName(ret uint32) string {
	if ret&bpf.RetActionFull == bpf.RetErrno {
		if n, ok := abi.ErrnoName(ret & bpf.RetData); ok {
			return fmt.Sprintf("ERRNO(%s)", n)
		}
	}
	return bpf.ActionString(ret)
}

// permissive reports whether an action lets the call run (ALLOW, LOG).
func permissive(ret uint32) bool {
	a := ret & bpf.RetActionFull
	return a == bpf.RetAllow || a == bpf.RetLog
}

// kernelCaches reports whether the kernel's constant-action cache (Linux
// 5.11+, seccomp_is_const_allow) would let (arch, nr) skip the filter: it
// emulates the program knowing only arch and nr, and gives up on anything
// but loads of those two, AND K, jumps against K and RET K; only a RET of
// exactly SECCOMP_RET_ALLOW is cached. The kernel also only builds the
// cache for the native and compat arch, for numbers below its table size,
// which the callers account for (x32 numbers never qualify).
func kernelCaches(prog []xbpf.RawInstruction, arch, nr uint32) bool {
	var a uint32
	for pc := 0; pc < len(prog); pc++ {
		ins := prog[pc]
		switch ins.Op {
		case bpf.OpLdAbsW:
			switch ins.K {
			case bpf.OffNr:
				a = nr
			case bpf.OffArch:
				a = arch
			default:
				return false
			}
		case bpf.OpRetK:
			return ins.K == bpf.RetAllow
		case bpf.OpJA:
			pc += int(ins.K)
		case bpf.OpJeqK, bpf.OpJgeK, bpf.OpJgtK, bpf.OpJsetK:
			var taken bool
			switch ins.Op {
			case bpf.OpJeqK:
				taken = a == ins.K
			case bpf.OpJgeK:
				taken = a >= ins.K
			case bpf.OpJgtK:
				taken = a > ins.K
			default:
				taken = a&ins.K != 0
			}
			if taken {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		case bpf.OpAndK:
			a &= ins.K
		default:
			return false
		}
	}
	return false
}

// Cached reports whether the kernel skips prog for syscall nr of ABI a.
func Cached(prog []xbpf.RawInstruction, a *abi.ABI, nr uint32) bool {
	if a == abi.X32 || nr >= abi.X32Bit {
		return false
	}
	return kernelCaches(prog, a.AuditArch, nr)
}
