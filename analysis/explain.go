package analysis

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
)

// ExplainOptions select what Explain shows.
type ExplainOptions struct {
	// ABIs to show; nil: the ABIs the filter accepts (for a raw filter
	// without any arch check, the host target's native ABI).
	ABIs []*abi.ABI
	// Only keeps "denied" (constant non-permissive), "allowed" (constant
	// ALLOW or LOG) or "args" (argument-dependent) rows; "" keeps all.
	Only string
	// Host is the ABI to read numbers with when the filter checks no arch.
	Host *abi.ABI
}

// Explanation is what a filter does, per ABI and system call.
type Explanation struct {
	Input          string `json:"input"`
	Kind           string `json:"kind"`
	Target         string `json:"target,omitempty"`
	TargetInferred bool   `json:"target_inferred,omitempty"`
	// OtherArch is the decision for arches the filter does not tell apart.
	OtherArch string `json:"other_arch"`
	// Accepts are the ABIs the filter accepts: those shown may be fewer
	// (--abi) or include ABIs it rejects.
	Accepts []string `json:"accepts,omitempty"`
	// NoArchCheck is set when the filter treats every arch alike.
	NoArchCheck bool              `json:"no_arch_check,omitempty"`
	ABIs        []*ABIExplanation `json:"abis"`
}

// ABIExplanation is the table of one ABI.
type ABIExplanation struct {
	ABI       string `json:"abi"`
	AuditArch uint32 `json:"audit_arch"`
	// Accepted is false for an ABI shown although the filter does not
	// accept it (asked for with --abi).
	Accepted bool              `json:"accepted"`
	Syscalls []SyscallDecision `json:"syscalls"`
	// Others are the numbers without a system call name, grouped by
	// decision.
	Others []OtherNumbers `json:"other_numbers,omitempty"`
}

// SyscallDecision is one row.
type SyscallDecision struct {
	Name     string   `json:"name"`
	Nr       uint32   `json:"nr"`
	Decision Decision `json:"decision"`
	// Cached: the kernel's constant-action cache skips the filter for it.
	Cached bool `json:"cached"`
}

// OtherNumbers are numbers with no name on the ABI that share a decision.
type OtherNumbers struct {
	Ranges   []string `json:"ranges"`
	Decision Decision `json:"decision"`
}

// describer caches Describe per interval node.
type describer map[*Interval]Decision

func (d describer) of(iv *Interval) Decision {
	if dec, ok := d[iv]; ok {
		return dec
	}
	dec := Describe(iv.Node, iv.Samples)
	d[iv] = dec
	return dec
}

// showABIs returns the ABIs to show and whether each is accepted.
func (in *Input) showABIs(opts ExplainOptions) []*abi.ABI {
	if len(opts.ABIs) > 0 {
		return opts.ABIs
	}
	if len(in.ABIs) > 0 {
		return in.ABIs
	}
	if opts.Host != nil {
		return []*abi.ABI{opts.Host}
	}
	return []*abi.ABI{abi.X86_64}
}

func accepted(in *Input, a *abi.ABI) bool {
	for _, b := range in.ABIs {
		if a == b {
			return true
		}
	}
	return false
}

// Explain builds the explanation of an input.
func Explain(in *Input, opts ExplainOptions) *Explanation {
	r := in.Explored
	ex := &Explanation{Input: in.Name, Kind: in.Kind.String(), TargetInferred: in.TargetInferred && in.Target != nil}
	if in.Target != nil {
		ex.Target = in.Target.Name
	}
	ex.NoArchCheck = len(r.Regions) == 1
	for _, a := range in.ABIs {
		ex.Accepts = append(ex.Accepts, a.Name)
	}
	ds := describer{}
	if o := r.otherArch(); o != nil {
		if a, ok := constantRegion(o); ok {
			ex.OtherArch = ActionName(a)
		} else {
			ex.OtherArch = "<depends on the system call number>"
		}
	} else {
		ex.OtherArch = "<none: every arch value is tested>"
	}
	for _, a := range in.showABIs(opts) {
		ae := &ABIExplanation{ABI: a.Name, AuditArch: a.AuditArch, Accepted: accepted(in, a)}
		for _, sc := range a.Syscalls() {
			iv := r.Lookup(a.AuditArch, sc.Nr)
			dec := ds.of(iv)
			if !keep(dec, opts.Only) {
				continue
			}
			row := SyscallDecision{Name: sc.Name, Nr: sc.Nr, Decision: dec}
			if act, ok := iv.Node.Constant(); ok && act == bpf.RetAllow {
				row.Cached = Cached(in.Insns, a, sc.Nr)
			}
			ae.Syscalls = append(ae.Syscalls, row)
		}
		ae.Others = otherNumbers(r, a, ds, opts.Only)
		ex.ABIs = append(ex.ABIs, ae)
	}
	return ex
}

func keep(d Decision, only string) bool {
	switch only {
	case "denied":
		return d.Constant && !permissive(d.Outcomes[0].Action)
	case "allowed":
		return d.Constant && permissive(d.Outcomes[0].Action)
	case "args":
		return !d.Constant
	}
	return true
}

// otherNumbers groups the nameless numbers of ABI a by decision.
func otherNumbers(r *Result, a *abi.ABI, ds describer, only string) []OtherNumbers {
	reg := r.Region(a.AuditArch)
	named := a.Syscalls()
	byText := map[string]*OtherNumbers{}
	var order []string
	add := func(lo, hi uint32, iv *Interval) {
		if lo > hi {
			return
		}
		dec := ds.of(iv)
		if !keep(dec, only) {
			return
		}
		o := byText[dec.Text]
		if o == nil {
			o = &OtherNumbers{Decision: dec}
			byText[dec.Text] = o
			order = append(order, dec.Text)
		}
		if lo == hi {
			o.Ranges = append(o.Ranges, hexOrDec(uint64(lo)))
		} else {
			o.Ranges = append(o.Ranges, hexOrDec(uint64(lo))+".."+hexOrDec(uint64(hi)))
		}
	}
	for i := range reg.Intervals {
		iv := &reg.Intervals[i]
		for _, d := range domainPieces(a, iv.Lo, iv.Hi) {
			// Walk the named numbers inside [d.Lo, d.Hi] and emit the gaps.
			j := sort.Search(len(named), func(j int) bool { return named[j].Nr >= d.Lo })
			next := uint64(d.Lo)
			for ; j < len(named) && named[j].Nr <= d.Hi; j++ {
				if uint64(named[j].Nr) > next {
					add(uint32(next), named[j].Nr-1, iv)
				}
				next = uint64(named[j].Nr) + 1
			}
			if next <= uint64(d.Hi) {
				add(uint32(next), d.Hi, iv)
			}
		}
	}
	out := make([]OtherNumbers, 0, len(order))
	for _, t := range order {
		out = append(out, *byText[t])
	}
	return out
}

// domainPieces intersects lo..hi with the numbers of ABI a.
func domainPieces(a *abi.ABI, lo, hi uint32) []struct{ Lo, Hi uint32 } {
	type rg = struct{ Lo, Hi uint32 }
	var dom []rg
	switch {
	case a.AuditArch != abi.AuditArchX86_64:
		dom = []rg{{0, ^uint32(0)}}
	case a == abi.X32:
		dom = []rg{{0x40000000, 0x7fffffff}, {0xc0000000, 0xfffffffe}}
	default:
		dom = []rg{{0, 0x3fffffff}, {0x80000000, 0xbfffffff}, {0xffffffff, 0xffffffff}}
	}
	var out []rg
	for _, d := range dom {
		l, h := max(d.Lo, lo), min(d.Hi, hi)
		if l <= h {
			out = append(out, rg{l, h})
		}
	}
	return out
}

// WriteText prints the explanation as a table.
func (ex *Explanation) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)", ex.Input, ex.Kind)
	switch {
	case ex.Target != "" && ex.TargetInferred:
		fmt.Fprintf(&b, ", target %s (inferred from its arch checks)", ex.Target)
	case ex.Target != "":
		fmt.Fprintf(&b, ", target %s", ex.Target)
	}
	b.WriteString("\n")
	if ex.NoArchCheck {
		b.WriteString("warning: the filter never checks the arch: every ABI's numbers are read alike\n")
	} else {
		if len(ex.Accepts) > 0 {
			fmt.Fprintf(&b, "accepts: %s\n", strings.Join(ex.Accepts, ", "))
		}
		fmt.Fprintf(&b, "other arches: %s\n", ex.OtherArch)
	}
	for _, ae := range ex.ABIs {
		note := ""
		if !ae.Accepted {
			note = " (not accepted by the filter)"
		}
		fmt.Fprintf(&b, "\n%s (AUDIT_ARCH %#x)%s:\n", ae.ABI, ae.AuditArch, note)
		width := 0
		for _, r := range ae.Syscalls {
			width = max(width, len(r.Name))
		}
		for _, r := range ae.Syscalls {
			text := r.Decision.Text
			if !r.Decision.Constant {
				text = "<argument-dependent> " + text
			}
			if r.Cached {
				text += "  [cached]"
			}
			fmt.Fprintf(&b, "  %-*s  %s\n", width, r.Name, text)
		}
		for _, o := range ae.Others {
			rs := o.Ranges
			more := ""
			if len(rs) > 6 {
				more = fmt.Sprintf(", … (%d ranges)", len(rs))
				rs = rs[:6]
			}
			fmt.Fprintf(&b, "  other numbers: %s  [%s%s]\n", o.Decision.Text, strings.Join(rs, ", "), more)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the explanation as JSON.
func (ex *Explanation) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ex)
}
