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

// Cached reports whether the kernel skips prog for syscall nr of ABI a.
func Cached(prog []xbpf.RawInstruction, a *abi.ABI, nr uint32) bool {
	if a == abi.X32 || nr >= abi.X32Bit {
		return false
	}
	return bpf.CacheableAllow(prog, a.AuditArch, nr)
}
