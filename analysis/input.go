package analysis

import (
	"fmt"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/lang"
)

// Kind says what an input was.
type Kind int

const (
	KindPolicy  Kind = iota // a .sec policy, compiled
	KindProfile             // a JSON profile, lowered and compiled
	KindRaw                 // a raw struct sock_filter array
)

func (k Kind) String() string {
	switch k {
	case KindProfile:
		return "JSON profile"
	case KindRaw:
		return "raw filter"
	}
	return "policy"
}

// Input is a filter to analyse, whatever it came from. Policies and
// profiles are compiled first, so every input has a program and the tools
// that read programs serve all three kinds alike.
type Input struct {
	Name  string
	Kind  Kind
	Insns []xbpf.RawInstruction
	// Target is the machine the filter is for: the compile target, or for
	// a raw filter the one whose arches it checks (nil when it checks none).
	Target         *abi.Target
	TargetInferred bool
	// ABIs are the ABIs the filter accepts: as compiled, or for a raw
	// filter those of the target it decides other than as a bad ABI.
	ABIs     []*abi.ABI
	Explored *Result

	// Policies and profiles only.
	File     *lang.File
	Policies []*resolve.Policy
	Sources  diag.Sources
	Diags    diag.List // warnings of the compilation
	// Default is the policy's final action (the action of its last,
	// unconditional rule) on the first ABI.
	Default uint32
}

// FromFilter explores a raw filter and infers its target and ABIs from
// the arch checks it makes.
func FromFilter(name string, prog []xbpf.RawInstruction) (*Input, error) {
	r, err := Explore(prog)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	in := &Input{Name: name, Kind: KindRaw, Insns: prog, Explored: r, TargetInferred: true}
	for _, t := range abi.Targets {
		for _, a := range t.ABIs {
			if r.Distinguishes(a.AuditArch) && in.Target == nil {
				in.Target = t
			}
		}
	}
	if in.Target != nil {
		for _, a := range in.Target.ABIs {
			if r.handles(a) {
				in.ABIs = append(in.ABIs, a)
			}
		}
	}
	return in, nil
}

// otherArch returns a region for arches the program does not tell apart,
// if there is one (a program that tests every one of 2^32 values has none).
func (r *Result) otherArch() *ArchRegion {
	for i := range r.Regions {
		if reg := &r.Regions[i]; reg.Lo != reg.Hi {
			return reg
		}
	}
	return nil
}

// constantRegion returns the action of a region that decides every call
// alike.
func constantRegion(reg *ArchRegion) (uint32, bool) {
	if len(reg.Intervals) != 1 {
		return 0, false
	}
	return reg.Intervals[0].Node.Constant()
}

// handles reports whether the program accepts ABI a: it has a region of
// its own for a's arch, and does not give every system call of a the
// action it gives unknown arches (as secc and libseccomp do for x32 when
// only x86_64 is accepted).
func (r *Result) handles(a *abi.ABI) bool {
	if !r.Distinguishes(a.AuditArch) {
		return false
	}
	bad, badOK := uint32(0), false
	if o := r.otherArch(); o != nil {
		bad, badOK = constantRegion(o)
	}
	first := true
	var act uint32
	for _, sc := range a.Syscalls() {
		v, ok := r.Lookup(a.AuditArch, sc.Nr).Node.Constant()
		if !ok {
			return true
		}
		if first {
			act, first = v, false
		} else if v != act {
			return true
		}
	}
	return first || !badOK || act != bad
}

// inDomain reports whether nr is a number of ABI a as the filter sees it:
// x86_64 and x32 share an arch and split it by bit 30, except -1, which
// goes through the native rules (LANGUAGE.md §7).
func inDomain(a *abi.ABI, nr uint32) bool {
	if a.AuditArch != abi.AuditArchX86_64 {
		return true
	}
	x32 := nr&abi.X32Bit != 0 && nr != ^uint32(0)
	return x32 == (a == abi.X32)
}
