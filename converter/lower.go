package converter

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/kver"
	"github.com/secc-lang/secc/lang"
)

// Host is what the engine resolves a profile for.
type Host struct {
	Target *abi.Target // nil: x86_64
	// Caps is the container's bounding set ("CAP_CHOWN", …).
	Caps []string
	// Kernel is the host kernel; zero means the running kernel.
	Kernel kver.Version
	// ABIs, when given, are the only ABIs lowered (those of Target among
	// them), in place of the ones the profile gives the host: a filter
	// compiled for fewer ABIs than the profile names needs no rules for
	// the others.
	ABIs []*abi.ABI
}

// DockerDefaultCaps is Docker's default capability set (JSON.md §2).
var DockerDefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// LowerOptions adjust Lower.
type LowerOptions struct {
	// EnosysUnknown makes system calls newer than the host kernel, or
	// absent from secc's tables, fail with ENOSYS instead of the default
	// action, so that C libraries fall back to older calls. It replaces the
	// hidden stub runc adds for the same purpose.
	EnosysUnknown bool
}

// Lowered is a profile resolved for one host: a first-match policy that
// decides exactly what runc and libseccomp 2.5.4 would enforce there.
type Lowered struct {
	File *lang.File
	// ABIs are the ABIs the filter accepts: always the target's native
	// one (runc never removes it), then the others the profile lists for
	// the target, in its order.
	ABIs         []*abi.ABI
	Default      uint32
	BadABIAction uint32 // libseccomp's default: kill the thread
	// Flags are the SECCOMP_FILTER_FLAG_* names to load with; runc adds
	// SPEC_ALLOW when the profile has no flags field.
	Flags        []string
	ListenerPath string
	Warnings     diag.List

	// Calls are the seccomp_rule_add calls runc would make, in order, for
	// building the same filter with libseccomp (internal/libseccomp).
	Calls []Call
	// LibseccompFault says that the last of Calls corrupts libseccomp
	// 2.5.4's rule tree (an error says how): replaying Calls may never
	// return. LibseccompHangs says that it does not return (libseccomp
	// then walks a level of its tree forever), nor does runc.
	LibseccompFault, LibseccompHangs bool
	// Target and Kernel are the resolved host.
	Target *abi.Target
	Kernel kver.Version
}

// Call is one seccomp_rule_add_array call: Name resolved by name, Conds
// ANDed (at most one per argument index).
type Call struct {
	Name   string
	Action uint32
	Conds  []Cond
}

// Cond is a libseccomp argument comparison (struct scmp_arg_cmp).
type Cond struct {
	Index int
	Op    Op
	A, B  uint64 // datum_a, datum_b (mask and value for MASKED_EQ)
}

// Lower resolves the profile for h; see LowerWith.
func (p *Profile) Lower(h Host) (*Lowered, diag.List) { return p.LowerWith(h, LowerOptions{}) }

// LowerWith applies the engine's includes/excludes for h (JSON.md §2) and
// lowers the result the way runc and libseccomp do (§3). The returned
// list holds warnings (skipped names, rules that mean something else on a
// 32-bit ABI, rules whose effect depends on their order) and, on failure,
// errors: a profile runc would refuse is an error here too.
func (p *Profile) LowerWith(h Host, o LowerOptions) (*Lowered, diag.List) {
	var diags diag.List
	if h.Target == nil {
		h.Target = abi.TargetX86_64
	}
	if h.Kernel.IsZero() {
		h.Kernel = runningKernel()
	}
	l := &Lowered{Default: p.DefaultAction.Ret, BadABIAction: bpf.RetKillThread, Target: h.Target, Kernel: h.Kernel,
		ListenerPath: p.ListenerPath}
	if !validForLibseccomp(l.Default) {
		diags.Add(p.DefaultAction.Pos, "default action %s: libseccomp refuses errno values above 4094", bpf.ActionString(l.Default))
		return nil, diags
	}
	l.Flags = p.Flags
	if !p.FlagsGiven {
		l.Flags = []string{"SECCOMP_FILTER_FLAG_SPEC_ALLOW"}
	}
	l.ABIs = p.hostABIs(h.Target)
	if len(h.ABIs) > 0 {
		l.ABIs = nil
		for _, a := range h.ABIs {
			if a.Target == h.Target.Name && !slices.Contains(l.ABIs, a) {
				l.ABIs = append(l.ABIs, a)
			}
		}
	}

	entries := p.forHost(hostOf(h))
	// Build each ABI's database the way libseccomp does. This runs for
	// every host a profile is lowered for and sits on the path of every
	// compile of a JSON profile, hence the care about allocations: names
	// are resolved through sysTable, and each database entry is filed under
	// its name's rank as it is made, so no name is looked up twice.
	tab := sysTable()
	nnames := 0
	for _, e := range entries {
		nnames += len(e.Names)
	}
	// slots[rank*nabi+i] is the entry of the system call of that rank on
	// l.ABIs[i].
	nabi := len(l.ABIs)
	slots := make([]*ssys, len(tab.byRank)*nabi)
	var buf [2]abiRule

	// Most system calls only ever get unconditional rules. For those,
	// libseccomp keeps the first rule's action on every ABI that has the
	// call and builds no tree, so they skip the databases: plain[rank]
	// says which, first[rank] holds the action. The others, those with a
	// rule with arguments somewhere and on x86 the socket and IPC calls
	// (which libseccomp turns into conditional rules on socketcall and
	// ipc), go through the model.
	const (
		unseen = iota
		modelled
		plainSeen
	)
	hasX86 := false
	for _, a := range l.ABIs {
		hasX86 = hasX86 || a == abi.X86
	}
	plain := make([]uint8, len(tab.byRank))
	first := make([]uint32, len(tab.byRank))
	for _, e := range entries {
		if len(e.Args) == 0 || e.Action.Ret == l.Default {
			continue
		}
		for _, n := range e.Names {
			if si := tab.byName[n.Name]; si != nil {
				plain[si.rank] = modelled
			}
		}
	}
	if hasX86 {
		for _, n := range []string{"socketcall", "ipc"} {
			plain[tab.byName[n].rank] = modelled
		}
		for i := range tab.byRank {
			if tab.byRank[i].mux != "" {
				plain[i] = modelled
			}
		}
	}

	ais := make([]int, len(l.ABIs))
	dbs := make([]*sdb, len(l.ABIs))
	nmodelled := 2 // socketcall and ipc
	for _, e := range entries {
		for _, n := range e.Names {
			if si := tab.byName[n.Name]; si != nil && plain[si.rank] == modelled {
				nmodelled++
			}
		}
	}
	for i, a := range l.ABIs {
		ais[i] = abiIndex(a)
		dbs[i] = newSDB(a, nmodelled)
	}

	l.Calls = make([]Call, 0, nnames)
	// The rules libseccomp also applies to socketcall/ipc get one warning
	// together: the hole is the profile's, and Docker's has three.
	type muxedRule struct {
		pos  diag.Pos
		name string
	}
	var muxed []muxedRule
	for _, e := range entries {
		warned32, warnedMux := false, false
		var calls [][]scond
		var callConds [][]Cond
		for _, n := range e.Names {
			si := tab.byName[n.Name]
			if si == nil || !si.known {
				d := diags.Warn(n.Pos, "unknown system call %q skipped (runc skips names libseccomp cannot resolve)", n.Name)
				if s, ok := abi.Suggest(n.Name); ok {
					d.Hint = fmt.Sprintf("did you mean %q?", s)
				}
				continue
			}
			if e.Action.Ret == l.Default {
				continue // runc skips rules whose action is the default
			}
			if !validForLibseccomp(e.Action.Ret) {
				diags.Add(e.Action.Pos, "%s: libseccomp refuses errno values above 4094, so runc would refuse this profile", bpf.ActionString(e.Action.Ret))
				l.Calls = append(l.Calls, Call{Name: n.Name, Action: e.Action.Ret})
				return l, diags
			}
			if plain[si.rank] != modelled {
				l.Calls = append(l.Calls, Call{Name: n.Name, Action: e.Action.Ret})
				if plain[si.rank] == unseen {
					plain[si.rank], first[si.rank] = plainSeen, e.Action.Ret
				}
				continue
			}
			if calls == nil {
				// The same for every name of the entry; the Calls
				// share their Conds.
				calls = runcConds(e)
				callConds = make([][]Cond, len(calls))
				for ci, conds := range calls {
					for _, s := range conds {
						cd := Cond{Index: s.arg, Op: s.op, A: s.datum}
						if s.op == OpMaskedEQ {
							cd.A, cd.B = s.mask, s.datum
						}
						callConds[ci] = append(callConds[ci], cd)
					}
				}
			}
			for ci, conds := range calls {
				l.Calls = append(l.Calls, Call{Name: n.Name, Action: e.Action.Ret, Conds: callConds[ci]})
				for i, a := range l.ABIs {
					for _, r := range perABI(&buf, a, ais[i], si, conds) {
						if r.muxed && len(conds) > 0 && !warnedMux {
							warnedMux = true
							muxed = append(muxed, muxedRule{e.Pos, n.Name})
						}
						if a.Bits == 32 && len(r.conds) > 0 && !warned32 && wide(r.conds) {
							warned32 = true
							diags.Warn(e.Pos, "on 32-bit ABIs (%s) libseccomp compares only the low 32 bits of arguments, so values above 0xffffffff are truncated", a.Name)
						}
						sx, err := dbs[i].add(int32(r.nr), r.conds, e.Action.Ret)
						if err != nil {
							var de *divergedError
							switch {
							case errors.As(err, &de):
								de.call, de.abi = n.Name, a
								diags.Add(e.Pos, "%v", de)
							case err == errLoops:
								l.LibseccompFault, l.LibseccompHangs = true, true
								diags.Add(e.Pos, "system call %q on %s: %v, so runc would hang starting the container", n.Name, a.Name, err)
							case err == errCorrupt:
								l.LibseccompFault = true
								diags.Add(e.Pos, "system call %q on %s: %v, so what runc does with this profile is undefined", n.Name, a.Name, err)
							default:
								diags.Add(e.Pos, "system call %q on %s: %v, so runc would refuse this profile", n.Name, a.Name, err)
							}
							// l keeps the calls made so far, the failing
							// one last, so tests can replay them.
							return l, diags
						}
						switch {
						case r.pseudo:
							// Never reaches the filter.
						case r.muxed:
							slots[int(tab.byName[si.mux].rank)*nabi+i] = sx
						default:
							slots[int(si.rank)*nabi+i] = sx
						}
					}
				}
			}
		}
	}

	// Turn each ABI's trees into first-match rules, by name, then group
	// ABIs whose rules for a system call agree.
	f := &lang.File{}
	type uncondRules struct {
		action uint32
		names  []string
	}
	var uncond []uncondRules // actions in order of first appearance
	// res[:k] are the ABIs' rules for one system call; an entry with only
	// unconditional rules (most of them) is its action alone.
	var res [numABIs]sysRules
	addUncond := func(act uint32, name string) {
		u := 0
		for u < len(uncond) && uncond[u].action != act {
			u++
		}
		if u == len(uncond) {
			// Most names land in the first action's list.
			n := 8
			if u == 0 {
				n = nnames
			}
			uncond = append(uncond, uncondRules{action: act, names: make([]string, 0, n)})
		}
		uncond[u].names = append(uncond[u].names, name)
	}
	for rank := range tab.byRank {
		if plain[rank] == plainSeen {
			// What the model would make of it: the first action, on
			// every ABI of the filter that has the call.
			si := &tab.byRank[rank]
			if first[rank] == l.Default {
				continue
			}
			for i := range l.ABIs {
				if si.has[ais[i]] {
					addUncond(first[rank], si.name)
					break
				}
			}
			continue
		}
		slot := slots[rank*nabi : (rank+1)*nabi]
		if nabi == 1 && slot[0] == nil {
			continue
		}
		k := 0
		for i, s := range slot {
			if s == nil {
				continue
			}
			r := sysRules{a: l.ABIs[i], action: s.action}
			if s.chains == nil {
				if s.action == l.Default {
					continue
				}
			} else {
				r.cond, r.tree, r.bits32 = true, s.chains, dbs[i].bits32
				// 32-bit ABIs often end up with the same tree (x86 and
				// x32 get the same rules): read it once.
				reused := false
				for j := range k {
					if q := &res[j]; q.cond && q.bits32 == r.bits32 && sameTree(q.tree, r.tree) {
						r.rules, reused = q.rules, true
						break
					}
				}
				if !reused {
					tr, err := treeRules(s, dbs[i].bits32)
					if err != nil {
						diags.Add(diag.Pos{File: p.Name}, "%s on %s: %v", tab.byRank[rank].name, l.ABIs[i].Name, err)
						return l, diags
					}
					r.rules = simplify(tr, l.Default)
				}
				if len(r.rules) == 0 {
					continue
				}
			}
			res[k] = r
			k++
		}
		si := &tab.byRank[rank]
		var done [numABIs]bool
		for g := 0; g < k; g++ {
			if done[g] {
				continue
			}
			var groupBuf [numABIs]*abi.ABI
			group := groupBuf[:0]
			for j := g; j < k; j++ {
				if !done[j] && res[j].equal(&res[g]) {
					done[j] = true
					group = append(group, res[j].a)
				}
			}
			all := coversAll(group, l.ABIs, si)
			r := &res[g]
			act, uncondOnly := r.action, !r.cond
			if r.cond && len(r.rules) == 1 && len(r.rules[0].Conds) == 0 {
				act, uncondOnly = r.rules[0].Action, true
			}
			if all && uncondOnly {
				addUncond(act, si.name)
				continue
			}
			var archs []*abi.ABI
			if !all {
				archs = group
			}
			for _, x := range r.list() {
				f.Items = append(f.Items, ruleAST(archs, []string{si.name}, x.Conds, x.Action))
			}
		}
	}
	head := make([]lang.Item, 0, len(uncond)+len(f.Items)+2)
	for _, u := range uncond {
		head = append(head, ruleAST(nil, u.names, nil, u.action))
	}
	f.Items = append(head, f.Items...)
	if o.EnosysUnknown {
		f.Items = append(f.Items, enosysRule(h.Kernel))
	}
	f.Items = append(f.Items, &lang.Rule{Action: actionAST(l.Default)})
	l.File = f
	if len(muxed) > 0 {
		which := "this rule (" + muxed[0].name + ")"
		if len(muxed) > 1 {
			var others []string
			for _, m := range muxed[1:] {
				others = append(others, fmt.Sprintf("%d (%s)", m.pos.Line, m.name))
			}
			if len(others) == 1 {
				which += " and the rule at line " + others[0]
			} else {
				which += " and the rules at lines " + strings.Join(others[:len(others)-1], ", ") + " and " + others[len(others)-1]
			}
		}
		diags.Warn(muxed[0].pos, "on x86, libseccomp also applies %s to socketcall/ipc, whose real arguments sit behind a pointer: there the argument conditions test the multiplexer's own arguments", which)
	}
	l.Warnings = diags
	return l, diags
}

// sysRules is what one ABI's filter decides for one system call: the
// unconditional action, or first-match rules when cond.
type sysRules struct {
	a      *abi.ABI
	cond   bool
	action uint32
	rules  []xrule
	// tree and bits32 are where rules came from, when cond.
	tree   *snode
	bits32 bool
}

// list is r as rules.
func (r *sysRules) list() []xrule {
	if r.cond {
		return r.rules
	}
	return []xrule{{Action: r.action}}
}

// equal reports whether r and s decide alike (an unconditional action is
// the same as a single rule without conditions).
func (r *sysRules) equal(s *sysRules) bool {
	if !r.cond && !s.cond {
		return r.action == s.action
	}
	return rulesEqual(r.list(), s.list())
}

func wide(conds []scond) bool {
	for _, c := range conds {
		if c.datum > 0xffffffff || (c.op == OpMaskedEQ && c.mask > 0xffffffff) {
			return true
		}
	}
	return false
}

// validForLibseccomp reports whether seccomp_rule_add accepts the action:
// libseccomp 2.5.4 refuses ERRNO data of MAX_ERRNO (4095) and above.
func validForLibseccomp(ret uint32) bool {
	return ret&bpf.RetActionFull != bpf.RetErrno || ret&bpf.RetData < 4095
}

// coversAll reports whether abis are all the ABIs of the filter on which
// the system call si exists, so a rule needs no $arch condition.
func coversAll(abis, filter []*abi.ABI, si *sysInfo) bool {
	for _, a := range filter {
		if !si.has[abiIndex(a)] {
			continue
		}
		found := false
		for _, b := range abis {
			found = found || a == b
		}
		if !found {
			return false
		}
	}
	return true
}

func enosysRule(k kver.Version) *lang.Rule {
	return &lang.Rule{
		Cond:   &lang.InKernel{Var: &lang.Var{Kind: lang.VarSyscall}, Negated: true, Version: fmt.Sprintf("%d.%d", k.Major, k.Minor)},
		Action: &lang.Action{Name: "ERRNO", Parens: true, Arg: nameValue("ENOSYS")},
	}
}

// hostABIs is the ABIs of the filter runc makes on a host of target t.
// libseccomp's filter context starts out with the native ABI (seccomp_init
// resets the context to arch_def_native), and runc only ever adds the ABIs
// the profile lists (the architectures list, or the archMap entry of the
// native ABI; adding one already there is no error), never removing the
// native one. So the native ABI is always in, first unless the profile
// lists it elsewhere; ABIs of other targets are left out, as nothing on t
// ever matches them.
func (p *Profile) hostABIs(t *abi.Target) []*abi.ABI {
	var list []Arch
	switch {
	case p.Architectures != nil:
		list = p.Architectures
	case p.ArchMap != nil:
		for _, m := range p.ArchMap {
			if m.Arch.ABI == t.Native || m.Arch.Name == "SCMP_ARCH_NATIVE" {
				list = append([]Arch{m.Arch}, m.Sub...)
				break
			}
		}
	}
	var out []*abi.ABI
	seen := map[*abi.ABI]bool{}
	for _, a := range list {
		x := a.ABI
		if a.Name == "SCMP_ARCH_NATIVE" {
			x = t.Native
		}
		if x == nil || x.Target != t.Name || seen[x] {
			continue
		}
		seen[x] = true
		out = append(out, x)
	}
	if !seen[t.Native] {
		out = append([]*abi.ABI{t.Native}, out...)
	}
	return out
}

// hostInfo is a host as includes/excludes see it.
type hostInfo struct {
	goarch string
	caps   map[string]bool
	kernel kver.Version // major.minor only
}

func hostOf(h Host) hostInfo {
	hi := hostInfo{goarch: h.Target.GoArch, caps: map[string]bool{}, kernel: kver.Version{Major: h.Kernel.Major, Minor: h.Kernel.Minor}}
	for _, c := range h.Caps {
		hi.caps[strings.ToUpper(c)] = true
	}
	return hi
}

// applies is JSON.md §2: the engine's six steps, in order.
func (e *Entry) applies(h hostInfo) bool {
	for _, a := range e.Excludes.Arches {
		if a == h.goarch {
			return false
		}
	}
	for _, c := range e.Excludes.Caps {
		if h.caps[c] {
			return false
		}
	}
	if e.Excludes.HasMinKernel && h.kernel.Compare(e.Excludes.MinKernel) >= 0 {
		return false
	}
	if len(e.Includes.Arches) > 0 {
		found := false
		for _, a := range e.Includes.Arches {
			found = found || a == h.goarch
		}
		if !found {
			return false
		}
	}
	for _, c := range e.Includes.Caps {
		if !h.caps[c] {
			return false
		}
	}
	if e.Includes.HasMinKernel && h.kernel.Compare(e.Includes.MinKernel) < 0 {
		return false
	}
	return true
}

func (p *Profile) forHost(h hostInfo) []*Entry {
	var out []*Entry
	for _, e := range p.Syscalls {
		if e.applies(h) {
			out = append(out, e)
		}
	}
	return out
}

func runningKernel() kver.Version {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return kver.Version{Major: 6, Minor: 18}
	}
	v, err := kver.Parse(strings.TrimSpace(string(b)))
	if err != nil {
		return kver.Version{Major: 6, Minor: 18}
	}
	return v
}
