// Package codegen is the backend: it turns a decision (package decide) into
// a classic-BPF seccomp program.
//
// The program checks the AUDIT_ARCH first, then searches the system call
// number with JGE/JEQ splits down to an interval, whose decision is either a
// RET or the code of a decision DAG over argument words. Every constant
// ALLOW is reached through LD nr/arch, JEQ/JGE and RET only, so the kernel's
// constant-action cache (Linux ≥ 5.11) can skip the filter for it.
//
// Code is laid out as blocks with symbolic jump targets and emitted
// backwards, so every target's position is known when a jump to it is
// written; a jump longer than 255 instructions gets a copy of its RET target
// or, failing that, a JA trampoline.
package codegen

import (
	"fmt"
	"sync"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/decide"
	"github.com/secc-lang/secc/compiler/opt"
)

// Offsets in struct seccomp_data.
const (
	offNr   = bpf.OffNr
	offArch = bpf.OffArch
)

// MaxInsns is the kernel's limit on a seccomp program (BPF_MAXINSNS).
const MaxInsns = bpf.MaxInsns

// TooLargeError reports a program over the kernel's limit.
type TooLargeError struct{ Size int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("filter has %d instructions; the kernel accepts at most %d", e.Size, MaxInsns)
}

// Options tune code generation.
type Options struct {
	// Tree picks the nr search tree of each arch; nil means opt.Balanced.
	// It is called for all arches at once, from several goroutines.
	Tree func(a *decide.Arch) *opt.Tree
}

// block is straight-line code ending in a RET, a conditional jump or a jump
// to another block.
type block struct {
	id    int
	loads []load // executed in order before the terminal
	// terminal: ret, or cond jump (op, k, yes, no), or goto next.
	isRet bool
	ret   uint32
	op    uint16
	k     uint32
	yes   *block
	no    *block // for goto, the target is no

	preds []*block
	pos   int // reverse index of the first instruction once emitted; -1 before
	// stub is 1 + the reverse index of the latest stub standing for this
	// block (a copy of its RET, or a JA to it), 0 when there is none.
	stub int
}

// load is LD W ABS off, optionally followed by AND mask.
type load struct {
	off  uint32
	mask uint32 // 0xffffffff: no AND
}

// acc is what the accumulator holds: a word of seccomp_data ANDed with a
// mask, or nothing known.
type acc struct {
	off   uint32
	mask  uint32
	known bool
}

type gen struct {
	blocks []*block
	rets   map[uint32]*block
	nodes  map[*decide.Node]*block
}

func (g *gen) newBlock() *block {
	b := &block{id: len(g.blocks), pos: -1}
	g.blocks = append(g.blocks, b)
	return b
}

func (g *gen) retBlock(action uint32) *block {
	if b, ok := g.rets[action]; ok {
		return b
	}
	b := g.newBlock()
	b.isRet, b.ret = true, action
	g.rets[action] = b
	return b
}

func (g *gen) condBlock(loads []load, op uint16, k uint32, yes, no *block) *block {
	b := g.newBlock()
	b.loads, b.op, b.k, b.yes, b.no = loads, op, k, yes, no
	return b
}

// nodeBlock returns the code for a decision DAG node.
func (g *gen) nodeBlock(n *decide.Node) *block {
	if b, ok := g.nodes[n]; ok {
		return b
	}
	var b *block
	if n.Leaf {
		b = g.retBlock(n.Action)
	} else {
		yes, no := g.nodeBlock(n.True), g.nodeBlock(n.False)
		t := n.Test
		l := load{off: t.Word.Offset(), mask: 0xffffffff}
		var op uint16
		switch t.Op {
		case decide.OpEQ:
			op, l.mask = bpf.OpJeqK, t.Mask
		case decide.OpGT:
			op, l.mask = bpf.OpJgtK, t.Mask
		case decide.OpSET:
			op = bpf.OpJsetK
		}
		b = g.condBlock([]load{l}, op, t.K, yes, no)
	}
	g.nodes[n] = b
	return b
}

// Generate compiles a decision into a program.
func Generate(d *decide.Decision, opts Options) ([]xbpf.RawInstruction, error) {
	tree := opts.Tree
	if tree == nil {
		tree = func(a *decide.Arch) *opt.Tree { return opt.Balanced(a.Intervals) }
	}
	// The searches of the arches are independent, and the largest part of
	// a compile: they run at once.
	trees := make([]*opt.Tree, len(d.Arches))
	var wg sync.WaitGroup
	for i := range d.Arches {
		wg.Go(func() { trees[i] = tree(&d.Arches[i]) })
	}
	wg.Wait()
	g := &gen{rets: map[uint32]*block{}, nodes: map[*decide.Node]*block{}}
	bad := g.retBlock(d.BadABI)
	next := bad
	// Arch dispatch, built from the last arch backwards so each JEQ falls
	// through to the next check.
	for i := len(d.Arches) - 1; i >= 0; i-- {
		a := &d.Arches[i]
		body := g.nrTree(trees[i])
		next = g.condBlock(nil, bpf.OpJeqK, a.AuditArch, body, next)
	}
	if next == bad {
		// No ABI accepted at all: the filter is just the bad-ABI action.
		return []xbpf.RawInstruction{{Op: bpf.OpRetK, K: d.BadABI}}, nil
	}
	next.loads = []load{{off: offArch, mask: 0xffffffff}}
	return g.emit(next)
}

// nrTree builds the search over intervals, loading nr first when the
// search tests it.
func (g *gen) nrTree(t *opt.Tree) *block {
	b := g.treeBlock(t)
	if t.Leaf == nil {
		b.loads = []load{{off: offNr, mask: 0xffffffff}}
	}
	return b
}

func (g *gen) treeBlock(t *opt.Tree) *block {
	if t.Leaf != nil {
		return g.nodeBlock(t.Leaf)
	}
	return g.condBlock(nil, t.Op, t.K, g.treeBlock(t.Yes), g.treeBlock(t.No))
}
