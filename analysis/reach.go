package analysis

import (
	"fmt"
	"sort"

	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/lang"
)

// Reachability of rules: whether some input makes a condition true while
// others are false. nr is handled by cutting the number space where any
// rule's nr sets change (each piece decides every nr test alike); on a
// piece the argument conditions become formulas over 32-bit word tests,
// decided by splitting on undecided tests with the explorer's knowledge.

// formula is a boolean formula over word tests.
type formula interface{}

type (
	fConst bool
	fTest  Test
	fNot   struct{ x formula }
	fAnd   []formula
	fOr    []formula
)

// wordCmp builds (w & mask) op k on one word.
func wordCmp(w Word, mask uint32, op lang.CmpOp, k uint32) formula {
	if mask == 0 {
		return fConst(resolve.ArgCmp{Mask: 0, Op: op, Val: uint64(k)}.Holds(0))
	}
	switch op {
	case lang.Eq:
		return fTest(Test{Word: w, Mask: mask, Op: OpEQ, K: k})
	case lang.Ne:
		return fNot{wordCmp(w, mask, lang.Eq, k)}
	case lang.Gt:
		return fTest(Test{Word: w, Mask: mask, Op: OpGT, K: k})
	case lang.Ge:
		return fTest(Test{Word: w, Mask: mask, Op: OpGE, K: k})
	case lang.Lt:
		return fNot{wordCmp(w, mask, lang.Ge, k)}
	}
	return fNot{wordCmp(w, mask, lang.Gt, k)}
}

// lowerCmp splits a 64-bit comparison into word tests: the masked high
// words decide unless equal, then the low words do.
func lowerCmp(c resolve.ArgCmp) formula {
	hi, lo := ArgWord(c.Arg, true), ArgWord(c.Arg, false)
	mh, ml := uint32(c.Mask>>32), uint32(c.Mask)
	vh, vl := uint32(c.Val>>32), uint32(c.Val)
	switch c.Op {
	case lang.Eq:
		return fAnd{wordCmp(hi, mh, lang.Eq, vh), wordCmp(lo, ml, lang.Eq, vl)}
	case lang.Ne:
		return fNot{lowerCmp(resolve.ArgCmp{Arg: c.Arg, Mask: c.Mask, Op: lang.Eq, Val: c.Val})}
	case lang.Gt, lang.Ge:
		return fOr{wordCmp(hi, mh, lang.Gt, vh), fAnd{wordCmp(hi, mh, lang.Eq, vh), wordCmp(lo, ml, c.Op, vl)}}
	case lang.Lt:
		return fNot{lowerCmp(resolve.ArgCmp{Arg: c.Arg, Mask: c.Mask, Op: lang.Ge, Val: c.Val})}
	}
	return fNot{lowerCmp(resolve.ArgCmp{Arg: c.Arg, Mask: c.Mask, Op: lang.Gt, Val: c.Val})}
}

// lowerCond turns an argument-only condition into a word formula.
func lowerCond(c resolve.Cond) formula {
	switch c := c.(type) {
	case resolve.Const:
		return fConst(c)
	case resolve.ArgCmp:
		return lowerCmp(c)
	case resolve.Not:
		return fNot{lowerCond(c.X)}
	case resolve.And:
		out := make(fAnd, len(c))
		for i, t := range c {
			out[i] = lowerCond(t)
		}
		return out
	case resolve.Or:
		out := make(fOr, len(c))
		for i, t := range c {
			out[i] = lowerCond(t)
		}
		return out
	}
	panic(fmt.Sprintf("analysis: %T left in an argument condition", c))
}

// evalF evaluates f under k; when it cannot, it returns the first test (in
// evaluation order) that would decide more.
func evalF(e *explorer, f formula, k *knowledge) (bool, *Test) {
	switch f := f.(type) {
	case fConst:
		return bool(f), nil
	case fTest:
		t := Test(f)
		if v, ok := k.decide(e, t); ok {
			return v, nil
		}
		return false, &t
	case fNot:
		v, u := evalF(e, f.x, k)
		return !v, u
	case fAnd:
		for _, x := range f {
			v, u := evalF(e, x, k)
			if u != nil || !v {
				return false, u
			}
		}
		return true, nil
	case fOr:
		for _, x := range f {
			v, u := evalF(e, x, k)
			if u != nil || v {
				return v, u
			}
		}
		return false, nil
	}
	panic("analysis: bad formula")
}

// satBudget bounds the splits of one satisfiability question; past it the
// answer is "satisfiable", the side on which lint stays silent.
const satBudget = 20000

// satisfiable reports whether some argument values make f true.
func satisfiable(e *explorer, f formula) bool {
	budget := satBudget
	var sat func(k *knowledge) bool
	sat = func(k *knowledge) bool {
		v, u := evalF(e, f, k)
		if u == nil {
			return v
		}
		budget--
		if budget < 0 {
			return true
		}
		return sat(k.with(e, *u, true)) || sat(k.with(e, *u, false))
	}
	return sat(newKnowledge())
}

// rulePieces cuts the number space where the nr tests of any of the
// conditions change, and returns each piece's first number.
func rulePieces(conds []resolve.Cond) []uint32 {
	cuts := map[uint32]bool{0: true}
	for _, c := range conds {
		resolve.NrSets(c, func(s resolve.Set) {
			for _, r := range s {
				cuts[r.Lo] = true
				if r.Hi != ^uint32(0) {
					cuts[r.Hi+1] = true
				}
			}
		})
	}
	out := make([]uint32, 0, len(cuts))
	for c := range cuts {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ruleSpace answers reachability questions about one resolved policy.
type ruleSpace struct {
	e      *explorer
	conds  []resolve.Cond
	pieces []uint32
	// restricted[p][i] is condition i with nr fixed to piece p.
	restricted [][]resolve.Cond
}

func newRuleSpace(conds []resolve.Cond) *ruleSpace {
	rs := &ruleSpace{e: &explorer{sets: map[Test]setEntry{}}, conds: conds, pieces: rulePieces(conds)}
	rs.restricted = make([][]resolve.Cond, len(rs.pieces))
	for p, nr := range rs.pieces {
		row := make([]resolve.Cond, len(conds))
		for i, c := range conds {
			row[i] = resolve.Restrict(c, nr)
		}
		rs.restricted[p] = row
	}
	return rs
}

// reachable reports whether some input makes condition i true, every
// condition in not false, and (if also >= 0) condition also true.
func (rs *ruleSpace) reachable(i int, not []int, also int) bool {
	for p := range rs.pieces {
		row := rs.restricted[p]
		if row[i] == resolve.Const(false) || also >= 0 && row[also] == resolve.Const(false) {
			continue
		}
		f := fAnd{lowerCond(row[i])}
		if also >= 0 {
			f = append(f, lowerCond(row[also]))
		}
		blocked := false
		for _, j := range not {
			if row[j] == resolve.Const(true) {
				blocked = true
				break
			}
			if row[j] != resolve.Const(false) {
				f = append(f, fNot{lowerCond(row[j])})
			}
		}
		if !blocked && satisfiable(rs.e, f) {
			return true
		}
	}
	return false
}

// never reports whether condition i holds for no input at all.
func (rs *ruleSpace) never(i int) bool { return !rs.reachable(i, nil, -1) }
