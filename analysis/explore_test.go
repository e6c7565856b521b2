package analysis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
)

var (
	retAllow = bpf.Stmt(bpf.OpRetK, bpf.RetAllow)
	retEperm = bpf.Stmt(bpf.OpRetK, bpf.RetErrno|1)
	retKill  = bpf.Stmt(bpf.OpRetK, bpf.RetKillProcess)
)

// personalityFilter is a small hand-written filter: x86_64 only, x32
// refused, execve denied, personality allowed for persona 0 and 8.
func personalityFilter() []xbpf.RawInstruction {
	return []xbpf.RawInstruction{
		/* 0 */ bpf.Stmt(bpf.OpLdAbsW, bpf.OffArch),
		/* 1 */ bpf.Jump(bpf.OpJeqK, abi.AuditArchX86_64, 0, 12), // → 14 kill
		/* 2 */ bpf.Stmt(bpf.OpLdAbsW, bpf.OffNr),
		/* 3 */ bpf.Jump(bpf.OpJgeK, abi.X32Bit, 10, 0), // → 14 kill
		/* 4 */ bpf.Jump(bpf.OpJeqK, 59, 7, 0), // execve → 12 eperm
		/* 5 */ bpf.Jump(bpf.OpJeqK, 135, 0, 7), // personality? else → 13 allow
		/* 6 */ bpf.Stmt(bpf.OpLdAbsW, bpf.ArgHi(0)),
		/* 7 */ bpf.Jump(bpf.OpJeqK, 0, 0, 4), // → 12
		/* 8 */ bpf.Stmt(bpf.OpLdAbsW, bpf.ArgLo(0)),
		/* 9 */ bpf.Jump(bpf.OpJeqK, 0, 3, 0), // → 13
		/* 10 */ bpf.Jump(bpf.OpJeqK, 8, 2, 0), // → 13
		/* 11 */ bpf.Stmt(bpf.OpRetK, bpf.RetErrno|1),
		/* 12 */ retEperm,
		/* 13 */ retAllow,
		/* 14 */ retKill,
	}
}

func TestExploreHandWritten(t *testing.T) {
	prog := personalityFilter()
	r, err := Explore(prog)
	require.NoError(t, err)
	require.NoError(t, r.Check)
	assert.True(t, r.Distinguishes(abi.AuditArchX86_64))
	assert.False(t, r.Distinguishes(abi.AuditArchI386))
	if a, ok := r.Lookup(abi.AuditArchI386, 0).Node.Constant(); assert.True(t, ok) {
		assert.Equal(t, bpf.RetKillProcess, a)
	}
	if a, ok := r.Lookup(abi.AuditArchX86_64, 59).Node.Constant(); assert.True(t, ok) {
		assert.Equal(t, bpf.RetErrno|1, a)
	}
	if a, ok := r.Lookup(abi.AuditArchX86_64, abi.X32Bit|1).Node.Constant(); assert.True(t, ok) {
		assert.Equal(t, bpf.RetKillProcess, a)
	}
	iv := r.Lookup(abi.AuditArchX86_64, 135)
	assert.Equal(t, uint32(135), iv.Lo)
	assert.Equal(t, uint32(135), iv.Hi)
	assert.Equal(t, Branch, iv.Node.Kind)
	for _, c := range []struct {
		arg  uint64
		want uint32
	}{{0, bpf.RetAllow}, {8, bpf.RetAllow}, {9, bpf.RetErrno | 1}, {1<<32 | 8, bpf.RetErrno | 1}} {
		got, ok := iv.Node.Eval(&[6]uint64{c.arg})
		assert.True(t, ok)
		assert.Equal(t, c.want, got, "arg0=%#x", c.arg)
	}
	// Every instruction is reachable; the extra ERRNO at 11 too.
	for pc, ok := range r.Reached {
		assert.True(t, ok, "insn %d", pc)
	}
	// Intervals on x86_64: 0..58, 59, 60..134, 135, 136..0x3fffffff, x32.
	assert.Len(t, r.Region(abi.AuditArchX86_64).Intervals, 6)
}

func TestDescribePersonality(t *testing.T) {
	r, err := Explore(personalityFilter())
	require.NoError(t, err)
	d := Describe(r.Lookup(abi.AuditArchX86_64, 135).Node, nil)
	assert.Equal(t, "ALLOW if arg0 in {0, 8}; else ERRNO(EPERM)", d.Text)
	assert.Equal(t, "ERRNO(EPERM)", Describe(r.Lookup(abi.AuditArchX86_64, 59).Node, nil).Text)
}
