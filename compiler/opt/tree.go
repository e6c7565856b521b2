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

// Slack is how many instructions above the shortest possible longest path
// the speed goal accepts to lower the mean path (on Docker's profile: the
// mean goes from 10.0 with no slack to 9.4 with one, and to 9.1 unbounded,
// where the longest path grows by 4).
const Slack = 1

// Optimal builds the best tree for the goal. weights[i] is the weight of
// ivs[i] (a zero total makes every interval weigh the same); costs[i] is
// the longest run of instructions in ivs[i]'s decision (1 for a RET). For
// Speed, the tree minimises the weighted mean depth among the trees whose
// longest path (depth + cost) is at most Slack above the shortest possible.
func Optimal(ivs []decide.Interval, weights []float64, costs []int, goal Goal) *Tree {
	if len(ivs) > maxDP {
		mid := len(ivs) / 2
		return &Tree{Op: bpf.OpJgeK, K: ivs[mid].Lo,
			Yes: Optimal(ivs[mid:], weights[mid:], costs[mid:], goal),
			No:  Optimal(ivs[:mid], weights[:mid], costs[:mid], goal)}
	}
	s := newSolver(ivs, weights, costs, goal)
	s.solveAll(-1)
	t := s.build(0, len(ivs)-1, 0)
	if goal != Speed {
		return t
	}
	limit := s.minMax() + Slack
	if maxPath(t, ivs, costs) <= limit {
		return t
	}
	s.solveAll(limit)
	return s.build(0, len(ivs)-1, 0)
}

// maxPath is the longest depth + cost over the leaves of t.
func maxPath(t *Tree, ivs []decide.Interval, costs []int) int {
	cost := map[*decide.Node]int{}
	for i, iv := range ivs {
		cost[iv.Node] = max(cost[iv.Node], costs[i])
	}
	var walk func(t *Tree, d int) int
	walk = func(t *Tree, d int) int {
		if t.Leaf != nil {
			return d + cost[t.Leaf]
		}
		return max(walk(t.Yes, d+1), walk(t.No, d+1))
	}
	return walk(t, 0)
}

// cost orders trees: the goal's measure first, the other second.
type cost struct {
	depth float64 // Σ weight × depth of the intervals' leaves
	size  int
}

var infinite = cost{depth: math.Inf(1), size: math.MaxInt32}

func (c cost) less(d cost, goal Goal) bool {
	const eps = 1e-9
	if goal == Size {
		if c.size != d.size {
			return c.size < d.size
		}
		return c.depth < d.depth-eps
	}
	x, y := c.depth+SizeWeight*float64(c.size), d.depth+SizeWeight*float64(d.size)
	if math.Abs(x-y) > eps {
		return x < y
	}
	return c.size < d.size
}

// SizeWeight prices one instruction in units of mean path for the speed
// goal, so that a test that saves almost nothing is not paid for with an
// instruction (on Docker's profile: 3% fewer instructions for 0.6% longer
// mean paths).
const SizeWeight = 0.03

func (c cost) plus(d cost) cost { return cost{c.depth + d.depth, c.size + d.size} }

// choice records how a range is best split: at interval k with JGE, or
// as a JEQ chain over the single numbers around a background decision.
type choice struct {
	split int          // k for JGE (ivs[k].Lo), -1 for a chain, -2 for a leaf
	bg    *decide.Node // background of a chain
}

// solver finds optimal trees by dynamic programming over ranges i..j of
// intervals. With a path limit, the state also holds the depth of the
// range's root, and trees that put a leaf past the limit are excluded.
type solver struct {
	ivs    []decide.Interval
	w      []float64
	c      []int
	prefix []float64
	goal   Goal
	n      int
	limit  int // -1: none
	// best and how are indexed [d][i*n+j]; d is always 0 without a limit.
	best [][]cost
	how  [][]choice
	mm   []int // min over trees of the longest depth+cost, [i*n+j]
}

func newSolver(ivs []decide.Interval, weights []float64, costs []int, goal Goal) *solver {
	n := len(ivs)
	s := &solver{ivs: ivs, w: make([]float64, n), c: costs, prefix: make([]float64, n+1), goal: goal, n: n}
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
	return s
}

func (s *solver) weight(i, j int) float64 { return s.prefix[j+1] - s.prefix[i] }

// minMax is the smallest longest path (depth + cost) any JGE tree over all
// the intervals can have.
func (s *solver) minMax() int {
	n := s.n
	s.mm = make([]int, n*n)
	for length := 1; length <= n; length++ {
		for i := 0; i+length-1 < n; i++ {
			j := i + length - 1
			if i == j {
				s.mm[i*n+j] = s.c[i]
				continue
			}
			best := math.MaxInt32
			for k := i + 1; k <= j; k++ {
				best = min(best, 1+max(s.mm[i*n+k-1], s.mm[k*n+j]))
			}
			s.mm[i*n+j] = best
		}
	}
	return s.mm[n-1]
}

// solveAll fills the tables, with a path limit when limit ≥ 0.
func (s *solver) solveAll(limit int) {
	s.limit = limit
	levels := 1
	if limit >= 0 {
		levels = limit + 1
	}
	n := s.n
	s.best = make([][]cost, levels+1)
	s.how = make([][]choice, levels+1)
	for d := range s.best {
		s.best[d] = make([]cost, n*n)
		s.how[d] = make([]choice, n*n)
	}
	for d := levels - 1; d >= 0; d-- {
		for length := 1; length <= n; length++ {
			for i := 0; i+length-1 < n; i++ {
				s.solve(d, i, i+length-1)
			}
		}
	}
}

// child is the level of a range's subtrees: one deeper with a limit,
// level 0 (depth-free) without.
func (s *solver) child(d int) int {
	if s.limit < 0 {
		return 0
	}
	return d + 1
}

func (s *solver) solve(d, i, j int) {
	n := s.n
	at := i*n + j
	if s.limit >= 0 && (d >= len(s.best)-1 || d+s.mm[at] > s.limit) {
		s.best[d][at] = infinite
		return
	}
	if i == j {
		s.best[d][at], s.how[d][at] = cost{}, choice{split: -2}
		return
	}
	w := s.weight(i, j)
	best, how := infinite, choice{}
	cd := s.child(d)
	for k := i + 1; k <= j; k++ {
		l, r := s.best[cd][i*n+k-1], s.best[cd][k*n+j]
		if math.IsInf(l.depth, 1) || math.IsInf(r.depth, 1) {
			continue
		}
		c := cost{depth: w + l.depth + r.depth, size: 1 + l.size + r.size}
		if c.less(best, s.goal) {
			best, how = c, choice{split: k}
		}
	}
	if c, bg, ok := s.chain(d, i, j); ok && c.less(best, s.goal) {
		best, how = c, choice{split: -1, bg: bg}
	}
	s.best[d][at], s.how[d][at] = best, how
}

// chain prices a JEQ chain over ivs[i..j]: every other interval has one
// decision (the background) and the ones between are single numbers, each
// pulled out by one JEQ, heaviest first.
func (s *solver) chain(d, i, j int) (cost, *decide.Node, bool) {
	bg := s.ivs[i].Node
	if (j-i)%2 != 0 {
		return cost{}, nil, false
	}
	var pts []int
	bgCost := 0
	for k := i; k <= j; k++ {
		if (k-i)%2 == 0 {
			if s.ivs[k].Node != bg {
				return cost{}, nil, false
			}
			bgCost = max(bgCost, s.c[k])
		} else {
			if s.ivs[k].Lo != s.ivs[k].Hi {
				return cost{}, nil, false
			}
			pts = append(pts, k)
		}
	}
	s.sortPoints(pts)
	var c cost
	bgWeight := s.weight(i, j)
	for depth, k := range pts {
		c.depth += s.w[k] * float64(depth+1)
		bgWeight -= s.w[k]
		if s.limit >= 0 && d+depth+1+s.c[k] > s.limit {
			return cost{}, nil, false
		}
	}
	if s.limit >= 0 && d+len(pts)+bgCost > s.limit {
		return cost{}, nil, false
	}
	c.depth += bgWeight * float64(len(pts))
	c.size = len(pts)
	return c, bg, true
}

// sortPoints orders a chain's numbers heaviest first (stable).
func (s *solver) sortPoints(pts []int) {
	for a := 1; a < len(pts); a++ {
		for b := a; b > 0 && s.w[pts[b]] > s.w[pts[b-1]]; b-- {
			pts[b], pts[b-1] = pts[b-1], pts[b]
		}
	}
}

// build turns the recorded choices into a tree.
func (s *solver) build(i, j, d int) *Tree {
	h := s.how[d][i*s.n+j]
	switch {
	case i == j:
		return &Tree{Leaf: s.ivs[i].Node}
	case h.split >= 0:
		cd := s.child(d)
		return &Tree{Op: bpf.OpJgeK, K: s.ivs[h.split].Lo, Yes: s.build(h.split, j, cd), No: s.build(i, h.split-1, cd)}
	}
	var pts []int
	for k := i + 1; k <= j; k += 2 {
		pts = append(pts, k)
	}
	s.sortPoints(pts)
	t := &Tree{Leaf: h.bg}
	for a := len(pts) - 1; a >= 0; a-- {
		iv := s.ivs[pts[a]]
		t = &Tree{Op: bpf.OpJeqK, K: iv.Lo, Yes: &Tree{Leaf: iv.Node}, No: t}
	}
	return t
}
