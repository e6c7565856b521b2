// Package verify checks a compiled filter against the policies it was
// compiled from: the BPF interpreter (package bpf) must return, for every
// input it tries, what the reference evaluation of the resolved rules
// (package resolve) returns.
//
// The inputs are chosen to cover every case, not a sample: every interval
// boundary of nr that the policy or the program tests, every known system
// call number, and for the arguments every boundary of every constant the
// rules compare a word with (K-1, K, K+1, and masked-bit variants), crossed
// over the words a call's rules test. When that product is too large for a
// call, a seeded sample is tried instead and the report says so.
package verify

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/resolve"
)

// ForeignArch is an AUDIT_ARCH no target accepts (ppc64le), tried on every
// filter: it must get the bad-ABI action.
const ForeignArch = 0xc0000015

// maxCombos bounds the argument inputs tried exhaustively per system call
// number; past it, that many are sampled.
const maxCombos = 1024

// spotCombos is the sample size for numbers tried only as spot checks:
// known system calls strictly inside an nr piece, where filter and policy
// already agree on the piece's cut points (secc's filters test nr only with
// JEQ/JGT/JGE, so they cannot tell numbers inside one piece apart).
const spotCombos = 16

// Report says what was checked.
type Report struct {
	Inputs int // filter runs compared
	// SampledCalls counts (arch, nr) points whose argument space was
	// sampled rather than covered boundary by boundary.
	SampledCalls int
}

func (r Report) String() string {
	s := fmt.Sprintf("verified %d inputs", r.Inputs)
	if r.SampledCalls > 0 {
		s += fmt.Sprintf(" (argument space sampled for %d calls)", r.SampledCalls)
	}
	return s
}

// Mismatch is a verification failure with everything needed to reproduce it.
type Mismatch struct {
	Data     bpf.SeccompData
	Want     uint32 // reference
	Got      uint32 // filter
	RunError error
}

func (m *Mismatch) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "filter disagrees with the policy: arch=%#x nr=%#x args=[", m.Data.Arch, uint32(m.Data.Nr))
	for i, a := range m.Data.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%#x", a)
	}
	fmt.Fprintf(&b, "]: policy says %s, filter returns %s", bpf.ActionString(m.Want), bpf.ActionString(m.Got))
	if m.RunError != nil {
		fmt.Fprintf(&b, " (%v)", m.RunError)
	}
	return b.String()
}

// Reference is the meaning of a filter per LANGUAGE.md §7, written
// independently of the compiler's decision stage.
type Reference struct {
	Policies []*resolve.Policy // one per accepted ABI
	BadABI   uint32
}

// Eval returns the action the policies give to one call.
func (r *Reference) Eval(d *bpf.SeccompData) uint32 {
	p := r.policyFor(d.Arch, uint32(d.Nr))
	if p == nil {
		return r.BadABI
	}
	return p.Eval(uint32(d.Nr), &d.Args)
}

func (r *Reference) policyFor(arch, nr uint32) *resolve.Policy {
	want := ""
	switch arch {
	case abi.AuditArchX86_64:
		want = "x86_64"
		if nr >= abi.X32Bit && nr != 0xffffffff {
			want = "x32"
		}
	case abi.AuditArchI386:
		want = "x86"
	case abi.AuditArchAarch64:
		want = "aarch64"
	case abi.AuditArchARM:
		want = "arm"
	}
	var x32 *resolve.Policy
	for _, p := range r.Policies {
		if p.ABI.Name == want {
			return p
		}
		if p.ABI.Name == "x32" {
			x32 = p
		}
	}
	if arch == abi.AuditArchX86_64 && nr == 0xffffffff {
		return x32 // a tracer's -1 with only x32 accepted
	}
	return nil
}

// Verify compares prog with the reference on the covering inputs.
func Verify(prog []xbpf.RawInstruction, ref *Reference) (Report, error) {
	shared := &verifier{prog: prog, ref: ref}
	shared.progConsts()
	// Every arch a policy is for, every other arch secc knows, a foreign
	// one, and both sides of every value the program compares the arch
	// with.
	arches := []uint32{ForeignArch}
	for _, k := range shared.archK {
		arches = around(arches, k)
	}
	for _, a := range abi.All {
		arches = append(arches, a.AuditArch)
	}
	slices.Sort(arches)
	arches = slices.Compact(arches)
	base := shared.basePoints()
	// The arches are independent: each gets a verifier of its own (its
	// own seeded sample and memos) and they run at once. The report adds
	// them up; the first mismatch in arch order is the one returned.
	reports := make([]Report, len(arches))
	errs := make([]error, len(arches))
	var wg sync.WaitGroup
	for i, arch := range arches {
		wg.Go(func() {
			v := &verifier{prog: prog, ref: ref, nrK: shared.nrK, archK: shared.archK, argK: shared.argK,
				rng: rand.New(rand.NewPCG(1, uint64(arch))), words: map[string][]wordVals{}, sets: map[*resolve.Policy][]resolve.Set{}}
			errs[i] = v.arch(arch, base)
			reports[i] = v.report
		})
	}
	wg.Wait()
	var total Report
	for i := range arches {
		total.Inputs += reports[i].Inputs
		total.SampledCalls += reports[i].SampledCalls
	}
	for _, err := range errs {
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// arch checks every number chosen for one arch.
func (v *verifier) arch(arch uint32, base []uint32) error {
	cuts, spots := v.nrPoints(arch, base)
	for _, nr := range cuts {
		if err := v.call(arch, nr, maxCombos); err != nil {
			return err
		}
	}
	for _, nr := range spots {
		if err := v.call(arch, nr, spotCombos); err != nil {
			return err
		}
	}
	return nil
}

// verifier checks one arch (prog, ref and the program's constants are
// shared, read only).
type verifier struct {
	prog   []xbpf.RawInstruction
	ref    *Reference
	report Report
	rng    *rand.Rand
	nrK    []uint32                          // K compared with nr, or with an accumulator of unknown origin
	archK  []uint32                          // K compared with the arch
	argK   map[uint32][]uint32               // K compared right after loading an argument word, by offset
	words  map[string][]wordVals             // wordValues by pieceKey
	sets   map[*resolve.Policy][]resolve.Set // each policy's distinct nr sets
}

// progConsts collects the constants the program compares with, by what the
// accumulator holds, so that the inputs also cut where the filter (perhaps
// wrongly) cuts. A compare whose accumulator the scan cannot name counts
// for nr and the arch both.
func (v *verifier) progConsts() {
	v.argK = map[uint32][]uint32{}
	const unknown = ^uint32(0)
	loaded := unknown
	for _, ins := range v.prog {
		switch {
		case ins.Op == bpf.OpLdAbsW:
			loaded = ins.K
		case ins.Op&0x07 == 0x05 && ins.Op != bpf.OpJA: // conditional jump
			switch {
			case loaded == bpf.OffNr:
				v.nrK = append(v.nrK, ins.K)
			case loaded == bpf.OffArch:
				v.archK = append(v.archK, ins.K)
			case loaded >= bpf.OffArgs && loaded < bpf.DataSize:
				v.argK[loaded] = append(v.argK[loaded], ins.K)
			default:
				v.nrK = append(v.nrK, ins.K)
				v.archK = append(v.archK, ins.K)
			}
		case ins.Op&0x07 == 0x06 || ins.Op == bpf.OpJA: // RET, JA: A is unchanged for the next block
		case ins.Op&0x07 == 0x04 && ins.Op&0xf0 == 0x50 && ins.Op&0x08 == 0: // AND K keeps the word's origin
		default:
			loaded = unknown
		}
	}
}

// around adds k-1, k and k+1 to pts.
func around(pts []uint32, k uint32) []uint32 { return append(pts, k-1, k, k+1) }

// basePoints are the numbers tried for every arch: both sides of every
// number the program compares nr with, and the x32 edges.
func (v *verifier) basePoints() []uint32 {
	var pts []uint32
	for _, k := range []uint32{0, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0xbfffffff, 0xc0000000, 0xfffffffe, 0xffffffff} {
		pts = around(pts, k)
	}
	for _, k := range v.nrK {
		pts = around(pts, k)
	}
	slices.Sort(pts)
	return slices.Compact(pts)
}

// nrPoints are the numbers tried for an arch: cuts are the base points and
// both sides of every cut the arch's policies make; spots are the known
// calls of those policies that are not cuts.
func (v *verifier) nrPoints(arch uint32, base []uint32) (cuts, spots []uint32) {
	cuts = append(cuts, base...)
	var known []uint32
	for _, p := range v.ref.Policies {
		if p.ABI.AuditArch != arch {
			continue
		}
		for _, sc := range p.ABI.Syscalls() {
			known = append(known, sc.Nr)
		}
		for _, r := range p.Rules {
			resolve.NrSets(r.Cond, func(s resolve.Set) {
				for _, rg := range s {
					cuts = around(cuts, rg.Lo)
					cuts = around(cuts, rg.Hi)
				}
			})
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	for _, nr := range known {
		if _, found := slices.BinarySearch(cuts, nr); !found {
			spots = append(spots, nr)
		}
	}
	slices.Sort(spots)
	return cuts, slices.Compact(spots)
}

// call checks every argument input for one (arch, nr).
func (v *verifier) call(arch, nr uint32, budget int) error {
	words := v.wordValues(arch, nr)
	total := 1
	for _, w := range words {
		total *= len(w.vals)
		if total > budget {
			break
		}
	}
	d := bpf.SeccompData{Nr: int32(nr), Arch: arch}
	if total <= budget {
		return v.cross(&d, words, 0)
	}
	if budget == maxCombos {
		v.report.SampledCalls++
	}
	for i := 0; i < budget; i++ {
		d.Args = [6]uint64{}
		for _, w := range words {
			setWord(&d.Args, w.off, w.vals[v.rng.IntN(len(w.vals))])
		}
		if err := v.check(&d); err != nil {
			return err
		}
	}
	return nil
}

type wordVals struct {
	off  uint32 // offset in seccomp_data
	vals []uint32
}

func setWord(args *[6]uint64, off uint32, val uint32) {
	i := (off - 16) / 8
	if (off-16)%8 == 4 {
		args[i] = args[i]&0xffffffff | uint64(val)<<32
	} else {
		args[i] = args[i]&^0xffffffff | uint64(val)
	}
}

func (v *verifier) cross(d *bpf.SeccompData, words []wordVals, i int) error {
	if i == len(words) {
		return v.check(d)
	}
	for _, val := range words[i].vals {
		setWord(&d.Args, words[i].off, val)
		if err := v.cross(d, words, i+1); err != nil {
			return err
		}
	}
	return nil
}

func (v *verifier) check(d *bpf.SeccompData) error {
	v.report.Inputs++
	want := v.ref.Eval(d)
	got, _, err := bpf.Run(v.prog, d)
	if err != nil || got != want {
		return &Mismatch{Data: *d, Want: want, Got: got, RunError: err}
	}
	return nil
}

// wordValues lists, for each argument word the rules test for this call,
// the values that reach every boundary of every comparison on that word.
func (v *verifier) wordValues(arch, nr uint32) []wordVals {
	p := v.ref.policyFor(arch, nr)
	if p == nil {
		return nil
	}
	// Numbers that every nr test of the policy puts on the same side have
	// the same argument rules: work them out once.
	key := v.pieceKey(p, nr)
	if w, ok := v.words[key]; ok {
		return w
	}
	vals := map[uint32][]uint32{}
	add := func(off, k uint32, mask uint32) {
		m := vals[off]
		if m == nil {
			m = []uint32{0, 0xffffffff}
		}
		m = around(m, k)
		if mask != 0xffffffff {
			m = append(m, k|^mask)
			for bit := uint32(1); bit != 0; bit <<= 1 {
				if mask&bit != 0 {
					m = append(m, k^bit)
				}
			}
		}
		vals[off] = m
	}
	for _, r := range p.Rules {
		c := resolve.Restrict(r.Cond, nr)
		for _, a := range resolve.ArgAtoms(c) {
			lo, hi := uint32(16+8*a.Arg), uint32(16+8*a.Arg+4)
			add(lo, uint32(a.Val), uint32(a.Mask))
			add(hi, uint32(a.Val>>32), uint32(a.Mask>>32))
		}
		if c == resolve.Const(true) {
			break
		}
	}
	var out []wordVals
	for off, m := range vals {
		for _, k := range v.argK[off] {
			m = around(m, k)
		}
		slices.Sort(m)
		out = append(out, wordVals{off: off, vals: slices.Compact(m)})
	}
	slices.SortFunc(out, func(a, b wordVals) int { return int(a.off) - int(b.off) })
	v.words[key] = out
	return out
}

// pieceKey names p and which of its nr sets hold nr.
func (v *verifier) pieceKey(p *resolve.Policy, nr uint32) string {
	sets, ok := v.sets[p]
	if !ok {
		seen := map[string]bool{}
		for _, r := range p.Rules {
			resolve.NrSets(r.Cond, func(s resolve.Set) {
				if k := s.String(); !seen[k] {
					seen[k] = true
					sets = append(sets, s)
				}
			})
		}
		v.sets[p] = sets
	}
	key := make([]byte, 0, len(p.ABI.Name)+1+len(sets))
	key = append(append(key, p.ABI.Name...), ':')
	for _, s := range sets {
		if s.Contains(nr) {
			key = append(key, '1')
		} else {
			key = append(key, '0')
		}
	}
	return string(key)
}
