// Package decide computes, for every ABI a filter accepts, its decision over
// (nr, args): the number space cut into intervals, each mapped to a node of a
// hash-consed decision DAG over 32-bit argument word tests (DESIGN.md idea 1).
//
// It takes the resolved policies (package resolve) and gives a Decision per
// AUDIT_ARCH value; x86_64 and x32 share one, told apart by bit 30 of nr. The
// backend (package bpf) turns a Decision into instructions.
package decide

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/resolve"
)

// Interval maps the numbers Lo..Hi (inclusive) to a decision.
type Interval struct {
	Lo, Hi uint32
	Node   *Node
}

// Arch is the decision for one AUDIT_ARCH value.
type Arch struct {
	AuditArch uint32
	ABIs      []*abi.ABI
	// Intervals cover 0..2^32-1 in order; neighbours have different nodes.
	Intervals []Interval
}

// Decision is the whole filter's meaning.
type Decision struct {
	Arches  []Arch
	BadABI  uint32 // returned for any other AUDIT_ARCH
	Builder *Builder
}

// Lookup returns the decision node for (arch, nr), or nil for a bad ABI.
func (d *Decision) Lookup(arch, nr uint32) *Node {
	for _, a := range d.Arches {
		if a.AuditArch != arch {
			continue
		}
		i := sort.Search(len(a.Intervals), func(i int) bool { return a.Intervals[i].Hi >= nr })
		return a.Intervals[i].Node
	}
	return nil
}

// Eval is the filter's decision as the DAG states it.
func (d *Decision) Eval(arch, nr uint32, args *[6]uint64) uint32 {
	n := d.Lookup(arch, nr)
	if n == nil {
		return d.BadABI
	}
	return n.Eval(args)
}

// Segment is a part of one AUDIT_ARCH's number space and the policy that
// decides it; a nil Policy means the bad-ABI action.
type Segment struct {
	Lo, Hi uint32
	Policy *resolve.Policy
}

// Segments says which policy decides which numbers of an AUDIT_ARCH,
// following LANGUAGE.md §7: on x86_64, numbers from 0x40000000 to
// 0xfffffffe are x32 calls (a bad ABI unless x32 is accepted), and
// 0xffffffff, the number a tracer writes to skip a call, goes through the
// native rules (x32's when x32 alone is accepted), as in libseccomp.
func Segments(audit uint32, policies []*resolve.Policy) []Segment {
	var native, x32 *resolve.Policy
	for _, p := range policies {
		if p.ABI.AuditArch != audit {
			continue
		}
		if p.ABI == abi.X32 {
			x32 = p
		} else {
			native = p
		}
	}
	if audit != abi.AuditArchX86_64 {
		return []Segment{{0, ^uint32(0), native}}
	}
	skip := native // -1 follows the native rules, or x32's when only x32 is accepted
	if skip == nil {
		skip = x32
	}
	return []Segment{
		{0x00000000, abi.X32Bit - 1, native},
		{abi.X32Bit, 0xfffffffe, x32},
		{0xffffffff, 0xffffffff, skip},
	}
}

// Decide builds the decision for the given policies (one per accepted ABI).
func Decide(policies []*resolve.Policy, badABI uint32) (*Decision, error) {
	d := &Decision{BadABI: badABI, Builder: NewBuilder()}
	for _, p := range policies {
		found := false
		for i := range d.Arches {
			if d.Arches[i].AuditArch == p.ABI.AuditArch {
				d.Arches[i].ABIs = append(d.Arches[i].ABIs, p.ABI)
				found = true
			}
		}
		if !found {
			d.Arches = append(d.Arches, Arch{AuditArch: p.ABI.AuditArch, ABIs: []*abi.ABI{p.ABI}})
		}
	}
	bad := d.Builder.Leaf(badABI)
	cache := map[*resolve.Policy]*policyCache{}
	for i := range d.Arches {
		a := &d.Arches[i]
		for _, seg := range Segments(a.AuditArch, policies) {
			if seg.Policy == nil {
				a.Intervals = appendInterval(a.Intervals, Interval{seg.Lo, seg.Hi, bad})
				continue
			}
			pc := cache[seg.Policy]
			if pc == nil {
				pc = newPolicyCache(seg.Policy)
				cache[seg.Policy] = pc
			}
			for _, piece := range pc.pieces(seg.Lo, seg.Hi) {
				n, err := pc.node(d.Builder, piece.Lo)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", seg.Policy.ABI.Name, err)
				}
				a.Intervals = appendInterval(a.Intervals, Interval{piece.Lo, piece.Hi, n})
			}
		}
	}
	return d, nil
}

func appendInterval(list []Interval, iv Interval) []Interval {
	if n := len(list); n > 0 && list[n-1].Node == iv.Node && list[n-1].Hi+1 == iv.Lo {
		list[n-1].Hi = iv.Hi
		return list
	}
	return append(list, iv)
}

// policyCache computes residual decisions of one policy, sharing the work
// between numbers on which every nr test of the policy agrees.
type policyCache struct {
	p      *resolve.Policy
	sets   []resolve.Set // distinct nr sets the policy tests
	cuts   []uint32      // sorted numbers where some set starts or ends+1
	byMask map[string]*Node
	merge  bool // join neighbouring rules with one action
}

func newPolicyCache(p *resolve.Policy) *policyCache {
	pc := &policyCache{p: p, byMask: map[string]*Node{}, merge: true}
	seen := map[string]bool{}
	cuts := map[uint32]bool{}
	for _, r := range p.Rules {
		resolve.NrSets(r.Cond, func(s resolve.Set) {
			k := s.String()
			if seen[k] {
				return
			}
			seen[k] = true
			pc.sets = append(pc.sets, s)
			for _, rg := range s {
				cuts[rg.Lo] = true
				if rg.Hi != ^uint32(0) {
					cuts[rg.Hi+1] = true
				}
			}
		})
	}
	for c := range cuts {
		pc.cuts = append(pc.cuts, c)
	}
	sort.Slice(pc.cuts, func(i, j int) bool { return pc.cuts[i] < pc.cuts[j] })
	return pc
}

// pieces cuts lo..hi where the policy's nr tests change.
func (pc *policyCache) pieces(lo, hi uint32) []resolve.Range {
	i := sort.Search(len(pc.cuts), func(i int) bool { return pc.cuts[i] > lo })
	var out []resolve.Range
	start := lo
	for ; i < len(pc.cuts) && pc.cuts[i] <= hi; i++ {
		out = append(out, resolve.Range{Lo: start, Hi: pc.cuts[i] - 1})
		start = pc.cuts[i]
	}
	return append(out, resolve.Range{Lo: start, Hi: hi})
}

// node returns the decision for system call number nr.
func (pc *policyCache) node(b *Builder, nr uint32) (*Node, error) {
	var key strings.Builder
	for _, s := range pc.sets {
		if s.Contains(nr) {
			key.WriteByte('1')
		} else {
			key.WriteByte('0')
		}
	}
	if n, ok := pc.byMask[key.String()]; ok {
		return n, nil
	}
	var rules []argRule
	for _, r := range pc.p.Rules {
		c := resolve.Restrict(r.Cond, nr)
		if c == resolve.Const(false) {
			continue
		}
		f := lower(c)
		// Neighbouring rules with one action are one rule: their tests can
		// then be taken in any order (see splitTest).
		if n := len(rules); pc.merge && n > 0 && rules[n-1].action == r.Action {
			rules[n-1].f = fOr{rules[n-1].f, f}
		} else {
			rules = append(rules, argRule{f: f, action: r.Action, size: formulaSize(f)})
		}
		if c == resolve.Const(true) {
			break
		}
	}
	n, err := b.residual(rules)
	if err != nil {
		return nil, err
	}
	pc.byMask[key.String()] = n
	return n, nil
}

// FiringRules reports which rules of p can decide some call: for each rule
// index, whether an input exists (a number of p's ABI, any arguments) for
// which it is the first rule that holds. The answer errs only towards
// "fires": argument tests whose combination is impossible only through
// masks may keep a rule that never fires. lint uses it to find rules that
// earlier rules shadow.
func FiringRules(p *resolve.Policy) ([]bool, error) {
	fires := make([]bool, len(p.Rules))
	// The rule's index stands in for its action, so the leaves of the
	// decision say which rule decided.
	tagged := &resolve.Policy{ABI: p.ABI, Rules: make([]resolve.Rule, len(p.Rules))}
	for i, r := range p.Rules {
		tagged.Rules[i] = r
		tagged.Rules[i].Action = uint32(i)
	}
	b := NewBuilder()
	pc := newPolicyCache(tagged)
	pc.merge = false
	for _, piece := range pc.pieces(0, ^uint32(0)) {
		if _, err := pc.node(b, piece.Lo); err != nil {
			return nil, err
		}
	}
	for _, n := range b.Nodes() {
		if n.Leaf {
			fires[n.Action] = true
		}
	}
	return fires, nil
}
