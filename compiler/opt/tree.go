package codegen

import (
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/decide"
)

// Tree is a search tree over system call numbers: a leaf is a decision; an
// inner node jumps on nr (JGE, JGT or JEQ against K) to Yes or No.
type Tree struct {
	Leaf    *decide.Node
	Op      uint16
	K       uint32
	Yes, No *Tree
}

// TreeBuilder builds a search tree over intervals that cover a range of
// numbers in order, neighbours having different nodes.
type TreeBuilder func(ivs []decide.Interval) *Tree

// Balanced splits the intervals in halves, pulling out a single number with
// JEQ where its neighbours share a decision.
func Balanced(ivs []decide.Interval) *Tree {
	switch len(ivs) {
	case 1:
		return &Tree{Leaf: ivs[0].Node}
	case 2:
		return &Tree{Op: bpf.OpJgeK, K: ivs[1].Lo, Yes: &Tree{Leaf: ivs[1].Node}, No: &Tree{Leaf: ivs[0].Node}}
	case 3:
		if ivs[0].Node == ivs[2].Node && ivs[1].Lo == ivs[1].Hi {
			return &Tree{Op: bpf.OpJeqK, K: ivs[1].Lo, Yes: &Tree{Leaf: ivs[1].Node}, No: &Tree{Leaf: ivs[0].Node}}
		}
	}
	mid := len(ivs) / 2
	return &Tree{Op: bpf.OpJgeK, K: ivs[mid].Lo, Yes: Balanced(ivs[mid:]), No: Balanced(ivs[:mid])}
}
