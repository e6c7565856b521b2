package verify

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/lang"
)

// policy: personality(arg0 == 0x1_00000000) → ERRNO(1), else ALLOW.
func policy(a *abi.ABI) *resolve.Policy {
	nr, _ := a.Nr("personality")
	return &resolve.Policy{ABI: a, Rules: []resolve.Rule{
		{Cond: resolve.And{resolve.NrIn{Set: resolve.Points(nr)},
			resolve.ArgCmp{Arg: 0, Mask: ^uint64(0), Op: lang.Eq, Val: 0x1_00000000}}, Action: bpf.RetErrno | 1},
		{Cond: resolve.Const(true), Action: bpf.RetAllow},
	}}
}

// A filter that checks the arch and allows everything misses the argument
// rule; verification must find an input that shows it, and say which.
func TestVerifyFindsAMismatch(t *testing.T) {
	prog := []xbpf.RawInstruction{
		bpf.Stmt(bpf.OpLdAbsW, bpf.OffArch),
		bpf.Jump(bpf.OpJeqK, abi.AuditArchX86_64, 1, 0),
		bpf.Stmt(bpf.OpRetK, bpf.RetKillProcess),
		bpf.Stmt(bpf.OpRetK, bpf.RetAllow),
	}
	_, err := Verify(prog, &Reference{Policies: []*resolve.Policy{policy(abi.X86_64)}, BadABI: bpf.RetKillProcess})
	var m *Mismatch
	require.True(t, errors.As(err, &m), "got %v", err)
	assert.Equal(t, uint32(135), uint32(m.Data.Nr))
	assert.Equal(t, uint64(0x1_00000000), m.Data.Args[0])
	assert.Equal(t, bpf.RetErrno|1, m.Want)
	assert.Equal(t, bpf.RetAllow, m.Got)
	assert.Contains(t, m.Error(), "nr=0x87 args=[0x100000000")
}

// The x32 edge: a filter treating bit-30 numbers as native calls is wrong
// when x32 is not accepted.
func TestVerifyChecksX32Numbers(t *testing.T) {
	prog := []xbpf.RawInstruction{
		bpf.Stmt(bpf.OpLdAbsW, bpf.OffArch),
		bpf.Jump(bpf.OpJeqK, abi.AuditArchX86_64, 1, 0),
		bpf.Stmt(bpf.OpRetK, bpf.RetKillProcess),
		bpf.Stmt(bpf.OpRetK, bpf.RetAllow),
	}
	allow := &resolve.Policy{ABI: abi.X86_64, Rules: []resolve.Rule{{Cond: resolve.Const(true), Action: bpf.RetAllow}}}
	_, err := Verify(prog, &Reference{Policies: []*resolve.Policy{allow}, BadABI: bpf.RetKillProcess})
	var m *Mismatch
	require.True(t, errors.As(err, &m))
	assert.GreaterOrEqual(t, uint32(m.Data.Nr), uint32(abi.X32Bit))
	assert.Equal(t, bpf.RetKillProcess, m.Want)
}

func TestReferenceRoutesABIs(t *testing.T) {
	ref := &Reference{Policies: []*resolve.Policy{policy(abi.X86_64), policy(abi.X32)}, BadABI: bpf.RetTrap}
	x32nr, _ := abi.X32.Nr("personality")
	d := bpf.SeccompData{Arch: abi.AuditArchX86_64, Nr: int32(x32nr), Args: [6]uint64{0x1_00000000}}
	assert.Equal(t, bpf.RetErrno|1, ref.Eval(&d))
	d.Arch = abi.AuditArchI386
	assert.Equal(t, bpf.RetTrap, ref.Eval(&d), "i386 is not accepted")
	d.Arch, d.Nr = abi.AuditArchX86_64, -1
	assert.Equal(t, bpf.RetAllow, ref.Eval(&d), "-1 goes through the native rules")
	only32 := &Reference{Policies: []*resolve.Policy{policy(abi.X32)}, BadABI: bpf.RetTrap}
	assert.Equal(t, bpf.RetAllow, only32.Eval(&d), "-1 goes through x32's rules when only x32 is accepted")
	d.Nr = 135
	assert.Equal(t, bpf.RetTrap, only32.Eval(&d), "native numbers are a bad ABI when only x32 is accepted")
}
