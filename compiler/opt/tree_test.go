package opt

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/decide"
)

// intervals makes n adjacent intervals with distinct decisions (so no JEQ
// chain applies and every tree is a JGE tree).
func intervals(n int) []decide.Interval {
	b := decide.NewBuilder()
	ivs := make([]decide.Interval, n)
	for i := range ivs {
		ivs[i] = decide.Interval{Lo: uint32(10 * i), Hi: uint32(10*i + 9), Node: b.Leaf(uint32(i))}
	}
	ivs[n-1].Hi = math.MaxUint32
	return ivs
}

// treeStats is Σ weight × depth, the size and the longest depth + cost.
func treeStats(t *Tree, ivs []decide.Interval, w []float64, c []int) (depth float64, size, longest int) {
	var walk func(t *Tree, d int)
	walk = func(t *Tree, d int) {
		if t.Leaf != nil {
			i := int(t.Leaf.Action)
			depth += w[i] * float64(d)
			longest = max(longest, d+c[i])
			return
		}
		size++
		walk(t.Yes, d+1)
		walk(t.No, d+1)
	}
	walk(t, 0)
	return depth, size, longest
}

// brute finds the least Σ w·depth + price·size over all JGE trees on
// w[i..j] rooted at depth d that keep every interval k at depth ≤ cap[k].
func brute(w []float64, cap []int, i, j, d int, price float64) float64 {
	if i == j {
		if d > cap[i] {
			return math.Inf(1)
		}
		return 0
	}
	sum := 0.0
	for k := i; k <= j; k++ {
		sum += w[k]
	}
	best := math.Inf(1)
	for k := i + 1; k <= j; k++ {
		best = min(best, brute(w, cap, i, k-1, d+1, price)+brute(w, cap, k, j, d+1, price))
	}
	return best + sum + price
}

// bruteMinMax is the smallest longest depth + cost of any JGE tree on
// c[i..j].
func bruteMinMax(c []int, i, j int) int {
	if i == j {
		return c[i]
	}
	best := math.MaxInt
	for k := i + 1; k <= j; k++ {
		best = min(best, 1+max(bruteMinMax(c, i, k-1), bruteMinMax(c, k, j)))
	}
	return best
}

// The speed tree must be the best tree within both longest-path limits, as
// an exhaustive search over every tree finds it (the worst-case limit
// relaxed one step at a time while no tree keeps both); the size tree the
// smallest (n-1 tests for distinct decisions).
func TestOptimalAgainstExhaustiveSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		n := 2 + rng.IntN(7)
		ivs := intervals(n)
		w := make([]float64, n)
		costs := make([]Cost, n)
		common, worst := make([]int, n), make([]int, n)
		total := 0.0
		for i := range w {
			w[i] = float64(rng.IntN(20))
			total += w[i]
			common[i] = 1 + rng.IntN(4)
			worst[i] = common[i]
			if rng.IntN(3) == 0 {
				worst[i] += rng.IntN(6)
			}
			costs[i] = Cost{Common: common[i], Worst: worst[i]}
		}
		if total == 0 {
			w[0], total = 1, 1
		}
		norm := make([]float64, n)
		for i := range w {
			norm[i] = w[i] / total
		}
		require.Equal(t, bruteMinMax(common, 0, n-1), minMaxTable(common, make([]int, n*n))[n-1], "trial %d", trial)
		lc := bruteMinMax(common, 0, n-1) + Slack
		lw := bruteMinMax(worst, 0, n-1) + WorstSlack
		cap := make([]int, n)
		want := math.Inf(1)
		for ; math.IsInf(want, 1); lw++ {
			for i := range cap {
				cap[i] = min(lc-common[i], lw-worst[i])
			}
			want = brute(norm, cap, 0, n-1, 0, SizeWeight)
		}
		lw--
		tree := Optimal(ivs, w, costs, Speed)
		depth, size, longCommon := treeStats(tree, ivs, norm, common)
		_, _, longWorst := treeStats(tree, ivs, norm, worst)
		require.LessOrEqual(t, longCommon, lc, "trial %d", trial)
		require.LessOrEqual(t, longWorst, lw, "trial %d", trial)
		require.InDelta(t, want, depth+SizeWeight*float64(size), 1e-9, "trial %d: weights %v costs %v", trial, w, costs)

		// Mean is the best tree with no limit, and never worse than Speed.
		free := make([]int, n)
		for i := range free {
			free[i] = math.MaxInt
		}
		mean := Optimal(ivs, w, costs, Mean)
		depthMean, sizeMean, _ := treeStats(mean, ivs, norm, common)
		require.InDelta(t, brute(norm, free, 0, n-1, 0, meanSizeWeight), depthMean+meanSizeWeight*float64(sizeMean), 1e-9, "trial %d", trial)
		require.LessOrEqual(t, depthMean, depth+1e-9, "trial %d", trial)

		small := Optimal(ivs, w, costs, Size)
		_, size, _ = treeStats(small, ivs, norm, worst)
		require.Equal(t, n-1, size)
	}
}

// Where a decision surrounds single numbers, a JEQ chain is smaller than
// JGE splits: A x A y A takes 2 tests instead of 4.
func TestChainPullsOutSingleNumbers(t *testing.T) {
	b := decide.NewBuilder()
	a, x, y := b.Leaf(1), b.Leaf(2), b.Leaf(3)
	ivs := []decide.Interval{{Lo: 0, Hi: 9, Node: a}, {Lo: 10, Hi: 10, Node: x}, {Lo: 11, Hi: 19, Node: a},
		{Lo: 20, Hi: 20, Node: y}, {Lo: 21, Hi: math.MaxUint32, Node: a}}
	tree := Optimal(ivs, []float64{1, 1, 1, 1, 1}, []Cost{{1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}}, Size)
	require.Equal(t, 2, tree.Size())
	require.Equal(t, 4, Balanced(ivs).Size())
}
