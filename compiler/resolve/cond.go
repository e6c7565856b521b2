package resolve

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secc-lang/secc/lang"
)

// Cond is a resolved condition: a formula over nr sets and 64-bit argument
// comparisons. After Simplify it has no Not (negations are pushed into the
// atoms), and True/False only appear at the top.
type Cond interface{ cond() }

// Const is true or false.
type Const bool

// And holds when every term holds.
type And []Cond

// Or holds when any term holds.
type Or []Cond

// Not negates; Simplify removes it.
type Not struct{ X Cond }

// NrIn holds when the system call number is in Set.
type NrIn struct{ Set Set }

// ArgCmp holds when (args[Arg] & Mask) Op Val, compared as unsigned 64-bit
// values. `.lo` and `.hi` views are folded into Mask and Val: `$arg0.hi < 3`
// is (args[0] & 0xffffffff00000000) < 3<<32.
type ArgCmp struct {
	Arg  int
	Mask uint64
	Op   lang.CmpOp
	Val  uint64
}

func (Const) cond()  {}
func (And) cond()    {}
func (Or) cond()     {}
func (Not) cond()    {}
func (NrIn) cond()   {}
func (ArgCmp) cond() {}

// Holds evaluates the comparison on an argument value.
func (c ArgCmp) Holds(arg uint64) bool { return c.Op.Holds(arg&c.Mask, c.Val) }

// CmpSet is the set of 32-bit values x with x op v.
func CmpSet(op lang.CmpOp, v uint32) Set {
	switch op {
	case lang.Eq:
		return Points(v)
	case lang.Ne:
		return Points(v).Complement()
	case lang.Lt:
		if v == 0 {
			return nil
		}
		return Set{{0, v - 1}}
	case lang.Le:
		return Set{{0, v}}
	case lang.Gt:
		if v == ^uint32(0) {
			return nil
		}
		return Set{{v + 1, ^uint32(0)}}
	case lang.Ge:
		return Set{{v, ^uint32(0)}}
	}
	panic("resolve: bad comparison operator")
}

// Negate returns the comparison that holds exactly when c does not.
func (c ArgCmp) Negate() ArgCmp {
	n := c
	n.Op = [...]lang.CmpOp{lang.Eq: lang.Ne, lang.Ne: lang.Eq, lang.Lt: lang.Ge, lang.Le: lang.Gt, lang.Gt: lang.Le, lang.Ge: lang.Lt}[c.Op]
	return n
}

// Eval evaluates c for a system call number and its arguments: the
// reference semantics, written to be obviously right rather than fast.
func Eval(c Cond, nr uint32, args *[6]uint64) bool {
	switch c := c.(type) {
	case Const:
		return bool(c)
	case And:
		for _, t := range c {
			if !Eval(t, nr, args) {
				return false
			}
		}
		return true
	case Or:
		for _, t := range c {
			if Eval(t, nr, args) {
				return true
			}
		}
		return false
	case Not:
		return !Eval(c.X, nr, args)
	case NrIn:
		return c.Set.Contains(nr)
	case ArgCmp:
		return c.Holds(args[c.Arg])
	}
	panic(fmt.Sprintf("resolve: unknown condition %T", c))
}

// Simplify pushes negations into atoms, flattens nested And/Or, folds
// constants and empty/full nr sets, and drops duplicate terms.
func Simplify(c Cond) Cond { return simplify(c, false) }

func simplify(c Cond, neg bool) Cond {
	switch c := c.(type) {
	case Const:
		return Const(bool(c) != neg)
	case Not:
		return simplify(c.X, !neg)
	case NrIn:
		s := c.Set
		if neg {
			s = s.Complement()
		}
		switch {
		case s.Empty():
			return Const(false)
		case s.Full():
			return Const(true)
		}
		return NrIn{s}
	case ArgCmp:
		if neg {
			c = c.Negate()
		}
		return foldArg(c)
	case And:
		if neg {
			return joinOr(c, true)
		}
		return joinAnd(c, false)
	case Or:
		if neg {
			return joinAnd(c, true)
		}
		return joinOr(c, false)
	}
	panic(fmt.Sprintf("resolve: unknown condition %T", c))
}

// joinAnd simplifies each term (negated when neg) and joins them with And.
func joinAnd(terms []Cond, neg bool) Cond {
	var out And
	var nrs []Set
	for _, t := range terms {
		s := simplify(t, neg)
		switch s := s.(type) {
		case Const:
			if !s {
				return Const(false)
			}
			continue
		case And:
			for _, u := range s {
				if n, ok := u.(NrIn); ok {
					nrs = append(nrs, n.Set)
				} else {
					out = append(out, u)
				}
			}
			continue
		case NrIn:
			nrs = append(nrs, s.Set)
			continue
		}
		out = append(out, s)
	}
	// Several nr sets in one conjunction meet in one set, kept first so
	// the decision stage finds it cheaply.
	if len(nrs) > 0 {
		set := nrs[0]
		for _, s := range nrs[1:] {
			set = set.Intersect(s)
		}
		if set.Empty() {
			return Const(false)
		}
		if !set.Full() {
			out = append(And{NrIn{set}}, out...)
		}
	}
	out = dedupe(out)
	switch len(out) {
	case 0:
		return Const(true)
	case 1:
		return out[0]
	}
	return out
}

func joinOr(terms []Cond, neg bool) Cond {
	var out Or
	var nrs []Range
	hasNr := false
	for _, t := range terms {
		s := simplify(t, neg)
		switch s := s.(type) {
		case Const:
			if s {
				return Const(true)
			}
			continue
		case Or:
			for _, u := range s {
				if n, ok := u.(NrIn); ok {
					nrs, hasNr = append(nrs, n.Set...), true
				} else {
					out = append(out, u)
				}
			}
			continue
		case NrIn:
			nrs, hasNr = append(nrs, s.Set...), true
			continue
		}
		out = append(out, s)
	}
	// Alternatives on nr alone join in one set, kept first.
	if hasNr {
		set := SetOf(nrs...)
		if set.Full() {
			return Const(true)
		}
		out = append(Or{NrIn{set}}, out...)
	}
	out = Or(dedupe(out))
	switch len(out) {
	case 0:
		return Const(false)
	case 1:
		return out[0]
	}
	return out
}

func dedupe[T ~[]Cond](terms T) T {
	if len(terms) < 2 {
		return terms
	}
	seen := make(map[string]bool, len(terms))
	out := terms[:0:0]
	for _, t := range terms {
		k := String(t)
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}

// foldArg decides comparisons that hold for every or no value.
func foldArg(c ArgCmp) Cond {
	switch c.Op {
	case lang.Eq, lang.Ne:
		if c.Val&^c.Mask != 0 { // bits the mask clears can never match
			return Const(c.Op == lang.Ne)
		}
		if c.Mask == 0 {
			return Const(c.Op == lang.Eq)
		}
	case lang.Lt:
		if c.Val == 0 {
			return Const(false)
		}
		if c.Mask < c.Val {
			return Const(true)
		}
	case lang.Le:
		if c.Mask <= c.Val {
			return Const(true)
		}
	case lang.Gt:
		if c.Mask <= c.Val {
			return Const(false)
		}
	case lang.Ge:
		if c.Val == 0 {
			return Const(true)
		}
		if c.Mask < c.Val {
			return Const(false)
		}
	}
	return c
}

// String renders a condition for messages, keys and tests.
func String(c Cond) string {
	var b strings.Builder
	writeCond(&b, c)
	return b.String()
}

func writeCond(b *strings.Builder, c Cond) {
	switch c := c.(type) {
	case Const:
		fmt.Fprint(b, bool(c))
	case Not:
		b.WriteString("!(")
		writeCond(b, c.X)
		b.WriteString(")")
	case NrIn:
		b.WriteString("nr in ")
		b.WriteString(c.Set.String())
	case ArgCmp:
		if c.Mask == ^uint64(0) {
			fmt.Fprintf(b, "arg%d %s %#x", c.Arg, c.Op, c.Val)
		} else {
			fmt.Fprintf(b, "(arg%d & %#x) %s %#x", c.Arg, c.Mask, c.Op, c.Val)
		}
	case And, Or:
		terms, sep := []Cond(nil), " && "
		if a, ok := c.(And); ok {
			terms = a
		} else {
			terms, sep = c.(Or), " || "
		}
		b.WriteString("(")
		for i, t := range terms {
			if i > 0 {
				b.WriteString(sep)
			}
			writeCond(b, t)
		}
		b.WriteString(")")
	}
}

// ArgAtoms lists the distinct argument comparisons in c, sorted.
func ArgAtoms(c Cond) []ArgCmp {
	seen := map[ArgCmp]bool{}
	var walk func(Cond)
	walk = func(c Cond) {
		switch c := c.(type) {
		case And:
			for _, t := range c {
				walk(t)
			}
		case Or:
			for _, t := range c {
				walk(t)
			}
		case Not:
			walk(c.X)
		case ArgCmp:
			seen[c] = true
		}
	}
	walk(c)
	out := make([]ArgCmp, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Arg != b.Arg {
			return a.Arg < b.Arg
		}
		if a.Mask != b.Mask {
			return a.Mask < b.Mask
		}
		if a.Val != b.Val {
			return a.Val < b.Val
		}
		return a.Op < b.Op
	})
	return out
}

// Restrict decides the nr tests of c for the number nr and simplifies what
// is left: a condition on arguments only.
func Restrict(c Cond, nr uint32) Cond { return Simplify(restrict(c, nr)) }

func restrict(c Cond, nr uint32) Cond {
	switch c := c.(type) {
	case NrIn:
		return Const(c.Set.Contains(nr))
	case And:
		out := make(And, len(c))
		for i, t := range c {
			out[i] = restrict(t, nr)
		}
		return out
	case Or:
		out := make(Or, len(c))
		for i, t := range c {
			out[i] = restrict(t, nr)
		}
		return out
	case Not:
		return Not{restrict(c.X, nr)}
	}
	return c
}

// NrSets calls f with every nr set c tests.
func NrSets(c Cond, f func(Set)) {
	switch c := c.(type) {
	case NrIn:
		f(c.Set)
	case And:
		for _, t := range c {
			NrSets(t, f)
		}
	case Or:
		for _, t := range c {
			NrSets(t, f)
		}
	case Not:
		NrSets(c.X, f)
	}
}
