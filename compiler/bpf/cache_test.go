package bpf

import (
	"testing"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/stretchr/testify/assert"
	xbpf "golang.org/x/net/bpf"
)

func TestCacheableAllow(t *testing.T) {
	const x86 = abi.AuditArchX86_64
	// Arch check, then: read allowed; write allowed if arg0 == 1 (needs an
	// argument: not cacheable); nr & 0xff00 == 0x100 via AND K allowed;
	// close returns LOG; everything else ERRNO.
	prog := raw(t,
		xbpf.LoadAbsolute{Off: OffArch, Size: 4},
		xbpf.JumpIf{Cond: xbpf.JumpEqual, Val: x86, SkipFalse: 12},
		xbpf.LoadAbsolute{Off: OffNr, Size: 4},
		xbpf.JumpIf{Cond: xbpf.JumpEqual, Val: 0, SkipTrue: 9},  // read
		xbpf.JumpIf{Cond: xbpf.JumpEqual, Val: 3, SkipTrue: 9},  // close
		xbpf.JumpIf{Cond: xbpf.JumpEqual, Val: 1, SkipFalse: 3}, // write
		xbpf.LoadAbsolute{Off: ArgLo(0), Size: 4},
		xbpf.JumpIf{Cond: xbpf.JumpEqual, Val: 1, SkipTrue: 5},
		xbpf.RetConstant{Val: RetErrno | 1},
		xbpf.ALUOpConstant{Op: xbpf.ALUOpAnd, Val: 0xff00},
		xbpf.JumpIf{Cond: xbpf.JumpEqual, Val: 0x100, SkipTrue: 2},
		xbpf.Jump{Skip: 0}, // a JA the cache follows
		xbpf.RetConstant{Val: RetErrno | 1},
		xbpf.RetConstant{Val: RetAllow},
		xbpf.RetConstant{Val: RetLog},
		xbpf.RetConstant{Val: RetKillProcess},
	)
	assert.NoError(t, Check(prog))
	assert.True(t, CacheableAllow(prog, x86, 0), "read")
	assert.False(t, CacheableAllow(prog, x86, 1), "write reads an argument")
	assert.False(t, CacheableAllow(prog, x86, 3), "LOG is not ALLOW")
	assert.True(t, CacheableAllow(prog, x86, 0x1ab), "AND K then JEQ")
	assert.False(t, CacheableAllow(prog, x86, 2), "ERRNO")
	assert.False(t, CacheableAllow(prog, abi.AuditArchI386, 0), "other arch is killed")

	for _, tt := range []struct {
		name string
		prog Program
	}{
		{"X register", Program{Stmt(OpLdAbsW, OffNr), Stmt(OpTax, 0), Stmt(OpRetK, RetAllow)}},
		{"other ALU", Program{Stmt(OpLdAbsW, OffNr), Stmt(OpOrK, 1), Stmt(OpRetK, RetAllow)}},
		{"JEQ X", Program{Stmt(OpLdAbsW, OffNr), Jump(OpJeqX, 0, 0, 0), Stmt(OpRetK, RetAllow)}},
		{"RET A", Program{Stmt(OpLdImm, RetAllow), Stmt(OpRetA, 0)}},
		{"LD IMM", Program{Stmt(OpLdImm, 0), Stmt(OpRetK, RetAllow)}},
		{"ALLOW with data", Program{Stmt(OpRetK, RetAllow|1)}},
		{"IP", Program{Stmt(OpLdAbsW, OffIP), Stmt(OpRetK, RetAllow)}},
	} {
		assert.False(t, CacheableAllow(tt.prog, x86, 0), tt.name)
	}
	assert.True(t, CacheableAllow(Program{Stmt(OpRetK, RetAllow)}, x86, 0))
}
