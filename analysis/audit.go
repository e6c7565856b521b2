package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
)

// Audit checks a filter from anywhere for the ways filters fail to mean
// what their authors think: a missing or late arch check, ABIs read with
// another ABI's numbers, x32 calls let through, ALLOWs the kernel cannot
// cache, dead code, code the kernel refuses, unknown arches allowed, calls
// denied while another that does the same is allowed.
func Audit(in *Input) *Report {
	r := in.Explored
	rep := &Report{Input: in.Name}
	if r.Check != nil {
		rep.add(Finding{PC: -1, Severity: SevError, Code: "kernel-refuses",
			Message:    "the kernel would refuse this filter: " + r.Check.Error(),
			Suggestion: "fix the instruction named; nothing else matters until the filter loads"})
		return rep
	}
	auditArch(in, rep)
	auditForeign(in, rep)
	auditX32(in, rep)
	auditCache(in, rep)
	auditCode(in, rep)
	lintEquivalents(in, rep)
	rep.sort()
	return rep
}

// auditArch reports filters that decide without knowing the arch.
func auditArch(in *Input, rep *Report) {
	r := in.Explored
	if len(r.Regions) == 1 {
		rep.add(Finding{PC: -1, Severity: SevError, Code: "no-arch-check",
			Message:    "the filter never checks the arch: calls of every ABI are decided by the same number tests, though numbers mean different system calls on each",
			Suggestion: "load arch (offset 4) first and return KILL_PROCESS unless it is an AUDIT_ARCH you wrote the rules for"})
	} else {
		// Paths that test nr or arguments before any arch test.
		type visit struct {
			m    *mnode
			arch bool
		}
		seen := map[visit]bool{}
		firstPC, allowPC := -1, -1
		var walk func(m *mnode, arch, tested bool)
		walk = func(m *mnode, arch, tested bool) {
			if seen[visit{m, arch}] {
				return
			}
			seen[visit{m, arch}] = true
			switch m.kind {
			case mLeaf:
				if !arch && tested && permissive(m.action) && allowPC < 0 {
					allowPC = m.pcs[len(m.pcs)-1]
				}
			case mTest:
				pc := m.pcs[len(m.pcs)-1]
				if m.test.Word != WordArch && !arch && firstPC < 0 {
					firstPC = pc
				}
				a := arch || m.test.Word == WordArch
				walk(m.t, a, tested || m.test.Word != WordArch)
				walk(m.f, a, tested || m.test.Word != WordArch)
			}
		}
		walk(r.root, false, false)
		switch {
		case allowPC >= 0:
			rep.add(Finding{PC: allowPC, Severity: SevError, Code: "allow-before-arch",
				Message:    "returns ALLOW on a path that never checked the arch",
				Suggestion: "check the arch before the system call number on every path"})
		case firstPC >= 0:
			rep.add(Finding{PC: firstPC, Severity: SevWarning, Code: "nr-before-arch",
				Message:    "tests the system call number or an argument before the arch is known",
				Suggestion: "check the arch first: a number means different calls on different ABIs"})
		}
	}
	if o := r.otherArch(); o != nil && len(r.Regions) > 1 {
		if mayPermit(o) {
			rep.add(Finding{PC: -1, Severity: SevError, Code: "allow-unknown-arch",
				Message:    fmt.Sprintf("calls from arches the filter does not check for can be allowed (%s)", regionSummary(o)),
				Suggestion: "return KILL_PROCESS for every arch the rules were not written for"})
		}
	}
}

// mayPermit reports whether some decision of the region can allow a call.
func mayPermit(reg *ArchRegion) bool {
	for _, iv := range reg.Intervals {
		if nodeMayPermit(iv.Node, iv.Samples) {
			return true
		}
	}
	return false
}

func nodeMayPermit(n *Node, samples []uint32) bool {
	seen := map[*Node]bool{}
	var walk func(n *Node) bool
	walk = func(n *Node) bool {
		if seen[n] {
			return false
		}
		seen[n] = true
		switch n.Kind {
		case Leaf:
			return permissive(n.Action)
		case Opaque:
			for _, s := range samples {
				if permissive(s) {
					return true
				}
			}
			return true // not followed: assume the worst
		}
		return walk(n.True) || walk(n.False)
	}
	return walk(n)
}

func regionSummary(reg *ArchRegion) string {
	if a, ok := constantRegion(reg); ok {
		return ActionName(a)
	}
	return fmt.Sprintf("%d number intervals, some allowing", len(reg.Intervals))
}

// decisionOf reports whether syscall nr of an arch can be allowed, and
// whether it is denied for sure.
func decisionOf(r *Result, arch, nr uint32) (mayAllow, denied bool) {
	iv := r.Lookup(arch, nr)
	mayAllow = nodeMayPermit(iv.Node, iv.Samples)
	a, ok := iv.Node.Constant()
	return mayAllow, ok && !permissive(a)
}

// auditForeign reports ABIs whose calls the filter decides with another
// ABI's rules: the same number means another system call there.
func auditForeign(in *Input, rep *Report) {
	r := in.Explored
	main := abi.X86_64
	if in.Target != nil {
		main = in.Target.Native
	}
	mreg := r.Region(main.AuditArch)
	for _, f := range abi.All {
		if f.AuditArch == main.AuditArch {
			continue
		}
		freg := r.Region(f.AuditArch)
		if freg != mreg && !sameIntervals(freg.Intervals, mreg.Intervals) {
			continue
		}
		if !mayPermit(freg) {
			continue
		}
		// Examples: calls main denies by name whose number on f is let
		// through, read as some other call of main.
		var ex []string
		for _, sc := range f.Syscalls() {
			mnr, ok := main.Nr(sc.Name)
			if !ok || mnr == sc.Nr {
				continue
			}
			if _, denied := decisionOf(r, main.AuditArch, mnr); !denied {
				continue
			}
			if may, _ := decisionOf(r, f.AuditArch, sc.Nr); may {
				as := "a number it does not name"
				if other, ok := main.SyscallName(sc.Nr); ok {
					as = other
				}
				ex = append(ex, fmt.Sprintf("%s %s (nr %d, %s on %s)", f.Name, sc.Name, sc.Nr, as, main.Name))
			}
		}
		sev := SevWarning
		msg := fmt.Sprintf("%s calls are decided by the rules for %s numbers", f.Name, main.Name)
		if len(ex) > 0 {
			sev = SevError
			msg += "; calls denied on " + main.Name + " get through as other calls: " + names(ex, 3)
		}
		rep.add(Finding{PC: -1, Severity: sev, Code: "foreign-abi", Message: msg,
			Suggestion: fmt.Sprintf("check arch == %#x before the number and kill other arches", main.AuditArch)})
	}
}

// auditX32 reports x86_64 filters that let x32 calls (nr | 0x40000000)
// through.
func auditX32(in *Input, rep *Report) {
	r := in.Explored
	if in.Target != nil && in.Target != abi.TargetX86_64 {
		return
	}
	reg := r.Region(abi.AuditArchX86_64)
	permits, specific := false, false
	for _, iv := range reg.Intervals {
		inX32 := len(domainPieces(abi.X32, iv.Lo, iv.Hi)) > 0
		if !inX32 {
			continue
		}
		if nodeMayPermit(iv.Node, iv.Samples) {
			permits = true
		}
		// A boundary strictly inside the x32 numbers: the filter tests
		// particular x32 calls, so accepting x32 looks deliberate.
		if iv.Lo > abi.X32Bit && iv.Lo < 0x80000000 || iv.Hi > abi.X32Bit && iv.Hi < 0x7fffffff {
			specific = true
		}
	}
	if !permits {
		return
	}
	var ex []string
	for _, sc := range abi.X32.Syscalls() {
		n, ok := abi.X86_64.Nr(sc.Name)
		if !ok {
			continue
		}
		if _, denied := decisionOf(r, abi.AuditArchX86_64, n); !denied {
			continue
		}
		if may, _ := decisionOf(r, abi.AuditArchX86_64, sc.Nr); may {
			ex = append(ex, fmt.Sprintf("%s (%#x)", sc.Name, sc.Nr))
		}
	}
	switch {
	case len(ex) > 0:
		rep.add(Finding{PC: -1, Severity: SevError, Code: "x32-bypass",
			Message:    "x32 calls are not rejected: calls denied on x86_64 are allowed through their x32 numbers: " + names(ex, 4),
			Suggestion: "return KILL_PROCESS for nr >= 0x40000000 (except -1) after the x86_64 arch check, or give x32 the same rules"})
	case !specific:
		rep.add(Finding{PC: -1, Severity: SevWarning, Code: "x32-unguarded",
			Message:    "AUDIT_ARCH_X86_64 is accepted but numbers >= 0x40000000 (x32 calls) are not rejected",
			Suggestion: "reject nr >= 0x40000000 (except -1) unless the filter means to accept x32"})
	}
}

// auditCache reports constant ALLOWs the kernel's cache cannot skip.
func auditCache(in *Input, rep *Report) {
	r := in.Explored
	for _, a := range in.ABIs {
		if a == abi.X32 {
			continue
		}
		var miss []string
		for _, sc := range a.Syscalls() {
			act, ok := r.Lookup(a.AuditArch, sc.Nr).Node.Constant()
			if ok && act == bpf.RetAllow && !Cached(in.Insns, a, sc.Nr) {
				miss = append(miss, sc.Name)
			}
		}
		if len(miss) > 0 {
			rep.add(Finding{PC: -1, Severity: SevWarning, Code: "uncached-allow",
				Message: fmt.Sprintf("%d %s %s always allowed, but the kernel's cache cannot tell (the path to the ALLOW loads arguments or does arithmetic): %s",
					len(miss), a.Name, plural(len(miss), "call is", "calls are"), names(miss, 5)),
				Suggestion: "test only arch and nr (JEQ/JGE/JGT/JSET K, AND K) on the way to constant ALLOWs"})
		}
	}
}

// auditCode reports dead code, unknown actions, capped errnos and what the
// explorer could not follow.
func auditCode(in *Input, rep *Report) {
	r := in.Explored
	var dead []string
	for pc := 0; pc < len(r.Reached); {
		if r.Reached[pc] {
			pc++
			continue
		}
		end := pc
		for end+1 < len(r.Reached) && !r.Reached[end+1] {
			end++
		}
		if pc == end {
			dead = append(dead, fmt.Sprint(pc))
		} else {
			dead = append(dead, fmt.Sprintf("%d-%d", pc, end))
		}
		pc = end + 1
	}
	if len(dead) > 0 && r.Check == nil {
		first := 0
		fmt.Sscan(strings.SplitN(dead[0], "-", 2)[0], &first)
		rep.add(Finding{PC: first, Severity: SevWarning, Code: "unreachable",
			Message:    "instructions no input reaches: " + names(dead, 8),
			Suggestion: "remove them; dead code usually means a jump goes somewhere other than intended"})
	}
	seenAct := map[uint32]bool{}
	var acts []uint32
	for _, n := range r.Nodes {
		if n.Kind == Leaf && !seenAct[n.Action] {
			seenAct[n.Action] = true
			acts = append(acts, n.Action)
		}
	}
	sort.Slice(acts, func(i, j int) bool { return acts[i] < acts[j] })
	for _, a := range acts {
		pc := retPC(r, a)
		switch {
		case strings.HasPrefix(bpf.ActionString(a), "0x"):
			rep.add(Finding{PC: pc, Severity: SevWarning, Code: "unknown-action",
				Message:    fmt.Sprintf("returns %#08x, an action the kernel does not know (it acts as KILL_PROCESS)", a),
				Suggestion: "return a SECCOMP_RET_* action"})
		case a&bpf.RetActionFull == bpf.RetErrno && a&bpf.RetData > 4095:
			rep.add(Finding{PC: pc, Severity: SevWarning, Code: "errno-capped",
				Message:    fmt.Sprintf("returns ERRNO(%d); the kernel caps errno at 4095", a&bpf.RetData),
				Suggestion: "use an errno below 4096"})
		case a == bpf.RetErrno:
			rep.add(Finding{PC: pc, Severity: SevWarning, Code: "errno-zero",
				Message:    "returns ERRNO(0): the call reports success without running",
				Suggestion: "use ERRNO(EPERM) or ALLOW"})
		}
	}
	reasons := map[string]int{}
	for _, n := range r.Nodes {
		if n.Kind == Opaque {
			if _, ok := reasons[n.Reason]; !ok {
				reasons[n.Reason] = n.PC
			}
		}
	}
	for reason, pc := range reasons {
		rep.add(Finding{PC: pc, Severity: SevInfo, Code: "opaque",
			Message:    "the analysis cannot follow this code symbolically (" + reason + "); its decisions were sampled, not proven",
			Suggestion: "compare against constants with JEQ/JGT/JGE/JSET on loaded words"})
	}
	for _, n := range r.Nodes {
		if n.Kind == Branch && (n.Test.Word == 2 || n.Test.Word == 3) {
			rep.add(Finding{PC: -1, Severity: SevWarning, Code: "ip-test",
				Message:    "decides on the instruction pointer, which an attacker controls by jumping to any syscall instruction",
				Suggestion: "do not rely on instruction_pointer for security decisions"})
			break
		}
	}
}

// retPC finds the first reachable RET K returning a.
func retPC(r *Result, a uint32) int {
	for pc, ins := range r.Insns {
		if ins.Op == bpf.OpRetK && ins.K == a && r.Reached[pc] {
			return pc
		}
	}
	return -1
}
