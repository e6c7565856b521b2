package opt

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// cost is Σ w·depth (weights normalised) + SizeWeight·tests of a tree.
func cost(t *Tree, w []float64) float64 {
	total := 0.0
	for _, x := range w {
		total += x
	}
	var walk func(t *Tree, d int) float64
	walk = func(t *Tree, d int) float64 {
		if t.Leaf != nil {
			return w[t.Leaf.Action] / total * float64(d)
		}
		return SizeWeight + walk(t.Yes, d+1) + walk(t.No, d+1)
	}
	return walk(t, 0)
}

// The Knuth window only saves work: on larger random instances, with path
// limits, the speed tree costs what the search over every split finds.
func TestKnuthWindowKeepsTheOptimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 200; trial++ {
		n := 10 + rng.IntN(50)
		ivs := intervals(n)
		w := make([]float64, n)
		costs := make([]Cost, n)
		for i := range w {
			w[i] = float64(rng.IntN(30))
			if rng.IntN(4) == 0 {
				w[i] = 0
			}
			c := 1 + rng.IntN(3)
			costs[i] = Cost{Common: c, Worst: c + rng.IntN(5)*rng.IntN(2)}
		}
		w[0]++
		fast := Optimal(ivs, w, costs, Speed)
		knuthWindow = false
		plain := Optimal(ivs, w, costs, Speed)
		knuthWindow = true
		require.InDelta(t, cost(plain, w), cost(fast, w), 1e-9, "trial %d n %d", trial, n)
	}
}
