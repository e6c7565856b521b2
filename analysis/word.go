package analysis

import (
	"fmt"

	"github.com/secc-lang/secc/compiler/resolve"
)

// Word is one 32-bit word of struct seccomp_data, by index: 0 is nr, 1 is
// arch, 2 and 3 the instruction pointer, 4+2i and 5+2i the low and high
// words of argument i. Filters can only load whole aligned words, so these
// are all the inputs a filter has.
type Word uint8

// Words with a meaning of their own.
const (
	WordNr   Word = 0
	WordArch Word = 1
	numWords      = 16
)

// ArgWord returns the word of argument i (hi: the high half).
func ArgWord(i int, hi bool) Word {
	w := Word(4 + 2*i)
	if hi {
		w++
	}
	return w
}

// IsArg reports whether w is a word of a system call argument.
func (w Word) IsArg() bool { return w >= 4 && w < numWords }

// Arg returns the argument index and half of an argument word.
func (w Word) Arg() (int, bool) { return int(w-4) / 2, (w-4)%2 == 1 }

func (w Word) String() string {
	switch {
	case w == WordNr:
		return "nr"
	case w == WordArch:
		return "arch"
	case w == 2:
		return "ip.lo"
	case w == 3:
		return "ip.hi"
	case w.IsArg():
		i, hi := w.Arg()
		if hi {
			return fmt.Sprintf("arg%d.hi", i)
		}
		return fmt.Sprintf("arg%d.lo", i)
	}
	return fmt.Sprintf("word%d", int(w))
}

// Op is the comparison of a conditional jump.
type Op uint8

const (
	OpEQ  Op = iota // (w & Mask) == K   JEQ
	OpGT            // (w & Mask) > K    JGT
	OpGE            // (w & Mask) >= K   JGE
	OpSET           // w & K != 0        JSET (Mask is all ones)
)

// Test is one conditional jump on a word of the input: the word, the AND
// mask applied to it on the way (all ones when none), and the comparison.
type Test struct {
	Word Word
	Mask uint32
	Op   Op
	K    uint32
}

// Holds evaluates the test on the word's value.
func (t Test) Holds(v uint32) bool {
	v &= t.Mask
	switch t.Op {
	case OpEQ:
		return v == t.K
	case OpGT:
		return v > t.K
	case OpGE:
		return v >= t.K
	}
	return v&t.K != 0
}

func (t Test) String() string {
	x := t.Word.String()
	if t.Mask != ^uint32(0) {
		x = fmt.Sprintf("(%s & %#x)", x, t.Mask)
	}
	switch t.Op {
	case OpEQ:
		return fmt.Sprintf("%s == %s", x, hexOrDec(uint64(t.K)))
	case OpGT:
		return fmt.Sprintf("%s > %s", x, hexOrDec(uint64(t.K)))
	case OpGE:
		return fmt.Sprintf("%s >= %s", x, hexOrDec(uint64(t.K)))
	}
	return fmt.Sprintf("%s & %#x", x, t.K)
}

// normalize folds the mask into JSET and returns whether the test is
// constant for every word value (then v is its value).
func (t Test) normalize() (n Test, constant, v bool) {
	if t.Op == OpSET {
		t.K &= t.Mask
		t.Mask = ^uint32(0)
		if t.K == 0 {
			return t, true, false
		}
		return t, false, false
	}
	switch {
	case t.Op == OpEQ && t.K&^t.Mask != 0:
		return t, true, false
	case t.Op == OpGT && t.K >= t.Mask:
		return t, true, false
	case t.Op == OpGE && t.K == 0:
		return t, true, true
	case t.Op == OpGE && t.K > t.Mask:
		return t, true, false
	}
	return t, false, false
}

// maxSetRanges bounds the ranges a test's truth set may have before the
// explorer stops describing it as a set (JSET 1 on nr has 2^31 of them).
const maxSetRanges = 256

// Set returns the word values for which t holds, if they form at most
// maxSetRanges ranges. Aligned blocks on which the masked value is constant
// are decided whole, so ordinary masks give few ranges.
func (t Test) Set() (resolve.Set, bool) {
	if t.Mask == ^uint32(0) && t.Op != OpSET {
		switch t.Op {
		case OpEQ:
			return resolve.Points(t.K), true
		case OpGT:
			if t.K == ^uint32(0) {
				return nil, true
			}
			return resolve.Set{{Lo: t.K + 1, Hi: ^uint32(0)}}, true
		case OpGE:
			return resolve.Set{{Lo: t.K, Hi: ^uint32(0)}}, true
		}
	}
	if t.Op == OpSET && t.Mask == ^uint32(0) {
		// Computed as the complement of (w & K) == 0, so a JSET and the
		// masked equality it negates are described by the same ranges.
		eq, ok := Test{Word: t.Word, Mask: t.K, Op: OpEQ, K: 0}.Set()
		return eq.Complement(), ok
	}
	var out resolve.Set
	var walk func(base uint64, bits uint) bool
	walk = func(base uint64, bits uint) bool {
		low := uint32(uint64(1)<<bits - 1)
		fixed := uint32(base) & t.Mask
		free := t.Mask & low
		if v, ok := t.decideBlock(fixed, free); ok {
			if v {
				out = append(out, resolve.Range{Lo: uint32(base), Hi: uint32(base) | low})
				if len(out) > maxSetRanges {
					return false
				}
			}
			return true
		}
		return walk(base, bits-1) && walk(base|uint64(1)<<(bits-1), bits-1)
	}
	if !walk(0, 32) {
		return nil, false
	}
	return resolve.SetOf(out...), true
}

// decideBlock decides t for every word whose masked value is fixed | s for
// some s ⊆ free, if one answer holds for all of them.
func (t Test) decideBlock(fixed, free uint32) (bool, bool) {
	if free == 0 {
		return t.Holds(fixed), true
	}
	lo, hi := fixed, fixed|free
	switch t.Op {
	case OpEQ:
		if t.K&^free != fixed {
			return false, true
		}
	case OpGT:
		if lo > t.K {
			return true, true
		}
		if hi <= t.K {
			return false, true
		}
	case OpGE:
		if lo >= t.K {
			return true, true
		}
		if hi < t.K {
			return false, true
		}
	case OpSET:
		if fixed&t.K != 0 {
			return true, true
		}
		if free&t.K == 0 {
			return false, true
		}
	}
	return false, false
}

// hexOrDec prints small numbers in decimal and others in hex, as people
// write them in policies.
func hexOrDec(v uint64) string {
	if v < 4096 {
		return fmt.Sprintf("%d", v)
	}
	return fmt.Sprintf("%#x", v)
}
