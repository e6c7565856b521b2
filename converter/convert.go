package converter

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/kver"
	"github.com/secc-lang/secc/lang"
)

// Convert produces one readable .sec file for every host: includes and
// excludes become #ifdef CAP_X / #ifndef CAP_X / #if KERNEL >= X.Y /
// #ifdef ARCH_AMD64 directives, entry comments become // comments, and the
// default action is the final rule.
//
// System calls only ever named unconditionally keep the profile's order,
// which is exactly libseccomp's rule (the first unconditional rule added
// wins). For a system call with argument conditions, libseccomp's merged
// tree does not read as the profile's rules in order, and differs between
// 64-bit and 32-bit ABIs; such calls get a block of their own, worked out
// with the same model of libseccomp as Lower for every combination of the
// capabilities and kernel versions their entries depend on, with a comment
// saying so.
func (p *Profile) Convert() (*lang.File, diag.List) {
	var diags diag.List
	f := &lang.File{}
	def := p.DefaultAction.Ret
	comment := func(format string, args ...any) {
		f.Items = append(f.Items, &lang.Directive{Text: "// " + fmt.Sprintf(format, args...)})
	}
	if name := baseName(p.Name); name != "-" && name != "<stdin>" {
		comment("Converted from %s by secc convert.", name)
	} else {
		comment("Converted by secc convert.")
	}
	if abis := p.abiSummary(); abis != "" {
		comment("ABIs accepted (pass them to secc compile with --abi): %s.", abis)
	}
	if p.FlagsGiven {
		comment("Filter flags: %s.", strings.Join(p.Flags, ", "))
	}
	if p.ListenerPath != "" {
		comment("Notifications go to %s.", p.ListenerPath)
	}
	comment("Entries whose action is the default are left out: runc skips them.")

	complexNames := p.complexNames()
	warnedUnknown := map[string]bool{}
	var complexOrder []string
	seenComplex := map[string]bool{}
	for _, e := range p.Syscalls {
		var simple []string
		for _, n := range e.Names {
			if !knownToLibseccomp(n.Name) {
				if !warnedUnknown[n.Name] {
					warnedUnknown[n.Name] = true
					d := diags.Warn(n.Pos, "unknown system call %q left out (runc skips names libseccomp cannot resolve)", n.Name)
					if s, ok := abi.Suggest(n.Name); ok {
						d.Hint = fmt.Sprintf("did you mean %q?", s)
					}
				}
				continue
			}
			if complexNames[n.Name] {
				if !seenComplex[n.Name] {
					seenComplex[n.Name] = true
					complexOrder = append(complexOrder, n.Name)
				}
				continue
			}
			if !contains(simple, n.Name) {
				simple = append(simple, n.Name)
			}
		}
		if e.Action.Ret == def || len(simple) == 0 {
			continue // runc skips entries whose action is the default
		}
		open, close := directives(e)
		f.Items = append(f.Items, blankLine())
		if open != "" {
			f.Items = append(f.Items, &lang.Directive{Text: open})
		}
		if e.Comment != "" {
			for _, line := range strings.Split(e.Comment, "\n") {
				comment("%s", line)
			}
		}
		f.Items = append(f.Items, ruleAST(nil, simple, nil, e.Action.Ret))
		if close != "" {
			f.Items = append(f.Items, &lang.Directive{Text: close})
		}
	}
	for _, mux := range []string{"socketcall", "ipc"} {
		if complexNames[mux] && !seenComplex[mux] {
			complexOrder = append(complexOrder, mux)
		}
	}
	for _, name := range complexOrder {
		items, ds := p.complexBlock(name)
		diags.Append(ds)
		f.Items = append(f.Items, blankLine())
		f.Items = append(f.Items, items...)
	}
	f.Items = append(f.Items, blankLine(), &lang.Rule{Action: actionAST(def)})
	layOut(f, p.Name)
	return f, diags
}

// blankLine marks where layOut leaves an empty line.
func blankLine() lang.Item { return &lang.Directive{} }

// layOut gives the items consecutive positions in a file of their own, so
// the printer keeps the grouping (it leaves a blank line where positions
// skip one), and turns the "// …" pseudo-directives into comments.
func layOut(f *lang.File, name string) {
	file := name + " (converted)"
	line := 0
	var items []lang.Item
	for _, it := range f.Items {
		line++
		at := diag.Pos{File: file, Line: line, Col: 1}
		switch it := it.(type) {
		case *lang.Directive:
			switch {
			case it.Text == "":
				if len(items) == 0 && len(f.Comments) == 0 {
					line--
				}
				continue
			case strings.HasPrefix(it.Text, "//"):
				f.Comments = append(f.Comments, &lang.Comment{At: at, Text: it.Text})
				continue
			}
			it.At = at
		case *lang.Rule:
			it.At, it.Arrow, it.Action.At = at, at, at
		}
		items = append(items, it)
	}
	f.Items = items
}

func baseName(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (p *Profile) abiSummary() string {
	var parts []string
	switch {
	case p.Architectures != nil:
		natives := map[string]bool{}
		for _, a := range p.Architectures {
			parts = append(parts, a.Name)
			if a.Name == "SCMP_ARCH_NATIVE" {
				for _, t := range abi.Targets {
					natives[t.Name] = true
				}
			} else if a.ABI != nil && a.ABI.Name == a.ABI.Target {
				natives[a.ABI.Name] = true
			}
		}
		s := strings.Join(parts, ", ")
		if len(natives) < len(abi.Targets) {
			// runc never removes the ABI libseccomp starts with.
			s += ", and always the host's native ABI"
		}
		return s
	case p.ArchMap != nil:
		for _, m := range p.ArchMap {
			if m.Arch.ABI == nil || m.Arch.ABI.Target != m.Arch.ABI.Name {
				continue
			}
			s := m.Arch.ABI.Name
			for _, sub := range m.Sub {
				if sub.ABI != nil {
					s += "+" + sub.ABI.Name
				}
			}
			parts = append(parts, s+" on "+m.Arch.ABI.Name+" hosts")
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

// complexNames are the system calls whose libseccomp meaning is not the
// profile's order: those with argument conditions somewhere, and the i386
// multiplexers that socket and IPC rules are copied onto.
func (p *Profile) complexNames() map[string]bool {
	out := map[string]bool{}
	for _, e := range p.Syscalls {
		for _, n := range e.Names {
			if len(e.Args) > 0 {
				out[n.Name] = true
			}
			if _, ok := socketCalls[n.Name]; ok {
				out["socketcall"] = true
			}
			if _, ok := ipcCalls[n.Name]; ok {
				out["ipc"] = true
			}
		}
	}
	return out
}

var goArchSymbol = map[string]string{"amd64": "ARCH_AMD64", "arm64": "ARCH_ARM64"}

func archSymbol(goarch string) string {
	if s, ok := goArchSymbol[goarch]; ok {
		return s
	}
	return "ARCH_" + strings.ToUpper(goarch)
}

// directives renders an entry's includes/excludes as a #if line and its
// #endif (JSON.md §2: any excluded capability present drops the entry,
// every included one must be present).
func directives(e *Entry) (string, string) {
	type term struct {
		text   string
		simple string // the #ifdef / #ifndef form when it is the only term
	}
	var terms []term
	if len(e.Excludes.Arches) > 0 {
		for _, a := range e.Excludes.Arches {
			s := archSymbol(a)
			terms = append(terms, term{"!defined(" + s + ")", "#ifndef " + s})
		}
	}
	for _, c := range e.Excludes.Caps {
		terms = append(terms, term{"!defined(" + c + ")", "#ifndef " + c})
	}
	if e.Excludes.HasMinKernel {
		terms = append(terms, term{"KERNEL < " + verText(e.Excludes.MinKernel), ""})
	}
	if len(e.Includes.Arches) > 0 {
		var alts []string
		for _, a := range e.Includes.Arches {
			alts = append(alts, "defined("+archSymbol(a)+")")
		}
		t := term{strings.Join(alts, " || "), ""}
		if len(alts) == 1 {
			t.simple = "#ifdef " + archSymbol(e.Includes.Arches[0])
		} else {
			t.text = "(" + t.text + ")"
		}
		terms = append(terms, t)
	}
	for _, c := range e.Includes.Caps {
		terms = append(terms, term{"defined(" + c + ")", "#ifdef " + c})
	}
	if e.Includes.HasMinKernel {
		terms = append(terms, term{"KERNEL >= " + verText(e.Includes.MinKernel), ""})
	}
	switch {
	case len(terms) == 0:
		return "", ""
	case len(terms) == 1 && terms[0].simple != "":
		return terms[0].simple, "#endif"
	}
	var parts []string
	for _, t := range terms {
		parts = append(parts, t.text)
	}
	return "#if " + strings.Join(parts, " && "), "#endif"
}

func verText(v kver.Version) string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// atom is one yes/no fact about a host that an entry depends on.
type atom struct {
	cap    string       // CAP_X present
	kernel kver.Version // KERNEL >= kernel, when cap is ""
}

func (a atom) text(holds bool) string {
	if a.cap != "" {
		if holds {
			return "defined(" + a.cap + ")"
		}
		return "!defined(" + a.cap + ")"
	}
	if holds {
		return "KERNEL >= " + verText(a.kernel)
	}
	return "KERNEL < " + verText(a.kernel)
}

// complexBlock writes the rules of one system call with argument
// conditions the way libseccomp merges them, for every host.
func (p *Profile) complexBlock(name string) ([]lang.Item, diag.List) {
	var diags diag.List
	var rel []*Entry
	for _, e := range p.Syscalls {
		for _, n := range e.Names {
			_, sock := socketCalls[n.Name]
			_, ipc := ipcCalls[n.Name]
			if n.Name == name || name == "socketcall" && sock || name == "ipc" && ipc {
				rel = append(rel, e)
				break
			}
		}
	}
	// The atoms these entries depend on.
	var atoms []atom
	haveCap := map[string]bool{}
	haveKer := map[kver.Version]bool{}
	for _, e := range rel {
		for _, f := range []*Filter{&e.Includes, &e.Excludes} {
			for _, c := range f.Caps {
				if !haveCap[c] {
					haveCap[c] = true
					atoms = append(atoms, atom{cap: c})
				}
			}
			if f.HasMinKernel && !haveKer[f.MinKernel] {
				haveKer[f.MinKernel] = true
				atoms = append(atoms, atom{kernel: f.MinKernel})
			}
		}
	}
	sort.SliceStable(atoms, func(i, j int) bool {
		if (atoms[i].cap == "") != (atoms[j].cap == "") {
			return atoms[i].cap != ""
		}
		return atoms[i].cap < atoms[j].cap || atoms[i].cap == "" && atoms[i].kernel.Less(atoms[j].kernel)
	})
	if len(atoms) > 10 {
		diags.Warn(rel[0].Pos, "system call %q depends on %d capabilities and kernel versions; too many combinations to convert", name, len(atoms))
		return nil, diags
	}
	def := p.DefaultAction.Ret
	// One output per consistent assignment of the atoms.
	type outcome struct {
		key   string
		items []lang.Item
	}
	var assigns [][]bool
	var outs []outcome
	for mask := 0; mask < 1<<len(atoms); mask++ {
		vals := make([]bool, len(atoms))
		caps := []string{}
		var kernel kver.Version
		consistent := true
		for i, a := range atoms {
			vals[i] = mask&(1<<i) != 0
			if a.cap != "" {
				if vals[i] {
					caps = append(caps, a.cap)
				}
				continue
			}
			// KERNEL >= t must be monotonic in t.
			if vals[i] && kernel.Less(a.kernel) {
				for j := 0; j < i; j++ {
					if atoms[j].cap == "" && !vals[j] {
						consistent = false
					}
				}
				kernel = a.kernel
			}
		}
		for i, a := range atoms {
			if a.cap == "" && !vals[i] && !kernel.Less(a.kernel) {
				consistent = false
			}
		}
		if !consistent {
			continue
		}
		items, key, err := p.exactRules(name, rel, caps, kernel, def)
		if de := (*divergedError)(nil); errors.As(err, &de) {
			diags.Add(rel[0].Pos, "%v", err)
			return nil, diags
		}
		if err != nil {
			var conds []string
			for i, a := range atoms {
				conds = append(conds, a.text(vals[i]))
			}
			where := ""
			if len(conds) > 0 {
				where = " when " + strings.Join(conds, " && ")
			}
			diags.Warn(rel[0].Pos, "runc refuses this profile%s: %v", where, err)
			items = []lang.Item{&lang.Directive{Text: fmt.Sprintf("#error \"runc refuses this profile here: %s\"", strings.ReplaceAll(err.Error(), "\"", "'"))}}
			key = "error:" + err.Error()
		}
		assigns = append(assigns, vals)
		outs = append(outs, outcome{key, items})
	}
	// Group assignments with the same rules.
	var keys []string
	groups := map[string][]int{}
	for i, o := range outs {
		if _, ok := groups[o.key]; !ok {
			keys = append(keys, o.key)
		}
		groups[o.key] = append(groups[o.key], i)
	}
	var items []lang.Item
	if len(keys) == 1 {
		if len(outs[0].items) == 0 {
			return nil, diags // every rule restates the default
		}
		if r, ok := outs[0].items[0].(*lang.Rule); ok && len(outs[0].items) == 1 && isSyscallOnly(r.Cond) {
			return outs[0].items, diags
		}
	}
	items = append(items, &lang.Directive{Text: fmt.Sprintf("// %s, as libseccomp merges its rules: an unconditional rule wins, the high", name)})
	items = append(items, &lang.Directive{Text: "// word is tested first, and 32-bit ABIs (x86, x32, arm) compare only the low 32 bits."})
	if len(keys) == 1 {
		return append(items, outs[0].items...), diags
	}
	// Hosts that get no rule at all need no branch.
	var nonEmpty []string
	for _, k := range keys {
		if len(outs[groups[k][0]].items) > 0 {
			nonEmpty = append(nonEmpty, k)
		}
	}
	for gi, k := range nonEmpty {
		cond := minimize(atoms, assigns, groups[k])
		dir := "#elif "
		if gi == 0 {
			dir = "#if "
		}
		if gi == len(keys)-1 && len(nonEmpty) == len(keys) {
			dir, cond = "#else", ""
		}
		if strings.HasPrefix(dir, "#if") && !strings.ContainsAny(cond, "&| ") {
			// A lone capability reads better as #ifdef / #ifndef.
			if n, ok := strings.CutPrefix(cond, "!defined("); ok {
				dir, cond = "#ifndef ", strings.TrimSuffix(n, ")")
			} else if n, ok := strings.CutPrefix(cond, "defined("); ok {
				dir, cond = "#ifdef ", strings.TrimSuffix(n, ")")
			}
		}
		items = append(items, &lang.Directive{Text: strings.TrimSpace(dir + cond)})
		items = append(items, outs[groups[k][0]].items...)
	}
	items = append(items, &lang.Directive{Text: "#endif"})
	return items, diags
}

// minimize writes the assignments of one group as a preprocessor condition,
// dropping atoms that do not matter within it.
func minimize(atoms []atom, assigns [][]bool, members []int) string {
	in := map[int]bool{}
	for _, m := range members {
		in[m] = true
	}
	covered := func(fixed map[int]bool) bool {
		// Every assignment matching fixed must be in the group.
		for i, a := range assigns {
			ok := true
			for k, v := range fixed {
				if a[k] != v {
					ok = false
					break
				}
			}
			if ok && !in[i] {
				return false
			}
		}
		return true
	}
	var terms []string
	seen := map[string]bool{}
	for _, m := range members {
		fixed := map[int]bool{}
		for k := range atoms {
			fixed[k] = assigns[m][k]
		}
		for k := range atoms {
			v := fixed[k]
			delete(fixed, k)
			if !covered(fixed) {
				fixed[k] = v
			}
		}
		var parts []string
		for k := range atoms {
			if v, ok := fixed[k]; ok {
				parts = append(parts, atoms[k].text(v))
			}
		}
		t := strings.Join(parts, " && ")
		if t == "" {
			t = "1"
		}
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	if len(terms) > 1 {
		for i, t := range terms {
			if strings.Contains(t, "&&") {
				terms[i] = "(" + t + ")"
			}
		}
	}
	return strings.Join(terms, " || ")
}

// exactRules are the rules libseccomp ends up with for name on every ABI,
// for one capability set and kernel, with $arch conditions where ABIs
// differ. key identifies the result.
func (p *Profile) exactRules(name string, rel []*Entry, caps []string, kernel kver.Version, def uint32) ([]lang.Item, string, error) {
	type perABIRules struct {
		a     *abi.ABI
		rules []xrule
	}
	var res []perABIRules
	var refusals []lang.Item
	var refusalKey strings.Builder
	for _, tg := range abi.Targets {
		h := hostOf(Host{Target: tg, Caps: caps, Kernel: kernel})
		var tgRes []perABIRules
		refused := func(err error) {
			sym := archSymbol(tg.GoArch)
			msg := strings.ReplaceAll(err.Error(), "\"", "'")
			what := "runc refuses this profile here"
			switch {
			case errors.Is(err, errLoops):
				what = "runc hangs on this profile here"
			case errors.Is(err, errCorrupt):
				what = "runc's behaviour is undefined here"
			}
			refusals = append(refusals, &lang.Directive{Text: "#ifdef " + sym},
				&lang.Directive{Text: fmt.Sprintf("#error \"%s: %s\"", what, msg)},
				&lang.Directive{Text: "#endif"})
			fmt.Fprintf(&refusalKey, "%s:%s|", sym, msg)
		}
	abis:
		// Only the ABIs the profile accepts on that target matter (a
		// conflict on an ABI the filter leaves out does not stop runc).
		for _, a := range p.hostABIs(tg) {
			target, ok := a.Nr(name)
			if !ok {
				continue
			}
			ai := abiIndex(a)
			db := newSDB(a, 1)
			for _, e := range rel {
				if !e.applies(h) || e.Action.Ret == def {
					continue
				}
				calls := runcConds(e)
				for _, n := range e.Names {
					si := lookupSys(n.Name)
					if si == nil || !si.known {
						continue
					}
					for _, conds := range calls {
						var buf [2]abiRule
						for _, r := range perABI(&buf, a, ai, si, conds) {
							if r.nr != target && !(r.pseudo && n.Name == name) {
								continue
							}
							if _, err := db.add(int32(r.nr), r.conds, e.Action.Ret); err != nil {
								if de := (*divergedError)(nil); errors.As(err, &de) {
									de.call, de.abi = n.Name, a
									return nil, "", de
								}
								refused(fmt.Errorf("%s on %s: %w", n.Name, a.Name, err))
								tgRes = nil
								break abis
							}
						}
					}
				}
			}
			var rules []xrule
			if s := db.lookup(int32(target)); s != nil {
				tr, err := treeRules(s, db.bits32)
				if err != nil {
					return nil, "", err
				}
				rules = simplify(tr, def)
			}
			tgRes = append(tgRes, perABIRules{a, rules})
		}
		res = append(res, tgRes...)
	}
	items := refusals
	var key strings.Builder
	key.WriteString(refusalKey.String())
	done := map[*abi.ABI]bool{}
	var all []*abi.ABI
	for _, r := range res {
		all = append(all, r.a)
	}
	for i, r := range res {
		if done[r.a] {
			continue
		}
		var group []*abi.ABI
		for _, s := range res[i:] {
			if !done[s.a] && rulesEqual(s.rules, r.rules) {
				group = append(group, s.a)
				done[s.a] = true
			}
		}
		if len(r.rules) == 0 {
			continue
		}
		var archs []*abi.ABI
		if len(group) != len(all) {
			archs = group
		}
		fmt.Fprintf(&key, "%v:%s|", archs, rulesKey(r.rules))
		for _, x := range r.rules {
			items = append(items, ruleAST(archs, []string{name}, x.Conds, x.Action))
		}
	}
	return items, key.String(), nil
}

func isSyscallOnly(e lang.Expr) bool {
	c, ok := e.(*lang.Compare)
	return ok && c.Var.Kind == lang.VarSyscall
}
