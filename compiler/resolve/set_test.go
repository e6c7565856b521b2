package resolve

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/lang"
)

func TestSetOfMergesAndSorts(t *testing.T) {
	s := SetOf(Range{10, 12}, Range{0, 3}, Range{4, 5}, Range{11, 20}, Range{0xfffffffe, 0xffffffff})
	assert.Equal(t, Set{{0, 5}, {10, 20}, {0xfffffffe, 0xffffffff}}, s)
	assert.True(t, s.Contains(5))
	assert.False(t, s.Contains(6))
	assert.True(t, s.Contains(0xffffffff))
}

func TestSetAlgebra(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	randSet := func() Set {
		var rs []Range
		for i := rng.IntN(5); i > 0; i-- {
			lo := rng.Uint32N(64)
			rs = append(rs, Range{lo, lo + rng.Uint32N(8)})
		}
		return SetOf(rs...)
	}
	for i := 0; i < 500; i++ {
		a, b := randSet(), randSet()
		u, n, c := a.Union(b), a.Intersect(b), a.Complement()
		for x := uint32(0); x < 80; x++ {
			require.Equal(t, a.Contains(x) || b.Contains(x), u.Contains(x), "union %v %v at %d", a, b, x)
			require.Equal(t, a.Contains(x) && b.Contains(x), n.Contains(x), "intersect %v %v at %d", a, b, x)
			require.Equal(t, !a.Contains(x), c.Contains(x), "complement %v at %d", a, x)
		}
		require.Equal(t, a, c.Complement())
	}
	assert.True(t, Set(nil).Complement().Full())
	assert.True(t, FullSet.Complement().Empty())
}

// A masked $syscall comparison must give exactly the numbers for which the
// comparison holds; checked on every number of a 16-bit space scaled by
// masks that leave the high half decided.
func TestMaskedSetExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	ops := []lang.CmpOp{lang.Eq, lang.Ne, lang.Lt, lang.Le, lang.Gt, lang.Ge}
	for i := 0; i < 300; i++ {
		mask := rng.Uint32() & 0xffff
		if i%3 == 0 {
			mask |= 0xffff0000
		}
		k := rng.Uint32() & mask
		if i%4 == 0 {
			k = rng.Uint32() & 0x1ffff
		}
		op := ops[i%len(ops)]
		cmp := ArgCmp{Mask: uint64(mask), Op: op, Val: uint64(k)}
		set, ok := maskedSet(mask, func(x uint32) bool { return cmp.Holds(uint64(x)) },
			func(lo, hi, low uint32) (bool, bool) { return decideRange(op, k, lo, hi, low) })
		if !ok {
			continue // too fragmented: refused, which is allowed
		}
		for j := 0; j < 2000; j++ {
			x := rng.Uint32()
			if j%2 == 0 {
				x = (k &^ 0xff) | uint32(j&0xff)
			}
			require.Equal(t, cmp.Holds(uint64(x)), set.Contains(x), "(x & %#x) %s %#x at x=%#x", mask, op, k, x)
		}
	}
}

func TestSimplifyPushesNegation(t *testing.T) {
	a := ArgCmp{Arg: 0, Mask: ^uint64(0), Op: lang.Eq, Val: 1}
	b := ArgCmp{Arg: 1, Mask: ^uint64(0), Op: lang.Lt, Val: 5}
	c := Simplify(Not{And{a, Or{b, Const(false)}}})
	assert.Equal(t, "(arg0 != 0x1 || arg1 >= 0x5)", String(c))
	assert.Equal(t, Const(false), Simplify(And{NrIn{Points(3)}, NrIn{Points(4)}}))
	assert.Equal(t, Const(true), Simplify(ArgCmp{Arg: 2, Mask: 0xff, Op: lang.Le, Val: 0xff}))
	assert.Equal(t, Const(false), Simplify(ArgCmp{Arg: 2, Mask: 0xff, Op: lang.Eq, Val: 0x100}))
}
