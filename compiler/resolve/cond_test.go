package resolve

import (
	"math/rand/v2"
	"testing"

	"github.com/secc-lang/secc/lang"
)

// TestCmpSetMatchesHolds: the set CmpSet gives for op and v holds exactly
// the values x with x op v, near v, at the ends, and at random.
func TestCmpSetMatchesHolds(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	vals := []uint32{0, 1, 2, 0x7fffffff, 0x80000000, ^uint32(0) - 1, ^uint32(0)}
	for i := 0; i < 50; i++ {
		vals = append(vals, rng.Uint32())
	}
	for _, op := range []lang.CmpOp{lang.Eq, lang.Ne, lang.Lt, lang.Le, lang.Gt, lang.Ge} {
		for _, v := range vals {
			s := CmpSet(op, v)
			for _, x := range append([]uint32{v - 1, v, v + 1}, vals...) {
				if got, want := s.Contains(x), op.Holds(uint64(x), uint64(v)); got != want {
					t.Errorf("%#x %s %#x: CmpSet says %v, Holds %v", x, op, v, got, want)
				}
			}
		}
	}
}
