package converter

import (
	"errors"
	"fmt"

	"github.com/secc-lang/secc/compiler/abi"
)

// A model of how libseccomp 2.5.4 stores the rules of one architecture
// (src/db.c) and what the BPF it generates from them decides
// (src/gen_bpf.c). Profiles do not combine by first match: libseccomp
// merges every rule of a system call into one tree of 32-bit word tests,
// keeps siblings sorted by its own priority, lets an unconditional rule
// replace a tree, prunes branches a shorter rule makes redundant, and
// refuses some combinations outright. The only way to say exactly what a
// profile means is to build the same tree; the differential tests check the
// model against the real library.
//
// Node sharing and reference counts are modelled too: libseccomp links the
// chains of a 64-bit range comparison into a DAG, and some of its decisions
// (whether a pruned node vanishes from its level) depend on the counts.

// scmpOp is a node comparison; NE, LT and LE are rewritten into these with
// the branches swapped.
type scmpOp int

const (
	sEQ scmpOp = iota
	sMaskedEQ
	sGT
	sGE
)

// snode is one 32-bit word test (struct db_arg_chain_tree).
type snode struct {
	arg    int
	hi     bool // tests the high word
	op     scmpOp
	opOrig Op // the profile's operator, for sibling order
	mask   uint32
	datum  uint32
	full   uint64 // the profile's 64-bit value

	actT, actF       uint32
	hasActT, hasActF bool
	nxtT, nxtF       *snode
	prv, nxt         *snode // siblings on the same level
	refs             int
}

// ssys is one system call's entry (struct db_sys_list).
type ssys struct {
	nr     int32
	chains *snode // nil: the action applies unconditionally
	action uint32
}

// sdb is one architecture's rule database (struct db_filter).
type sdb struct {
	bits32 bool // libseccomp's ARCH_SIZE_32: only low words are tested
	// The entries by number: the ABI's numbers (less its NrBase) are
	// small and index low, when there are many; pseudo numbers and ARM's
	// private calls go to high. A map for hundreds of numbers cost more
	// than the rest of lowering.
	base uint32
	low  []*ssys
	high map[int32]*ssys
	slab []ssys // entries are allocated from here, a chunk at a time

	// nodes counts the nodes of every chain added so far: the measure of
	// the input that bounds the work of one add (see stepBudget).
	nodes int
	// steps is what is left of the current add's budget of tree steps.
	steps int
	// linkedTwice records that treeAdd linked a node into a level while it
	// was already on one, as libseccomp 2.5.4 does in some cases; the
	// level lists are no longer lists after that.
	linkedTwice bool
}

// lowNrs bounds the numbers sdb keeps in its slice.
const lowNrs = 1024

// newSDB makes an empty database for ABI a; size is the number of system
// calls expected, to allocate their entries in one go. A few entries do
// without the slice.
func newSDB(a *abi.ABI, size int) *sdb {
	db := &sdb{bits32: a.Bits == 32, base: a.NrBase, slab: make([]ssys, 0, size)}
	if size > 64 {
		db.low = make([]*ssys, lowNrs)
	}
	return db
}

// lookup is the entry for nr, or nil.
func (db *sdb) lookup(nr int32) *ssys {
	if i := uint32(nr) - db.base; i < uint32(len(db.low)) {
		return db.low[i]
	}
	return db.high[nr]
}

// insert files a new entry for nr.
func (db *sdb) insert(nr int32) *ssys {
	if len(db.slab) == cap(db.slab) {
		// Earlier entries stay where they are: a new chunk.
		db.slab = make([]ssys, 0, max(16, cap(db.slab)))
	}
	db.slab = append(db.slab, ssys{nr: nr})
	s := &db.slab[len(db.slab)-1]
	if i := uint32(nr) - db.base; i < uint32(len(db.low)) {
		db.low[i] = s
	} else {
		if db.high == nil {
			db.high = map[int32]*ssys{}
		}
		db.high[nr] = s
	}
	return s
}

// errExist is libseccomp's -EEXIST: the new rule conflicts with one already
// added (same test, different action) and seccomp_rule_add fails, which
// makes runc refuse the whole profile.
var errExist = errors.New("conflicts with an earlier rule for the same system call (libseccomp: EEXIST)")

// scond is one argument condition of a rule as libseccomp stores it.
type scond struct {
	arg   int
	op    Op
	mask  uint64
	datum uint64
}

func argPrio(n *snode) int {
	p := n.arg << 1
	if n.hi {
		p++
	}
	return p
}

func opPrio(o Op) int {
	switch o {
	case OpEQ, OpNE, OpMaskedEQ:
		return 3
	case OpLT, OpLE:
		return 2
	}
	return 1
}

// less is libseccomp's sibling order: a level is kept in descending order of
// it (higher argument first, high word before low, equality before ranges).
func less(a, b *snode) bool {
	if pa, pb := argPrio(a), argPrio(b); pa != pb {
		return pa < pb
	}
	if oa, ob := opPrio(a.opOrig), opPrio(b.opOrig); oa != ob {
		return oa < ob
	}
	if a.opOrig == OpLT || a.opOrig == OpLE {
		return a.datum > b.datum
	}
	return a.datum < b.datum
}

func same(a, b *snode) bool {
	return argPrio(a) == argPrio(b) && a.op == b.op && a.datum == b.datum && a.mask == b.mask
}

func leaf(n *snode) bool   { return n.nxtT == nil && n.nxtF == nil }
func zombie(n *snode) bool { return leaf(n) && !n.hasActT && !n.hasActF }

func get(n *snode) *snode {
	if n != nil {
		n.refs++
	}
	return n
}

func head(n *snode) *snode {
	for n.prv != nil {
		n = n.prv
	}
	return n
}

// put drops one reference; at zero the node leaves its level and its
// subtrees lose a reference. It returns how many nodes went away and, like
// libseccomp, moves *p to a surviving neighbour.
func (db *sdb) put(p **snode) int {
	n := *p
	if n == nil {
		return 0
	}
	db.step()
	n.refs--
	if n.refs > 0 {
		return 0
	}
	cnt := 0
	lp, ln, nt, nf := n.prv, n.nxt, n.nxtT, n.nxtF
	if lp != nil {
		lp.nxt = nil
	}
	if ln != nil {
		ln.prv = nil
	}
	if lp != nil {
		cnt += db.put(&lp)
	}
	if ln != nil {
		cnt += db.put(&ln)
	}
	if lp != nil {
		lp.nxt = get(ln)
	}
	if ln != nil {
		ln.prv = get(lp)
	}
	switch {
	case lp != nil:
		*p = lp
	case ln != nil:
		*p = ln
	default:
		*p = nil
	}
	cnt += db.treePut(&nt)
	cnt += db.treePut(&nf)
	return cnt + 1
}

// levelClean frees a whole level once nothing outside it points into it.
func (db *sdb) levelClean(n *snode) int {
	start := db.head(n)
	var cyc cycle
	for m := start; m != nil; m = m.nxt {
		db.step()
		cyc.visit(db, m)
		links := 0
		if m.prv != nil {
			links++
		}
		if m.nxt != nil {
			links++
		}
		if m.refs > links {
			return 0
		}
	}
	cnt := 0
	for m := start; m != nil; {
		before := m
		cnt += db.put(&m)
		if m == before && !db.linkedTwice {
			// With consistent counts a put here always frees m.
			// (In a corrupt tree libseccomp puts m again, until its
			// count runs out.)
			db.spin()
		}
	}
	return cnt
}

func (db *sdb) treePut(p **snode) int {
	cnt := db.put(p)
	if *p != nil {
		cnt += db.levelClean(*p)
	}
	return cnt
}

// treeRemove unlinks target (and nodes left empty by that) from the tree.
func (db *sdb) treeRemove(tree **snode, target *snode) int {
	if tree == nil || *tree == nil || target == nil {
		return 0
	}
	cnt := 0
	c := db.head(*tree)
	for {
		db.step()
		if c == target || func() bool {
			cnt += db.treeRemove(&c.nxtT, target)
			cnt += db.treeRemove(&c.nxtF, target)
			return zombie(c)
		}() {
			if c == *tree {
				if c.prv != nil {
					*tree = c.prv
				} else {
					*tree = c.nxt
				}
			}
			if c.prv != nil {
				c.prv.nxt = c.nxt
			}
			if c.nxt != nil {
				c.nxt.prv = c.prv
			}
			c.prv, c.nxt = nil, nil
			return cnt + db.put(&c)
		}
		c = c.nxt
		if c == nil || cnt != 0 {
			return cnt
		}
	}
}

// sameTree reports whether two trees test the same words in the same
// order with the same actions, level by level, so that treeRules reads the
// same rules from both.
func sameTree(a, b *snode) bool {
	if a == nil || b == nil {
		return a == b
	}
	for a, b = head(a), head(b); a != nil && b != nil; a, b = a.nxt, b.nxt {
		if a.arg != b.arg || a.hi != b.hi || a.op != b.op || a.mask != b.mask || a.datum != b.datum ||
			a.hasActT != b.hasActT || a.hasActF != b.hasActF ||
			a.hasActT && a.actT != b.actT || a.hasActF && a.actF != b.actF ||
			!sameTree(a.nxtT, b.nxtT) || !sameTree(a.nxtF, b.nxtF) {
			return false
		}
	}
	return a == nil && b == nil
}

// actCheck reports whether every action in the tree equals action.
func (db *sdb) actCheck(tree *snode, action uint32) bool {
	if tree == nil {
		return true
	}
	for c := db.head(tree); c != nil; c = c.nxt {
		db.step()
		if c.hasActT && c.actT != action || c.hasActF && c.actF != action {
			return false
		}
		if !db.actCheck(c.nxtT, action) || !db.actCheck(c.nxtF, action) {
			return false
		}
	}
	return true
}

// Prune state flags (struct db_iter_state).
const (
	stMatch     = 0x1
	stMatchOnce = 0x2
	stXFinished = 0x10
	stNFinished = 0x20
	stXPrefix   = 0x100
	stNPrefix   = 0x200
	stMatchSet  = stMatch | stMatchOnce
	stRedundant = stMatch | stXFinished | stNPrefix
)

type pruneState struct {
	flags  int
	action uint32
	sx     *ssys
}

// prune removes the parts of the existing tree that the new, shorter rule
// with the same action makes unnecessary, and notices when the new rule is
// itself redundant.
func (db *sdb) prune(existing **snode, n *snode, st *pruneState) int {
	cnt := 0
	stNew := *st
	x := *existing
	finish := func(matched bool) int {
		if matched && stNew.flags&stMatch != 0 {
			st.flags |= stNew.flags
		} else {
			st.flags &^= stMatch
		}
		return cnt
	}
	if n == nil || x == nil || st.flags&stMatchSet == stMatchOnce {
		return finish(true)
	}
	// descend runs prune one level down with a reference held on x, as
	// libseccomp does, and reports whether x went away meanwhile.
	descend := func(sub **snode, nn *snode, set, clear int) (pruneState, bool) {
		get(x)
		nx := *st
		nx.flags &^= clear
		nx.flags |= set
		cnt += db.prune(sub, nn, &nx)
		cnt += db.put(&x)
		return nx, x == nil
	}
	for x = db.head(x); x != nil; {
		db.step()
		next := x.nxt
		switch {
		case same(x, n):
			stNew.flags |= stMatchSet
			if leaf(n) {
				stNew.flags |= stNFinished
			}
			if leaf(x) {
				stNew.flags |= stXFinished
			}
			if (x.hasActT || x.nxtT != nil) && !(n.hasActT || n.nxtT != nil) {
				return finish(true)
			}
			if (x.hasActF || x.nxtF != nil) && !(n.hasActF || n.nxtF != nil) {
				return finish(true)
			}
			if stNew.flags&stNFinished != 0 && stNew.flags&stXFinished != 0 {
				if n.hasActT != x.hasActT || n.actT != x.actT || n.hasActF != x.hasActF || n.actF != x.actF {
					return finish(true)
				}
			}
			gone := false
			if n.nxtT != nil {
				var nx pruneState
				nx, gone = descend(&x.nxtT, n.nxtT, stMatchSet, 0)
				if nx.flags&stMatch != 0 {
					stNew.flags |= nx.flags
				}
			}
			if !gone && n.nxtF != nil {
				var nx pruneState
				nx, gone = descend(&x.nxtF, n.nxtF, stMatchSet, 0)
				if nx.flags&stMatch != 0 {
					stNew.flags |= nx.flags
				}
			}
			if gone {
				break
			}
			ok := db.actCheck(x, stNew.action)
			if ok && stNew.flags&stMatch != 0 && stNew.flags&stNFinished != 0 && stNew.flags&stXPrefix != 0 {
				cnt += db.treeRemove(&st.sx.chains, x)
				if st.sx.chains == nil {
					return finish(true)
				}
			} else if ok && stNew.flags&stMatch != 0 && stNew.flags&stXFinished != 0 && stNew.flags&stNPrefix != 0 {
				return finish(true)
			}
		case less(x, n):
			if st.flags&stNPrefix != 0 {
				return finish(true)
			}
			// x may move to a neighbour inside descend, so each
			// branch is looked up only when it is its turn.
			gone := false
			for _, sub := range []func() **snode{func() **snode { return &x.nxtT }, func() **snode { return &x.nxtF }} {
				if gone || *sub() == nil {
					continue
				}
				var nx pruneState
				nx, gone = descend(sub(), n, stXPrefix, stMatch)
				if nx.flags&stMatch != 0 {
					stNew.flags |= nx.flags
					return finish(true)
				}
			}
		default:
			if st.flags&stXPrefix != 0 {
				return finish(true)
			}
			gone := false
			for _, nn := range []*snode{n.nxtT, n.nxtF} {
				if gone || nn == nil {
					continue
				}
				var nx pruneState
				nx, gone = descend(&x, nn, stNPrefix, stMatch)
				if nx.flags&stMatch != 0 {
					stNew.flags |= nx.flags
					return finish(true)
				}
			}
		}
		x = next
	}
	stNew.flags &^= stMatch
	return finish(false)
}

// treeAdd merges the new chain into the existing level, starting at the
// node *existing points to (libseccomp does not rewind here).
func (db *sdb) treeAdd(existing **snode, n *snode) error {
	x := *existing
	for x != nil {
		db.step()
		switch {
		case same(x, n):
			if n.hasActT {
				if !x.hasActT {
					if !db.actCheck(x.nxtT, n.actT) {
						return errExist
					}
					db.put(&x.nxtT)
					x.nxtT = nil
					x.actT, x.hasActT = n.actT, true
				} else if n.actT != x.actT {
					if n.hi && n.full > x.full {
						x.actT = n.actT
					}
					if leaf(x) || leaf(n) {
						return errExist
					}
				}
			}
			if n.hasActF {
				if !x.hasActF {
					if !db.actCheck(x.nxtF, n.actF) {
						return errExist
					}
					db.put(&x.nxtF)
					x.nxtF = nil
					x.actF, x.hasActF = n.actF, true
				} else if n.actF != x.actF {
					// libseccomp 2.5.4 sets the true action here.
					if n.hi && n.full < x.full {
						x.actT = n.actT
					}
					if leaf(x) || leaf(n) {
						return errExist
					}
				}
			}
			for _, b := range [2]struct {
				xn     **snode
				nn     *snode
				hasAct bool
			}{{&x.nxtT, n.nxtT, x.hasActT}, {&x.nxtF, n.nxtF, x.hasActF}} {
				if b.nn == nil {
					continue
				}
				switch {
				case *b.xn != nil:
					if err := db.treeAdd(b.xn, b.nn); err != nil {
						return err
					}
				case !b.hasAct:
					*b.xn = get(b.nn)
				default:
					// An action already ends this branch: libseccomp stops here.
					return nil
				}
			}
			return nil
		case !less(x, n):
			if x.nxt == nil {
				db.linking(n)
				n.prv = get(x)
				x.nxt = get(n)
				return nil
			}
			x = x.nxt
		default:
			db.linking(n)
			if x.prv != nil {
				x.prv.nxt = get(n)
				n.prv = x.prv
				x.prv = get(n)
				n.nxt = x
			} else {
				x.prv = get(n)
				n.nxt = get(x)
			}
			if *existing == x {
				*existing = get(n)
				db.put(&x)
			}
			return nil
		}
	}
	return nil
}

func lo32(v uint64) uint32 { return uint32(v) }
func hi32(v uint64) uint32 { return uint32(v >> 32) }

// gen64 builds the chain of a rule for a 64-bit ABI: two or three word tests
// per condition, in argument order.
func gen64(conds []scond, action uint32) *ssys {
	s := &ssys{}
	var prev [3]*snode
	var cur [3]*snode
	prevOp := Op(-1)
	for _, c := range conds {
		if c.op == OpMaskedEQ && c.mask == 0 {
			continue // tests nothing
		}
		mk := func(hi bool, op scmpOp) *snode {
			n := &snode{arg: c.arg, hi: hi, op: op, opOrig: c.op, full: c.datum}
			if hi {
				n.mask, n.datum = hi32(c.mask), hi32(c.datum)&hi32(c.mask)
			} else {
				n.mask, n.datum = lo32(c.mask), lo32(c.datum)&lo32(c.mask)
			}
			return n
		}
		cur = [3]*snode{}
		switch c.op {
		case OpGT, OpGE, OpLT, OpLE:
			low := sGE
			if c.op == OpGT || c.op == OpLE {
				low = sGT
			}
			cur[0], cur[1], cur[2] = mk(true, sGT), mk(true, sEQ), mk(false, low)
			cur[0].nxtF = get(cur[1])
			cur[1].nxtT = get(cur[2])
		default:
			op := sEQ
			if c.op == OpMaskedEQ {
				op = sMaskedEQ
			}
			cur[0], cur[1] = mk(true, op), mk(false, op)
			cur[0].nxtT = get(cur[1])
		}
		if prev[0] == nil {
			s.chains = get(cur[0])
		} else {
			switch prevOp {
			case OpGT, OpGE:
				prev[0].nxtT = get(cur[0])
				prev[2].nxtT = get(cur[0])
			case OpEQ, OpMaskedEQ:
				prev[1].nxtT = get(cur[0])
			case OpLT, OpLE:
				prev[1].nxtF = get(cur[0])
				prev[2].nxtF = get(cur[0])
			case OpNE:
				prev[0].nxtF = get(cur[0])
				prev[1].nxtF = get(cur[0])
			}
		}
		prev, prevOp = cur, c.op
	}
	if prev[0] == nil {
		s.action = action
		return s
	}
	setT := func(n *snode) { n.actT, n.hasActT = action, true }
	setF := func(n *snode) { n.actF, n.hasActF = action, true }
	switch prevOp {
	case OpGT, OpGE:
		setT(prev[0])
		setT(prev[2])
	case OpLT, OpLE:
		setF(prev[1])
		setF(prev[2])
	case OpEQ, OpMaskedEQ:
		setT(prev[1])
	case OpNE:
		setF(prev[0])
		setF(prev[1])
	}
	return s
}

// gen32 builds the chain for a 32-bit ABI (x86, x32, arm): one test of the
// low word per condition, the values silently truncated to 32 bits.
func gen32(conds []scond, action uint32) *ssys {
	s := &ssys{}
	var prev *snode
	prevTrue := true
	for _, c := range conds {
		if c.op == OpMaskedEQ && lo32(c.mask) == 0 {
			continue
		}
		n := &snode{arg: c.arg, opOrig: c.op, mask: lo32(c.mask), full: c.datum}
		n.datum = lo32(c.datum) & n.mask
		if prev == nil {
			s.chains = get(n)
		} else if prevTrue {
			prev.nxtT = get(n)
		} else {
			prev.nxtF = get(n)
		}
		switch c.op {
		case OpNE:
			n.op, prevTrue = sEQ, false
		case OpLT:
			n.op, prevTrue = sGE, false
		case OpLE:
			n.op, prevTrue = sGT, false
		case OpEQ:
			n.op, prevTrue = sEQ, true
		case OpMaskedEQ:
			n.op, prevTrue = sMaskedEQ, true
		case OpGT:
			n.op, prevTrue = sGT, true
		case OpGE:
			n.op, prevTrue = sGE, true
		}
		prev = n
	}
	if prev == nil {
		s.action = action
	} else if prevTrue {
		prev.actT, prev.hasActT = action, true
	} else {
		prev.actF, prev.hasActF = action, true
	}
	return s
}

// add is db_rule_add: conds must be sorted by argument index with at most
// one condition per index. It returns the system call's entry, which stays
// the same for later rules on nr.
//
// libseccomp 2.5.4 does not always terminate here. A rule's chain is a DAG
// when a range or != test is followed by another test (both words of the
// range test lead to the next one), and when treeAdd merges it through a
// shared part of the existing tree it reaches the same new node by both
// paths and links it into the same level twice; the second time, inserted
// before a node whose predecessor it already is, it becomes its own
// predecessor, and the next walk to the head of that level never ends. The
// model follows libseccomp step by step, notes the double link
// (linkedTwice) and detects the walks that come round (cycle), which end
// the add with errLoops: it is what runc gets, a seccomp_rule_add that
// never returns. A double link libseccomp survives is errCorrupt. Every
// tree operation also runs on a budget of steps (stepBudget); running out
// without a double link, or any other panic, is a fault of the model
// (*divergedError), never a silent answer.
func (db *sdb) add(nr int32, conds []scond, action uint32) (sx *ssys, err error) {
	db.nodes += 3 * len(conds)
	db.steps = stepBudget(db.nodes)
	defer func() {
		if r := recover(); r != nil {
			sx, err = db.lookup(nr), db.failure(r)
		}
	}()
	sx, err = db.addRule(nr, conds, action)
	if err == nil && db.linkedTwice {
		// libseccomp returned, but with a tree whose levels are no
		// longer lists: whatever it does with it next is undefined.
		err = errCorrupt
	}
	return sx, err
}

// stepBudget is the number of tree steps one add may take when the
// database holds chains of nodes nodes in all. On a sound tree every walk
// ends, but not always soon: the chains of range tests are DAGs and pruning
// follows every path through them, so the work grows with the product of
// the paths of both trees. Real and random profiles take at most some ten
// thousand steps per add; rules on many arguments of one system call can
// take libseccomp itself seconds (a million steps per node measured a rule
// of six range tests added to a dozen others, which takes libseccomp 2.5.4
// 2.7 s). The budget, a million steps per node (a few milliseconds each),
// is a safety net against faults of the model, and ends with an error.
func stepBudget(nodes int) int { return 1 << 20 * (1 + nodes) }

// corruptBudget bounds what is left of an add once a node was linked twice:
// libseccomp then either meets the cycle it made (head and levelClean see
// it at once) or finishes.
const corruptBudget = 1 << 22

// errStepBudget is the panic that ends an add out of budget.
type errStepBudget struct{ spin bool }

// step charges one step of a tree operation to the budget.
func (db *sdb) step() {
	if db.steps--; db.steps < 0 {
		panic(errStepBudget{})
	}
}

// spin is where libseccomp would repeat the same step forever.
func (db *sdb) spin() { panic(errStepBudget{spin: true}) }

// head is the first node of n's level. On a level whose predecessor links
// make a cycle (see linkedTwice) libseccomp's walk
// (while (n->lvl_prv) n = n->lvl_prv) never ends; head spins instead.
func (db *sdb) head(n *snode) *snode {
	var cyc cycle
	for n.prv != nil {
		db.step()
		n = n.prv
		cyc.visit(db, n)
	}
	return n
}

// cycle detects that a walk along a level has come round (Brent's
// algorithm: no memory, at most twice the steps).
type cycle struct {
	mark       *snode
	power, lam int
}

func (c *cycle) visit(db *sdb, n *snode) {
	if n == c.mark {
		db.spin()
	}
	if c.lam++; c.lam >= c.power {
		c.mark, c.power, c.lam = n, max(2*c.power, 1), 0
	}
}

// linking notes that treeAdd links n into a level: a node of the new chain
// reached a second time through the chain's shared nodes is already on one.
func (db *sdb) linking(n *snode) {
	if (n.prv != nil || n.nxt != nil) && !db.linkedTwice {
		db.linkedTwice = true
		db.steps = min(db.steps, corruptBudget)
	}
}

// errLoops and errCorrupt are libseccomp's own faults: adding the rule
// links a node into a level of its tree that it is already on (see add).
var (
	errLoops   = errors.New("libseccomp 2.5.4 links a node into its rule tree twice adding this rule and then never returns from seccomp_rule_add")
	errCorrupt = errors.New("libseccomp 2.5.4 links a node into its rule tree twice adding this rule, leaving the tree corrupt")
)

// divergedError is a fault of the model: an add that ran out of steps (or
// panicked) without libseccomp's known cause. Callers name the system call
// and ABI.
type divergedError struct {
	detail string
	call   string
	abi    *abi.ABI
}

func (e *divergedError) Error() string {
	where := ""
	if e.abi != nil {
		where = fmt.Sprintf(" for system call %q on %s", e.call, e.abi.Name)
	}
	return fmt.Sprintf("internal error: libseccomp model did not converge%s (%s); please report", where, e.detail)
}

// failure is the error for what a recovered add panicked with.
func (db *sdb) failure(r any) error {
	b, budget := r.(errStepBudget)
	switch {
	case budget && db.linkedTwice:
		return errLoops
	case db.linkedTwice:
		// A walk of the broken level that ends on nil where
		// libseccomp would dereference it.
		return errCorrupt
	case budget && b.spin:
		return &divergedError{detail: "a walk that does not advance"}
	case budget:
		return &divergedError{detail: fmt.Sprintf("gave up after %d tree steps; libseccomp's own merging of many range conditions can take very long too", stepBudget(db.nodes))}
	}
	return &divergedError{detail: fmt.Sprint(r)}
}

func (db *sdb) addRule(nr int32, conds []scond, action uint32) (*ssys, error) {
	sx := db.lookup(nr)
	if len(conds) == 0 {
		// The common case, an unconditional rule, without building a
		// chain: it is db_rule_add's outcome for an empty chain below.
		switch {
		case sx == nil:
			sx = db.insert(nr)
			sx.action = action
		case sx.chains != nil:
			db.treePut(&sx.chains)
			sx.chains, sx.action = nil, action
		}
		return sx, nil
	}
	var sNew *ssys
	if db.bits32 {
		sNew = gen32(conds, action)
	} else {
		sNew = gen64(conds, action)
	}
	sNew.nr = nr
	removed := false
	for {
		switch {
		case sx == nil:
			sx = db.insert(nr)
			sx.chains, sx.action = sNew.chains, sNew.action
			return sx, nil
		case sx.chains == nil:
			if removed {
				sx.chains, sx.action = sNew.chains, sNew.action
			}
			// Otherwise an unconditional rule is already there: it wins,
			// the first one added among several.
			return sx, nil
		case sNew.chains == nil:
			// An unconditional rule replaces every conditional one.
			db.treePut(&sx.chains)
			sx.chains, sx.action = nil, action
			return sx, nil
		}
		st := &pruneState{sx: sx, action: action}
		if db.prune(&sx.chains, sNew.chains, st) > 0 {
			removed = true
			if sx.chains == nil {
				continue
			}
		} else if st.flags&stRedundant == stRedundant {
			return sx, nil
		}
		if err := db.treeAdd(&sx.chains, sNew.chains); err != nil {
			// add_failure puts the new chain, and the failed
			// transaction is rolled back, which puts every tree of
			// the database: walks of a tree with a node linked twice.
			db.treePut(&sNew.chains)
			if db.linkedTwice {
				db.treePut(&sx.chains)
			}
			return sx, err
		}
		db.treePut(&sNew.chains)
		return sx, nil
	}
}
