package decide

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/resolve"
)

// Node is a node of the hash-consed decision DAG over argument words: a
// leaf returns Action; an inner node runs Test and goes to True or False.
// Equal subtrees are one *Node, so pointer equality is semantic equality
// of the subtrees built by one Builder.
type Node struct {
	ID     int
	Leaf   bool
	Action uint32
	Test   Test
	True   *Node
	False  *Node
}

func (n *Node) String() string {
	if n.Leaf {
		return fmt.Sprintf("ret %#x", n.Action)
	}
	return fmt.Sprintf("if %s", n.Test)
}

// Eval follows the DAG for the given arguments.
func (n *Node) Eval(args *[6]uint64) uint32 {
	for !n.Leaf {
		if n.Test.Holds(n.Test.Word.Value(args)) {
			n = n.True
		} else {
			n = n.False
		}
	}
	return n.Action
}

// Builder builds and hash-conses nodes. One Builder serves a whole filter,
// so equal residual decisions of different ABIs share nodes too.
type Builder struct {
	leaves map[uint32]*Node
	inner  map[innerKey]*Node
	nodes  []*Node
	budget int
}

type innerKey struct {
	test Test
	t, f int
}

// maxSplits bounds the work of one filter's argument trees; policies past
// it are refused instead of compiling for minutes.
const maxSplits = 2_000_000

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{leaves: map[uint32]*Node{}, inner: map[innerKey]*Node{}, budget: maxSplits}
}

// Nodes lists every node built, in creation order (children before parents).
func (b *Builder) Nodes() []*Node { return b.nodes }

// Leaf returns the leaf for action.
func (b *Builder) Leaf(action uint32) *Node {
	if n, ok := b.leaves[action]; ok {
		return n
	}
	n := &Node{ID: len(b.nodes), Leaf: true, Action: action}
	b.nodes = append(b.nodes, n)
	b.leaves[action] = n
	return n
}

// Inner returns the node testing t, or the child itself when both are equal.
func (b *Builder) Inner(t Test, yes, no *Node) *Node {
	if yes == no {
		return yes
	}
	k := innerKey{t, yes.ID, no.ID}
	if n, ok := b.inner[k]; ok {
		return n
	}
	n := &Node{ID: len(b.nodes), Test: t, True: yes, False: no}
	b.nodes = append(b.nodes, n)
	b.inner[k] = n
	return n
}

// argRule is a rule once nr is known: an argument condition and its action.
type argRule struct {
	f      formula
	action uint32
	size   int // formulaSize(f)
}

// ErrTooComplex is returned when argument conditions need more work than
// maxSplits allows.
var ErrTooComplex = fmt.Errorf("argument conditions are too complex to compile (more than %d decision splits)", maxSplits)

// residual builds the decision for rules already restricted to one nr.
func (b *Builder) residual(rules []argRule) (*Node, error) {
	return b.build(rules, newKnowledge())
}

func (b *Builder) build(rules []argRule, k *knowledge) (*Node, error) {
	for i, r := range rules {
		v, undecided := eval(r.f, k)
		switch {
		case undecided != nil:
			b.budget--
			if b.budget < 0 {
				return nil, ErrTooComplex
			}
			undecided = splitTest(r.f, k, *undecided)
			rest := rules[i:]
			ky, kn := k.with(*undecided, true), k.with(*undecided, false)
			yes, err := b.build(foldRules(rest, ky), ky)
			if err != nil {
				return nil, err
			}
			no, err := b.build(foldRules(rest, kn), kn)
			if err != nil {
				return nil, err
			}
			return b.Inner(*undecided, yes, no), nil
		case v:
			return b.Leaf(r.action), nil
		}
	}
	panic("decide: rules without a final unconditional rule")
}

// largeRun is how many undecided whole-word tests on one word make
// splitTest halve them (a set of that many values) rather than take the
// smallest: pulling values out one by one costs quadratic time.
const largeRun = 16

// bigFormula is the size past which a rule's formula is folded with what
// each split decides, so deeper splits skip what is settled.
const bigFormula = 64

// splitTest picks the test to split on, among the undecided whole-word
// tests of f on the word of first: the one with the smallest constant, so
// that the common small argument values (flags clear, low enum values)
// decide soonest, unless there are more than largeRun of them, where a
// JGT at their median halves the work. Any undecided test gives a correct
// decision.
func splitTest(f formula, k *knowledge, first Test) *Test {
	best := first
	if first.Mask != 0xffffffff || first.Op == OpSET {
		return &best
	}
	var bounds []uint32 // values where an undecided test's outcome changes
	var walk func(f formula)
	walk = func(f formula) {
		switch f := f.(type) {
		case fTest:
			t := Test(f)
			if t.Word == first.Word && t.Mask == 0xffffffff && t.Op != OpSET {
				if _, known := k.decide(t); !known {
					if t.K < best.K {
						best = t
					}
					if t.Op == OpEQ {
						bounds = append(bounds, t.K)
					}
					if t.K != ^uint32(0) {
						bounds = append(bounds, t.K+1)
					}
				}
			}
		case fNot:
			walk(f.x)
		case fAnd:
			for _, x := range f {
				walk(x)
			}
		case fOr:
			for _, x := range f {
				walk(x)
			}
		}
	}
	walk(f)
	if len(bounds) > 2*largeRun {
		slices.Sort(bounds)
		bounds = slices.Compact(bounds)
	}
	if len(bounds) > 2*largeRun {
		// The median boundary inside what the word can still be: JGT
		// c-1 then holds for some values and not for others.
		s := k.set(first.Word)
		lo, hi := s[0].Lo, s[len(s)-1].Hi
		i, j := sort.Search(len(bounds), func(i int) bool { return bounds[i] > lo }), len(bounds)
		for j > i && bounds[j-1] > hi {
			j--
		}
		if j > i {
			c := bounds[(i+j)/2]
			return &Test{Word: first.Word, Mask: 0xffffffff, Op: OpGT, K: c - 1}
		}
	}
	return &best
}

// foldRules folds what k decides into the big formulas of rules, so that
// the splits below look only at what is left; rules that can no longer
// fire are dropped.
func foldRules(rules []argRule, k *knowledge) []argRule {
	out := rules
	copied := false
	for i, r := range rules {
		if r.size <= bigFormula {
			continue
		}
		if !copied {
			out, copied = append([]argRule(nil), rules...), true
		}
		out[i].f = fold(r.f, k)
		out[i].size = formulaSize(out[i].f)
	}
	if !copied {
		return rules
	}
	kept := out[:0]
	for _, r := range out {
		if c, ok := r.f.(fConst); ok && !bool(c) {
			continue
		}
		kept = append(kept, r)
	}
	return kept
}

// fold is f with the tests k decides replaced by their values, folded.
func fold(f formula, k *knowledge) formula {
	switch f := f.(type) {
	case fTest:
		if v, ok := k.decide(Test(f)); ok {
			return fConst(v)
		}
	case fNot:
		x := fold(f.x, k)
		if c, ok := x.(fConst); ok {
			return !c
		}
		return fNot{x}
	case fAnd:
		out, v := foldList(f, k, false)
		if v != nil {
			return *v
		}
		if len(out) == 1 {
			return out[0]
		}
		return fAnd(out)
	case fOr:
		out, v := foldList(f, k, true)
		if v != nil {
			return *v
		}
		if len(out) == 1 {
			return out[0]
		}
		return fOr(out)
	}
	return f
}

// foldList folds the terms of an And (absorb false) or an Or (absorb
// true): a term folding to absorb decides the whole, the others drop out
// when constant; with none left, the whole is the other constant.
func foldList(xs []formula, k *knowledge, absorb fConst) ([]formula, *fConst) {
	var out []formula
	for _, x := range xs {
		y := fold(x, k)
		if c, ok := y.(fConst); ok {
			if c == absorb {
				return nil, &absorb
			}
			continue
		}
		out = append(out, y)
	}
	if len(out) == 0 {
		neutral := !absorb
		return nil, &neutral
	}
	return out, nil
}

// formulaSize counts f's nodes.
func formulaSize(f formula) int {
	switch f := f.(type) {
	case fNot:
		return 1 + formulaSize(f.x)
	case fAnd:
		n := 1
		for _, x := range f {
			n += formulaSize(x)
		}
		return n
	case fOr:
		n := 1
		for _, x := range f {
			n += formulaSize(x)
		}
		return n
	}
	return 1
}

// eval evaluates f under what is known. When the value is not known, it
// returns the first test, in evaluation order, that would decide more.
func eval(f formula, k *knowledge) (bool, *Test) {
	switch f := f.(type) {
	case fConst:
		return bool(f), nil
	case fTest:
		t := Test(f)
		if v, ok := k.decide(t); ok {
			return v, nil
		}
		return false, &t
	case fNot:
		v, u := eval(f.x, k)
		return !v, u
	case fAnd:
		for _, x := range f {
			v, u := eval(x, k)
			if u != nil {
				return false, u
			}
			if !v {
				return false, nil
			}
		}
		return true, nil
	case fOr:
		for _, x := range f {
			v, u := eval(x, k)
			if u != nil {
				return false, u
			}
			if v {
				return true, nil
			}
		}
		return false, nil
	}
	panic("decide: bad formula")
}

// knowledge is what the tests on a path have established: for each word,
// the set of values it can still have, and the outcome of masked tests
// (which a set of values cannot express cheaply).
type knowledge struct {
	values map[Word]resolve.Set
	tests  map[Test]bool
}

func newKnowledge() *knowledge {
	return &knowledge{values: map[Word]resolve.Set{}, tests: map[Test]bool{}}
}

func (k *knowledge) set(w Word) resolve.Set {
	if s, ok := k.values[w]; ok {
		return s
	}
	return resolve.FullSet
}

// decide returns the outcome of t if what is known fixes it.
func (k *knowledge) decide(t Test) (bool, bool) {
	if v, ok := k.tests[t]; ok {
		return v, true
	}
	s := k.set(t.Word)
	if len(s) == 1 && s[0].Lo == s[0].Hi {
		return t.Holds(s[0].Lo), true
	}
	if t.Mask == 0xffffffff && (t.Op == OpEQ || t.Op == OpGT) {
		// Interval tests are decided from the set's ends or one search,
		// not by intersecting sets: a word tested against each value of a
		// large set has a set of as many ranges.
		if len(s) == 0 {
			return false, true
		}
		if t.Op == OpEQ {
			switch {
			case !s.Contains(t.K):
				return false, true
			case len(s) == 1 && s[0].Lo == s[0].Hi:
				return true, true
			}
			return false, false
		}
		switch {
		case s[len(s)-1].Hi <= t.K:
			return false, true
		case s[0].Lo > t.K:
			return true, true
		}
		return false, false
	}
	// A masked test on a word with few values left: try them all.
	if n := s.Size(); n > 0 && n <= smallSet {
		first := t.Holds(s[0].Lo)
		for _, r := range s {
			for v := uint64(r.Lo); v <= uint64(r.Hi); v++ {
				if t.Holds(uint32(v)) != first {
					return false, false
				}
			}
		}
		return first, true
	}
	return false, false
}

// smallSet is how many values a word may have left for masked tests to be
// decided by trying each.
const smallSet = 64

// asSet is the set of word values for which t holds, for tests that are
// intervals (whole-word EQ and GT).
func (t Test) asSet() (resolve.Set, bool) {
	if t.Mask != 0xffffffff {
		return nil, false
	}
	switch t.Op {
	case OpEQ:
		return resolve.Points(t.K), true
	case OpGT:
		if t.K == ^uint32(0) {
			return nil, true
		}
		return resolve.Set{{Lo: t.K + 1, Hi: ^uint32(0)}}, true
	}
	return nil, false
}

// with returns k extended by the outcome of t.
func (k *knowledge) with(t Test, v bool) *knowledge {
	n := &knowledge{values: make(map[Word]resolve.Set, len(k.values)+1), tests: make(map[Test]bool, len(k.tests)+1)}
	for w, s := range k.values {
		n.values[w] = s
	}
	for x, b := range k.tests {
		n.tests[x] = b
	}
	if yes, ok := t.asSet(); ok {
		if !v {
			yes = yes.Complement()
		}
		n.values[t.Word] = k.set(t.Word).Intersect(yes)
	} else {
		n.tests[t] = v
	}
	return n
}

func (k *knowledge) String() string {
	var parts []string
	for w, s := range k.values {
		parts = append(parts, w.String()+"∈"+s.String())
	}
	for t, v := range k.tests {
		parts = append(parts, fmt.Sprintf("%s=%v", t, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// MaxSteps is the longest run through the decision in instructions: each
// test's load (skipped when the accumulator already holds the word), its AND,
// its jump, and the final RET. It is what an interval's leaf adds to the
// search tree's depth in the worst case.
func (n *Node) MaxSteps() int {
	memo := map[stepKey]int{}
	return maxSteps(n, Word{}, false, memo)
}

type stepKey struct {
	n    *Node
	w    Word
	have bool
}

func maxSteps(n *Node, acc Word, have bool, memo map[stepKey]int) int {
	if n.Leaf {
		return 1
	}
	k := stepKey{n, acc, have}
	if v, ok := memo[k]; ok {
		return v
	}
	t := n.Test
	steps := 1 // the jump
	if !have || acc != t.Word {
		steps++ // LD
	}
	masked := t.Op != OpSET && t.Mask != 0xffffffff
	if masked {
		steps++ // AND
	}
	v := steps + max(maxSteps(n.True, t.Word, !masked, memo), maxSteps(n.False, t.Word, !masked, memo))
	memo[k] = v
	return v
}

// Steps is the number of instructions the decision runs for the given
// arguments, counted like MaxSteps.
func (n *Node) Steps(args *[6]uint64) int {
	steps := 1 // RET
	have, acc := false, Word{}
	for !n.Leaf {
		t := n.Test
		if !have || acc != t.Word {
			steps++
		}
		masked := t.Op != OpSET && t.Mask != 0xffffffff
		if masked {
			steps++
		}
		steps++
		acc, have = t.Word, !masked
		if t.Holds(t.Word.Value(args)) {
			n = n.True
		} else {
			n = n.False
		}
	}
	return steps
}
