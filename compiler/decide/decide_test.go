package decide

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/lang"
)

func TestFiringRules(t *testing.T) {
	arg0 := func(op lang.CmpOp, v uint64) resolve.ArgCmp {
		return resolve.ArgCmp{Arg: 0, Mask: ^uint64(0), Op: op, Val: v}
	}
	nr := func(n uint32) resolve.NrIn { return resolve.NrIn{Set: resolve.Points(n)} }
	p := &resolve.Policy{ABI: abi.X86_64, Rules: []resolve.Rule{
		{Cond: resolve.And{nr(1), arg0(lang.Lt, 10)}, Action: 1},
		{Cond: resolve.And{nr(1), arg0(lang.Le, 5)}, Action: 2},  // inside rule 0: never fires
		{Cond: resolve.And{nr(1), arg0(lang.Eq, 10)}, Action: 3}, // fires
		{Cond: nr(2), Action: 4},                                 // fires
		{Cond: resolve.And{nr(2), arg0(lang.Eq, 1)}, Action: 5},  // shadowed by rule 3
		{Cond: resolve.Or{nr(1), nr(3)}, Action: 6},              // fires (nr 3, and nr 1 above 10)
		{Cond: resolve.Const(true), Action: 7},                   // fires
		{Cond: resolve.Const(true), Action: 8},                   // after an unconditional rule
	}}
	fires, err := FiringRules(p)
	require.NoError(t, err)
	assert.Equal(t, []bool{true, false, true, true, false, true, true, false}, fires)
}

// TestLargeSetIsNotQuadratic: Decide halves a large set instead of pulling
// its values out one by one, so 20000 values decide in well under a second
// on any machine (pulling them out took minutes) and its tree stays
// shallow.
func TestLargeSetIsNotQuadratic(t *testing.T) {
	var vals []uint64
	for i := uint64(0); i < 20000; i++ {
		vals = append(vals, 0x1000+i*7919)
	}
	p := &resolve.Policy{ABI: abi.X86_64, Rules: []resolve.Rule{
		{Cond: oneOf(vals...), Action: bpf.RetAllow},
		{Cond: resolve.Const(true), Action: bpf.RetErrno | 1},
	}}
	d, err := Decide([]*resolve.Policy{p}, bpf.RetKillProcess)
	require.NoError(t, err)
	n := d.Lookup(abi.AuditArchX86_64, 1)
	assert.Less(t, n.MaxSteps(), 2+1+2*15+largeRun+1, "ld hi, jeq, ld lo, halvings, a chain, ret")
	for _, v := range []uint64{0x1000, 0x1000 + 7919*19999, 0x1000 + 7919*777} {
		args := [6]uint64{v}
		assert.Equal(t, bpf.RetAllow, n.Eval(&args), "%#x", v)
		args[0]++
		assert.Equal(t, bpf.RetErrno|1, n.Eval(&args), "%#x", v+1)
	}
}
