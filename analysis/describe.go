package analysis

import (
	"fmt"
	"math/bits"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/resolve"
)

// Decisions over arguments are shown the way people write them: per action,
// the argument values that lead to it, with the two 32-bit words of an
// argument joined back into one 64-bit value wherever that is exact
// (`arg0 in {0, 8}` rather than `arg0.hi == 0 && arg0.lo in {0, 8}`).

// Range64 is an inclusive range of 64-bit values.
type Range64 struct{ Lo, Hi uint64 }

// Set64 is a set of 64-bit values: sorted, disjoint, non-adjacent ranges.
type Set64 []Range64

var full64 = Set64{{0, ^uint64(0)}}

func setOf64(rs ...Range64) Set64 {
	if len(rs) == 0 {
		return nil
	}
	s := append(Set64(nil), rs...)
	sort.Slice(s, func(i, j int) bool { return s[i].Lo < s[j].Lo })
	out := s[:1]
	for _, r := range s[1:] {
		last := &out[len(out)-1]
		if last.Hi == ^uint64(0) || r.Lo <= last.Hi+1 {
			last.Hi = max(last.Hi, r.Hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

func (s Set64) union(t Set64) Set64 { return setOf64(append(append(Set64(nil), s...), t...)...) }

func (s Set64) intersect(t Set64) Set64 {
	var out Set64
	for i, j := 0, 0; i < len(s) && j < len(t); {
		lo, hi := max(s[i].Lo, t[j].Lo), min(s[i].Hi, t[j].Hi)
		if lo <= hi {
			out = append(out, Range64{lo, hi})
		}
		if s[i].Hi < t[j].Hi {
			i++
		} else {
			j++
		}
	}
	return out
}

func (s Set64) complement() Set64 {
	var out Set64
	next, done := uint64(0), false
	for _, r := range s {
		if r.Lo > next {
			out = append(out, Range64{next, r.Lo - 1})
		}
		if r.Hi == ^uint64(0) {
			done = true
			break
		}
		next = r.Hi + 1
	}
	if !done {
		out = append(out, Range64{next, ^uint64(0)})
	}
	return out
}

func (s Set64) isFull() bool { return len(s) == 1 && s[0] == Range64{0, ^uint64(0)} }

func (s Set64) equal(t Set64) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] {
			return false
		}
	}
	return true
}

// join64 returns the 64-bit values whose high word is in hi and low word in
// lo, when that takes few ranges.
func join64(hi, lo resolve.Set) (Set64, bool) {
	loFull := lo.Full()
	var out Set64
	for _, h := range hi {
		if loFull {
			out = append(out, Range64{uint64(h.Lo) << 32, uint64(h.Hi)<<32 | 0xffffffff})
			continue
		}
		if uint64(h.Hi)-uint64(h.Lo) >= 16 {
			return nil, false
		}
		for v := uint64(h.Lo); v <= uint64(h.Hi); v++ {
			for _, l := range lo {
				out = append(out, Range64{v<<32 | uint64(l.Lo), v<<32 | uint64(l.Hi)})
			}
		}
	}
	return setOf64(out...), true
}

// literal is a test on a path that is not an interval of its word (masked
// tests and JSET): kept as written.
type literal struct {
	test Test
	val  bool
}

func (l literal) String() string {
	t := l.test
	i, hi := t.Word.Arg()
	x := fmt.Sprintf("arg%d", i)
	if hi {
		x += ".hi"
	}
	if !t.Word.IsArg() {
		x = t.Word.String()
	}
	if t.Op == OpSET {
		op := "!="
		if !l.val {
			op = "=="
		}
		return fmt.Sprintf("(%s & %#x) %s 0", x, t.K, op)
	}
	op := map[Op][2]string{OpEQ: {"!=", "=="}, OpGT: {"<=", ">"}, OpGE: {"<", ">="}}[t.Op]
	s := op[0]
	if l.val {
		s = op[1]
	}
	return fmt.Sprintf("(%s & %#x) %s %s", x, t.Mask, s, hexOrDec(uint64(t.K)))
}

// cube is one conjunction: per argument a 64-bit set (nil map entry: any
// value), words that cannot be joined, and literals.
type cube struct {
	args  map[int]Set64
	words map[Word]resolve.Set // words of args whose halves could not be joined
	lits  []literal
}

func (c *cube) key(except int) string {
	var b strings.Builder
	var idx []int
	for i := range c.args {
		if i != except {
			idx = append(idx, i)
		}
	}
	sort.Ints(idx)
	for _, i := range idx {
		fmt.Fprintf(&b, "a%d%v;", i, c.args[i])
	}
	var ws []int
	for w := range c.words {
		ws = append(ws, int(w))
	}
	sort.Ints(ws)
	for _, w := range ws {
		fmt.Fprintf(&b, "w%d%v;", w, c.words[Word(w)])
	}
	lits := make([]string, len(c.lits))
	for i, l := range c.lits {
		lits[i] = l.String()
	}
	sort.Strings(lits)
	b.WriteString(strings.Join(lits, ";"))
	return b.String()
}

// pathStep is one test on a path and the branch taken.
type pathStep struct {
	test Test
	val  bool
}

// maxPaths bounds the paths Describe enumerates; past it, decisions are
// summarised rather than listed.
const maxPaths = 1024

// paths enumerates root-to-leaf paths of n, calling f with the steps and
// the node reached (a leaf or an opaque node); false if there are too many.
func paths(n *Node, f func(steps []pathStep, end *Node)) bool {
	count := 0
	var walk func(n *Node, steps []pathStep) bool
	walk = func(n *Node, steps []pathStep) bool {
		if n.Kind != Branch {
			count++
			if count > maxPaths {
				return false
			}
			f(steps, n)
			return true
		}
		return walk(n.True, append(steps, pathStep{n.Test, true})) &&
			walk(n.False, append(steps[:len(steps):len(steps)], pathStep{n.Test, false}))
	}
	return walk(n, nil)
}

// makeCube turns a path into a cube.
func makeCube(steps []pathStep) *cube {
	sets := map[Word]resolve.Set{}
	c := &cube{args: map[int]Set64{}, words: map[Word]resolve.Set{}}
	for _, s := range steps {
		t := s.test
		if t.Mask == ^uint32(0) && t.Op != OpSET {
			ts, _ := t.Set()
			if !s.val {
				ts = ts.Complement()
			}
			cur, ok := sets[t.Word]
			if !ok {
				cur = resolve.FullSet
			}
			sets[t.Word] = cur.Intersect(ts)
			continue
		}
		c.lits = append(c.lits, literal{t, s.val})
	}
	lits := c.lits[:0:0]
	for _, l := range c.lits {
		cur, ok := sets[l.test.Word]
		if !ok {
			cur = resolve.FullSet
		}
		if s, ok := literalSet(l, cur); ok {
			sets[l.test.Word] = s
			continue
		}
		lits = append(lits, l)
	}
	c.lits = lits
	for i := 0; i < 6; i++ {
		hi, hok := sets[ArgWord(i, true)]
		lo, lok := sets[ArgWord(i, false)]
		if !hok && !lok {
			continue
		}
		if !hok {
			hi = resolve.FullSet
		}
		if !lok {
			lo = resolve.FullSet
		}
		if s, ok := join64(hi, lo); ok {
			c.args[i] = s
		} else {
			c.words[ArgWord(i, true)] = hi
			c.words[ArgWord(i, false)] = lo
		}
	}
	for w, s := range sets {
		if !w.IsArg() {
			c.words[w] = s
		}
	}
	return c
}

// literalSet folds a masked test or a JSET into the values its word can
// have, when they are few: either the word's values so far are (at most
// smallSet), or the test is a JSET whose clear outcome leaves few values,
// those with no bit of K (secc's filters test small value sets that way).
func literalSet(l literal, cur resolve.Set) (resolve.Set, bool) {
	if cur.Size() <= smallSet {
		var pts []uint32
		for _, r := range cur {
			for v := uint64(r.Lo); v <= uint64(r.Hi); v++ {
				if l.test.Holds(uint32(v)) == l.val {
					pts = append(pts, uint32(v))
				}
			}
		}
		return resolve.Points(pts...), true
	}
	free := ^l.test.K
	if l.test.Op != OpSET || l.test.Mask != ^uint32(0) || bits.OnesCount32(free) > 6 {
		return nil, false
	}
	// The values with no bit of K: every subset of the other bits.
	var pts []uint32
	for sub := free; ; sub = (sub - 1) & free {
		pts = append(pts, sub)
		if sub == 0 {
			break
		}
	}
	cube := resolve.Points(pts...)
	if l.val {
		cube = cube.Complement()
	}
	return cur.Intersect(cube), true
}

// mergeCubes joins cubes that differ only in the set of one argument,
// until none do.
func mergeCubes(cs []*cube) []*cube {
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(cs) && !changed; i++ {
			for j := i + 1; j < len(cs) && !changed; j++ {
				a, b := cs[i], cs[j]
				if len(a.args) != len(b.args) {
					continue
				}
				for arg := range a.args {
					if _, ok := b.args[arg]; !ok || a.key(arg) != b.key(arg) {
						continue
					}
					u := a.args[arg].union(b.args[arg])
					m := &cube{args: map[int]Set64{}, words: a.words, lits: a.lits}
					for k, v := range a.args {
						m.args[k] = v
					}
					if u.isFull() {
						delete(m.args, arg)
					} else {
						m.args[arg] = u
					}
					cs = append(append(append([]*cube{}, cs[:i]...), cs[i+1:j]...), cs[j+1:]...)
					cs = append(cs, m)
					changed = true
					break
				}
			}
		}
	}
	return cs
}

// renderSet64 writes `argN in {…}` or its negation, whichever is shorter.
func renderSet64(name string, s Set64) string { return renderSet(name, s, ^uint64(0)) }

// renderSet renders a set of values of a variable whose largest value is
// top (a 64-bit argument or a 32-bit word).
func renderSet(name string, s Set64, top uint64) string {
	comp := s.complement().intersect(Set64{{0, top}})
	// Fewer ranges read better; on a tie, points read better than ranges
	// (`arg0.hi != 0` rather than `arg0.hi >= 1`).
	neg := len(comp) < len(s) || len(comp) == len(s) && nonPoints(comp) < nonPoints(s)
	if neg {
		s = comp
	}
	if len(s) == 1 {
		r := s[0]
		switch {
		case r.Lo == r.Hi && neg:
			return fmt.Sprintf("%s != %s", name, hexOrDec(r.Lo))
		case r.Lo == r.Hi:
			return fmt.Sprintf("%s == %s", name, hexOrDec(r.Lo))
		case r.Lo == 0 && !neg:
			return fmt.Sprintf("%s <= %s", name, hexOrDec(r.Hi))
		case r.Lo == 0 && neg:
			return fmt.Sprintf("%s > %s", name, hexOrDec(r.Hi))
		case r.Hi == top && !neg:
			return fmt.Sprintf("%s >= %s", name, hexOrDec(r.Lo))
		case r.Hi == top && neg:
			return fmt.Sprintf("%s < %s", name, hexOrDec(r.Lo))
		}
	}
	parts := make([]string, len(s))
	for i, r := range s {
		if r.Lo == r.Hi {
			parts[i] = hexOrDec(r.Lo)
		} else {
			parts[i] = hexOrDec(r.Lo) + ".." + hexOrDec(r.Hi)
		}
	}
	op := "in"
	if neg {
		op = "not in"
	}
	return fmt.Sprintf("%s %s {%s}", name, op, strings.Join(parts, ", "))
}

func set32to64(s resolve.Set) Set64 {
	out := make(Set64, len(s))
	for i, r := range s {
		out[i] = Range64{uint64(r.Lo), uint64(r.Hi)}
	}
	return out
}

func (c *cube) render() string {
	var parts []string
	var idx []int
	for i := range c.args {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		parts = append(parts, renderSet64(fmt.Sprintf("arg%d", i), c.args[i]))
	}
	var ws []int
	for w := range c.words {
		ws = append(ws, int(w))
	}
	sort.Ints(ws)
	for _, w := range ws {
		s := c.words[Word(w)]
		if s.Full() {
			continue
		}
		parts = append(parts, renderSet(Word(w).String(), set32to64(s), 0xffffffff))
	}
	lits := make([]string, len(c.lits))
	for i, l := range c.lits {
		lits[i] = l.String()
	}
	sort.Strings(lits)
	parts = append(parts, lits...)
	if len(parts) == 0 {
		return "true"
	}
	return strings.Join(parts, " && ")
}

// Outcome is one action of a decision and the argument condition leading
// to it, rendered.
type Outcome struct {
	Action uint32 `json:"-"`
	Name   string `json:"action"`
	// If is the condition; empty for the final "else" outcome.
	If string `json:"if,omitempty"`
}

// Decision describes one node: a constant action, or outcomes per action
// with the last one as "else".
type Decision struct {
	Constant bool      `json:"constant"`
	Opaque   bool      `json:"opaque,omitempty"`
	Outcomes []Outcome `json:"outcomes"`
	Text     string    `json:"text"`
}

// opaqueName names an action reached through an opaque node.
func opaqueText(n *Node) string {
	return fmt.Sprintf("<opaque: %s>", n.Reason)
}

// Describe renders the decision at n. samples, for nodes with opaque parts,
// are the actions running the program produced on sample inputs.
func Describe(n *Node, samples []uint32) Decision {
	if n.Kind == Leaf {
		s := ActionName(n.Action)
		return Decision{Constant: true, Outcomes: []Outcome{{Action: n.Action, Name: s}}, Text: s}
	}
	if n.Kind == Opaque {
		d := Decision{Opaque: true, Outcomes: []Outcome{{Name: opaqueText(n)}}, Text: opaqueText(n)}
		if len(samples) > 0 {
			var ss []string
			for _, a := range samples {
				ss = append(ss, ActionName(a))
			}
			d.Text += fmt.Sprintf(" (sampled: %s)", strings.Join(ss, ", "))
		}
		return d
	}
	type group struct {
		key   string
		end   *Node
		cubes []*cube
		// first is the order of the group's first path: the all-false
		// path comes last, which makes its action the natural "else".
		first int
	}
	groups := map[*Node]*group{}
	var order []*group
	i := 0
	ok := paths(n, func(steps []pathStep, end *Node) {
		g := groups[end]
		if g == nil {
			g = &group{end: end, first: i}
			groups[end] = g
			order = append(order, g)
		}
		g.cubes = append(g.cubes, makeCube(steps))
		i++
	})
	d := Decision{Opaque: n.HasOpaque}
	name := func(end *Node) string {
		if end.Kind == Opaque {
			return opaqueText(end)
		}
		return ActionName(end.Action)
	}
	if !ok {
		var names []string
		for _, g := range order {
			names = append(names, name(g.end))
		}
		d.Text = fmt.Sprintf("<argument-dependent: more than %d cases, actions %s>", maxPaths, strings.Join(dedupeStrings(names), ", "))
		d.Outcomes = []Outcome{{Name: d.Text}}
		return d
	}
	for _, g := range order {
		g.cubes = mergeCubes(g.cubes)
	}
	// The "else" outcome: the action with the most cases; on a tie a
	// refusal rather than an ALLOW (people write "ALLOW if ..."), then the
	// one reached when every test fails.
	elseG := order[len(order)-1]
	refuses := func(g *group) bool { return g.end.Kind == Leaf && !permissive(g.end.Action) }
	for _, g := range order {
		if len(g.cubes) > len(elseG.cubes) || len(g.cubes) == len(elseG.cubes) && refuses(g) && !refuses(elseG) {
			elseG = g
		}
	}
	var texts []string
	for _, g := range order {
		if g == elseG {
			continue
		}
		var cs []string
		for _, c := range g.cubes {
			cs = append(cs, c.render())
		}
		sort.Strings(cs)
		cond := strings.Join(cs, " || ")
		if len(cs) > 1 {
			for k, c := range cs {
				if strings.Contains(c, " && ") {
					cs[k] = "(" + c + ")"
				}
			}
			cond = strings.Join(cs, " || ")
		}
		d.Outcomes = append(d.Outcomes, Outcome{Action: g.end.Action, Name: name(g.end), If: cond})
		texts = append(texts, fmt.Sprintf("%s if %s", name(g.end), cond))
	}
	d.Outcomes = append(d.Outcomes, Outcome{Action: elseG.end.Action, Name: name(elseG.end)})
	texts = append(texts, "else "+name(elseG.end))
	d.Text = strings.Join(texts, "; ")
	if n.HasOpaque && len(samples) > 0 {
		var ss []string
		for _, a := range samples {
			ss = append(ss, ActionName(a))
		}
		d.Text += fmt.Sprintf(" (sampled: %s)", strings.Join(ss, ", "))
	}
	return d
}

func dedupeStrings(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func nonPoints(s Set64) int {
	n := 0
	for _, r := range s {
		if r.Lo != r.Hi {
			n++
		}
	}
	return n
}
