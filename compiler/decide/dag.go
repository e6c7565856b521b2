package decide

import (
	"fmt"
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
			undecided = smallestOnWord(r.f, k, *undecided)
			rest := rules[i:]
			yes, err := b.build(rest, k.with(*undecided, true))
			if err != nil {
				return nil, err
			}
			no, err := b.build(rest, k.with(*undecided, false))
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

// smallestOnWord picks, among the undecided whole-word tests of f on the
// word of first, the one with the smallest constant. Any undecided test
// gives a correct decision; testing small constants first makes the common
// small argument values (flags clear, low enum values) decide soonest.
func smallestOnWord(f formula, k *knowledge, first Test) *Test {
	best := first
	if first.Mask != 0xffffffff || first.Op == OpSET {
		return &best
	}
	var walk func(f formula)
	walk = func(f formula) {
		switch f := f.(type) {
		case fTest:
			t := Test(f)
			if t.Word == first.Word && t.Mask == 0xffffffff && t.Op != OpSET && t.K < best.K {
				if _, known := k.decide(t); !known {
					best = t
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
	return &best
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
