package analysis

import (
	"errors"
	"fmt"
	"math/rand"
	"sort"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/resolve"
)

// The explorer works in two passes. The first runs the program
// symbolically from instruction 0, forking at every jump whose outcome
// depends on the input, and memoises on (pc, register state) so shared code
// is explored once: the result is a DAG of mixed tests over nr, arch and
// argument words (a "mixed" node). The second pass fixes arch and nr piece by
// piece (pieces cut at every boundary the program's arch and nr tests have)
// and keeps only the argument tests that the path's earlier tests have not
// already decided, giving for each (arch, nr interval) a hash-consed tree
// over argument words: the Result.

// symKind says what the explorer knows about a register's value.
type symKind uint8

const (
	symConst  symKind = iota // a known constant
	symWord                  // word & mask of the input
	symOpaque                // computed from the input in a way not tracked
)

// sym is a symbolic 32-bit value.
type sym struct {
	kind symKind
	word Word
	v    uint32 // the constant, or the mask of a symWord
	deps uint16 // input words an opaque value depends on
}

func constSym(v uint32) sym { return sym{kind: symConst, v: v} }

func (s sym) depends() uint16 {
	switch s.kind {
	case symWord:
		return 1 << s.word
	case symOpaque:
		return s.deps
	}
	return 0
}

// state is the machine state the explorer tracks; comparable, so it keys
// the memo table together with the pc.
type state struct {
	a, x   sym
	mem    [bpf.MemWords]sym
	stored uint16 // scratch cells written on this path
}

type memoKey struct {
	pc int
	st state
}

type mkind uint8

const (
	mLeaf mkind = iota
	mTest
	mOpaque
)

// mnode is a node of the first pass's DAG.
type mnode struct {
	id     int
	kind   mkind
	action uint32
	test   Test
	t, f   *mnode
	pcs    []int  // instructions run from entering the node to its jump or return
	deps   uint16 // opaque: the input words the untracked value depends on
	reason string // opaque: what the explorer could not follow
}

// maxMixedNodes bounds the first pass; programs that need more (huge
// unrolled register states) are refused rather than explored for minutes.
const maxMixedNodes = 500_000

// ErrTooComplex is returned for programs too large to explore.
var ErrTooComplex = errors.New("program too complex to explore")

type explorer struct {
	prog  []xbpf.RawInstruction
	memo  map[memoKey]*mnode
	count int
	sets  map[Test]setEntry
}

type setEntry struct {
	set resolve.Set
	ok  bool
}

// truthSet caches Test.Set.
func (e *explorer) truthSet(t Test) (resolve.Set, bool) {
	if s, ok := e.sets[t]; ok {
		return s.set, s.ok
	}
	s, ok := t.Set()
	e.sets[t] = setEntry{s, ok}
	return s, ok
}

func (e *explorer) newNode(n *mnode) (*mnode, error) {
	e.count++
	if e.count > maxMixedNodes {
		return nil, ErrTooComplex
	}
	n.id = e.count
	return n, nil
}

func (e *explorer) opaque(pcs []int, deps uint16, format string, args ...any) (*mnode, error) {
	return e.newNode(&mnode{kind: mOpaque, pcs: pcs, deps: deps, reason: fmt.Sprintf(format, args...)})
}

// explore runs the program symbolically from pc in state st.
func (e *explorer) explore(pc int, st state) (*mnode, error) {
	key := memoKey{pc, st}
	if n, ok := e.memo[key]; ok {
		return n, nil
	}
	n, err := e.step(pc, st)
	if err != nil {
		return nil, err
	}
	e.memo[key] = n
	return n, nil
}

// step runs straight-line code from pc to the first jump that depends on
// the input, or to a return.
func (e *explorer) step(pc int, st state) (*mnode, error) {
	var pcs []int
	n := len(e.prog)
	for {
		if pc >= n {
			return e.opaque(pcs, 0, "runs off the end of the program (the kernel refuses it)")
		}
		pcs = append(pcs, pc)
		ins := e.prog[pc]
		k := ins.K
		switch ins.Op {
		case bpf.OpLdAbsW:
			if k >= bpf.DataSize || k&3 != 0 {
				return e.opaque(pcs, 0, "insn %d loads from offset %d (the kernel refuses it)", pc, k)
			}
			st.a = sym{kind: symWord, word: Word(k / 4), v: ^uint32(0)}
		case bpf.OpLdLenW:
			st.a = constSym(bpf.DataSize)
		case bpf.OpLdxLenW:
			st.x = constSym(bpf.DataSize)
		case bpf.OpLdImm:
			st.a = constSym(k)
		case bpf.OpLdxImm:
			st.x = constSym(k)
		case bpf.OpLdMem, bpf.OpLdxMem:
			if k >= bpf.MemWords || st.stored&(1<<k) == 0 {
				return e.opaque(pcs, 0, "insn %d reads M[%d] before it is stored (the kernel refuses it)", pc, k)
			}
			if ins.Op == bpf.OpLdMem {
				st.a = st.mem[k]
			} else {
				st.x = st.mem[k]
			}
		case bpf.OpSt, bpf.OpStx:
			if k >= bpf.MemWords {
				return e.opaque(pcs, 0, "insn %d stores to M[%d] (the kernel refuses it)", pc, k)
			}
			st.stored |= 1 << k
			if ins.Op == bpf.OpSt {
				st.mem[k] = st.a
			} else {
				st.mem[k] = st.x
			}
		case bpf.OpTax:
			st.x = st.a
		case bpf.OpTxa:
			st.a = st.x
		case bpf.OpNeg:
			if st.a.kind == symConst {
				st.a.v = -st.a.v
			} else {
				st.a = sym{kind: symOpaque, deps: st.a.depends()}
			}
		case bpf.OpAddK, bpf.OpSubK, bpf.OpMulK, bpf.OpDivK, bpf.OpOrK, bpf.OpAndK, bpf.OpXorK, bpf.OpLshK, bpf.OpRshK,
			bpf.OpAddX, bpf.OpSubX, bpf.OpMulX, bpf.OpDivX, bpf.OpOrX, bpf.OpAndX, bpf.OpXorX, bpf.OpLshX, bpf.OpRshX:
			b := constSym(k)
			if ins.Op&0x08 != 0 {
				b = st.x
			}
			op := ins.Op &^ 0x08
			if op == bpf.OpDivK && b.kind == symConst && b.v == 0 {
				if ins.Op == bpf.OpDivK {
					return e.opaque(pcs, 0, "insn %d divides by constant 0 (the kernel refuses it)", pc)
				}
				// Division by X == 0 ends the filter with 0 (KILL_THREAD).
				return e.newNode(&mnode{kind: mLeaf, action: 0, pcs: pcs})
			}
			if op == bpf.OpDivK && b.kind != symConst {
				return e.opaque(pcs, b.depends(), "insn %d divides by X computed from the input (X may be 0)", pc)
			}
			st.a = alu(op, st.a, b)
		case bpf.OpJA:
			pc += int(k) + 1
			continue
		case bpf.OpJeqK, bpf.OpJgtK, bpf.OpJgeK, bpf.OpJsetK, bpf.OpJeqX, bpf.OpJgtX, bpf.OpJgeX, bpf.OpJsetX:
			kv := k
			if ins.Op&0x08 != 0 {
				if st.x.kind != symConst {
					return e.opaque(pcs, st.a.depends()|st.x.depends(), "insn %d compares A with X computed from the input", pc)
				}
				kv = st.x.v
			}
			op := map[uint16]Op{bpf.OpJeqK: OpEQ, bpf.OpJgtK: OpGT, bpf.OpJgeK: OpGE, bpf.OpJsetK: OpSET}[ins.Op&^0x08]
			jt, jf := pc+1+int(ins.Jt), pc+1+int(ins.Jf)
			switch st.a.kind {
			case symConst:
				if (Test{Mask: ^uint32(0), Op: op, K: kv}).Holds(st.a.v) {
					pc = jt
				} else {
					pc = jf
				}
				continue
			case symOpaque:
				return e.opaque(pcs, st.a.deps, "insn %d tests a value computed from the input", pc)
			}
			t, constant, v := Test{Word: st.a.word, Mask: st.a.v, Op: op, K: kv}.normalize()
			if constant {
				if v {
					pc = jt
				} else {
					pc = jf
				}
				continue
			}
			if t.Word == WordNr || t.Word == WordArch {
				if _, ok := e.truthSet(t); !ok {
					return e.opaque(pcs, 1<<t.Word, "insn %d tests %s with a mask too fine to split into ranges", pc, t)
				}
			}
			yes, err := e.explore(jt, st)
			if err != nil {
				return nil, err
			}
			no, err := e.explore(jf, st)
			if err != nil {
				return nil, err
			}
			return e.newNode(&mnode{kind: mTest, test: t, t: yes, f: no, pcs: pcs})
		case bpf.OpRetK:
			return e.newNode(&mnode{kind: mLeaf, action: k, pcs: pcs})
		case bpf.OpRetA:
			if st.a.kind == symConst {
				return e.newNode(&mnode{kind: mLeaf, action: st.a.v, pcs: pcs})
			}
			return e.opaque(pcs, st.a.depends(), "insn %d returns a value computed from the input", pc)
		default:
			return e.opaque(pcs, 0, "insn %d has opcode %#04x, which seccomp refuses", pc, ins.Op)
		}
		pc++
	}
}

// alu applies an ALU operation with operand b (both may be symbolic).
// Masks stay symbolic; anything else on an input word becomes opaque.
func alu(op uint16, a, b sym) sym {
	if a.kind == symConst && b.kind == symConst {
		x, y := a.v, b.v
		switch op {
		case bpf.OpAddK:
			x += y
		case bpf.OpSubK:
			x -= y
		case bpf.OpMulK:
			x *= y
		case bpf.OpDivK:
			x /= y // y != 0: checked by the caller
		case bpf.OpOrK:
			x |= y
		case bpf.OpAndK:
			x &= y
		case bpf.OpXorK:
			x ^= y
		case bpf.OpLshK:
			x <<= y & 31
		case bpf.OpRshK:
			x >>= y & 31
		}
		return constSym(x)
	}
	if op == bpf.OpAndK {
		w, c := a, b
		if w.kind == symConst {
			w, c = b, a
		}
		if w.kind == symWord && c.kind == symConst {
			w.v &= c.v
			if w.v == 0 {
				return constSym(0)
			}
			return w
		}
		if c.kind == symConst && c.v == 0 {
			return constSym(0)
		}
	}
	if a.kind == symWord && b.kind == symConst {
		switch {
		case b.v == 0 && (op == bpf.OpAddK || op == bpf.OpSubK || op == bpf.OpOrK || op == bpf.OpXorK || op == bpf.OpLshK || op == bpf.OpRshK):
			return a
		case b.v == 1 && (op == bpf.OpMulK || op == bpf.OpDivK):
			return a
		case b.v == 0 && op == bpf.OpMulK:
			return constSym(0)
		}
	}
	return sym{kind: symOpaque, deps: a.depends() | b.depends()}
}

// NodeKind says what a decision node is.
type NodeKind uint8

const (
	Leaf   NodeKind = iota // returns Action
	Branch                 // tests Test, goes to True or False
	Opaque                 // the explorer could not follow the program here
)

// Node is a node of an explored decision: a hash-consed DAG over argument
// words (nr and arch are fixed by the interval and region it hangs from).
// Within one Result, equal subtrees are one *Node.
type Node struct {
	ID     int
	Kind   NodeKind
	Action uint32 // Leaf
	Test   Test   // Branch
	True   *Node
	False  *Node
	// Opaque: what was not followed, where, and which input words the
	// untracked value depends on (bit i: Word i).
	Reason string
	PC     int
	Deps   uint16
	// HasOpaque is set on nodes with an Opaque node below them.
	HasOpaque bool
}

// Constant reports whether n is a leaf, and its action.
func (n *Node) Constant() (uint32, bool) { return n.Action, n.Kind == Leaf }

// Eval follows n for the given arguments. It returns false on an opaque
// node, where only running the program says what happens.
func (n *Node) Eval(args *[6]uint64) (uint32, bool) {
	for n.Kind == Branch {
		if n.Test.Holds(wordValue(n.Test.Word, args)) {
			n = n.True
		} else {
			n = n.False
		}
	}
	return n.Action, n.Kind == Leaf
}

func wordValue(w Word, args *[6]uint64) uint32 {
	if !w.IsArg() {
		return 0
	}
	i, hi := w.Arg()
	if hi {
		return uint32(args[i] >> 32)
	}
	return uint32(args[i])
}

type innerKey struct {
	test Test
	t, f int
}

type opaqueKey struct {
	pc     int
	deps   uint16
	reason string
}

// builder hash-conses result nodes.
type builder struct {
	nodes  []*Node
	leaves map[uint32]*Node
	inner  map[innerKey]*Node
	opaque map[opaqueKey]*Node
}

func newBuilder() *builder {
	return &builder{leaves: map[uint32]*Node{}, inner: map[innerKey]*Node{}, opaque: map[opaqueKey]*Node{}}
}

func (b *builder) add(n *Node) *Node {
	n.ID = len(b.nodes)
	b.nodes = append(b.nodes, n)
	return n
}

func (b *builder) leaf(action uint32) *Node {
	if n, ok := b.leaves[action]; ok {
		return n
	}
	n := b.add(&Node{Kind: Leaf, Action: action})
	b.leaves[action] = n
	return n
}

func (b *builder) branch(t Test, yes, no *Node) *Node {
	if yes == no {
		return yes
	}
	k := innerKey{t, yes.ID, no.ID}
	if n, ok := b.inner[k]; ok {
		return n
	}
	n := b.add(&Node{Kind: Branch, Test: t, True: yes, False: no, HasOpaque: yes.HasOpaque || no.HasOpaque})
	b.inner[k] = n
	return n
}

func (b *builder) opaqueNode(m *mnode) *Node {
	pc := -1
	if len(m.pcs) > 0 {
		pc = m.pcs[len(m.pcs)-1]
	}
	k := opaqueKey{pc, m.deps, m.reason}
	if n, ok := b.opaque[k]; ok {
		return n
	}
	n := b.add(&Node{Kind: Opaque, Reason: m.reason, PC: pc, Deps: m.deps, HasOpaque: true})
	b.opaque[k] = n
	return n
}

// Interval maps system call numbers Lo..Hi (inclusive) to a decision.
type Interval struct {
	Lo, Hi uint32
	Node   *Node
	// Samples lists, for a decision with opaque parts, the distinct
	// actions the program returned on sample inputs of the interval: what
	// can happen, not a proof of what cannot.
	Samples []uint32
}

// ArchRegion is a range of AUDIT_ARCH values the program treats alike
// (a single value when it tests for that arch).
type ArchRegion struct {
	Lo, Hi    uint32
	Intervals []Interval // cover 0..2^32-1 in order
}

// Result is an explored program.
type Result struct {
	Insns []xbpf.RawInstruction
	// Check is what the kernel's checker says (nil: it would load it).
	Check error
	// Regions cover every AUDIT_ARCH value in order.
	Regions []ArchRegion
	// Reached marks the instructions some input runs (conservatively true
	// below opaque points).
	Reached []bool
	// Nodes are all decision nodes, children before parents.
	Nodes []*Node

	root *mnode
	ex   *explorer
}

// Region returns the region holding AUDIT_ARCH value arch.
func (r *Result) Region(arch uint32) *ArchRegion {
	i := sort.Search(len(r.Regions), func(i int) bool { return r.Regions[i].Hi >= arch })
	return &r.Regions[i]
}

// Lookup returns the interval holding (arch, nr).
func (r *Result) Lookup(arch, nr uint32) *Interval {
	reg := r.Region(arch)
	i := sort.Search(len(reg.Intervals), func(i int) bool { return reg.Intervals[i].Hi >= nr })
	return &reg.Intervals[i]
}

// Distinguishes reports whether the program tests for arch exactly (it
// has a region of its own).
func (r *Result) Distinguishes(arch uint32) bool {
	reg := r.Region(arch)
	return reg.Lo == reg.Hi
}

// Run runs the program on one input: the exact answer, opaque or not.
func (r *Result) Run(arch, nr uint32, args [6]uint64) uint32 {
	ret, _, err := bpf.Run(r.Insns, &bpf.SeccompData{Nr: int32(nr), Arch: arch, Args: args})
	if err != nil {
		return bpf.RetKillProcess // what a program the kernel refused would do: nothing runs
	}
	return ret
}

// Explore symbolically executes a seccomp filter.
func Explore(prog []xbpf.RawInstruction) (*Result, error) {
	if len(prog) == 0 {
		return nil, errors.New("empty program")
	}
	e := &explorer{prog: prog, memo: map[memoKey]*mnode{}, sets: map[Test]setEntry{}}
	root, err := e.explore(0, state{})
	if err != nil {
		return nil, err
	}
	r := &Result{Insns: prog, Check: bpf.Check(prog), Reached: make([]bool, len(prog)), root: root, ex: e}
	b := newBuilder()
	archPieces := pieces(e.cuts(root, WordArch, nil))
	for _, ap := range archPieces {
		fixed := map[Word]uint32{WordArch: ap.Lo}
		reg := ArchRegion{Lo: ap.Lo, Hi: ap.Hi}
		for _, np := range pieces(e.cuts(root, WordNr, fixed)) {
			fixed[WordNr] = np.Lo
			rs := &restrictor{e: e, b: b, fixed: fixed, memo: map[string]*Node{}, reached: r.Reached}
			n := rs.build(root, newKnowledge())
			iv := Interval{Lo: np.Lo, Hi: np.Hi, Node: n}
			if n.HasOpaque {
				iv.Samples = r.sample(ap, np)
			}
			reg.Intervals = appendInterval(reg.Intervals, iv)
		}
		if k := len(r.Regions); k > 0 && sameIntervals(r.Regions[k-1].Intervals, reg.Intervals) {
			r.Regions[k-1].Hi = reg.Hi
			continue
		}
		r.Regions = append(r.Regions, reg)
	}
	r.Nodes = b.nodes
	return r, nil
}

func appendInterval(list []Interval, iv Interval) []Interval {
	if k := len(list); k > 0 && list[k-1].Node == iv.Node && list[k-1].Hi+1 == iv.Lo && equalU32(list[k-1].Samples, iv.Samples) {
		list[k-1].Hi = iv.Hi
		return list
	}
	return append(list, iv)
}

func sameIntervals(a, b []Interval) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Lo != b[i].Lo || a[i].Hi != b[i].Hi || a[i].Node != b[i].Node || !equalU32(a[i].Samples, b[i].Samples) {
			return false
		}
	}
	return true
}

func equalU32(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// cuts returns the boundaries (values where a test's outcome may change)
// of every test on word w reachable when the words in fixed have the given
// values; 0 is always one.
func (e *explorer) cuts(root *mnode, w Word, fixed map[Word]uint32) []uint32 {
	set := map[uint32]bool{0: true}
	seen := map[*mnode]bool{}
	var walk func(m *mnode)
	walk = func(m *mnode) {
		for m.kind == mTest {
			if seen[m] {
				return
			}
			seen[m] = true
			if v, ok := fixed[m.test.Word]; ok {
				if m.test.Holds(v) {
					m = m.t
				} else {
					m = m.f
				}
				continue
			}
			if m.test.Word == w {
				s, _ := e.truthSet(m.test) // always ok for nr and arch: see step
				for _, rg := range s {
					set[rg.Lo] = true
					if rg.Hi != ^uint32(0) {
						set[rg.Hi+1] = true
					}
				}
			}
			walk(m.t)
			m = m.f
		}
	}
	walk(root)
	out := make([]uint32, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// pieces turns sorted cut points (starting at 0) into the ranges between.
func pieces(cuts []uint32) []resolve.Range {
	out := make([]resolve.Range, len(cuts))
	for i, c := range cuts {
		hi := ^uint32(0)
		if i+1 < len(cuts) {
			hi = cuts[i+1] - 1
		}
		out[i] = resolve.Range{Lo: c, Hi: hi}
	}
	return out
}

// restrictor builds the argument decision of one (arch, nr) piece.
type restrictor struct {
	e       *explorer
	b       *builder
	fixed   map[Word]uint32
	memo    map[string]*Node
	reached []bool
}

func (rs *restrictor) build(m *mnode, k *knowledge) *Node {
	key := fmt.Sprintf("%d|%s", m.id, k.key())
	if n, ok := rs.memo[key]; ok {
		return n
	}
	for _, pc := range m.pcs {
		rs.reached[pc] = true
	}
	var n *Node
	switch m.kind {
	case mLeaf:
		n = rs.b.leaf(m.action)
	case mOpaque:
		n = rs.b.opaqueNode(m)
		if len(m.pcs) > 0 {
			markFrom(rs.e.prog, m.pcs[len(m.pcs)-1], rs.reached)
		}
	default:
		if v, ok := rs.fixed[m.test.Word]; ok {
			if m.test.Holds(v) {
				n = rs.build(m.t, k)
			} else {
				n = rs.build(m.f, k)
			}
			break
		}
		if v, ok := k.decide(rs.e, m.test); ok {
			if v {
				n = rs.build(m.t, k)
			} else {
				n = rs.build(m.f, k)
			}
			break
		}
		yes := rs.build(m.t, k.with(rs.e, m.test, true))
		no := rs.build(m.f, k.with(rs.e, m.test, false))
		n = rs.b.branch(m.test, yes, no)
	}
	rs.memo[key] = n
	return n
}

// markFrom marks every instruction the control flow graph reaches from pc:
// below an opaque point the explorer cannot say which paths are taken.
func markFrom(prog []xbpf.RawInstruction, pc int, reached []bool) {
	stack := []int{pc}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p < 0 || p >= len(prog) || (reached[p] && p != pc) {
			continue
		}
		reached[p] = true
		ins := prog[p]
		switch {
		case ins.Op == bpf.OpRetK || ins.Op == bpf.OpRetA:
		case ins.Op == bpf.OpJA:
			stack = append(stack, p+1+int(ins.K))
		case ins.Op&0x07 == 0x05: // conditional jumps
			stack = append(stack, p+1+int(ins.Jt), p+1+int(ins.Jf))
		default:
			stack = append(stack, p+1)
		}
	}
}

// knowledge is what the argument tests on a path have established: the
// values each word can still have, and the outcomes of tests whose truth
// sets are too fine to intersect.
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

// smallSet is the number of values below which a word's possible values are
// simply enumerated to decide a test.
const smallSet = 64

// canon spells tests that mean the same alike, so knowledge recorded for
// one decides the other: (w & M) == 0 is JSET M false, and for a single
// bit (w & b) == b is JSET b true.
func canon(t Test) (Test, bool) {
	if t.Op != OpEQ || t.Mask == ^uint32(0) {
		return t, false
	}
	switch {
	case t.K == 0:
		return Test{Word: t.Word, Mask: ^uint32(0), Op: OpSET, K: t.Mask}, true
	case t.K == t.Mask && t.Mask&(t.Mask-1) == 0:
		return Test{Word: t.Word, Mask: ^uint32(0), Op: OpSET, K: t.Mask}, false
	}
	return t, false
}

func (k *knowledge) decide(e *explorer, t Test) (bool, bool) {
	c, neg := canon(t)
	if v, ok := k.tests[c]; ok {
		return v != neg, true
	}
	s := k.set(t.Word)
	if s.Size() <= smallSet {
		first, all := false, true
		for i, r := range s {
			for v := uint64(r.Lo); v <= uint64(r.Hi); v++ {
				h := t.Holds(uint32(v))
				if i == 0 && v == uint64(r.Lo) {
					first = h
				} else if h != first {
					all = false
				}
			}
		}
		if all {
			return first, true
		}
		return false, false
	}
	if ts, ok := e.truthSet(t); ok {
		switch {
		case len(s.Intersect(ts)) == 0:
			return false, true
		case len(s.Intersect(ts.Complement())) == 0:
			return true, true
		}
	}
	return false, false
}

func (k *knowledge) with(e *explorer, t Test, v bool) *knowledge {
	n := &knowledge{values: make(map[Word]resolve.Set, len(k.values)+1), tests: make(map[Test]bool, len(k.tests)+1)}
	for w, s := range k.values {
		n.values[w] = s
	}
	for x, b := range k.tests {
		n.tests[x] = b
	}
	if ts, ok := e.truthSet(t); ok {
		if !v {
			ts = ts.Complement()
		}
		n.values[t.Word] = k.set(t.Word).Intersect(ts)
	} else {
		c, neg := canon(t)
		n.tests[c] = v != neg
	}
	return n
}

func (k *knowledge) key() string {
	if len(k.values) == 0 && len(k.tests) == 0 {
		return ""
	}
	var parts []string
	for w, s := range k.values {
		parts = append(parts, fmt.Sprintf("%d%v", w, s))
	}
	for t, v := range k.tests {
		parts = append(parts, fmt.Sprintf("%v=%v", t, v))
	}
	sort.Strings(parts)
	return fmt.Sprint(parts)
}

// sample runs the program on sample inputs of an (arch, nr) piece whose
// decision has opaque parts and returns the distinct actions seen.
func (r *Result) sample(ap, np resolve.Range) []uint32 {
	rnd := rand.New(rand.NewSource(int64(np.Lo)<<32 | int64(ap.Lo)))
	points := func(rg resolve.Range) []uint32 {
		mid := rg.Lo + (rg.Hi-rg.Lo)/2
		out := []uint32{rg.Lo, rg.Hi, mid}
		if rg.Hi > rg.Lo {
			out = append(out, rg.Lo+1, rg.Hi-1, rg.Lo+uint32(rnd.Int63n(int64(rg.Hi-rg.Lo)+1)))
		}
		return out
	}
	specials := []uint64{0, 1, 2, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 0x100000001, ^uint64(0), 0x8000000000000000}
	seen := map[uint32]bool{}
	for _, arch := range points(ap) {
		for _, nr := range points(np) {
			for i := 0; i < 24; i++ {
				var args [6]uint64
				for j := range args {
					if i < len(specials) && rnd.Intn(2) == 0 {
						args[j] = specials[(i+j)%len(specials)]
					} else {
						args[j] = rnd.Uint64() >> uint(rnd.Intn(64))
					}
				}
				seen[r.Run(arch, nr, args)] = true
			}
		}
	}
	out := make([]uint32, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
