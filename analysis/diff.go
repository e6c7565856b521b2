package analysis

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/resolve"
)

// Diff compares two explored filters by walking the product of their
// decisions: per ABI, the nr intervals of both refined into common pieces,
// and on each piece the two argument DAGs walked together, so every input
// region on which the two differ is found and nothing else is reported.

// Difference is one region of inputs on which two filters decide
// differently.
type Difference struct {
	ABI string `json:"abi"`
	// Name is the system call; empty for a range of nameless numbers
	// (Nr..NrHi) or for a whole ABI (Nr == NrHi == 0 and All set).
	Name string `json:"name,omitempty"`
	Nr   uint32 `json:"nr"`
	NrHi uint32 `json:"nr_hi"`
	All  bool   `json:"whole_abi,omitempty"`
	From string `json:"from"`
	To   string `json:"to"`
	// If is the argument condition of the region; empty: every argument.
	If string `json:"if,omitempty"`
}

func (d Difference) String() string {
	var who string
	switch {
	case d.All:
		who = d.ABI
	case d.Name != "":
		who = d.ABI + " " + d.Name
	case d.Nr == d.NrHi:
		who = fmt.Sprintf("%s nr %s", d.ABI, hexOrDec(uint64(d.Nr)))
	default:
		who = fmt.Sprintf("%s nr %s..%s", d.ABI, hexOrDec(uint64(d.Nr)), hexOrDec(uint64(d.NrHi)))
	}
	s := fmt.Sprintf("%s: %s → %s", who, d.From, d.To)
	if d.If != "" {
		s += " if " + d.If
	}
	return s
}

// DiffResult lists the differences of B against A.
type DiffResult struct {
	A           string       `json:"a"`
	B           string       `json:"b"`
	Differences []Difference `json:"differences"`
	// Notes say where the comparison could only sample (opaque code).
	Notes []string `json:"notes,omitempty"`
}

// Same reports whether no difference was found.
func (d *DiffResult) Same() bool { return len(d.Differences) == 0 }

// WriteText prints one difference per line, then the notes.
func (d *DiffResult) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, x := range d.Differences {
		b.WriteString(x.String())
		b.WriteString("\n")
	}
	for _, n := range d.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the result as JSON.
func (d *DiffResult) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if d.Differences == nil {
		d.Differences = []Difference{}
	}
	return enc.Encode(d)
}

// Diff compares b against a. ABIs lists the ABIs to compare; nil: every
// ABI either filter accepts (x86_64 when neither checks any arch).
func Diff(a, b *Input, abis []*abi.ABI) *DiffResult {
	res := &DiffResult{A: a.Name, B: b.Name}
	if len(abis) == 0 {
		for _, x := range abi.All {
			if accepted(a, x) || accepted(b, x) {
				abis = append(abis, x)
			}
		}
	}
	if len(abis) == 0 {
		abis = []*abi.ABI{abi.X86_64}
	}
	dc := &differ{a: a.Explored, b: b.Explored, e: &explorer{sets: map[Test]setEntry{}}, memo: map[[2]int][]diffCase{}}
	for _, x := range abis {
		if accA, accB := accepted(a, x), accepted(b, x); accA != accB && (len(a.ABIs) > 0 || len(b.ABIs) > 0) {
			res.Differences = append(res.Differences, wholeABI(a, b, x, accA))
			continue
		}
		res.Differences = append(res.Differences, dc.abi(x)...)
	}
	if d, ok := dc.otherArch(); ok {
		res.Differences = append(res.Differences, d)
	}
	res.Notes = dc.notes
	return res
}

// wholeABI describes an ABI only one filter accepts.
func wholeABI(a, b *Input, x *abi.ABI, inA bool) Difference {
	side := func(in *Input, acc bool) string {
		if acc {
			return "accepted"
		}
		if act, ok := constantRegion(in.Explored.Region(x.AuditArch)); ok {
			return "not accepted (" + ActionName(act) + ")"
		}
		return "not accepted"
	}
	return Difference{ABI: x.Name, All: true, From: side(a, inA), To: side(b, !inA)}
}

type diffCase struct {
	steps  []pathStep
	ea, eb *Node
	// opaque: the pair involves code the explorer could not follow.
	opaque bool
}

type differ struct {
	a, b  *Result
	e     *explorer
	memo  map[[2]int][]diffCase
	notes []string
}

// nodes compares two argument DAGs.
func (dc *differ) nodes(x, y *Node) []diffCase {
	key := [2]int{x.ID, y.ID}
	if c, ok := dc.memo[key]; ok {
		return c
	}
	var out []diffCase
	var walk func(x, y *Node, k *knowledge, steps []pathStep)
	walk = func(x, y *Node, k *knowledge, steps []pathStep) {
		n := x
		if n.Kind != Branch {
			n = y
		}
		if n.Kind == Branch {
			t := n.Test
			follow := func(v bool) (*Node, *Node) {
				nx, ny := x, y
				if x.Kind == Branch && x.Test == t {
					nx = pick(x, v)
				}
				if y.Kind == Branch && y.Test == t {
					ny = pick(y, v)
				}
				return nx, ny
			}
			if v, ok := k.decide(dc.e, t); ok {
				nx, ny := follow(v)
				walk(nx, ny, k, steps)
				return
			}
			for _, v := range []bool{true, false} {
				nx, ny := follow(v)
				walk(nx, ny, k.with(dc.e, t, v), append(steps[:len(steps):len(steps)], pathStep{t, v}))
			}
			return
		}
		if x.Kind == Leaf && y.Kind == Leaf {
			if x.Action != y.Action {
				out = append(out, diffCase{steps: steps, ea: x, eb: y})
			}
			return
		}
		out = append(out, diffCase{steps: steps, ea: x, eb: y, opaque: true})
	}
	walk(x, y, newKnowledge(), nil)
	dc.memo[key] = out
	return out
}

func pick(n *Node, v bool) *Node {
	if v {
		return n.True
	}
	return n.False
}

// piece is a common refinement piece of two interval lists.
type piece struct {
	lo, hi uint32
	a, b   *Interval
}

func refine(x, y []Interval) []piece {
	var out []piece
	i, j := 0, 0
	lo := uint64(0)
	for i < len(x) && j < len(y) {
		hi := min(x[i].Hi, y[j].Hi)
		out = append(out, piece{uint32(lo), hi, &x[i], &y[j]})
		lo = uint64(hi) + 1
		if x[i].Hi == hi {
			i++
		}
		if y[j].Hi == hi {
			j++
		}
	}
	return out
}

// abi lists the differences on one ABI.
func (dc *differ) abi(x *abi.ABI) []Difference {
	named := x.Syscalls()
	var out []Difference
	for _, p := range refine(dc.a.Region(x.AuditArch).Intervals, dc.b.Region(x.AuditArch).Intervals) {
		cases := dc.nodes(p.a.Node, p.b.Node)
		if len(cases) == 0 {
			continue
		}
		for _, d := range domainPieces(x, p.lo, p.hi) {
			cases := dc.confirm(x, d.Lo, dc.resolveOpaque(x, d.Lo, d.Hi, cases))
			if len(cases) == 0 {
				continue
			}
			diffs := renderCases(cases)
			j := sort.Search(len(named), func(j int) bool { return named[j].Nr >= d.Lo })
			next := uint64(d.Lo)
			gap := func(lo, hi uint32) {
				for _, f := range diffs {
					f.ABI, f.Nr, f.NrHi = x.Name, lo, hi
					out = append(out, f)
				}
			}
			for ; j < len(named) && named[j].Nr <= d.Hi; j++ {
				if uint64(named[j].Nr) > next {
					gap(uint32(next), named[j].Nr-1)
				}
				for _, f := range diffs {
					f.ABI, f.Name, f.Nr, f.NrHi = x.Name, named[j].Name, named[j].Nr, named[j].Nr
					out = append(out, f)
				}
				next = uint64(named[j].Nr) + 1
			}
			if next <= uint64(d.Hi) {
				gap(uint32(next), d.Hi)
			}
		}
	}
	return out
}

// resolveOpaque replaces cases involving opaque code by concrete runs of
// both programs on sample inputs of the piece: a mismatch found is a real
// difference (reported with the actions seen); none found leaves a note,
// since samples cannot prove the two equal.
func (dc *differ) resolveOpaque(x *abi.ABI, lo, hi uint32, cases []diffCase) []diffCase {
	var out []diffCase
	opaque := false
	for _, c := range cases {
		if !c.opaque {
			out = append(out, c)
			continue
		}
		opaque = true
	}
	if !opaque {
		return out
	}
	rnd := rand.New(rand.NewSource(int64(lo)))
	nrs := []uint32{lo, hi, lo + (hi-lo)/2}
	found := map[[2]uint32]bool{}
	for _, nr := range nrs {
		for i := 0; i < 64; i++ {
			var args [6]uint64
			for j := range args {
				args[j] = rnd.Uint64() >> uint(rnd.Intn(64))
			}
			ra, rb := dc.a.Run(x.AuditArch, nr, args), dc.b.Run(x.AuditArch, nr, args)
			if ra != rb && !found[[2]uint32{ra, rb}] {
				found[[2]uint32{ra, rb}] = true
				out = append(out, diffCase{ea: &Node{Kind: Leaf, Action: ra}, eb: &Node{Kind: Leaf, Action: rb},
					steps: []pathStep{{Test{Word: WordNr, Mask: ^uint32(0), Op: OpEQ, K: nr}, true}}, opaque: true})
			}
		}
	}
	if len(found) == 0 {
		dc.notes = append(dc.notes, fmt.Sprintf("%s nr %s..%s: opaque code on one side; sampled inputs agree, but equality is not proven",
			x.Name, hexOrDec(uint64(lo)), hexOrDec(uint64(hi))))
	}
	return out
}

// renderCases groups cases by (from, to) and renders their regions.
func renderCases(cases []diffCase) []Difference {
	type key struct{ from, to string }
	groups := map[key][]*cube{}
	var order []key
	for _, c := range cases {
		k := key{endName(c.ea), endName(c.eb)}
		if c.opaque {
			k.to += " (found by sampling)"
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		steps := c.steps
		if c.opaque {
			steps = nil // the nr sample point is not an argument condition
		}
		groups[k] = append(groups[k], makeCube(steps))
	}
	var out []Difference
	for _, k := range order {
		cs := mergeCubes(groups[k])
		var conds []string
		all := false
		for _, c := range cs {
			r := c.render()
			if r == "true" {
				all = true
			}
			conds = append(conds, r)
		}
		sort.Strings(conds)
		d := Difference{From: k.from, To: k.to}
		if !all {
			if len(conds) > 1 {
				for i, c := range conds {
					if strings.Contains(c, " && ") {
						conds[i] = "(" + c + ")"
					}
				}
			}
			d.If = strings.Join(conds, " || ")
		}
		out = append(out, d)
	}
	return out
}

func endName(n *Node) string {
	if n.Kind == Opaque {
		return opaqueText(n)
	}
	return ActionName(n.Action)
}

// otherArch compares what the two filters do for arches neither tells
// apart.
func (dc *differ) otherArch() (Difference, bool) {
	ra, rb := dc.a.otherArch(), dc.b.otherArch()
	if ra == nil || rb == nil {
		return Difference{}, false
	}
	// An arch value in both "other" regions, if any.
	arch, ok := commonOther(dc.a, dc.b)
	if !ok {
		return Difference{}, false
	}
	ia, ib := dc.a.Region(arch).Intervals, dc.b.Region(arch).Intervals
	var cases []diffCase
	for _, p := range refine(ia, ib) {
		cases = append(cases, dc.nodes(p.a.Node, p.b.Node)...)
	}
	if len(cases) == 0 {
		return Difference{}, false
	}
	from, to := "<depends on nr>", "<depends on nr>"
	if a, ok := constantRegion(dc.a.Region(arch)); ok {
		from = ActionName(a)
	}
	if b, ok := constantRegion(dc.b.Region(arch)); ok {
		to = ActionName(b)
	}
	return Difference{ABI: "other arches", All: true, From: from, To: to}, true
}

// commonOther finds an arch value that neither program tests for.
func commonOther(a, b *Result) (uint32, bool) {
	var ranges resolve.Set
	for _, r := range []*Result{a, b} {
		var s resolve.Set
		for _, reg := range r.Regions {
			if reg.Lo != reg.Hi {
				s = append(s, resolve.Range{Lo: reg.Lo, Hi: reg.Hi})
			}
		}
		s = resolve.SetOf(s...)
		if ranges == nil {
			ranges = s
		} else {
			ranges = ranges.Intersect(s)
		}
	}
	if len(ranges) == 0 {
		return 0, false
	}
	return ranges[0].Lo, true
}

// confirm checks each symbolic difference on a concrete witness: argument
// values that follow the case's path, run through both programs. Masked
// tests the knowledge cannot relate may leave a path that no input takes;
// such a case is not reported as a difference but as a note, so the diff
// never claims a difference it cannot show.
func (dc *differ) confirm(x *abi.ABI, nr uint32, cases []diffCase) []diffCase {
	var out []diffCase
	for _, c := range cases {
		if c.opaque {
			out = append(out, c)
			continue
		}
		if args, ok := witness(c.steps); ok && dc.a.Run(x.AuditArch, nr, args) != dc.b.Run(x.AuditArch, nr, args) {
			out = append(out, c)
			continue
		}
		dc.notes = append(dc.notes, fmt.Sprintf("%s nr %s: a difference the analysis could not confirm with an input (%s → %s); probably an infeasible combination of masked tests",
			x.Name, hexOrDec(uint64(nr)), endName(c.ea), endName(c.eb)))
	}
	return out
}

// witness finds argument values that take every step of a path.
func witness(steps []pathStep) ([6]uint64, bool) {
	cands := map[Word][]uint32{}
	sets := map[Word]resolve.Set{}
	for _, st := range steps {
		t := st.test
		if ts, ok := t.Set(); ok {
			if !st.val {
				ts = ts.Complement()
			}
			cur, seen := sets[t.Word]
			if !seen {
				cur = resolve.FullSet
			}
			sets[t.Word] = cur.Intersect(ts)
		}
		c := cands[t.Word]
		c = append(c, t.K, t.K|^t.Mask, t.K&t.Mask, ^t.K&t.Mask, 0, ^uint32(0), t.K+1, t.K-1)
		cands[t.Word] = c
	}
	for w, s := range sets {
		for i, r := range s {
			if i == 4 {
				break
			}
			cands[w] = append([]uint32{r.Lo, r.Hi, r.Lo + (r.Hi-r.Lo)/2}, cands[w]...)
		}
	}
	var words []Word
	for w := range cands {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool { return words[i] < words[j] })
	var vals [numWords]uint32
	budget := 4096
	var try func(i int) bool
	try = func(i int) bool {
		if i == len(words) {
			for _, st := range steps {
				if st.test.Holds(vals[st.test.Word]) != st.val {
					return false
				}
			}
			return true
		}
		for _, v := range cands[words[i]] {
			if budget--; budget < 0 {
				return false
			}
			vals[words[i]] = v
			if try(i + 1) {
				return true
			}
		}
		return false
	}
	if !try(0) {
		return [6]uint64{}, false
	}
	var args [6]uint64
	for i := range args {
		args[i] = uint64(vals[ArgWord(i, true)])<<32 | uint64(vals[ArgWord(i, false)])
	}
	return args, true
}
