package main

import (
	"container/heap"
	"math"
	"math/bits"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/decide"
)

// fixedCost is the least any filter executes besides the nr search and the
// argument tests: load arch, one test of it, load nr, and the RET.
const fixedCost = 4

// argCost is the least a call whose decision depends on its arguments adds:
// one load of an argument word and one test.
const argCost = 2

// archBound is the lower bound material of one AUDIT_ARCH.
type archBound struct {
	name      string // the ABIs sharing the arch, "x86_64+x32"
	intervals int
	log2      int // ⌈log2 intervals⌉: depth of a balanced search
	decisions int // distinct decision nodes among the intervals
}

// bound is the lower bound on path lengths for one policy and ABI set.
type bound struct {
	arches []archBound
	// opt* are the least mean paths of a filter whose nr search is a tree
	// of JGE/JGT splits (the optimal alphabetic tree over the intervals);
	// floor* are the least of any binary tests at all (a Huffman tree over
	// the distinct decisions), a bound no filter can beat.
	optUniform, optWeighted     float64
	floorUniform, floorWeighted float64
	// pullUniform is the least of a tree of JGE splits and JEQ pull-outs
	// (pullOutCost); NaN when not searched.
	pullUniform float64
}

// pullOutLimit bounds the intervals pullOutCost searches (Docker's
// x86_64: 68, in about two seconds), and pullOutDepth the numbers a range
// may hold pulled out.
const (
	pullOutLimit = 100
	pullOutDepth = 2
)

// lowerBound computes the bound from secc's decision: each (ABI, call)
// weighs 1 (uniform) or its workload count (weighted, native ABI only, as
// the workloads were recorded there), is charged fixedCost, argCost if its
// decision reads arguments, and its depth in the best tree over its
// arch's intervals, each interval weighing what its calls weigh. pullOut
// also runs the (slow) search with JEQ pull-outs, for the uniform weights.
func lowerBound(d *decide.Decision, cfg config, w weights, pullOut bool) bound {
	var b bound
	if !pullOut {
		b.pullUniform = math.NaN()
	}
	var totU, totW float64
	for _, a := range d.Arches {
		ab := archBound{intervals: len(a.Intervals), log2: bits.Len(uint(len(a.Intervals) - 1))}
		var names []string
		for _, x := range a.ABIs {
			names = append(names, x.Name)
		}
		ab.name = strings.Join(names, "+")
		uni := make([]float64, len(a.Intervals))
		wei := make([]float64, len(a.Intervals))
		var fixedU, fixedW float64 // Σ weight·(fixedCost + argCost if any)
		for _, x := range a.ABIs {
			for _, sc := range x.Syscalls() {
				i := sort.Search(len(a.Intervals), func(i int) bool { return a.Intervals[i].Hi >= sc.Nr })
				c := float64(fixedCost)
				if !a.Intervals[i].Node.Leaf {
					c += argCost
				}
				uni[i]++
				totU++
				fixedU += c
				if x == cfg.target.Native {
					wc := w[sc.Name]
					wei[i] += wc
					totW += wc
					fixedW += wc * c
				}
			}
		}
		b.optUniform += fixedU + alphabeticCost(uni)
		b.optWeighted += fixedW + alphabeticCost(wei)
		switch {
		case !pullOut:
		case len(a.Intervals) <= pullOutLimit:
			b.pullUniform += fixedU + pullOutCost(a.Intervals, uni, pullOutDepth)
		default:
			b.pullUniform = math.NaN()
		}
		b.floorUniform += fixedU + huffmanCost(byDecision(a.Intervals, uni))
		b.floorWeighted += fixedW + huffmanCost(byDecision(a.Intervals, wei))
		ab.decisions = len(byDecision(a.Intervals, uni))
		b.arches = append(b.arches, ab)
	}
	if totU > 0 {
		b.optUniform /= totU
		b.pullUniform /= totU
		b.floorUniform /= totU
	}
	if totW > 0 {
		b.optWeighted /= totW
		b.floorWeighted /= totW
	}
	return b
}

// byDecision sums interval weights per decision node: a search only has
// to tell decisions apart, not intervals.
func byDecision(ivs []decide.Interval, w []float64) []float64 {
	idx := map[*decide.Node]int{}
	var out []float64
	for i, iv := range ivs {
		j, ok := idx[iv.Node]
		if !ok {
			j = len(out)
			idx[iv.Node] = j
			out = append(out, 0)
		}
		out[j] += w[i]
	}
	return out
}

// alphabeticCost is the least Σ w[i]·depth(i) over binary trees whose
// leaves are the intervals in order, each inner node one comparison of nr
// with a constant: the classic optimal alphabetic tree, by dynamic
// programming with Knuth's bound on the root (the cost function meets the
// quadrangle inequality), O(n²).
func alphabeticCost(w []float64) float64 {
	n := len(w)
	if n <= 1 {
		return 0
	}
	prefix := make([]float64, n+1)
	for i, x := range w {
		prefix[i+1] = prefix[i] + x
	}
	// c[i][j]: cost of the leaves i..j; r[i][j]: the last leaf of the
	// left subtree in an optimal split.
	c := make([][]float64, n)
	r := make([][]int32, n)
	for i := range c {
		c[i] = make([]float64, n)
		r[i] = make([]int32, n)
		r[i][i] = int32(i)
	}
	for l := 2; l <= n; l++ {
		for i := 0; i+l-1 < n; i++ {
			j := i + l - 1
			lo, hi := int(r[i][j-1]), int(r[i+1][j])
			if hi > j-1 {
				hi = j - 1
			}
			if lo < i {
				lo = i
			}
			best, arg := -1.0, lo
			for k := lo; k <= hi; k++ {
				if v := c[i][k] + c[k+1][j]; best < 0 || v < best {
					best, arg = v, k
				}
			}
			c[i][j] = best + prefix[j+1] - prefix[i]
			r[i][j] = int32(arg)
		}
	}
	return c[0][n-1]
}

// huffmanCost is the least Σ w[i]·depth(i) over all binary trees with
// these leaves (Huffman's algorithm): the sum of the merged weights.
func huffmanCost(w []float64) float64 {
	if len(w) <= 1 {
		return 0
	}
	h := floatHeap(append([]float64(nil), w...))
	heap.Init(&h)
	cost := 0.0
	for h.Len() > 1 {
		a := heap.Pop(&h).(float64)
		b := heap.Pop(&h).(float64)
		cost += a + b
		heap.Push(&h, a+b)
	}
	return cost
}

type floatHeap []float64

func (h floatHeap) Len() int           { return len(h) }
func (h floatHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h floatHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *floatHeap) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *floatHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
