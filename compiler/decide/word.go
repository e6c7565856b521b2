package decide

import (
	"fmt"

	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/lang"
)

// Op is the comparison a word test makes, one classic-BPF conditional jump.
type Op uint8

const (
	OpEQ  Op = iota // (w & Mask) == K      JEQ
	OpGT            // (w & Mask) > K       JGT
	OpSET           // w & K != 0           JSET (Mask is all ones)
)

// Word names a 32-bit half of a system call argument.
type Word struct {
	Arg uint8
	Hi  bool
}

// Offset is the word's offset in struct seccomp_data (little-endian).
func (w Word) Offset() uint32 {
	off := 16 + 8*uint32(w.Arg)
	if w.Hi {
		off += 4
	}
	return off
}

func (w Word) String() string {
	if w.Hi {
		return fmt.Sprintf("arg%d.hi", w.Arg)
	}
	return fmt.Sprintf("arg%d.lo", w.Arg)
}

// Test is one word test: a load of the word, an optional AND with Mask,
// and a conditional jump.
type Test struct {
	Word
	Mask uint32 // 0xffffffff when the word is compared whole
	Op   Op
	K    uint32
}

// Holds evaluates the test on the word's value.
func (t Test) Holds(w uint32) bool {
	switch t.Op {
	case OpEQ:
		return w&t.Mask == t.K
	case OpGT:
		return w&t.Mask > t.K
	case OpSET:
		return w&t.K != 0
	}
	panic("decide: bad test op")
}

// Value of the word in args.
func (w Word) Value(args *[6]uint64) uint32 {
	a := args[w.Arg]
	if w.Hi {
		return uint32(a >> 32)
	}
	return uint32(a)
}

func (t Test) String() string {
	x := t.Word.String()
	if t.Mask != 0xffffffff && t.Op != OpSET {
		x = fmt.Sprintf("(%s & %#x)", x, t.Mask)
	}
	switch t.Op {
	case OpEQ:
		return fmt.Sprintf("%s == %#x", x, t.K)
	case OpGT:
		return fmt.Sprintf("%s > %#x", x, t.K)
	}
	return fmt.Sprintf("%s & %#x", x, t.K)
}

// formula is a boolean formula over word tests.
type formula interface{ formula() }

type (
	fConst bool
	fTest  Test
	fNot   struct{ x formula }
	fAnd   []formula
	fOr    []formula
)

func (fConst) formula() {}
func (fTest) formula()  {}
func (fNot) formula()   {}
func (fAnd) formula()   {}
func (fOr) formula()    {}

// wordTest builds the formula for (w & mask) op k on one 32-bit word,
// normalised so equal tests are spelled alike: >= becomes >, tests against 0
// become JSET where that saves the AND.
func wordTest(w Word, mask uint32, op lang.CmpOp, k uint32) formula {
	if mask == 0 {
		return fConst(resolve.ArgCmp{Mask: 0, Op: op, Val: uint64(k)}.Holds(0))
	}
	switch op {
	case lang.Ne:
		return fNot{wordTest(w, mask, lang.Eq, k)}
	case lang.Lt:
		return fNot{wordTest(w, mask, lang.Ge, k)}
	case lang.Le:
		return fNot{wordTest(w, mask, lang.Gt, k)}
	case lang.Ge:
		if k == 0 {
			return fConst(true)
		}
		return wordTest(w, mask, lang.Gt, k-1)
	case lang.Gt:
		if k >= mask {
			return fConst(false)
		}
		if k == 0 && mask != 0xffffffff {
			// (w & m) > 0 is JSET m, without the AND; a whole word keeps
			// JGT 0, which the value sets of the knowledge can track.
			return fTest{Word: w, Mask: 0xffffffff, Op: OpSET, K: mask}
		}
		return fTest{Word: w, Mask: mask, Op: OpGT, K: k}
	case lang.Eq:
		if k&^mask != 0 {
			return fConst(false)
		}
		if k == 0 && mask != 0xffffffff {
			return fNot{fTest{Word: w, Mask: 0xffffffff, Op: OpSET, K: mask}}
		}
		if mask != 0xffffffff && k == mask && mask&(mask-1) == 0 {
			// a single bit set: JSET, no AND
			return fTest{Word: w, Mask: 0xffffffff, Op: OpSET, K: mask}
		}
		return fTest{Word: w, Mask: mask, Op: OpEQ, K: k}
	}
	panic("decide: bad comparison")
}

// lowerArg turns a 64-bit comparison into word tests: the high word
// decides unless it is equal, then the low word does.
func lowerArg(c resolve.ArgCmp) formula {
	hi, lo := Word{uint8(c.Arg), true}, Word{uint8(c.Arg), false}
	mh, ml := uint32(c.Mask>>32), uint32(c.Mask)
	vh, vl := uint32(c.Val>>32), uint32(c.Val)
	switch c.Op {
	case lang.Eq:
		return fAnd{wordTest(hi, mh, lang.Eq, vh), wordTest(lo, ml, lang.Eq, vl)}
	case lang.Ne:
		return fNot{lowerArg(resolve.ArgCmp{Arg: c.Arg, Mask: c.Mask, Op: lang.Eq, Val: c.Val})}
	case lang.Gt, lang.Ge:
		return fOr{
			wordTest(hi, mh, lang.Gt, vh),
			fAnd{wordTest(hi, mh, lang.Eq, vh), wordTest(lo, ml, c.Op, vl)},
		}
	case lang.Lt:
		return fNot{lowerArg(resolve.ArgCmp{Arg: c.Arg, Mask: c.Mask, Op: lang.Ge, Val: c.Val})}
	case lang.Le:
		return fNot{lowerArg(resolve.ArgCmp{Arg: c.Arg, Mask: c.Mask, Op: lang.Gt, Val: c.Val})}
	}
	panic("decide: bad comparison")
}

// lower turns an argument-only condition into a word formula.
func lower(c resolve.Cond) formula {
	switch c := c.(type) {
	case resolve.Const:
		return fConst(c)
	case resolve.ArgCmp:
		return lowerArg(c)
	case resolve.Not:
		return fNot{lower(c.X)}
	case resolve.And:
		out := make(fAnd, len(c))
		for i, t := range c {
			out[i] = lower(t)
		}
		return out
	case resolve.Or:
		out := make(fOr, len(c))
		for i, t := range c {
			out[i] = lower(t)
		}
		return out
	}
	panic(fmt.Sprintf("decide: %T left in an argument condition", c))
}
