package codegen

import (
	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/bpf"
)

// emit lays the blocks out and writes them backwards.
func (g *gen) emit(root *block) ([]xbpf.RawInstruction, error) {
	order := reversePostorder(root)
	elideLoads(order)
	var rev []xbpf.RawInstruction // the program, last instruction first
	for i := len(order) - 1; i >= 0; i-- {
		b := order[i]
		rev = emitTerminal(rev, b)
		for j := len(b.loads) - 1; j >= 0; j-- {
			l := b.loads[j]
			if l.mask != 0xffffffff {
				rev = append(rev, xbpf.RawInstruction{Op: bpf.OpAndK, K: l.mask})
			}
			if l.off != noLoad {
				rev = append(rev, xbpf.RawInstruction{Op: bpf.OpLdAbsW, K: l.off})
			}
		}
		b.pos = len(rev) - 1
	}
	if len(rev) > MaxInsns {
		return nil, &TooLargeError{Size: len(rev)}
	}
	prog := make([]xbpf.RawInstruction, len(rev))
	for i, ins := range rev {
		prog[len(rev)-1-i] = ins
	}
	return prog, nil
}

// noLoad marks a load whose LD was found redundant (only its AND remains).
const noLoad = ^uint32(0)

// emitTerminal appends b's last instruction (and any stubs its jumps need)
// to the reversed program.
func emitTerminal(rev []xbpf.RawInstruction, b *block) []xbpf.RawInstruction {
	if b.isRet {
		return append(rev, xbpf.RawInstruction{Op: bpf.OpRetK, K: b.ret})
	}
	if b.op == 0 { // goto
		if b.no.pos == len(rev)-1 {
			return rev // falls through
		}
		return append(rev, xbpf.RawInstruction{Op: bpf.OpJA, K: uint32(len(rev) - b.no.pos - 1)})
	}
	yes, no := b.yes.pos, b.no.pos
	for {
		r := len(rev)
		switch {
		case r-yes-1 > 255:
			rev, yes = reach(rev, b.yes)
			if b.yes == b.no {
				no = yes
			}
		case r-no-1 > 255:
			rev, no = reach(rev, b.no)
		default:
			return append(rev, xbpf.RawInstruction{Op: b.op, Jt: uint8(r - yes - 1), Jf: uint8(r - no - 1), K: b.k})
		}
	}
}

// reach gives a position a jump placed next can take to a target out of
// its range: the latest stub for the target when it is near enough (large
// filters jump to one decision from many places), else a new stub here,
// a copy of the target when it is a RET and a JA to it otherwise.
func reach(rev []xbpf.RawInstruction, target *block) ([]xbpf.RawInstruction, int) {
	if s := target.stub - 1; s >= 0 && len(rev)-s-1 <= 255 {
		return rev, s
	}
	if target.isRet {
		rev = append(rev, xbpf.RawInstruction{Op: bpf.OpRetK, K: target.ret})
	} else {
		rev = append(rev, xbpf.RawInstruction{Op: bpf.OpJA, K: uint32(len(rev) - target.pos - 1)})
	}
	target.stub = len(rev)
	return rev, len(rev) - 1
}

// reversePostorder orders the blocks reachable from root so that every
// block comes before its successors (all jumps go forward).
func reversePostorder(root *block) []*block {
	seen := map[*block]bool{}
	var post []*block
	var visit func(b *block)
	visit = func(b *block) {
		if seen[b] {
			return
		}
		seen[b] = true
		for _, s := range succs(b) {
			s.preds = append(s.preds, b)
			visit(s)
		}
		post = append(post, b)
	}
	visit(root)
	for i, j := 0, len(post)-1; i < j; i, j = i+1, j-1 {
		post[i], post[j] = post[j], post[i]
	}
	return post
}

func succs(b *block) []*block {
	switch {
	case b.isRet:
		return nil
	case b.op == 0:
		return []*block{b.no}
	case b.yes == b.no:
		return []*block{b.yes}
	}
	// The no branch is visited last so it lands right after b.
	return []*block{b.yes, b.no}
}

// elideLoads drops loads of a word the accumulator already holds on every
// path into the block. order must be topological.
func elideLoads(order []*block) {
	out := map[*block]acc{}
	for i, b := range order {
		var in acc
		if i > 0 && len(b.preds) > 0 {
			in = out[b.preds[0]]
			for _, p := range b.preds[1:] {
				if out[p] != in {
					in = acc{}
					break
				}
			}
		}
		var kept []load
		for _, l := range b.loads {
			switch {
			case in.known && in.off == l.off && in.mask == l.mask:
				// already there
			case in.known && in.off == l.off && in.mask == 0xffffffff:
				kept = append(kept, load{off: noLoad, mask: l.mask})
				in.mask = l.mask
			default:
				kept = append(kept, l)
				in = acc{off: l.off, mask: l.mask, known: true}
			}
		}
		b.loads = kept
		out[b] = in
	}
}
