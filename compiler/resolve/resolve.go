// Package resolve turns a parsed policy into per-ABI rules with nothing left
// to look up: system call names become numbers of that ABI, `$arch`
// comparisons are decided, constants and actions become numbers, and every
// argument comparison becomes a 64-bit masked comparison.
//
// It takes a *lang.File (already preprocessed) and an ABI and gives a
// *Policy: an ordered rule list, first match wins, whose last rule is
// unconditional. It also holds the reference semantics (Policy.Eval) that
// verification checks compiled filters against.
package resolve

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/kver"
	"github.com/secc-lang/secc/lang"
)

// Policy is a policy resolved for one ABI.
type Policy struct {
	ABI   *abi.ABI
	Rules []Rule // first match wins; the last rule is unconditional
	// Missing lists the system call names the policy uses that this ABI
	// lacks (they drop out of its rules), sorted.
	Missing []string
}

// Rule is one resolved rule.
type Rule struct {
	Cond   Cond
	Action uint32 // the kernel return value
	Pos    diag.Pos
	// Source is the index of the rule in the policy file; -1 for a
	// default supplied by the caller.
	Source int
}

// Options configure resolution.
type Options struct {
	ABI *abi.ABI
	// Default is the action for calls no rule matches when the policy does
	// not end with an unconditional rule; nil makes that an error.
	Default *uint32
}

// Eval is the reference decision of the policy for one call: the action of
// the first rule whose condition holds.
func (p *Policy) Eval(nr uint32, args *[6]uint64) uint32 {
	for _, r := range p.Rules {
		if Eval(r.Cond, nr, args) {
			return r.Action
		}
	}
	panic("resolve: policy without a final unconditional rule")
}

// Resolve resolves f for one ABI. Errors and warnings are returned together;
// the policy is nil when there are errors.
func Resolve(f *lang.File, opts Options) (*Policy, diag.List) {
	r := &resolver{abi: opts.ABI, missing: map[string]bool{}}
	p := &Policy{ABI: opts.ABI}
	index := 0
	var always *lang.Rule // the first rule that always matches, if any
	for _, it := range f.Items {
		rule, ok := it.(*lang.Rule)
		if !ok {
			continue
		}
		if always != nil {
			r.diags.Warn(rule.At, "rule never fires: the rule at line %d always matches first", always.At.Line)
		}
		var c Cond = Const(true)
		if rule.Cond != nil {
			c = Simplify(r.cond(rule.Cond))
		}
		act, ok := r.action(rule.Action)
		if ok {
			p.Rules = append(p.Rules, Rule{Cond: c, Action: act, Pos: rule.At, Source: index})
		}
		if always == nil && isLiterallyTrue(rule.Cond) {
			always = rule
		}
		index++
	}
	if !endsUnconditional(f) {
		if opts.Default == nil {
			pos := diag.Pos{}
			if n := len(f.Items); n > 0 {
				pos = f.Items[n-1].Pos()
			}
			d := r.diags.Add(pos, "policy has no default action: end it with `=> ERRNO(EPERM);`")
			d.Hint = "or give one on the command line with --default"
		} else {
			p.Rules = append(p.Rules, Rule{Cond: Const(true), Action: *opts.Default, Source: -1})
		}
	}
	for name := range r.missing {
		p.Missing = append(p.Missing, name)
	}
	sort.Strings(p.Missing)
	if r.diags.HasErrors() {
		return nil, r.diags
	}
	return p, r.diags
}

// endsUnconditional reports whether the policy's last rule has no
// condition (or a literal true one).
func endsUnconditional(f *lang.File) bool {
	for i := len(f.Items) - 1; i >= 0; i-- {
		if r, ok := f.Items[i].(*lang.Rule); ok {
			return isLiterallyTrue(r.Cond)
		}
	}
	return false
}

func isLiterallyTrue(e lang.Expr) bool {
	switch e := e.(type) {
	case nil:
		return true
	case *lang.BoolLit:
		return e.Val
	case *lang.Paren:
		return isLiterallyTrue(e.X)
	}
	return false
}

type resolver struct {
	abi     *abi.ABI
	diags   diag.List
	missing map[string]bool
}

func (r *resolver) cond(e lang.Expr) Cond {
	switch e := e.(type) {
	case *lang.BoolLit:
		return Const(e.Val)
	case *lang.Paren:
		return r.cond(e.X)
	case *lang.Not:
		return Not{r.cond(e.X)}
	case *lang.Binary:
		if e.Op == lang.OpAnd {
			return And{r.cond(e.X), r.cond(e.Y)}
		}
		return Or{r.cond(e.X), r.cond(e.Y)}
	case *lang.Compare:
		return r.compare(e.Var, e.Mask, e.Op, e.Value)
	case *lang.InSet:
		if e.Var.Kind == lang.VarSyscall && e.Mask == nil {
			return r.nrSet(e)
		}
		var terms Or
		for _, el := range e.Elems {
			if el.Hi == nil {
				terms = append(terms, r.compare(e.Var, e.Mask, lang.Eq, el.Lo))
			} else {
				terms = append(terms, r.rangeCond(e.Var, e.Mask, el))
			}
		}
		if e.Negated {
			return Not{terms}
		}
		return terms
	case *lang.InKernel:
		return r.inKernel(e)
	}
	panic(fmt.Sprintf("resolve: unknown expression %T", e))
}

// nrSet resolves `$syscall in (…)` straight into one set of numbers: the
// common shape of allow-lists, with hundreds of names.
func (r *resolver) nrSet(e *lang.InSet) Cond {
	ranges := make([]Range, 0, len(e.Elems))
	for _, el := range e.Elems {
		lo := r.value(e.Var, el.Lo)
		if !lo.ok || lo.absent {
			continue
		}
		hi := lo
		if el.Hi != nil {
			if hi = r.value(e.Var, el.Hi); !hi.ok || hi.absent {
				continue
			}
			if lo.val > hi.val {
				r.diags.Add(el.Lo.Pos(), "range %d..%d on %s: low end exceeds high end", lo.val, hi.val, r.abi.Name)
				continue
			}
		}
		ranges = append(ranges, Range{uint32(lo.val), uint32(hi.val)})
	}
	var c Cond = NrIn{SetOf(ranges...)}
	if e.Negated {
		c = Not{c}
	}
	return c
}

func (r *resolver) inKernel(e *lang.InKernel) Cond {
	if e.Var.Kind != lang.VarSyscall {
		r.diags.Add(e.Var.At, "KERNEL(...) sets only apply to $syscall")
		return Const(false)
	}
	v, err := kver.Parse(e.Version)
	if err != nil {
		r.diags.Add(e.VerPos, "%v", err)
		return Const(false)
	}
	var nrs []uint32
	for _, sc := range r.abi.Syscalls() {
		if first, ok := abi.FirstVersion(sc.Name); ok && !v.Less(first) {
			nrs = append(nrs, sc.Nr)
		}
	}
	var c Cond = NrIn{Points(nrs...)}
	if e.Negated {
		c = Not{c}
	}
	return c
}

// operand is a resolved value: a number, or "no number on this ABI" for a
// system call the ABI lacks.
type operand struct {
	val    uint64
	absent bool
	ok     bool // false after an error was reported
}

func (r *resolver) compare(v *lang.Var, mask *lang.Value, op lang.CmpOp, val *lang.Value) Cond {
	switch v.Kind {
	case lang.VarArch:
		return r.archCompare(v, mask, op, val)
	case lang.VarSyscall:
		return r.nrCompare(v, mask, op, val)
	}
	m := r.maskOf(v, mask)
	x := r.value(v, val)
	if !m.ok || !x.ok {
		return Const(false)
	}
	if x.absent {
		return Const(op == lang.Ne)
	}
	c := ArgCmp{Arg: v.Index, Mask: m.val, Op: op, Val: x.val}
	switch v.Part {
	case lang.Lo:
		c.Mask &= 0xffffffff
	case lang.Hi:
		c.Mask = (c.Mask & 0xffffffff) << 32
		c.Val <<= 32
	}
	return c
}

func (r *resolver) maskOf(v *lang.Var, mask *lang.Value) operand {
	if mask == nil {
		if v.Width() == 64 {
			return operand{val: ^uint64(0), ok: true}
		}
		return operand{val: 0xffffffff, ok: true}
	}
	m := r.value(v, mask)
	if m.absent {
		r.diags.Add(mask.Pos(), "a mask cannot name a system call missing on %s", r.abi.Name)
		m.ok = false
	}
	return m
}

func (r *resolver) nrCompare(v *lang.Var, mask *lang.Value, op lang.CmpOp, val *lang.Value) Cond {
	x := r.value(v, val)
	m := r.maskOf(v, mask)
	if !x.ok || !m.ok {
		return Const(false)
	}
	if x.absent {
		return Const(op == lang.Ne)
	}
	k, mk := uint32(x.val), uint32(m.val)
	if mask == nil {
		if op == lang.Ne {
			return Not{NrIn{Points(k)}}
		}
		if s := CmpSet(op, k); len(s) > 0 {
			return NrIn{s}
		}
		return Const(false)
	}
	holds := func(x uint32) bool { return ArgCmp{Mask: uint64(mk), Op: op, Val: uint64(k)}.Holds(uint64(x)) }
	set, ok := maskedSet(mk, holds, func(lo, hi, low uint32) (bool, bool) {
		return decideRange(op, k, lo, hi, low)
	})
	if !ok {
		r.diags.Add(mask.Pos(), "masked $syscall comparison splits the numbers into more than %d ranges", maxMaskedRanges)
		return Const(false)
	}
	return NrIn{set}
}

// decideRange decides `x op k` for every masked value x in [lo, hi] whose
// bits above low are fixed, if one answer holds for all of them.
func decideRange(op lang.CmpOp, k, lo, hi, low uint32) (bool, bool) {
	switch op {
	case lang.Eq, lang.Ne:
		eq, ok := false, true
		switch {
		case k&^low != lo&^low || k < lo || k > hi:
			eq = false
		case lo == hi:
			eq = lo == k
		default:
			ok = false
		}
		return eq != (op == lang.Ne), ok
	case lang.Lt:
		if hi < k {
			return true, true
		}
		return false, lo >= k
	case lang.Le:
		if hi <= k {
			return true, true
		}
		return false, lo > k
	case lang.Gt:
		if lo > k {
			return true, true
		}
		return false, hi <= k
	case lang.Ge:
		if lo >= k {
			return true, true
		}
		return false, hi < k
	}
	return false, false
}

func (r *resolver) rangeCond(v *lang.Var, mask *lang.Value, el *lang.SetElem) Cond {
	if v.Kind == lang.VarArch {
		r.diags.Add(el.Lo.Pos(), "$arch sets take ABI names, not ranges")
		return Const(false)
	}
	lo, hi := r.value(v, el.Lo), r.value(v, el.Hi)
	if !lo.ok || !hi.ok {
		return Const(false)
	}
	if lo.absent || hi.absent {
		return Const(false)
	}
	if lo.val > hi.val {
		r.diags.Add(el.Lo.Pos(), "range %d..%d on %s: low end exceeds high end", lo.val, hi.val, r.abi.Name)
		return Const(false)
	}
	return And{
		r.compareNum(v, mask, lang.Ge, lo.val),
		r.compareNum(v, mask, lang.Le, hi.val),
	}
}

// compareNum is compare with an already resolved number.
func (r *resolver) compareNum(v *lang.Var, mask *lang.Value, op lang.CmpOp, n uint64) Cond {
	num := &lang.Value{Terms: []*lang.Term{{At: v.At, Kind: lang.TermNumber, Num: n}}}
	return r.compare(v, mask, op, num)
}

func (r *resolver) archCompare(v *lang.Var, mask *lang.Value, op lang.CmpOp, val *lang.Value) Cond {
	if mask != nil {
		r.diags.Add(mask.Pos(), "$arch cannot be masked")
		return Const(false)
	}
	if op != lang.Eq && op != lang.Ne {
		r.diags.Add(v.At, "$arch takes only ==, !=, in and not in")
		return Const(false)
	}
	if len(val.Terms) != 1 || val.Terms[0].Kind != lang.TermSyscall {
		r.diags.Add(val.Pos(), "$arch compares with an ABI name such as @x86_64")
		return Const(false)
	}
	t := val.Terms[0]
	if !abi.KnownArchName(t.Name) {
		d := r.diags.Add(t.At, "unknown architecture @%s", t.Name)
		if s, ok := abi.Closest(t.Name, abi.ArchNames()); ok {
			d.Hint = fmt.Sprintf("did you mean @%s?", s)
		}
		return Const(false)
	}
	a, ok := abi.Lookup(t.Name)
	same := ok && a == r.abi
	return Const(same == (op == lang.Eq))
}

// value resolves a value for comparison with v.
func (r *resolver) value(v *lang.Var, val *lang.Value) operand {
	width := v.Width()
	var acc uint64
	for _, t := range val.Terms {
		o := r.term(v, t, width)
		if !o.ok || o.absent {
			return o
		}
		acc |= o.val
	}
	if width == 32 && acc > 0xffffffff {
		r.diags.Add(val.Pos(), "value %#x is wider than 32 bits", acc)
		return operand{}
	}
	return operand{val: acc, ok: true}
}

func (r *resolver) term(v *lang.Var, t *lang.Term, width int) operand {
	switch t.Kind {
	case lang.TermNumber:
		return operand{val: t.Num, ok: true}
	case lang.TermNeg:
		if width == 32 {
			return operand{val: uint64(-uint32(t.Num)), ok: true}
		}
		return operand{val: -t.Num, ok: true}
	case lang.TermSyscall, lang.TermSyscallABI:
		return r.syscallTerm(v, t)
	case lang.TermName:
		if t.Defined {
			return operand{val: t.Num, ok: true}
		}
		if n, ok := r.abi.Const(t.Name); ok {
			return operand{val: n, ok: true}
		}
		d := r.diags.Add(t.At, "unknown constant %s", t.Name)
		if s, ok := abi.Closest(t.Name, abi.ConstNames()); ok {
			d.Hint = fmt.Sprintf("did you mean %s?", s)
		} else {
			d.Hint = "define it with #define " + t.Name + " VALUE"
		}
		return operand{}
	}
	panic(fmt.Sprintf("resolve: unknown term kind %d", t.Kind))
}

func (r *resolver) syscallTerm(v *lang.Var, t *lang.Term) operand {
	if !abi.KnownAnywhere(t.Name) {
		d := r.diags.Add(t.At, "unknown system call %q", t.Name)
		if s, ok := abi.Suggest(t.Name); ok {
			d.Hint = fmt.Sprintf("did you mean %q?", s)
		}
		return operand{}
	}
	on := r.abi
	if t.Kind == lang.TermSyscallABI {
		a, ok := abi.Lookup(t.ABI)
		if !ok {
			d := r.diags.Add(t.At, "unknown ABI @%s in @%s@%s", t.ABI, t.Name, t.ABI)
			if s, ok := abi.Closest(t.ABI, []string{"x86_64", "x86", "i386", "x32", "aarch64", "arm"}); ok {
				d.Hint = fmt.Sprintf("did you mean @%s@%s?", t.Name, s)
			}
			return operand{}
		}
		on = a
	}
	nr, ok := on.Nr(t.Name)
	if !ok {
		if on == r.abi {
			r.missing[t.Name] = true
		} else {
			r.diags.Warn(t.At, "system call %s does not exist on %s", t.Name, on.Name)
		}
		return operand{absent: true, ok: true}
	}
	return operand{val: uint64(nr), ok: true}
}

func (r *resolver) action(a *lang.Action) (uint32, bool) {
	failed := false
	ret, ok := ActionValue(a, func(t *lang.Term) (uint64, bool) {
		if n, ok := r.abi.Const(t.Name); ok {
			return n, true
		}
		failed = true
		if strings.EqualFold(a.Name, "ERRNO") {
			d := r.diags.Add(t.At, "unknown errno %s", t.Name)
			if s, ok := abi.Closest(t.Name, errnoNames()); ok {
				d.Hint = fmt.Sprintf("did you mean %s?", s)
			}
		} else {
			d := r.diags.Add(t.At, "unknown constant %s", t.Name)
			if s, ok := abi.Closest(t.Name, abi.ConstNames()); ok {
				d.Hint = fmt.Sprintf("did you mean %s?", s)
			}
		}
		return 0, false
	})
	if !ok && !failed {
		r.diags.Add(a.At, "bad action %s: its argument is missing or out of range", a)
	}
	return ret, ok
}

// errnoNames lists the errno names, for suggestions.
func errnoNames() []string {
	var out []string
	for _, n := range abi.ConstNames() {
		if _, ok := abi.Errno(n); ok {
			out = append(out, n)
		}
	}
	return out
}

// ActionValue computes the kernel return value of an action; resolveTerm
// resolves a named argument (an errno name or a constant).
func ActionValue(a *lang.Action, resolveTerm func(*lang.Term) (uint64, bool)) (uint32, bool) {
	var arg uint64
	if a.Arg != nil {
		for _, t := range a.Arg.Terms {
			var n uint64
			switch t.Kind {
			case lang.TermNumber:
				n = t.Num
			case lang.TermName:
				if t.Defined {
					n = t.Num
				} else if e, ok := abi.Errno(t.Name); ok {
					n = uint64(e)
				} else if v, ok := resolveTerm(t); ok {
					n = v
				} else {
					return 0, false
				}
			default:
				return 0, false
			}
			arg |= n
		}
	}
	var base uint32
	limit := uint64(0)
	switch strings.ToUpper(a.Name) {
	case "ALLOW":
		base = bpf.RetAllow
	case "ERRNO":
		base, limit = bpf.RetErrno, 4095
	case "KILL", "KILL_THREAD":
		base = bpf.RetKillThread
	case "KILL_PROCESS":
		base = bpf.RetKillProcess
	case "TRAP":
		base, limit = bpf.RetTrap, 0xffff
	case "TRACE":
		base, limit = bpf.RetTrace, 0xffff
	case "LOG":
		base = bpf.RetLog
	case "NOTIFY":
		base = bpf.RetUserNotif
	default:
		return 0, false
	}
	if arg > limit || (limit == 0 && a.Arg != nil) {
		return 0, false
	}
	if a.Arg == nil && (base == bpf.RetErrno || base == bpf.RetTrace) {
		return 0, false
	}
	return base | uint32(arg), true
}
