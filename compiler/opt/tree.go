// Package opt chooses the shape of a filter's system call search: the tree
// of JGE/JEQ tests over a Decision's nr intervals (DESIGN.md idea 2).
//
// It takes the intervals of one AUDIT_ARCH and a weight per interval (how
// often its numbers are called, or how many system calls it holds) and gives
// a Tree that the backend (package codegen) emits. Trees are optimal for the
// goal by dynamic programming over the intervals; JGE splits halve a range,
// JEQ chains pull single numbers out of a range that otherwise has one
// decision.
package opt

import (
	"math"

	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/decide"
)

// Tree is a search tree over system call numbers: a leaf is a decision; an
// inner node jumps on nr (JGE or JEQ against K) to Yes or No.
type Tree struct {
	Leaf    *decide.Node
	Op      uint16 // bpf.OpJgeK or bpf.OpJeqK
	K       uint32
	Yes, No *Tree
}

// Size is the number of inner nodes (instructions) of t.
func (t *Tree) Size() int {
	if t.Leaf != nil {
		return 0
	}
	return 1 + t.Yes.Size() + t.No.Size()
}

// Goal is what a tree minimises first.
type Goal int

const (
	// Speed minimises the weighted mean depth, then the size.
	Speed Goal = iota
	// Size minimises the number of tests, then the weighted mean depth.
	Size
)

// Balanced is the plain search tree: halve the intervals at each level.
// It is what --optimize=none emits.
func Balanced(ivs []decide.Interval) *Tree {
	if len(ivs) == 1 {
		return &Tree{Leaf: ivs[0].Node}
	}
	mid := len(ivs) / 2
	return &Tree{Op: bpf.OpJgeK, K: ivs[mid].Lo, Yes: Balanced(ivs[mid:]), No: Balanced(ivs[:mid])}
}

// maxDP bounds the intervals searched exhaustively (the search is cubic);
// longer lists are first cut in balanced halves.
const maxDP = 160

// Optimal builds the best tree for the goal. weights[i] is the weight of
// ivs[i]; a zero total weight makes every interval weigh the same.
func Optimal(ivs []decide.Interval, weights []float64, goal Goal) *Tree {
	if len(ivs) > maxDP {
		mid := len(ivs) / 2
		return &Tree{Op: bpf.OpJgeK, K: ivs[mid].Lo,
			Yes: Optimal(ivs[mid:], weights[mid:], goal),
			No:  Optimal(ivs[:mid], weights[:mid], goal)}
	}
	s := newSolver(ivs, weights, goal)
	return s.build(0, len(ivs)-1)
}

// cost orders trees: the goal's measure first, the other second.
type cost struct {
	depth float64 // Σ weight × depth of the intervals' leaves
	size  int
}

func (c cost) less(d cost, goal Goal) bool {
	const eps = 1e-9
	if goal == Size {
		if c.size != d.size {
			return c.size < d.size
		}
		return c.depth < d.depth-eps
	}
	if math.Abs(c.depth-d.depth) > eps {
		return c.depth < d.depth
	}
	return c.size < d.size
}

// choice records how a range is best split: at interval k with JGE, or
// as a JEQ chain over the single numbers around a background decision.
type choice struct {
	split int          // k for JGE (ivs[k].Lo), -1 for a chain
	bg    *decide.Node // background of a chain
}

type solver struct {
	ivs    []decide.Interval
	w      []float64
	prefix []float64
	goal   Goal
	best   [][]cost
	how    [][]choice
}

func newSolver(ivs []decide.Interval, weights []float64, goal Goal) *solver {
	n := len(ivs)
	s := &solver{ivs: ivs, w: make([]float64, n), prefix: make([]float64, n+1), goal: goal}
	total := 0.0
	for _, x := range weights {
		total += x
	}
	for i := range ivs {
		s.w[i] = 1
		if total > 0 {
			s.w[i] = weights[i] / total
		}
		s.prefix[i+1] = s.prefix[i] + s.w[i]
	}
	s.best = make([][]cost, n)
	s.how = make([][]choice, n)
	for i := range s.best {
		s.best[i] = make([]cost, n)
		s.how[i] = make([]choice, n)
	}
	for length := 1; length <= n; length++ {
		for i := 0; i+length-1 < n; i++ {
			s.solve(i, i+length-1)
		}
	}
	return s
}

func (s *solver) weight(i, j int) float64 { return s.prefix[j+1] - s.prefix[i] }

// solve fills best[i][j] from the smaller ranges.
func (s *solver) solve(i, j int) {
	if i == j {
		s.best[i][j] = cost{}
		s.how[i][j] = choice{split: -2}
		return
	}
	w := s.weight(i, j)
	var best cost
	var how choice
	first := true
	for k := i + 1; k <= j; k++ {
		c := cost{depth: w + s.best[i][k-1].depth + s.best[k][j].depth, size: 1 + s.best[i][k-1].size + s.best[k][j].size}
		if first || c.less(best, s.goal) {
			best, how, first = c, choice{split: k}, false
		}
	}
	if c, bg, ok := s.chain(i, j); ok && c.less(best, s.goal) {
		best, how = c, choice{split: -1, bg: bg}
	}
	s.best[i][j], s.how[i][j] = best, how
}

// chain prices a JEQ chain over ivs[i..j]: every other interval has one
// decision (the background) and the ones between are single numbers, each
// pulled out by one JEQ, heaviest first.
func (s *solver) chain(i, j int) (cost, *decide.Node, bool) {
	bg := s.ivs[i].Node
	if (j-i)%2 != 0 {
		return cost{}, nil, false
	}
	var pts []float64
	for k := i; k <= j; k++ {
		if (k-i)%2 == 0 {
			if s.ivs[k].Node != bg {
				return cost{}, nil, false
			}
		} else {
			if s.ivs[k].Lo != s.ivs[k].Hi {
				return cost{}, nil, false
			}
			pts = append(pts, s.w[k])
		}
	}
	sortDesc(pts)
	var c cost
	bgWeight := s.weight(i, j)
	for d, w := range pts {
		c.depth += w * float64(d+1)
		bgWeight -= w
	}
	c.depth += bgWeight * float64(len(pts))
	c.size = len(pts)
	return c, bg, true
}

func sortDesc(xs []float64) {
	for a := 1; a < len(xs); a++ {
		for b := a; b > 0 && xs[b] > xs[b-1]; b-- {
			xs[b], xs[b-1] = xs[b-1], xs[b]
		}
	}
}

// build turns the recorded choices into a tree.
func (s *solver) build(i, j int) *Tree {
	h := s.how[i][j]
	switch {
	case i == j:
		return &Tree{Leaf: s.ivs[i].Node}
	case h.split >= 0:
		return &Tree{Op: bpf.OpJgeK, K: s.ivs[h.split].Lo, Yes: s.build(h.split, j), No: s.build(i, h.split-1)}
	}
	// JEQ chain, heaviest number first.
	type pt struct {
		k int
		w float64
	}
	var pts []pt
	for k := i + 1; k <= j; k += 2 {
		pts = append(pts, pt{k, s.w[k]})
	}
	for a := 1; a < len(pts); a++ {
		for b := a; b > 0 && pts[b].w > pts[b-1].w; b-- {
			pts[b], pts[b-1] = pts[b-1], pts[b]
		}
	}
	t := &Tree{Leaf: h.bg}
	for a := len(pts) - 1; a >= 0; a-- {
		iv := s.ivs[pts[a].k]
		t = &Tree{Op: bpf.OpJeqK, K: iv.Lo, Yes: &Tree{Leaf: iv.Node}, No: t}
	}
	return t
}
