package main

import (
	"math"

	"github.com/secc-lang/secc/compiler/decide"
)

// pullOutCost is the least Σ w[i]·depth(i) over search trees whose inner
// nodes are JGE splits or JEQ pull-outs: a JEQ on a single-number interval
// sends that number to its leaf and leaves the range without it, so that
// its neighbours may merge into one decision. Ranges hold at most maxOut
// (≤ maxPullOut) pulled-out numbers at a time; below that the search is
// exhaustive (on the corpus, 2, 3 and 4 give the same cost). Exponential
// in maxOut; meant for one arch's few dozen intervals.
func pullOutCost(ivs []decide.Interval, w []float64, maxOut int) float64 {
	n := len(ivs)
	if n <= 1 {
		return 0
	}
	s := &pullOut{ivs: ivs, w: w, maxOut: min(maxOut, maxPullOut), memo: map[uint64]float64{},
		node: make([]int, n*n), prefix: make([]float64, n+1)}
	for i := range n {
		s.prefix[i+1] = s.prefix[i] + w[i]
		// node[i*n+j]: an interval whose decision all of ivs[i..j] share,
		// or -1.
		s.node[i*n+i] = i
		for j := i + 1; j < n; j++ {
			s.node[i*n+j] = -1
			if k := s.node[i*n+j-1]; k >= 0 && ivs[k].Node == ivs[j].Node {
				s.node[i*n+j] = k
			}
		}
	}
	return s.cost(pullRange{j: n - 1})
}

// maxPullOut bounds maxOut.
const maxPullOut = 4

// pullRange is a range of intervals and those pulled out of it, ascending.
type pullRange struct {
	i, j int
	n    int // pulled out
	out  [maxPullOut]int
}

// key packs r for the memo: 8 bits per index.
func (r *pullRange) key() uint64 {
	k := uint64(r.i)<<8 | uint64(r.j)
	for a := range r.n {
		k = k<<8 | uint64(r.out[a]+1)
	}
	return k<<4 | uint64(r.n)
}

// within is the part of r in lo..hi.
func (r *pullRange) within(lo, hi int) pullRange {
	c := pullRange{i: lo, j: hi}
	for _, x := range r.out[:r.n] {
		if x >= lo && x <= hi {
			c.out[c.n] = x
			c.n++
		}
	}
	return c
}

func (r *pullRange) has(x int) bool {
	for _, y := range r.out[:r.n] {
		if y == x {
			return true
		}
	}
	return false
}

// with is r with x pulled out too.
func (r *pullRange) with(x int) pullRange {
	c := *r
	a := c.n
	for ; a > 0 && c.out[a-1] > x; a-- {
		c.out[a] = c.out[a-1]
	}
	c.out[a] = x
	c.n++
	return c
}

type pullOut struct {
	ivs    []decide.Interval
	w      []float64
	maxOut int
	memo   map[uint64]float64
	node   []int
	prefix []float64
}

// oneDecision reports whether what is left of r has one decision.
func (s *pullOut) oneDecision(r *pullRange) bool {
	n := len(s.ivs)
	var shared *decide.Node
	same := func(a, b int) bool {
		if a > b {
			return true
		}
		x := s.node[a*n+b]
		if x < 0 || (shared != nil && s.ivs[x].Node != shared) {
			return false
		}
		shared = s.ivs[x].Node
		return true
	}
	lo := r.i
	for _, x := range r.out[:r.n] {
		if !same(lo, x-1) {
			return false
		}
		lo = x + 1
	}
	return same(lo, r.j)
}

func (s *pullOut) weight(r *pullRange) float64 {
	t := s.prefix[r.j+1] - s.prefix[r.i]
	for _, x := range r.out[:r.n] {
		t -= s.w[x]
	}
	return t
}

func (s *pullOut) cost(r pullRange) float64 {
	// A pulled-out interval at an end of the range is no part of it.
	for r.n > 0 && r.out[0] == r.i {
		r.i++
		copy(r.out[:], r.out[1:r.n])
		r.n--
	}
	for r.n > 0 && r.out[r.n-1] == r.j {
		r.j--
		r.n--
	}
	key := r.key()
	if v, ok := s.memo[key]; ok {
		return v
	}
	if s.oneDecision(&r) {
		s.memo[key] = 0
		return 0
	}
	best := math.Inf(1)
	for at := r.i + 1; at <= r.j; at++ {
		left, right := r.within(r.i, at-1), r.within(at, r.j)
		if left.n == at-r.i || right.n == r.j-at+1 {
			continue // one side would be empty
		}
		best = min(best, s.cost(left)+s.cost(right))
	}
	if r.n < s.maxOut {
		// A pulled-out number at either end is a split; inside, it lets
		// its neighbours meet.
		for x := r.i + 1; x < r.j; x++ {
			if s.ivs[x].Lo == s.ivs[x].Hi && !r.has(x) {
				best = min(best, s.cost(r.with(x)))
			}
		}
	}
	best += s.weight(&r)
	s.memo[key] = best
	return best
}
