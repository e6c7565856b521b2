package converter

import (
	"fmt"
	"os"
	"sort"
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
	File         *lang.File
	ABIs         []*abi.ABI // the ABIs the filter accepts, native first when listed
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

	entries := p.forHost(hostOf(h))
	// Build each ABI's database the way libseccomp does.
	dbs := map[*abi.ABI]*sdb{}
	for _, a := range l.ABIs {
		dbs[a] = newSDB(a.Bits == 32)
	}
	warned32 := map[*Entry]bool{}
	warnedMux := map[*Entry]bool{}
	for _, e := range entries {
		for ni, n := range e.Names {
			if !knownToLibseccomp(n.Name) {
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
			for _, c := range runcCalls(e, ni) {
				call := Call{Name: c.Name, Action: c.Action}
				for _, s := range c.Conds {
					cd := Cond{Index: s.arg, Op: s.op, A: s.datum}
					if s.op == OpMaskedEQ {
						cd.A, cd.B = s.mask, s.datum
					}
					call.Conds = append(call.Conds, cd)
				}
				l.Calls = append(l.Calls, call)
				for _, a := range l.ABIs {
					for _, r := range perABI(a, c) {
						if r.muxed && len(c.Conds) > 0 && !warnedMux[e] {
							warnedMux[e] = true
							diags.Warn(e.Pos, "on x86, libseccomp also applies this rule to %s via socketcall/ipc, whose real arguments sit behind a pointer: the argument conditions there test the multiplexer's own arguments", n.Name)
						}
						if a.Bits == 32 && !warned32[e] && len(r.conds) > 0 && wide(r.conds) {
							warned32[e] = true
							diags.Warn(e.Pos, "on 32-bit ABIs (%s) libseccomp compares only the low 32 bits of arguments, so values above 0xffffffff are truncated", a.Name)
						}
						if err := dbs[a].add(int32(r.nr), r.conds, c.Action); err != nil {
							diags.Add(e.Pos, "system call %q on %s: %v, so runc would refuse this profile", n.Name, a.Name, err)
							// l keeps the calls made so far, the failing
							// one last, so tests can replay them.
							return l, diags
						}
					}
				}
			}
		}
	}

	// Turn each ABI's trees into first-match rules, then group ABIs whose
	// rules for a system call agree.
	f := &lang.File{}
	type abiRules struct {
		a     *abi.ABI
		rules []xrule
	}
	byName := map[string][]abiRules{}
	for _, a := range l.ABIs {
		db := dbs[a]
		for nr, s := range db.sys {
			name, ok := a.SyscallName(uint32(nr))
			if !ok || nr < 0 {
				continue
			}
			tr, err := treeRules(s, db.bits32)
			if err != nil {
				diags.Add(diag.Pos{File: p.Name}, "%s on %s: %v", name, a.Name, err)
				return l, diags
			}
			rules := simplify(tr, l.Default)
			if len(rules) == 0 {
				continue
			}
			byName[name] = append(byName[name], abiRules{a, rules})
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	uncond := map[uint32][]string{} // action → names allowed unconditionally on every ABI
	var actions []uint32
	for _, name := range names {
		groups := map[string][]abiRules{}
		var order []string
		for _, ar := range byName[name] {
			k := rulesKey(ar.rules)
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], ar)
		}
		for _, k := range order {
			g := groups[k]
			var abis []*abi.ABI
			for _, ar := range g {
				abis = append(abis, ar.a)
			}
			all := coversAll(abis, l.ABIs, name)
			rules := g[0].rules
			if all && len(rules) == 1 && len(rules[0].Conds) == 0 {
				act := rules[0].Action
				if _, ok := uncond[act]; !ok {
					actions = append(actions, act)
				}
				uncond[act] = append(uncond[act], name)
				continue
			}
			var archs []*abi.ABI
			if !all {
				archs = abis
			}
			for _, r := range rules {
				f.Items = append(f.Items, ruleAST(archs, []string{name}, r.Conds, r.Action))
			}
		}
	}
	var head []lang.Item
	for _, act := range actions {
		head = append(head, ruleAST(nil, uncond[act], nil, act))
	}
	f.Items = append(head, f.Items...)
	if o.EnosysUnknown {
		f.Items = append(f.Items, enosysRule(h.Kernel))
	}
	f.Items = append(f.Items, &lang.Rule{Action: actionAST(l.Default)})
	l.File = f
	l.Warnings = diags
	return l, diags
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
// name exists, so a rule needs no $arch condition.
func coversAll(abis, filter []*abi.ABI, name string) bool {
	for _, a := range filter {
		if _, ok := a.Nr(name); !ok {
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

// hostABIs is the ABIs runc adds for the target: the architectures list or
// the archMap entry of the target's native ABI, restricted to the target;
// the native ABI alone when the profile names none.
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
	if len(out) == 0 {
		out = []*abi.ABI{t.Native}
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
