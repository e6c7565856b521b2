package decide

import (
	"math/bits"
	"slices"
)

// Reshape rebuilds every run of whole-word comparisons on one argument word
// (the tests Decide chose one rule at a time) as the best search over that
// word's values: JGT splits, JEQ pull-outs, and one JSET where the values
// of one outcome are all the combinations of a few bits (personality's
// 0, 8, 0x20000, 0x20008 are the subsets of 0x20008).
//
// With sizeFirst the search has the fewest tests, then the shortest longest
// path. Otherwise, like the search over nr, it keeps the longest path
// within valueSlack of the shortest possible and, within that, takes the
// fewest tests for the value 0 (flags clear: the common call), then the
// fewest tests.
//
// The result is the same function of the arguments with other DAGs (on
// d's Builder); d keeps Decide's shape, rule by rule, as the compiler's
// Result.Decision. --optimize=none emits d itself.
func (d *Decision) Reshape(sizeFirst bool) *Decision {
	r := &reshaper{b: d.Builder, memo: map[*Node]*Node{}, steps: map[stepKey]int{}, sizeFirst: sizeFirst}
	out := &Decision{BadABI: d.BadABI, Builder: d.Builder, Arches: make([]Arch, len(d.Arches))}
	for i, a := range d.Arches {
		ivs := make([]Interval, 0, len(a.Intervals))
		for _, iv := range a.Intervals {
			ivs = appendInterval(ivs, Interval{iv.Lo, iv.Hi, r.node(iv.Node)})
		}
		out.Arches[i] = Arch{AuditArch: a.AuditArch, ABIs: a.ABIs, Intervals: ivs}
	}
	return out
}

type reshaper struct {
	b         *Builder
	memo      map[*Node]*Node
	steps     map[stepKey]int
	sizeFirst bool
}

// wholeWord reports whether t compares a whole word as an interval (EQ or
// GT without a mask): the tests a value search can replace.
func wholeWord(t Test) bool {
	return t.Mask == 0xffffffff && (t.Op == OpEQ || t.Op == OpGT)
}

func (r *reshaper) node(n *Node) *Node {
	if n.Leaf {
		return n
	}
	if m, ok := r.memo[n]; ok {
		return m
	}
	var out *Node
	if wholeWord(n.Test) {
		out = r.region(n)
	} else {
		out = r.b.Inner(n.Test, r.node(n.True), r.node(n.False))
	}
	r.memo[n] = out
	return out
}

// maxRegion bounds the tests of one run (past it, the run keeps its shape)
// and maxSpans the value intervals one search takes (the search is cubic;
// more are halved by JGTs first).
const (
	maxRegion = 1 << 16
	maxSpans  = 24
)

// span is a range of the word's values and where they leave the run.
type span struct {
	lo, hi uint32
	exit   *Node
	cost   int // the exit's longest run, the word already loaded
}

func (s span) point() bool { return s.lo == s.hi }

// region replaces the run of whole-word tests on n's word that starts at n.
func (r *reshaper) region(top *Node) *Node {
	w := top.Test.Word
	inRun := func(x *Node) bool { return !x.Leaf && x.Test.Word == w && wholeWord(x.Test) }
	// The run's tests cut the word's values into intervals on which every
	// test of the run agrees.
	cuts := []uint64{0}
	seen := map[*Node]bool{}
	stack := []*Node{top}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] || !inRun(x) {
			continue
		}
		seen[x] = true
		if len(seen) > maxRegion {
			return r.b.Inner(top.Test, r.node(top.True), r.node(top.False))
		}
		k := uint64(x.Test.K)
		if x.Test.Op == OpEQ {
			cuts = append(cuts, k)
		}
		cuts = append(cuts, k+1)
		stack = append(stack, x.True, x.False)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	if cuts[len(cuts)-1] == 1<<32 {
		cuts = cuts[:len(cuts)-1]
	}
	var spans []span
	for i, c := range cuts {
		hi := uint64(1<<32 - 1)
		if i+1 < len(cuts) {
			hi = cuts[i+1] - 1
		}
		x := top
		for inRun(x) {
			if x.Test.Holds(uint32(c)) {
				x = x.True
			} else {
				x = x.False
			}
		}
		exit := r.node(x)
		if n := len(spans); n > 0 && spans[n-1].exit == exit {
			spans[n-1].hi = uint32(hi)
			continue
		}
		spans = append(spans, span{lo: uint32(c), hi: uint32(hi), exit: exit, cost: maxSteps(exit, w, true, r.steps)})
	}
	if len(spans) == 1 {
		return spans[0].exit // the run decided nothing
	}
	if len(spans) == 2 { // one test, whatever the goal; JEQ reads best
		whole := func(op Op, k uint32) Test { return Test{Word: w, Mask: 0xffffffff, Op: op, K: k} }
		switch {
		case spans[0].point():
			return r.b.Inner(whole(OpEQ, spans[0].lo), spans[0].exit, spans[1].exit)
		case spans[1].point():
			return r.b.Inner(whole(OpEQ, spans[1].lo), spans[1].exit, spans[0].exit)
		}
		return r.b.Inner(whole(OpGT, spans[1].lo-1), spans[1].exit, spans[0].exit)
	}
	// Decide's own shape is kept when the search finds nothing better.
	old := r.copyRun(top, inRun)
	if len(spans) > maxSpans {
		best := r.halve(w, spans, true)
		if r.sizeFirst {
			if chain := r.chain(w, spans); chain != nil && r.preferred(r.score(chain, w), r.score(best, w)) {
				best = chain
			}
		}
		if r.preferred(r.score(best, w), r.score(old, w)) {
			return best
		}
		return old
	}
	s := newValueSearch(spans, r.sizeFirst, true)
	best, bound := s.best()
	if cube := s.cubeSearch(); cube != nil && s.better(cube.score, best.score) {
		return r.buildCube(w, spans, cube)
	}
	if oldScore := r.score(old, w); !s.better(best.score, oldScore) {
		return old
	}
	return s.build(r.b, w, 0, len(spans)-1, bound)
}

// halve searches more spans than the search takes at once: a JGT at the
// middle, then each half (hasZero: the spans start at the value 0).
func (r *reshaper) halve(w Word, spans []span, hasZero bool) *Node {
	if len(spans) <= maxSpans {
		s := newValueSearch(spans, r.sizeFirst, hasZero)
		best, bound := s.best()
		if cube := s.cubeSearch(); cube != nil && s.better(cube.score, best.score) {
			return r.buildCube(w, spans, cube)
		}
		return s.build(r.b, w, 0, len(spans)-1, bound)
	}
	mid := len(spans) / 2
	return r.b.Inner(Test{Word: w, Mask: 0xffffffff, Op: OpGT, K: spans[mid].lo - 1},
		r.halve(w, spans[mid:], false), r.halve(w, spans[:mid], hasZero))
}

// chain is the smallest search over spans whose ranges all lead to one
// exit (the background) and whose single values lead anywhere: a JEQ per
// value that leaves the background, smallest first. It is nil for other
// spans.
func (r *reshaper) chain(w Word, spans []span) *Node {
	var background *Node
	for _, sp := range spans {
		switch {
		case sp.point():
		case background == nil:
			background = sp.exit
		case sp.exit != background:
			return nil
		}
	}
	if background == nil {
		return nil
	}
	out := background
	for i := len(spans) - 1; i >= 0; i-- {
		if sp := spans[i]; sp.point() && sp.exit != background {
			out = r.b.Inner(Test{Word: w, Mask: 0xffffffff, Op: OpEQ, K: sp.lo}, sp.exit, out)
		}
	}
	return out
}

// preferred ranks two finished searches for the goal: the longest path,
// then the tests, for speed; the reverse for size.
func (r *reshaper) preferred(a, b score) bool {
	if r.sizeFirst {
		return a.size < b.size || a.size == b.size && a.max < b.max
	}
	return a.max < b.max || a.max == b.max && a.size < b.size
}

// copyRun is the run as Decide built it, with its exits reshaped.
func (r *reshaper) copyRun(top *Node, inRun func(*Node) bool) *Node {
	memo := map[*Node]*Node{}
	var walk func(x *Node) *Node
	walk = func(x *Node) *Node {
		if !inRun(x) {
			return r.node(x)
		}
		if m, ok := memo[x]; ok {
			return m
		}
		m := r.b.Inner(x.Test, walk(x.True), walk(x.False))
		memo[x] = m
		return m
	}
	return walk(top)
}

// score of a built run: its longest path, its distinct tests on w and the
// tests on the path of the value 0.
func (r *reshaper) score(n *Node, w Word) score {
	zero := 0
	for x := n; !x.Leaf && x.Test.Word == w && wholeWord(x.Test); zero++ {
		if x.Test.Holds(0) {
			x = x.True
		} else {
			x = x.False
		}
	}
	size := 0
	seen := map[*Node]bool{}
	var count func(x *Node)
	count = func(x *Node) {
		if x.Leaf || seen[x] || x.Test.Word != w || !wholeWord(x.Test) {
			return
		}
		seen[x] = true
		size++
		count(x.True)
		count(x.False)
	}
	count(n)
	return score{max: maxSteps(n, w, true, r.steps), size: size, zero: zero}
}

// score ranks searches: the longest path (tests plus the exit's run), the
// number of tests, and the tests on the path of the value 0 (for ranges
// that hold it).
type score struct{ max, size, zero int }

// valueSlack is how far above the shortest possible longest path the speed
// goal lets a search go to test the value 0 sooner (Docker's socket rule:
// JGT 37 first answers every common address family in one test, where two
// JEQs would be one test shorter for 38 and 40 only).
const valueSlack = 1

// valueSearch finds the best tree of JGT splits and JEQ pull-outs over
// spans by dynamic programming over ranges of spans and a bound on the
// longest path.
type valueSearch struct {
	spans     []span
	sizeFirst bool
	limit     int        // speed goal: the longest path allowed, once known
	hasZero   bool       // spans[0] holds the value 0
	layers    [][]choice // [bound][i*len(spans)+j]: the best tree within bound
	chains    []*choice  // [i*len(spans)+j]: the JEQ chain over i..j, worked out once
}

// choice is the best tree for a range within a path bound.
type choice struct {
	ok    bool
	score score
	kind  uint8 // leafChoice, splitChoice, chainChoice, pullLoChoice, pullHiChoice
	k     int   // split: first span of the upper part; chain: the exit kept
}

const (
	leafChoice uint8 = iota
	splitChoice
	chainChoice
	pullLoChoice
	pullHiChoice
)

func newValueSearch(spans []span, sizeFirst, hasZero bool) *valueSearch {
	return &valueSearch{spans: spans, sizeFirst: sizeFirst, hasZero: hasZero}
}

// better ranks two whole searches for the goal.
func (s *valueSearch) better(a, b score) bool {
	if s.sizeFirst {
		return s.within(a, b)
	}
	if aOK, bOK := a.max <= s.limit, b.max <= s.limit; aOK != bOK || !aOK {
		return aOK || !bOK && a.max < b.max
	}
	return s.within(a, b)
}

// within ranks two searches that both keep to a bound on the path: for
// speed, the value 0's tests, then all tests, then the longest path; for
// size, all tests, the longest path, the value 0's tests.
func (s *valueSearch) within(a, b score) bool {
	x := [3]int{a.zero, a.size, a.max}
	y := [3]int{b.zero, b.size, b.max}
	if s.sizeFirst {
		x = [3]int{a.size, a.max, a.zero}
		y = [3]int{b.size, b.max, b.zero}
	}
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

// best is the best tree over all spans and the bound it was found with:
// for the speed goal, the bound valueSlack above the smallest that admits
// a tree; for the size goal, the smallest bound of the smallest tree.
func (s *valueSearch) best() (choice, int) {
	n := len(s.spans)
	hiBound := 0
	for _, sp := range s.spans {
		hiBound = max(hiBound, sp.cost)
	}
	hiBound += n // a JEQ chain or a JGT ladder always fits
	// No tree is shallower than a balanced one over its distinct exits.
	exits := map[*Node]bool{}
	lowBound := hiBound
	for _, sp := range s.spans {
		exits[sp.exit] = true
		lowBound = min(lowBound, sp.cost)
	}
	lowBound += bits.Len(uint(len(exits) - 1))
	var best choice
	bestBound := 0
	for bound := lowBound; bound <= hiBound; bound++ {
		c := s.solve(0, n-1, bound)
		if !s.sizeFirst && c.ok {
			s.limit = bound + valueSlack
			return s.solve(0, n-1, s.limit), s.limit
		}
		if c.ok && (!best.ok || s.better(c.score, best.score)) {
			best, bestBound = c, bound
		}
	}
	return best, bestBound
}

// solve is the best tree for spans i..j whose paths are at most bound.
func (s *valueSearch) solve(i, j, bound int) choice {
	for len(s.layers) <= bound {
		s.addLayer()
	}
	return s.layers[bound][i*len(s.spans)+j]
}

// addLayer works out the best tree of every range for the next bound from
// those of the bound below (each test on the way down uses one).
func (s *valueSearch) addLayer() {
	m := len(s.spans)
	bound := len(s.layers)
	layer := make([]choice, m*m)
	s.layers = append(s.layers, layer)
	var below []choice
	if bound > 0 {
		below = s.layers[bound-1]
	}
	for length := 1; length <= m; length++ {
		for i := 0; i+length-1 < m; i++ {
			j := i + length - 1
			if i == j {
				c := s.spans[i].cost
				layer[i*m+j] = choice{ok: c <= bound, score: score{max: c}, kind: leafChoice}
				continue
			}
			if bound <= 1 {
				continue
			}
			best := &layer[i*m+j]
			consider := func(c choice) {
				if c.ok && (!best.ok || s.within(c.score, best.score)) {
					*best = c
				}
			}
			for k := i + 1; k <= j; k++ {
				lo, hi := &below[i*m+k-1], &below[k*m+j]
				if lo.ok && hi.ok {
					consider(choice{ok: true, kind: splitChoice, k: k,
						score: score{1 + max(lo.score.max, hi.score.max), 1 + lo.score.size + hi.score.size, s.zero(i, 1+lo.score.zero)}})
				}
			}
			if sp := s.spans[i]; sp.point() && sp.cost <= bound-1 {
				if rest := &below[(i+1)*m+j]; rest.ok {
					consider(choice{ok: true, kind: pullLoChoice,
						score: score{1 + max(sp.cost, rest.score.max), 1 + rest.score.size, s.zero(i, 1)}})
				}
			}
			if sp := s.spans[j]; sp.point() && sp.cost <= bound-1 {
				if rest := &below[i*m+j-1]; rest.ok {
					consider(choice{ok: true, kind: pullHiChoice,
						score: score{1 + max(sp.cost, rest.score.max), 1 + rest.score.size, s.zero(i, 1+rest.score.zero)}})
				}
			}
			if c, ok := s.chain(i, j); ok && c.score.max <= bound {
				consider(c)
			}
		}
	}
}

// chain is a JEQ chain over spans i..j: the single values whose exit is
// not the range's common one are pulled out, the costliest first. It
// exists when every wider span of the range has one exit.
func (s *valueSearch) chain(i, j int) (choice, bool) {
	m := len(s.spans)
	if s.chains == nil {
		s.chains = make([]*choice, m*m)
	}
	if c := s.chains[i*m+j]; c != nil {
		return *c, c.ok
	}
	c, _ := s.newChain(i, j)
	s.chains[i*m+j] = &c
	return c, c.ok
}

func (s *valueSearch) newChain(i, j int) (choice, bool) {
	keep := -1
	for x := i; x <= j; x++ {
		if !s.spans[x].point() {
			if keep >= 0 && s.spans[keep].exit != s.spans[x].exit {
				return choice{}, false
			}
			if keep < 0 {
				keep = x
			}
		}
	}
	if keep < 0 {
		return choice{}, false // only single values: splits and pulls do it
	}
	pulled := s.pulled(i, j, keep)
	worst, zero := 0, len(pulled)
	for t, x := range pulled {
		worst = max(worst, t+1+s.spans[x].cost)
		if x == 0 {
			zero = t + 1
		}
	}
	worst = max(worst, len(pulled)+s.spans[keep].cost)
	return choice{ok: true, kind: chainChoice, k: keep, score: score{worst, len(pulled), s.zero(i, zero)}}, true
}

// zero is the value 0's tests in a search over spans i..: n if the spans
// start at the first, which holds 0.
func (s *valueSearch) zero(i, n int) int {
	if i == 0 && s.hasZero {
		return n
	}
	return 0
}

// pulled lists the spans a chain over i..j keeping keep's exit tests, in
// test order.
func (s *valueSearch) pulled(i, j, keep int) []int {
	var out []int
	for x := i; x <= j; x++ {
		if s.spans[x].exit != s.spans[keep].exit {
			out = append(out, x)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int { return s.spans[b].cost - s.spans[a].cost })
	return out
}

// build emits the tree solve chose for spans i..j within bound.
func (s *valueSearch) build(b *Builder, w Word, i, j, bound int) *Node {
	whole := func(op Op, k uint32) Test { return Test{Word: w, Mask: 0xffffffff, Op: op, K: k} }
	c := s.solve(i, j, bound)
	switch c.kind {
	case leafChoice:
		return s.spans[i].exit
	case splitChoice:
		return b.Inner(whole(OpGT, s.spans[c.k].lo-1), s.build(b, w, c.k, j, bound-1), s.build(b, w, i, c.k-1, bound-1))
	case pullLoChoice:
		return b.Inner(whole(OpEQ, s.spans[i].lo), s.spans[i].exit, s.build(b, w, i+1, j, bound-1))
	case pullHiChoice:
		return b.Inner(whole(OpEQ, s.spans[j].lo), s.spans[j].exit, s.build(b, w, i, j-1, bound-1))
	case chainChoice:
		pulled := s.pulled(i, j, c.k)
		n := s.spans[c.k].exit
		for t := len(pulled) - 1; t >= 0; t-- {
			sp := s.spans[pulled[t]]
			n = b.Inner(whole(OpEQ, sp.lo), sp.exit, n)
		}
		return n
	}
	panic("decide: bad value search choice")
}

// cube is a search by one JSET ~mask, which sends the values with no bit
// outside mask to in and the others to out, after which a few JEQs pull
// out single values that go elsewhere, on the side where they fall.
type cube struct {
	pulled  []int // spans of one value each, tested after the JSET
	mask    uint32
	in, out *Node
	score   score
}

// maxCubePoints bounds the single values tried as pull-outs (pairs of them
// are tried, so the work is quadratic).
const maxCubePoints = 16

// cubeSearch finds the best cube search over the spans, if any: they must
// have two exits in all.
func (s *valueSearch) cubeSearch() *cube {
	spans := s.spans
	var exits []*Node
	var points []int
	for i, sp := range spans {
		if !slices.Contains(exits, sp.exit) {
			exits = append(exits, sp.exit)
		}
		if sp.point() {
			points = append(points, i)
		}
	}
	if len(exits) != 2 || len(points) > maxCubePoints {
		return nil
	}
	var best *cube
	try := func(pulled []int) {
		for e := range 2 {
			in, out := exits[e], exits[1-e]
			mask, ok := cubeMask(spans, pulled, in)
			if !ok {
				continue
			}
			c := &cube{pulled: slices.Clone(pulled), mask: mask, in: in, out: out}
			worst, zero := 0, 0
			for _, inside := range []bool{false, true} {
				side := c.side(spans, inside)
				if inside && s.hasZero {
					zero = 1 + len(side) // 0 is in every cube
				}
				for t, x := range side {
					worst = max(worst, 1+t+1+spans[x].cost)
					if x == 0 {
						zero = 1 + t + 1
					}
				}
				rest := out
				if inside {
					rest = in
				}
				for _, sp := range spans {
					if sp.exit == rest {
						worst = max(worst, 1+len(side)+sp.cost)
					}
				}
			}
			c.score = score{worst, len(pulled) + 1, zero}
			if best == nil || s.better(c.score, best.score) {
				best = c
			}
		}
	}
	try(nil)
	for a := range points {
		try([]int{points[a]})
		for b := a + 1; b < len(points); b++ {
			try([]int{points[a], points[b]})
		}
	}
	return best
}

// side lists the pulled spans inside the cube (or outside it), in test
// order.
func (c *cube) side(spans []span, inside bool) []int {
	var out []int
	for _, x := range c.pulled {
		if (spans[x].lo&^c.mask == 0) == inside {
			out = append(out, x)
		}
	}
	return out
}

// cubeMask reports whether, apart from the pulled single values, the
// values going to in are exactly those with no bit outside some mask, and
// that mask.
func cubeMask(spans []span, pulled []int, in *Node) (uint32, bool) {
	var mask uint32
	var count uint64
	for i, sp := range spans {
		if sp.exit != in || slices.Contains(pulled, i) {
			continue
		}
		mask |= orRange(sp.lo, sp.hi)
		count += uint64(sp.hi) - uint64(sp.lo) + 1
	}
	if count == 0 || mask == 0xffffffff {
		return 0, false
	}
	// Every value counted lies in the cube of mask; the cube's values that
	// were pulled out are not left to the JSET.
	size := uint64(1) << bits.OnesCount32(mask)
	for _, x := range pulled {
		if spans[x].lo&^mask == 0 {
			size--
		}
	}
	return mask, count == size
}

// orRange is the bitwise OR of every value in lo..hi.
func orRange(lo, hi uint32) uint32 {
	if lo == hi {
		return lo
	}
	top := bits.Len32(lo^hi) - 1 // the highest bit where they differ
	return lo | hi | (1<<top - 1)
}

func (r *reshaper) buildCube(w Word, spans []span, c *cube) *Node {
	chain := func(inside bool, rest *Node) *Node {
		side := c.side(spans, inside)
		for t := len(side) - 1; t >= 0; t-- {
			sp := spans[side[t]]
			rest = r.b.Inner(Test{Word: w, Mask: 0xffffffff, Op: OpEQ, K: sp.lo}, sp.exit, rest)
		}
		return rest
	}
	return r.b.Inner(Test{Word: w, Mask: 0xffffffff, Op: OpSET, K: ^c.mask}, chain(false, c.out), chain(true, c.in))
}
