package converter

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/lang"
)

// xcond is one comparison of an argument (or a 32-bit half of it) in a
// first-match rule: (VAR & Mask) Op Val, Mask all ones when unmasked.
type xcond struct {
	Arg  int
	Part lang.Part
	Mask uint64
	Op   lang.CmpOp
	Val  uint64
	// Set holds the values of `VAR in (…)` when Op is Eq and len(Set) > 1
	// (made by mergeSets; Val is then unused).
	Set []uint64
}

// xrule is a first-match rule for one system call: all conditions hold →
// Action.
type xrule struct {
	Conds  []xcond
	Action uint32
}

func width(p lang.Part) uint64 {
	if p == lang.Full {
		return ^uint64(0)
	}
	return 0xffffffff
}

func (c xcond) word(args *[6]uint64) uint64 {
	v := args[c.Arg]
	switch c.Part {
	case lang.Lo:
		return v & 0xffffffff
	case lang.Hi:
		return v >> 32
	}
	return v
}

func (c xcond) holds(args *[6]uint64) bool {
	w := c.word(args) & c.Mask
	if len(c.Set) > 0 {
		for _, s := range c.Set {
			if w == s {
				return true
			}
		}
		return false
	}
	return c.Op.Holds(w, c.Val)
}

// constant reports whether the condition holds for every input (1), for none
// (0) or depends on it (-1).
func (c xcond) constant() int {
	if len(c.Set) > 0 {
		return -1
	}
	max := width(c.Part) & c.Mask
	switch {
	case c.Mask == 0:
		// The word masks to zero.
		if (c.Op == lang.Eq && c.Val == 0) || (c.Op == lang.Ne && c.Val != 0) ||
			(c.Op == lang.Ge && c.Val == 0) || c.Op == lang.Le || (c.Op == lang.Lt && c.Val > 0) {
			return 1
		}
		return 0
	case c.Op == lang.Ge && c.Val == 0, c.Op == lang.Le && c.Val >= max:
		return 1
	case c.Op == lang.Lt && c.Val == 0, c.Op == lang.Gt && c.Val >= max:
		return 0
	case c.Op == lang.Eq && c.Val&^c.Mask != 0:
		return 0
	case c.Op == lang.Ne && c.Val&^c.Mask != 0:
		return 1
	}
	return -1
}

func (r *xrule) matches(args *[6]uint64) bool {
	for _, c := range r.Conds {
		if !c.holds(args) {
			return false
		}
	}
	return true
}

// evalRules is first match over rules; def when none matches.
func evalRules(rules []xrule, args *[6]uint64, def uint32) uint32 {
	for i := range rules {
		if rules[i].matches(args) {
			return rules[i].Action
		}
	}
	return def
}

// treeRules lists what libseccomp's tree for a system call decides, as
// first-match rules that are pairwise disjoint (each is one path through
// the tree), so their order does not matter. Inputs no rule matches get the
// default action.
//
// Siblings are tried in order; a branch with an action returns it, a
// branch with a subtree tries it and, if nothing there matches, goes on
// with the next sibling (gen_bpf.c links a subtree's end to the next block
// of its level). This is the tree's meaning, which libseccomp's own
// pseudo-code export (seccomp_export_pfc) prints. Its BPF generator can
// depart from it: where a subtree falls through to a sibling that tests
// the word the previous sibling loaded, the sibling's block may be laid
// out without reloading the accumulator, depending on the order blocks
// are placed. The differential tests report such inputs as libseccomp's
// faults.
func treeRules(s *ssys, bits32 bool) ([]xrule, error) {
	if s.chains == nil {
		return []xrule{{Action: s.action}}, nil
	}
	var out []xrule
	paths := 0
	const maxPaths = 200000
	var walk func(c *snode, prefix []xcond, done func([]xcond)) error
	walk = func(c *snode, prefix []xcond, done func([]xcond)) error {
		if c == nil {
			done(prefix)
			return nil
		}
		if paths++; paths > maxPaths {
			return fmt.Errorf("too many paths through libseccomp's tree for system call %d", s.nr)
		}
		var err error
		for _, br := range []bool{true, false} {
			hasAct, act, sub := c.hasActT, c.actT, c.nxtT
			if !br {
				hasAct, act, sub = c.hasActF, c.actF, c.nxtF
			}
			cond := nodeCond(c, br)
			p := prefix
			k := cond.constant()
			if k < 0 && excluded(prefix, cond) {
				continue
			}
			switch k {
			case 0:
				continue
			case -1:
				// prefix's backing array is shared along the walk: a
				// deeper call only writes past its own prefix, which no
				// caller reads again, and rules take a copy.
				p = append(prefix, cond)
			}
			next := c.nxt
			cont := func(p []xcond) {
				if err == nil {
					err = walk(next, p, done)
				}
			}
			switch {
			case hasAct:
				out = append(out, xrule{Conds: append([]xcond(nil), p...), Action: act})
			case sub != nil:
				if e := walk(head(sub), p, cont); e != nil && err == nil {
					err = e
				}
			default:
				cont(p)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	err := walk(head(s.chains), nil, func([]xcond) {})
	return out, err
}

// excluded reports whether the conditions of a path leave no input for
// which c holds. A path through libseccomp's tree often tests a word again
// (one rule per value of an argument): skipping the branches the path
// already excludes keeps the walk from enumerating impossible paths, whose
// number grows with the product of the rules. (Conditions the path implies
// stay: the rules read better with them, and simplify drops what is
// redundant.)
func excluded(prefix []xcond, c xcond) bool {
	if c.Part == lang.Full || len(c.Set) > 0 {
		return false
	}
	if c.Mask != 0xffffffff {
		// A masked test: only its own opposite excludes it.
		for _, x := range prefix {
			if x.Arg == c.Arg && x.Part == c.Part && x.Mask == c.Mask && x.Val == c.Val && len(x.Set) == 0 &&
				(x.Op == lang.Eq && c.Op == lang.Ne || x.Op == lang.Ne && c.Op == lang.Eq) {
				return true
			}
		}
		return false
	}
	var vals resolve.Set // made when the path turns out to test the word
	for _, x := range prefix {
		if x.Arg == c.Arg && x.Part == c.Part && x.Mask == 0xffffffff && len(x.Set) == 0 {
			if vals == nil {
				vals = wordSet(c)
			}
			if vals = vals.Intersect(wordSet(x)); len(vals) == 0 {
				return true
			}
		}
	}
	return false
}

// wordSet is the set of 32-bit word values an unmasked word test accepts.
func wordSet(c xcond) resolve.Set { return resolve.CmpSet(c.Op, uint32(c.Val)) }

// nodeCond is a node's test taken on its true or false branch.
func nodeCond(c *snode, branch bool) xcond {
	cond := xcond{Arg: c.arg, Part: lang.Lo, Mask: uint64(c.mask), Val: uint64(c.datum)}
	if c.hi {
		cond.Part = lang.Hi
	}
	switch {
	case c.op == sGT && branch:
		cond.Op = lang.Gt
	case c.op == sGT:
		cond.Op = lang.Le
	case c.op == sGE && branch:
		cond.Op = lang.Ge
	case c.op == sGE:
		cond.Op = lang.Lt
	case branch:
		cond.Op = lang.Eq
	default:
		cond.Op = lang.Ne
	}
	return cond
}

// simplify makes disjoint rules (from treeRules) read like what a person
// would write, without changing what they decide: it joins the word tests
// of one argument into 64-bit tests, drops contradictions and rules that
// restate the default, and merges neighbouring equality rules into sets.
func simplify(rules []xrule, def uint32) []xrule {
	var out []xrule
	for _, r := range rules {
		conds, ok := normalize(joinWords(r.Conds))
		if ok {
			out = append(out, xrule{Conds: conds, Action: r.Action})
		}
	}
	// The rules are disjoint, so the ones that restate the default can go
	// wherever they are.
	kept := out[:0]
	for _, r := range out {
		if r.Action != def {
			kept = append(kept, r)
		}
	}
	return mergeSets(mergeRanges(kept))
}

// rangeOf reads a rule as one 64-bit range of one argument plus other
// conditions: `$a0 > 40 && $a0 < 0x100000000` is a0 ∈ [41, 0xffffffff].
// It reports false when the rule has no such single range.
func rangeOf(r xrule) (arg int, lo, hi uint64, rest []xcond, ok bool) {
	arg, lo, hi = -1, 0, ^uint64(0)
	for _, c := range r.Conds {
		if c.Part != lang.Full || c.Mask != ^uint64(0) || len(c.Set) > 0 || c.Op == lang.Ne || (arg >= 0 && c.Arg != arg) {
			rest = append(rest, c)
			continue
		}
		arg = c.Arg
		switch c.Op {
		case lang.Eq:
			lo, hi = max(lo, c.Val), min(hi, c.Val)
		case lang.Lt:
			if c.Val == 0 {
				return 0, 0, 0, nil, false
			}
			hi = min(hi, c.Val-1)
		case lang.Le:
			hi = min(hi, c.Val)
		case lang.Gt:
			if c.Val == ^uint64(0) {
				return 0, 0, 0, nil, false
			}
			lo = max(lo, c.Val+1)
		case lang.Ge:
			lo = max(lo, c.Val)
		}
	}
	for _, c := range rest {
		if c.Arg == arg {
			return 0, 0, 0, nil, false // other tests of the same argument: keep as is
		}
	}
	return arg, lo, hi, rest, arg >= 0 && lo <= hi
}

// rangeConds writes a range of an argument the way a person would.
func rangeConds(arg int, lo, hi uint64) []xcond {
	c := xcond{Arg: arg, Part: lang.Full, Mask: ^uint64(0)}
	switch {
	case lo == hi:
		c.Op, c.Val = lang.Eq, lo
		return []xcond{c}
	case lo == 0 && hi == ^uint64(0):
		return nil
	case lo == 0:
		c.Op, c.Val = lang.Lt, hi+1
		return []xcond{c}
	case hi == ^uint64(0):
		c.Op, c.Val = lang.Gt, lo-1
		return []xcond{c}
	}
	c2 := c
	c.Op, c.Val = lang.Gt, lo-1
	c2.Op, c2.Val = lang.Lt, hi+1
	return []xcond{c, c2}
}

// mergeRanges joins rules with one action and the same other conditions
// whose ranges of one argument touch: the tree splits `$a0 > 40` at the
// word boundary into `> 40 && < 0x100000000` and `> 0xffffffff`. The rules
// are disjoint, so joining two of them moves nothing that could match
// first.
func mergeRanges(rules []xrule) []xrule {
	type span struct{ lo, hi uint64 }
	type group struct {
		at    int // index in out of the group's first rule
		arg   int
		rest  []xcond
		spans []span
	}
	var groups []*group
	out := make([]xrule, 0, len(rules))
	for _, r := range rules {
		arg, lo, hi, rest, ok := rangeOf(r)
		if !ok {
			out = append(out, r)
			continue
		}
		var g *group
		for _, h := range groups {
			if out[h.at].Action == r.Action && h.arg == arg && condsEqual(h.rest, rest) {
				g = h
				break
			}
		}
		if g == nil {
			g = &group{at: len(out), arg: arg, rest: rest}
			groups = append(groups, g)
			out = append(out, r)
		}
		g.spans = append(g.spans, span{lo, hi})
	}
	// Each group's first rule becomes its merged ranges, in order; the
	// group's other rules were not added to out.
	var final []xrule
	first := map[int]*group{}
	for _, g := range groups {
		first[g.at] = g
	}
	for i, r := range out {
		g, ok := first[i]
		if !ok || len(g.spans) == 1 {
			final = append(final, r) // nothing to join: the rule as it was
			continue
		}
		sort.Slice(g.spans, func(a, b int) bool { return g.spans[a].lo < g.spans[b].lo })
		merged := g.spans[:1]
		for _, sp := range g.spans[1:] {
			last := &merged[len(merged)-1]
			if last.hi != ^uint64(0) && sp.lo <= last.hi+1 {
				last.hi = max(last.hi, sp.hi)
				continue
			}
			merged = append(merged, sp)
		}
		for _, sp := range merged {
			conds := append(append([]xcond(nil), g.rest...), rangeConds(g.arg, sp.lo, sp.hi)...)
			final = append(final, xrule{Conds: conds, Action: r.Action})
		}
	}
	return final
}

func condsEqual(a, b []xcond) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Arg != y.Arg || x.Part != y.Part || x.Mask != y.Mask || x.Op != y.Op || x.Val != y.Val || len(x.Set) != len(y.Set) {
			return false
		}
		for k := range x.Set {
			if x.Set[k] != y.Set[k] {
				return false
			}
		}
	}
	return true
}

// joinWords turns `$aN.hi == H && $aN.lo == L` (unmasked) into `$aN == H<<32|L`.
func joinWords(conds []xcond) []xcond {
	out := append([]xcond(nil), conds...)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a.Part != lang.Hi || a.Op != lang.Eq || len(a.Set) > 0 {
			continue
		}
		for j := i + 1; j < len(out); j++ {
			b := out[j]
			if b.Arg != a.Arg || b.Part != lang.Lo || b.Op != lang.Eq || len(b.Set) > 0 {
				continue
			}
			if a.Mask == 0xffffffff && b.Mask == 0xffffffff {
				out[i] = xcond{Arg: a.Arg, Part: lang.Full, Mask: ^uint64(0), Op: lang.Eq, Val: a.Val<<32 | b.Val}
			} else {
				m := a.Mask<<32 | b.Mask
				out[i] = xcond{Arg: a.Arg, Part: lang.Full, Mask: m, Op: lang.Eq, Val: a.Val<<32 | b.Val}
			}
			out = append(out[:j], out[j+1:]...)
			break
		}
	}
	return out
}

// mergeSets joins consecutive rules with the same action whose conditions
// differ only in the value of one equality into one rule with a set.
func mergeSets(rules []xrule) []xrule {
	var out []xrule
	for _, r := range rules {
		if n := len(out); n > 0 {
			if k, ok := setMergeable(&out[n-1], &r); ok {
				prev := &out[n-1]
				c := prev.Conds[k]
				if len(c.Set) == 0 {
					c.Set = []uint64{c.Val}
				}
				c.Set = append(c.Set, r.Conds[k].Val)
				prev.Conds = append([]xcond(nil), prev.Conds...)
				prev.Conds[k] = c
				continue
			}
		}
		out = append(out, xrule{Conds: append([]xcond(nil), r.Conds...), Action: r.Action})
	}
	for i := range out {
		for k := range out[i].Conds {
			c := &out[i].Conds[k]
			if len(c.Set) > 0 {
				sort.Slice(c.Set, func(a, b int) bool { return c.Set[a] < c.Set[b] })
			}
		}
	}
	return out
}

func setMergeable(a, b *xrule) (int, bool) {
	if a.Action != b.Action || len(a.Conds) != len(b.Conds) {
		return 0, false
	}
	diff := -1
	for k := range a.Conds {
		x, y := a.Conds[k], b.Conds[k]
		if x.Arg == y.Arg && x.Part == y.Part && x.Mask == y.Mask && x.Op == y.Op && x.Val == y.Val && len(x.Set) == 0 && len(y.Set) == 0 {
			continue
		}
		if diff >= 0 || x.Arg != y.Arg || x.Part != y.Part || x.Mask != y.Mask || x.Op != lang.Eq || y.Op != lang.Eq || len(y.Set) > 0 {
			return 0, false
		}
		diff = k
	}
	return diff, diff >= 0
}

// rulesKey renders rules canonically, to tell rule lists apart by a string
// (Convert groups hosts by it); rulesKey(a) == rulesKey(b) exactly when
// rulesEqual(a, b).
func rulesKey(rules []xrule) string {
	var b strings.Builder
	for _, r := range rules {
		for _, c := range r.Conds {
			fmt.Fprintf(&b, "%d.%d&%x%s%x%v,", c.Arg, c.Part, c.Mask, c.Op, c.Val, c.Set)
		}
		fmt.Fprintf(&b, "=>%x;", r.Action)
	}
	return b.String()
}

// rulesEqual reports whether two rule lists are the same, condition for
// condition (a set is compared by its values; nil and empty are alike).
func rulesEqual(a, b []xrule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Action != y.Action || len(x.Conds) != len(y.Conds) {
			return false
		}
		for k := range x.Conds {
			c, d := &x.Conds[k], &y.Conds[k]
			if c.Arg != d.Arg || c.Part != d.Part || c.Mask != d.Mask || c.Op != d.Op || c.Val != d.Val || len(c.Set) != len(d.Set) {
				return false
			}
			for j := range c.Set {
				if c.Set[j] != d.Set[j] {
					return false
				}
			}
		}
	}
	return true
}

// Socket and IPC calls libseccomp multiplexes on i386: name → the call
// number in socketcall's or ipc's first argument.
var socketCalls = map[string]uint64{
	"socket": 1, "bind": 2, "connect": 3, "listen": 4, "accept": 5, "getsockname": 6,
	"getpeername": 7, "socketpair": 8, "send": 9, "recv": 10, "sendto": 11, "recvfrom": 12,
	"shutdown": 13, "setsockopt": 14, "getsockopt": 15, "sendmsg": 16, "recvmsg": 17,
	"accept4": 18, "recvmmsg": 19, "sendmmsg": 20,
}

var ipcCalls = map[string]uint64{
	"semop": 1, "semget": 2, "semctl": 3, "semtimedop": 4, "msgsnd": 11, "msgrcv": 12,
	"msgget": 13, "msgctl": 14, "shmat": 21, "shmdt": 22, "shmget": 23, "shmctl": 24,
}

// knownToLibseccomp reports whether libseccomp can resolve the name (on some
// architecture); runc skips the others.
func knownToLibseccomp(name string) bool {
	if abi.KnownAnywhere(name) {
		return true
	}
	_, s := socketCalls[name]
	_, i := ipcCalls[name]
	return s || i
}

// unconditional is the conditions of an entry without args: one call with
// none. Shared, never modified.
var unconditional = [][]scond{nil}

// runcConds is how runc turns an entry's args into seccomp_rule_add calls,
// the same for each of its names: one call with the conditions ANDed
// (sorted by index), unless two test the same argument, in which case
// every condition becomes a call of its own.
func runcConds(e *Entry) [][]scond {
	if len(e.Args) == 0 {
		return unconditional
	}
	var counts [6]int
	split := false
	for _, a := range e.Args {
		counts[a.Index]++
		split = split || counts[a.Index] > 1
	}
	conv := func(a Arg) scond {
		if a.Op == OpMaskedEQ {
			return scond{arg: a.Index, op: a.Op, mask: a.Value, datum: a.ValueTwo}
		}
		return scond{arg: a.Index, op: a.Op, mask: ^uint64(0), datum: a.Value}
	}
	all := make([]scond, len(e.Args))
	for i, a := range e.Args {
		all[i] = conv(a)
	}
	if split {
		out := make([][]scond, len(all))
		for i := range all {
			out[i] = all[i : i+1 : i+1]
		}
		return out
	}
	sort.Slice(all, func(i, j int) bool { return all[i].arg < all[j].arg })
	return [][]scond{all}
}

// abiRule is one db_rule_add on one ABI.
type abiRule struct {
	nr    uint32
	conds []scond
	// muxed is set for the socketcall/ipc copy libseccomp makes on i386.
	muxed bool
	// pseudo is set for a rule under a pseudo number: kept, never emitted.
	pseudo bool
}

// perABI is what libseccomp adds to ABI a (abi.All[ai]) for a call on the
// system call si: nothing for a name the ABI lacks; on i386, a socket or IPC
// call also (or only) becomes a rule on socketcall/ipc with the call number
// in argument 0, replacing whatever argument 0 condition the rule had. The
// rules are kept in buf, because this runs for every name and ABI.
func perABI(buf *[2]abiRule, a *abi.ABI, ai int, si *sysInfo, conds []scond) []abiRule {
	out := buf[:0]
	if a == abi.X86 && si.mux != "" {
		if nr, ok := a.Nr(si.mux); ok {
			mc := make([]scond, 1, 1+len(conds))
			mc[0] = scond{arg: 0, op: OpEQ, mask: ^uint64(0), datum: si.muxNum}
			for _, s := range conds {
				if s.arg != 0 {
					mc = append(mc, s)
				}
			}
			out = append(out, abiRule{nr: nr, conds: mc, muxed: true})
		}
	}
	if si.has[ai] {
		out = append(out, abiRule{nr: si.nr[ai], conds: conds})
	} else if a != abi.X86 {
		// libseccomp still files the rule under the name's negative
		// pseudo number, where it never reaches the BPF but can still
		// conflict with another rule for the same name (EEXIST). i386 drops
		// such rules instead (its rule_add hook handles them).
		out = append(out, abiRule{nr: si.pseudo, conds: conds, pseudo: true})
	}
	return out
}

// normalize rewrites the unmasked tests of each argument as one 64-bit range
// plus exclusions, which is how a person would write them (the tree tests
// words: `$a.hi == 0 && $a.lo < 38` is `$a < 38`). It reports false when
// the conditions contradict each other, so the rule never fires.
func normalize(conds []xcond) ([]xcond, bool) {
	type span struct {
		lo, hi uint64
		ne     []uint64
		seen   bool
	}
	var full [6]span
	var los, hiNe [6][]xcond
	var rest []xcond
	for i := range full {
		full[i] = span{lo: 0, hi: ^uint64(0)}
	}
	narrow := func(s *span, lo, hi uint64) {
		s.seen = true
		if lo > s.lo {
			s.lo = lo
		}
		if hi < s.hi {
			s.hi = hi
		}
	}
	apply := func(s *span, op lang.CmpOp, v, max uint64, shift uint, base uint64) bool {
		// v is a word value; base|v<<shift... expressed for the full
		// argument: a high word test covers whole 2^32 blocks.
		lo := func(x uint64) uint64 { return base | x<<shift }
		hi := func(x uint64) uint64 {
			if shift == 32 {
				return x<<32 | 0xffffffff
			}
			return base | x
		}
		switch op {
		case lang.Eq:
			narrow(s, lo(v), hi(v))
		case lang.Ne:
			if shift == 32 {
				return false // excluding a whole block is not a single value
			}
			s.seen = true
			s.ne = append(s.ne, base|v)
		case lang.Lt:
			if v == 0 {
				narrow(s, 1, 0)
			} else {
				narrow(s, lo(0), hi(v-1))
			}
		case lang.Le:
			narrow(s, lo(0), hi(v))
		case lang.Gt:
			if v >= max {
				narrow(s, 1, 0)
			} else {
				narrow(s, lo(v+1), hi(max))
			}
		case lang.Ge:
			narrow(s, lo(v), hi(max))
		}
		return true
	}
	for _, c := range conds {
		switch {
		case len(c.Set) > 0 || c.Mask != width(c.Part):
			rest = append(rest, c)
		case c.Part == lang.Full:
			apply(&full[c.Arg], c.Op, c.Val, ^uint64(0), 0, 0)
		case c.Part == lang.Hi:
			if !apply(&full[c.Arg], c.Op, c.Val, 0xffffffff, 32, 0) {
				hiNe[c.Arg] = append(hiNe[c.Arg], c)
			}
		default:
			los[c.Arg] = append(los[c.Arg], c)
		}
	}
	var out []xcond
	for i := 0; i < 6; i++ {
		s := &full[i]
		// Low word tests fold into the range when it lies in one 2^32 block.
		if s.seen && s.lo>>32 == s.hi>>32 {
			base := s.lo &^ 0xffffffff
			for _, c := range los[i] {
				apply(s, c.Op, c.Val, 0xffffffff, 0, base)
			}
			los[i] = nil
		}
		if s.lo > s.hi {
			return nil, false
		}
		for _, c := range hiNe[i] {
			switch {
			case c.Val < s.lo>>32 || c.Val > s.hi>>32:
				// Always true within the range.
			case s.lo>>32 != s.hi>>32:
				rest = append(rest, c)
			default:
				return nil, false
			}
		}
		if !s.seen && len(los[i]) > 0 {
			// Only the low word is tested (32-bit ABIs): the same range
			// reasoning, in 32 bits.
			w := span{lo: 0, hi: 0xffffffff}
			for _, c := range los[i] {
				apply(&w, c.Op, c.Val, 0xffffffff, 0, 0)
			}
			if w.lo > w.hi {
				return nil, false
			}
			var ne []uint64
			for _, v := range w.ne {
				if v >= w.lo && v <= w.hi {
					ne = append(ne, v)
				}
			}
			mk := func(op lang.CmpOp, v uint64) xcond {
				return xcond{Arg: i, Part: lang.Lo, Mask: 0xffffffff, Op: op, Val: v}
			}
			if w.lo == w.hi {
				for _, v := range ne {
					if v == w.lo {
						return nil, false
					}
				}
				out = append(out, mk(lang.Eq, w.lo))
			} else {
				if w.lo > 0 {
					out = append(out, mk(lang.Gt, w.lo-1))
				}
				if w.hi < 0xffffffff {
					out = append(out, mk(lang.Lt, w.hi+1))
				}
				for _, v := range ne {
					out = append(out, mk(lang.Ne, v))
				}
			}
			los[i] = nil
		}
		if s.seen {
			var ne []uint64
			for _, v := range s.ne {
				if v >= s.lo && v <= s.hi {
					ne = append(ne, v)
				}
			}
			sort.Slice(ne, func(a, b int) bool { return ne[a] < ne[b] })
			for len(ne) > 0 && ne[0] == s.lo && s.lo < s.hi {
				s.lo, ne = s.lo+1, ne[1:]
			}
			for len(ne) > 0 && ne[len(ne)-1] == s.hi && s.lo < s.hi {
				s.hi, ne = s.hi-1, ne[:len(ne)-1]
			}
			if len(ne) > 0 && s.lo == s.hi && ne[0] == s.lo {
				return nil, false
			}
			mk := func(op lang.CmpOp, v uint64) xcond {
				return xcond{Arg: i, Part: lang.Full, Mask: ^uint64(0), Op: op, Val: v}
			}
			switch {
			case s.lo == s.hi:
				out = append(out, mk(lang.Eq, s.lo))
				ne = nil
			default:
				if s.lo > 0 {
					out = append(out, mk(lang.Gt, s.lo-1))
				}
				if s.hi < ^uint64(0) {
					out = append(out, mk(lang.Lt, s.hi+1))
				}
			}
			for _, v := range ne {
				out = append(out, mk(lang.Ne, v))
			}
		}
		out = append(out, los[i]...)
	}
	for _, c := range rest {
		if c.constant() == 1 {
			continue
		}
		if c.constant() == 0 {
			return nil, false
		}
		out = append(out, c)
	}
	return out, true
}
