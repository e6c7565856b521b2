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
	"sort"
	"strings"

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
	v := &verifier{prog: prog, ref: ref, rng: rand.New(rand.NewPCG(1, 2))}
	v.progConsts()
	arches := map[uint32]bool{ForeignArch: true}
	for _, a := range abi.All {
		arches[a.AuditArch] = true
	}
	for _, k := range v.kConsts {
		arches[k] = true
	}
	for arch := range arches {
		cuts, spots := v.nrPoints(arch)
		for _, nr := range cuts {
			if err := v.call(arch, nr, maxCombos); err != nil {
				return v.report, err
			}
		}
		for _, nr := range spots {
			if err := v.call(arch, nr, spotCombos); err != nil {
				return v.report, err
			}
		}
	}
	return v.report, nil
}

type verifier struct {
	prog    []xbpf.RawInstruction
	ref     *Reference
	report  Report
	rng     *rand.Rand
	kConsts []uint32            // every K a conditional jump compares with
	argK    map[uint32][]uint32 // K compared right after loading an argument word, by offset
	args    [6]uint64
}

// progConsts collects the constants the program compares with, so that
// the inputs also cut where the filter (perhaps wrongly) cuts.
func (v *verifier) progConsts() {
	v.argK = map[uint32][]uint32{}
	seen := map[uint32]bool{}
	lastLoad := ^uint32(0)
	for _, ins := range v.prog {
		switch {
		case ins.Op == 0x20: // LD W ABS
			lastLoad = ins.K
		case ins.Op&0x07 == 0x05 && ins.Op != 0x05: // conditional JMP K
			if !seen[ins.K] {
				seen[ins.K] = true
				v.kConsts = append(v.kConsts, ins.K)
			}
			if lastLoad >= 16 && lastLoad < 64 {
				v.argK[lastLoad] = append(v.argK[lastLoad], ins.K)
			}
		}
	}
}

func around(out map[uint32]bool, k uint32) {
	out[k] = true
	out[k-1] = true
	out[k+1] = true
}

// nrPoints are the numbers tried for an arch: cuts are both sides of every
// cut the policies or the program make, and the x32 edges; spots are the
// known calls that are not cuts.
func (v *verifier) nrPoints(arch uint32) (cuts, spots []uint32) {
	pts := map[uint32]bool{}
	known := map[uint32]bool{}
	for _, k := range []uint32{0, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0xbfffffff, 0xc0000000, 0xfffffffe, 0xffffffff} {
		around(pts, k)
	}
	for _, k := range v.kConsts {
		around(pts, k)
	}
	for _, p := range v.ref.Policies {
		if p.ABI.AuditArch != arch {
			continue
		}
		for _, sc := range p.ABI.Syscalls() {
			known[sc.Nr] = true
		}
		for _, r := range p.Rules {
			resolve.NrSets(r.Cond, func(s resolve.Set) {
				for _, rg := range s {
					around(pts, rg.Lo)
					around(pts, rg.Hi)
				}
			})
		}
	}
	for k := range pts {
		cuts = append(cuts, k)
	}
	for k := range known {
		if !pts[k] {
			spots = append(spots, k)
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i] < cuts[j] })
	sort.Slice(spots, func(i, j int) bool { return spots[i] < spots[j] })
	return cuts, spots
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
	vals := map[uint32]map[uint32]bool{}
	add := func(off, k uint32, mask uint32) {
		m := vals[off]
		if m == nil {
			m = map[uint32]bool{0: true, 0xffffffff: true}
			vals[off] = m
		}
		around(m, k)
		if mask != 0xffffffff {
			m[k|^mask] = true
			for bit := uint32(1); bit != 0; bit <<= 1 {
				if mask&bit != 0 {
					m[k^bit] = true
				}
			}
		}
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
			around(m, k)
		}
		w := wordVals{off: off}
		for x := range m {
			w.vals = append(w.vals, x)
		}
		sort.Slice(w.vals, func(i, j int) bool { return w.vals[i] < w.vals[j] })
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].off < out[j].off })
	return out
}
