// Package opt chooses the shape of a filter's system call search: the tree
// of JGE/JEQ tests over a Decision's nr intervals (DESIGN.md idea 2).
//
// It takes the intervals of one AUDIT_ARCH and a weight per interval (how
// often its numbers are called, or how many system calls it holds) and gives
// a Tree that the backend (package codegen) emits. Trees are optimal for the
// goal by dynamic programming over the intervals; JGE splits halve a range,
// JEQ chains pull single numbers out of a range that otherwise has one
// decision. The speed goal also bounds the longest path (depth plus the
// instructions of the interval's own decision) to the shortest possible
// plus Slack with zero arguments and plus WorstSlack with the worst ones, so
// rare calls are not pushed arbitrarily deep to shave the mean.
package opt

import (
	"math"
	"sync"

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
	// Mean minimises the weighted mean depth, as Speed does, with no bound
	// on the longest path.
	Mean
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

// Slack is how many instructions above the shortest possible longest
// common path (arguments zero) the speed goal accepts to lower the mean
// path (on Docker's profile: the mean goes from 10.0 with no slack to 9.4
// with one, and to 9.1 unbounded, where the longest path grows by 4).
// WorstSlack is the same for the longest path over any arguments: with
// none, Docker's mean would be 10.4 (its worst calls are personality and
// socket with odd arguments); with two it is 9.4, as with no bound.
const (
	Slack      = 1
	WorstSlack = 2
)

// Cost is what an interval's own decision adds to a path after the search
// reaches it, in instructions (1 for a RET): Common with every argument
// zero (flags and modes clear, the usual call), Worst with the worst
// arguments.
type Cost struct{ Common, Worst int }

// Optimal builds the best tree for the goal. weights[i] is the weight of
// ivs[i] (a zero total makes every interval weigh the same). For Speed,
// the tree minimises the weighted mean depth among the trees whose longest
// path (depth + cost) is at most Slack above the shortest possible with
// common arguments and WorstSlack above it with the worst ones; when no
// tree keeps both, the worst-case limit gives way. Mean is Speed without
// the limits.
func Optimal(ivs []decide.Interval, weights []float64, costs []Cost, goal Goal) *Tree {
	if len(ivs) > maxDP {
		mid := len(ivs) / 2
		return &Tree{Op: bpf.OpJgeK, K: ivs[mid].Lo,
			Yes: Optimal(ivs[mid:], weights[mid:], costs[mid:], goal),
			No:  Optimal(ivs[:mid], weights[:mid], costs[:mid], goal)}
	}
	common, worst := make([]int, len(costs)), make([]int, len(costs))
	for i, c := range costs {
		common[i], worst[i] = c.Common, max(c.Worst, c.Common)
	}
	if goal != Speed {
		// Without a limit, costs matter only to chains' longest paths,
		// which nothing reads.
		s := newSolver(ivs, weights, worst, goal)
		s.solveAll(-1)
		defer s.release()
		return s.build(0, len(ivs)-1, 0)
	}
	// Both limits as one: a path limit L with costs c'[i] keeps the depth
	// of interval i within min(Lc - common[i], Lw - worst[i]).
	n := len(ivs)
	mm := getInts(n * n)
	defer putInts(mm)
	lc := minMaxTable(common, mm)[n-1] + Slack
	lw := minMaxTable(worst, mm)[n-1] + WorstSlack
	merged := make([]int, n)
	for {
		limit := max(lc, lw)
		for i := range merged {
			merged[i] = max(common[i]-lc, worst[i]-lw) + limit
		}
		if minMaxTable(merged, mm)[n-1] > limit {
			lw++
			continue
		}
		// The best tree without a limit often keeps to it, and where it
		// does not, most of its subtrees still do: the limited search
		// takes those as they are.
		free := newSolver(ivs, weights, merged, goal)
		free.solveAll(-1)
		defer free.release()
		freeMax := free.longestTable(getInts(n * n))
		defer putInts(freeMax)
		if freeMax[n-1] <= limit {
			return free.build(0, n-1, 0)
		}
		s := *free
		s.mm, s.free, s.freeMax = mm, free, freeMax
		s.solveAll(limit)
		defer s.release()
		return s.build(0, n-1, 0)
	}
}

// A tree's cost is one number: for Speed, the weighted mean depth plus
// SizeWeight per test; for Size, the number of tests plus a small price
// for depth, so that among trees of one size the faster wins.
const (
	// SizeWeight prices one instruction in units of mean path for the
	// speed goal, so that a test that saves almost nothing is not paid
	// for with an instruction (on Docker's profile: 3% fewer instructions
	// for 0.6% longer mean paths).
	SizeWeight = 0.03
	// meanSizeWeight is the Mean goal's: a tie-break only, since that goal
	// asks for the least mean whatever the size.
	meanSizeWeight = 1e-6
	// depthWeight prices the mean depth for the size goal; below one test
	// whatever the depth (weights are normalised to sum 1, depth ≤ 64).
	depthWeight = 1.0 / 128
)

var infinite = math.Inf(1)

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
	// depthPrice and testPrice turn a range's weight and one test into cost.
	depthPrice, testPrice float64
	// best and split are indexed [d][i*n+j]; d is always 0 without a limit.
	// split is k for a JGE at ivs[k].Lo, -1 for a JEQ chain, -2 for a leaf.
	best   [][]float64
	split  [][]int32
	maxLen []int // per level, the longest range its tables hold
	mm     []int // min over trees of the longest depth+cost, [i*n+j]
	// chains[i][t] is the JEQ chain over ivs[i..i+2t+2]; chains exist only
	// for those ranges, and only up to the first that is not one.
	chains [][]chainInfo
	// free is the same search without a limit and freeMax the longest
	// depth+cost of its tree for each range: where that fits under the
	// limit, the limited search has nothing to add (split is freeSplit).
	free    *solver
	freeMax []int
	pooled  [2]any // best's and split's storage, back to the pools on release
}

// The DP tables of one search are large (Docker's profile: 300 KB) and
// short-lived; compiling many filters reuses them.
var floatPool, int32Pool, intPool sync.Pool

func getFloats(n int) []float64 {
	if p, ok := floatPool.Get().(*[]float64); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]float64, n)
}

func getInt32s(n int) []int32 {
	if p, ok := int32Pool.Get().(*[]int32); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]int32, n)
}

func getInts(n int) []int {
	if p, ok := intPool.Get().(*[]int); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]int, n)
}

func putInts(x []int) { intPool.Put(&x) }

// release returns the tables to the pools; the solver is unusable after.
func (s *solver) release() {
	if f, ok := s.pooled[0].([]float64); ok {
		floatPool.Put(&f)
	}
	if x, ok := s.pooled[1].([]int32); ok {
		int32Pool.Put(&x)
	}
	s.pooled = [2]any{}
	s.best, s.split = nil, nil
}

// Markers in split: a JEQ chain, a leaf, the free search's tree.
const (
	chainSplit = -1
	leafSplit  = -2
	freeSplit  = -3
)

func newSolver(ivs []decide.Interval, weights []float64, costs []int, goal Goal) *solver {
	n := len(ivs)
	s := &solver{ivs: ivs, w: make([]float64, n), c: costs, prefix: make([]float64, n+1), goal: goal, n: n,
		depthPrice: 1, testPrice: SizeWeight}
	switch goal {
	case Size:
		s.depthPrice, s.testPrice = depthWeight, 1
	case Mean:
		s.testPrice = meanSizeWeight
	}
	total := 0.0
	for _, x := range weights {
		total += x
	}
	for i := range ivs {
		s.w[i] = 1.0 / float64(n)
		if total > 0 {
			s.w[i] = weights[i] / total
		}
		s.prefix[i+1] = s.prefix[i] + s.w[i]
	}
	s.prepareChains()
	return s
}

func (s *solver) weight(i, j int) float64 { return s.prefix[j+1] - s.prefix[i] }

// minMaxTable fills mm (n*n long) with, for each range i..j of intervals
// ([i*n+j]), the smallest longest path (depth + cost) a JGE tree over it
// can have, and returns it.
func minMaxTable(c []int, mm []int) []int {
	n := len(c)
	for i := n - 1; i >= 0; i-- {
		mm[i*n+i] = c[i]
		// A split at k costs 1 + max(mm(i..k-1), mm(k..j)): the first
		// grows with k, the second shrinks, so the best k is where they
		// cross; the crossing only moves right as j grows.
		k := i + 1
		for j := i + 1; j < n; j++ {
			for k < j && mm[i*n+k-1] < mm[k*n+j] {
				k++
			}
			best := 1 + max(mm[i*n+k-1], mm[k*n+j])
			if k > i+1 {
				best = min(best, 1+max(mm[i*n+k-2], mm[(k-1)*n+j]))
			}
			mm[i*n+j] = best
		}
	}
	return mm
}

// longestTable fills out (n*n long) with, for each range i..j ([i*n+j]),
// the longest depth+cost of the tree the tables hold for it at level 0.
func (s *solver) longestTable(out []int) []int {
	n := s.n
	for length := 1; length <= n; length++ {
		for i := 0; i+length-1 < n; i++ {
			j := i + length - 1
			switch k := int(s.split[0][s.at(0, i, j)]); {
			case i == j:
				out[i*n+j] = s.c[i]
			case k == chainSplit:
				out[i*n+j] = s.chainAt(i, j).need
			default:
				out[i*n+j] = 1 + max(out[i*n+k-1], out[k*n+j])
			}
		}
	}
	return out
}

// solveAll fills the tables, with a path limit when limit ≥ 0.
func (s *solver) solveAll(limit int) {
	s.limit = limit
	n := s.n
	levels := 1
	if limit >= 0 {
		levels = limit + 1
	}
	// At depth d only ranges that fit under the limit from there exist;
	// deep levels hold short ranges only, so each level stores ranges up to
	// its longest feasible one.
	s.maxLen = make([]int, levels+1)
	total := 0
	var fit []int // fit[l]: the least longest path of a range of l+1 intervals
	if limit >= 0 {
		fit = make([]int, n)
		for l := range fit {
			fit[l] = math.MaxInt
			for i := 0; i+l < n; i++ {
				fit[l] = min(fit[l], s.mm[i*n+i+l])
			}
		}
	}
	for d := 0; d < levels; d++ {
		ml := n
		if limit >= 0 {
			for ml > 0 && d+fit[ml-1] > limit {
				ml--
			}
		}
		s.maxLen[d] = ml
		total += n * ml
	}
	// Every cell a level reads is written first, so pooled tables need no
	// clearing.
	best, split := getFloats(total), getInt32s(total)
	s.pooled = [2]any{best, split}
	s.best = make([][]float64, levels+1)
	s.split = make([][]int32, levels+1)
	off := 0
	for d := 0; d < levels; d++ {
		size := n * s.maxLen[d]
		s.best[d], s.split[d] = best[off:off+size], split[off:off+size]
		off += size
	}
	// Row by row from the last: a range needs only shorter ranges of its
	// own row and ranges of later rows, and rows are contiguous in memory.
	// The cells that need no search (out of reach, leaves, the free
	// search's trees) are most of them: they are filled here, inline.
	for d := levels - 1; d >= 0; d-- {
		ml := s.maxLen[d]
		best, split := s.best[d], s.split[d]
		for i := n - 1; i >= 0; i-- {
			for j := i; j < min(n, i+ml); j++ {
				if limit >= 0 && !reachable(d, i, j, n) {
					continue
				}
				at := i*ml + j - i
				switch {
				case limit >= 0 && d+s.mm[i*n+j] > limit:
					best[at] = infinite
				case i == j:
					best[at], split[at] = 0, leafSplit
				case s.free != nil && d+s.freeMax[i*n+j] <= limit:
					best[at], split[at] = s.free.best[0][i*n+j-i], freeSplit
				default:
					s.solve(d, i, j)
				}
			}
		}
	}
}

// knuthWindow turns the Knuth window on; tests turn it off to compare
// with the plain search.
var knuthWindow = true

// reachable reports whether a tree over 0..n-1 can have a subtree over
// i..j at depth d: only the whole range at depth 0, only the ranges that
// start at 0 or end at n-1 at depth 1, any range below. The limited search
// skips the others, most of the two top levels (the Knuth window, which
// needs neighbouring ranges, is not used there).
func reachable(d, i, j, n int) bool {
	switch d {
	case 0:
		return i == 0 && j == n-1
	case 1:
		return i == 0 || j == n-1
	}
	return true
}

// child is the level of a range's subtrees: one deeper with a limit,
// level 0 (depth-free) without.
func (s *solver) child(d int) int {
	if s.limit < 0 {
		return 0
	}
	return d + 1
}

// at is the index of range i..j in level d's tables, or -1 when the range
// does not fit at that depth.
func (s *solver) at(d, i, j int) int {
	ml := s.maxLen[d]
	if j-i >= ml {
		return -1
	}
	return i*ml + j - i
}

func (s *solver) solve(d, i, j int) {
	at := s.at(d, i, j)
	best, split := s.best[d], s.split[d]
	if s.limit >= 0 && d+s.mm[i*s.n+j] > s.limit {
		best[at] = infinite
		return
	}
	if i == j {
		best[at], split[at] = 0, leafSplit
		return
	}
	if s.free != nil && d+s.freeMax[i*s.n+j] <= s.limit {
		best[at], split[at] = s.free.best[0][s.free.at(0, i, j)], freeSplit
		return
	}
	b, bk := infinite, int32(0)
	if cd := s.child(d); s.maxLen[cd] > 0 {
		sub, cml := s.best[cd], s.maxLen[cd]
		// Both parts of a split at k (i..k-1 and k..j) must fit a level down.
		lo, hi := max(i+1, j-cml+1), min(j, i+cml)
		// The best split moves right as a range grows (Knuth's observation
		// for optimal search trees): look only between the best splits of
		// the two ranges one shorter, when both are feasible splits.
		if knuthWindow && j-i >= 2 && (s.limit < 0 || d >= 2) {
			l, r := s.at(d, i, j-1), s.at(d, i+1, j)
			a, c := split[l], split[r]
			if a == freeSplit {
				a = s.free.split[0][s.free.at(0, i, j-1)]
			}
			if c == freeSplit {
				c = s.free.split[0][s.free.at(0, i+1, j)]
			}
			if a >= 0 && c >= 0 && a <= c && best[l] < infinite && best[r] < infinite {
				lo, hi = max(lo, int(a)), min(hi, int(c))
			}
		}
		left, right := i*cml+lo-1-i, lo*cml+j-lo
		for k := lo; k <= hi; k++ {
			if v := sub[left] + sub[right]; v < b {
				b, bk = v, int32(k)
			}
			left++
			right += cml - 1
		}
		b += s.weight(i, j)*s.depthPrice + s.testPrice
	}
	if c, ok := s.chain(d, i, j); ok && c < b {
		b, bk = c, chainSplit
	}
	best[at], split[at] = b, bk
}

// chainInfo is a JEQ chain over ivs[i..j], worked out once per range:
// every other interval has one decision (the background) and the ones
// between are single numbers, each pulled out by one JEQ, heaviest first.
type chainInfo struct {
	cost float64 // the chain's cost, depth-free
	need int     // the longest depth + leaf cost below the chain's root
}

// chainAt is the JEQ chain over ivs[i..j], or nil.
func (s *solver) chainAt(i, j int) *chainInfo {
	t := (j - i - 2) / 2
	if j-i < 2 || (j-i)%2 != 0 || t >= len(s.chains[i]) {
		return nil
	}
	return &s.chains[i][t]
}

// chain prices the JEQ chain over ivs[i..j] for a root at depth d.
func (s *solver) chain(d, i, j int) (float64, bool) {
	c := s.chainAt(i, j)
	if c == nil || (s.limit >= 0 && d+c.need > s.limit) {
		return 0, false
	}
	return c.cost, true
}

// prepareChains finds the ranges that are chains and prices them.
func (s *solver) prepareChains() {
	n := s.n
	s.chains = make([][]chainInfo, n)
	var pts, sorted []int
	for i := 0; i < n; i++ {
		bg := s.ivs[i].Node
		pts = pts[:0]
		bgCost := s.c[i]
		for j := i + 2; j < n; j += 2 {
			if s.ivs[j].Node != bg || s.ivs[j-1].Lo != s.ivs[j-1].Hi {
				break
			}
			pts = append(pts, j-1)
			bgCost = max(bgCost, s.c[j])
			sorted = append(sorted[:0], pts...)
			s.sortPoints(sorted)
			depth, bgWeight := 0.0, s.weight(i, j)
			need := len(sorted) + bgCost
			for at, k := range sorted {
				depth += s.w[k] * float64(at+1)
				bgWeight -= s.w[k]
				need = max(need, at+1+s.c[k])
			}
			depth += bgWeight * float64(len(sorted))
			s.chains[i] = append(s.chains[i], chainInfo{cost: depth*s.depthPrice + float64(len(sorted))*s.testPrice, need: need})
		}
	}
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
	k := int(s.split[d][s.at(d, i, j)])
	switch {
	case i == j:
		return &Tree{Leaf: s.ivs[i].Node}
	case k == freeSplit:
		return s.free.build(i, j, 0)
	case k >= 0:
		cd := s.child(d)
		return &Tree{Op: bpf.OpJgeK, K: s.ivs[k].Lo, Yes: s.build(k, j, cd), No: s.build(i, k-1, cd)}
	}
	var pts []int
	for k := i + 1; k <= j; k += 2 {
		pts = append(pts, k)
	}
	s.sortPoints(pts)
	t := &Tree{Leaf: s.ivs[i].Node}
	for a := len(pts) - 1; a >= 0; a-- {
		iv := s.ivs[pts[a]]
		t = &Tree{Op: bpf.OpJeqK, K: iv.Lo, Yes: &Tree{Leaf: iv.Node}, No: t}
	}
	return t
}
