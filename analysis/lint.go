package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/lang"
)

// Lint checks a policy's rules, as resolved for each ABI it is compiled
// for: rules that never fire (shadowed by earlier ones, or duplicates),
// rules naming system calls an ABI lacks, deny rules that compare all 64
// bits of a parameter the kernel reads as a 32-bit int, rules that only
// repeat the default, ERRNO(0), and calls denied while a call that does
// the same is allowed.
func Lint(in *Input) *Report {
	rep := &Report{Input: in.Name}
	if len(in.Policies) == 0 {
		return rep
	}
	var rules []*lang.Rule
	if in.File != nil {
		for _, it := range in.File.Items {
			if r, ok := it.(*lang.Rule); ok {
				rules = append(rules, r)
			}
		}
	}
	// status[src][abi] for every rule of the file.
	type status struct {
		never, shadowed, redundant bool
		by                         []int // rules (file indexes) that shadow it
		dupOf                      int
	}
	n := 0
	for _, p := range in.Policies {
		for _, r := range p.Rules {
			n = max(n, r.Source+1)
		}
	}
	st := make([]map[*abi.ABI]*status, n)
	pos := make([]diag.Pos, n)
	act := make([]uint32, n)
	for i := range st {
		st[i] = map[*abi.ABI]*status{}
	}
	for _, p := range in.Policies {
		rs := newRuleSpace(p)
		last := len(p.Rules) - 1
		def := p.Rules[last].Action
		for i, r := range p.Rules {
			if r.Source < 0 {
				continue
			}
			pos[r.Source], act[r.Source] = r.Pos, r.Action
			s := &status{dupOf: -1}
			st[r.Source][p.ABI] = s
			if rs.never(i) {
				s.never = true
				continue
			}
			if rs.shadowed(i) {
				s.shadowed = true
				for j := 0; j < i; j++ {
					if resolve.String(p.Rules[j].Cond) == resolve.String(r.Cond) && p.Rules[j].Action == r.Action && p.Rules[j].Source >= 0 {
						s.dupOf = p.Rules[j].Source
						break
					}
				}
				// One earlier rule alone covering it is worth naming.
				for j := 0; j < i && s.dupOf < 0; j++ {
					if p.Rules[j].Source >= 0 && !rs.reachable(i, []int{j}, nil) {
						s.by = []int{p.Rules[j].Source}
						break
					}
				}
				continue
			}
			if i < last && r.Action == def {
				// Redundant unless, where it fires, a later rule with
				// another action would hold.
				var other resolve.Or
				for j := i + 1; j < last; j++ {
					if p.Rules[j].Action != def {
						other = append(other, p.Rules[j].Cond)
					}
				}
				earlier := make([]int, i)
				for j := range earlier {
					earlier[j] = j
				}
				s.redundant = len(other) == 0 || !rs.reachable(i, earlier, other)
			}
		}
	}
	abiNames := func(as []*abi.ABI) string {
		var ns []string
		for _, a := range as {
			ns = append(ns, a.Name)
		}
		return strings.Join(ns, ", ")
	}
	for src := 0; src < n; src++ {
		m := st[src]
		if len(m) == 0 {
			continue
		}
		var never, shadowed, redundant, live []*abi.ABI
		dupOf, by := -1, []int(nil)
		for _, p := range in.Policies {
			s, ok := m[p.ABI]
			if !ok {
				continue
			}
			switch {
			case s.never:
				never = append(never, p.ABI)
			case s.shadowed:
				shadowed = append(shadowed, p.ABI)
				if s.dupOf >= 0 {
					dupOf = s.dupOf
				}
				if by == nil {
					by = s.by
				}
			default:
				live = append(live, p.ABI)
				if s.redundant {
					redundant = append(redundant, p.ABI)
				}
			}
		}
		var rule *lang.Rule
		if src < len(rules) {
			rule = rules[src]
		}
		// Names this rule uses that some ABI lacks.
		if rule != nil {
			for _, p := range in.Policies {
				if miss := missingNames(rule, p.ABI); len(miss) > 0 {
					rep.add(Finding{Pos: pos[src], PC: -1, Severity: SevInfo, Code: "missing-name",
						Message:    fmt.Sprintf("%s %s not exist on %s: there the rule stands for its other names only", names(miss, 4), plural(len(miss), "does", "do"), p.ABI.Name),
						Suggestion: "nothing to do if that is intended; `secc compile -v` lists every dropped name"})
				}
			}
		}
		switch {
		case len(live) == 0 && len(shadowed) == 0:
			rep.add(Finding{Pos: pos[src], PC: -1, Severity: SevWarning, Code: "never-matches",
				Message:    "the rule's condition holds for no call on any ABI compiled for (" + abiNames(never) + ")",
				Suggestion: "remove the rule, or fix its condition"})
		case len(live) == 0 && dupOf >= 0:
			rep.add(Finding{Pos: pos[src], PC: -1, Severity: SevWarning, Code: "duplicate",
				Message:    fmt.Sprintf("duplicate of the rule at line %d: it never fires", pos[dupOf].Line),
				Suggestion: "remove one of the two"})
		case len(live) == 0:
			msg := "rule never fires: earlier rules match every call it matches"
			if len(by) == 1 {
				msg = fmt.Sprintf("rule never fires: the rule at line %d matches every call it matches", pos[by[0]].Line)
			}
			rep.add(Finding{Pos: pos[src], PC: -1, Severity: SevWarning, Code: "shadowed", Message: msg,
				Suggestion: "remove it, or move it above the rules that shadow it"})
		case len(shadowed) > 0:
			rep.add(Finding{Pos: pos[src], PC: -1, Severity: SevWarning, Code: "shadowed",
				Message:    "rule never fires on " + abiNames(shadowed) + ": earlier rules match every call it matches there",
				Suggestion: "check the rule's order for those ABIs"})
		}
		if len(live) > 0 && len(redundant) == len(live) {
			rep.add(Finding{Pos: pos[src], PC: -1, Severity: SevWarning, Code: "redundant",
				Message:    fmt.Sprintf("the rule's action %s is the default, and no later rule would decide its calls otherwise: removing it changes nothing", ActionName(act[src])),
				Suggestion: "remove the rule"})
		}
		if act[src] == bpf.RetErrno {
			rep.add(Finding{Pos: pos[src], PC: -1, Severity: SevWarning, Code: "errno-zero",
				Message:    "ERRNO(0) makes the call return 0, success, without doing anything",
				Suggestion: "use ERRNO(EPERM) to refuse, or ALLOW to let the call run"})
		}
	}
	dead := map[*abi.ABI]map[int]bool{}
	for src, m := range st {
		for a, s := range m {
			if s.never || s.shadowed {
				if dead[a] == nil {
					dead[a] = map[int]bool{}
				}
				dead[a][src] = true
			}
		}
	}
	lintHighBits(in, rules, dead, rep)
	lintEquivalents(in, rep)
	rep.sort()
	return rep
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// missingNames lists the system call names rule compares $syscall with
// that ABI a does not have.
func missingNames(rule *lang.Rule, a *abi.ABI) []string {
	seen := map[string]bool{}
	var out []string
	check := func(v *lang.Value) {
		if v == nil {
			return
		}
		for _, t := range v.Terms {
			if t.Kind != lang.TermSyscall || seen[t.Name] {
				continue
			}
			seen[t.Name] = true
			if _, ok := a.Nr(t.Name); !ok {
				out = append(out, t.Name)
			}
		}
	}
	walkExpr(rule.Cond, func(e lang.Expr) {
		switch e := e.(type) {
		case *lang.Compare:
			if e.Var.Kind == lang.VarSyscall {
				check(e.Value)
			}
		case *lang.InSet:
			if e.Var.Kind == lang.VarSyscall {
				for _, el := range e.Elems {
					check(el.Lo)
					check(el.Hi)
				}
			}
		}
	})
	sort.Strings(out)
	return out
}

func walkExpr(e lang.Expr, f func(lang.Expr)) {
	if e == nil {
		return
	}
	f(e)
	switch e := e.(type) {
	case *lang.Binary:
		walkExpr(e.X, f)
		walkExpr(e.Y, f)
	case *lang.Not:
		walkExpr(e.X, f)
	case *lang.Paren:
		walkExpr(e.X, f)
	}
}

// lintHighBits reports rules whose outcome on a 32-bit parameter depends
// on the high half of its register, which the kernel ignores: a deny rule
// matching equal or smaller values, or an allow rule matching different or
// larger ones, lets a caller reach the call by setting high bits.
// Rules that never fire (dead, per ABI) are reported as such and skipped.
func lintHighBits(in *Input, rules []*lang.Rule, dead map[*abi.ABI]map[int]bool, rep *Report) {
	type key struct {
		src, arg int
		call     string
	}
	seen := map[key]bool{}
	for _, p := range in.Policies {
		if p.ABI == abi.X86 || p.ABI == abi.ARM {
			continue // 32-bit registers: the high half is always 0
		}
		calls := make([]string, 0, len(intParams))
		for c := range intParams {
			calls = append(calls, c)
		}
		sort.Strings(calls)
		for _, r := range p.Rules {
			if r.Source < 0 || dead[p.ABI][r.Source] {
				continue
			}
			allow := permissive(r.Action)
			for _, call := range calls {
				nr, ok := p.ABI.Nr(call)
				if !ok {
					continue
				}
				if !mentionsNr(r.Cond) {
					continue // a rule for every call: the parameter types vary
				}
				c := resolve.Restrict(r.Cond, nr)
				if c == resolve.Const(false) {
					continue
				}
				for _, atom := range resolve.ArgAtoms(c) {
					if !contains(intParams[call], atom.Arg) || atom.Mask>>32 == 0 {
						continue
					}
					dodge := !allow && (atom.Op == lang.Eq || atom.Op == lang.Lt || atom.Op == lang.Le) ||
						allow && (atom.Op == lang.Ne || atom.Op == lang.Gt || atom.Op == lang.Ge)
					k := key{r.Source, atom.Arg, call}
					if !dodge || seen[k] {
						continue
					}
					seen[k] = true
					at := r.Pos
					if r.Source < len(rules) {
						if vp, ok := argVarPos(rules[r.Source], atom.Arg); ok {
							at = vp
						}
					}
					kind := "deny"
					how := "dodged"
					if allow {
						kind, how = "allow", "reached"
					}
					rep.add(Finding{Pos: at, PC: -1, Severity: SevError, Code: "high-bits",
						Message: fmt.Sprintf("%s rule compares all 64 bits of %s's arg%d, which the kernel reads as a 32-bit int: it is %s by setting high bits the kernel ignores",
							kind, call, atom.Arg, how),
						Suggestion: fmt.Sprintf("compare $arg%d.lo instead", atom.Arg)})
				}
			}
		}
	}
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func mentionsNr(c resolve.Cond) bool {
	found := false
	resolve.NrSets(c, func(resolve.Set) { found = true })
	return found
}

// argVarPos finds where rule uses the full 64-bit $argN.
func argVarPos(rule *lang.Rule, arg int) (diag.Pos, bool) {
	var at diag.Pos
	found := false
	walkExpr(rule.Cond, func(e lang.Expr) {
		var v *lang.Var
		switch e := e.(type) {
		case *lang.Compare:
			v = e.Var
		case *lang.InSet:
			v = e.Var
		}
		if !found && v != nil && v.Kind == lang.VarArg && v.Index == arg && v.Part == lang.Full {
			at, found = v.At, true
		}
	})
	return at, found
}
