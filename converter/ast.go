package converter

import (
	"strconv"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/lang"
)

// Builders for the AST the converter produces. Nodes carry no positions:
// they do not come from .sec text.

func numValue(v uint64) *lang.Value {
	text := strconv.FormatUint(v, 10)
	if v >= 0x10000 {
		text = "0x" + strconv.FormatUint(v, 16)
	}
	return &lang.Value{Terms: []*lang.Term{{Kind: lang.TermNumber, Num: v, Text: text}}}
}

func nameValue(name string) *lang.Value {
	return &lang.Value{Terms: []*lang.Term{{Kind: lang.TermName, Name: name}}}
}

func sysValue(name string) *lang.Value {
	return &lang.Value{Terms: []*lang.Term{{Kind: lang.TermSyscall, Name: name}}}
}

func and(xs ...lang.Expr) lang.Expr {
	var out lang.Expr
	for _, x := range xs {
		if x == nil {
			continue
		}
		if out == nil {
			out = x
		} else {
			out = &lang.Binary{Op: lang.OpAnd, X: out, Y: x}
		}
	}
	return out
}

// paren wraps an || expression so it can sit inside &&.
func paren(x lang.Expr) lang.Expr {
	if b, ok := x.(*lang.Binary); ok && b.Op == lang.OpOr {
		return &lang.Paren{X: x}
	}
	return x
}

func or(xs ...lang.Expr) lang.Expr {
	var out lang.Expr
	for _, x := range xs {
		if out == nil {
			out = x
		} else {
			out = &lang.Binary{Op: lang.OpOr, X: out, Y: x}
		}
	}
	return out
}

func archExpr(abis []*abi.ABI) lang.Expr {
	if len(abis) == 0 {
		return nil
	}
	v := &lang.Var{Kind: lang.VarArch}
	if len(abis) == 1 {
		return &lang.Compare{Var: v, Op: lang.Eq, Value: sysValue(abis[0].Name)}
	}
	s := &lang.InSet{Var: v}
	for _, a := range abis {
		s.Elems = append(s.Elems, &lang.SetElem{Lo: sysValue(a.Name)})
	}
	return s
}

func syscallExpr(names []string) lang.Expr {
	if len(names) == 0 {
		return nil
	}
	v := &lang.Var{Kind: lang.VarSyscall}
	if len(names) == 1 {
		return &lang.Compare{Var: v, Op: lang.Eq, Value: sysValue(names[0])}
	}
	// A set of every system call allowed outright runs to hundreds of
	// names: its nodes come from a few slices rather than four
	// allocations each.
	elems := make([]lang.SetElem, len(names))
	vals := make([]lang.Value, len(names))
	terms := make([]lang.Term, len(names))
	ptrs := make([]*lang.Term, len(names))
	s := &lang.InSet{Var: v, Elems: make([]*lang.SetElem, len(names))}
	for i, n := range names {
		terms[i] = lang.Term{Kind: lang.TermSyscall, Name: n}
		ptrs[i] = &terms[i]
		vals[i].Terms = ptrs[i : i+1 : i+1]
		elems[i].Lo = &vals[i]
		s.Elems[i] = &elems[i]
	}
	return s
}

func condExpr(c xcond) lang.Expr {
	v := &lang.Var{Kind: lang.VarArg, Index: c.Arg, Part: c.Part}
	var mask *lang.Value
	if c.Mask != width(c.Part) {
		mask = numValue(c.Mask)
	}
	if len(c.Set) > 0 {
		s := &lang.InSet{Var: v, Mask: mask, MaskParens: mask != nil}
		for _, x := range c.Set {
			s.Elems = append(s.Elems, &lang.SetElem{Lo: numValue(x)})
		}
		return s
	}
	return &lang.Compare{Var: v, Mask: mask, MaskParens: mask != nil, Op: c.Op, Value: numValue(c.Val)}
}

func ruleAST(archs []*abi.ABI, names []string, conds []xcond, action uint32) *lang.Rule {
	parts := []lang.Expr{archExpr(archs), syscallExpr(names)}
	for _, c := range conds {
		parts = append(parts, condExpr(c))
	}
	return &lang.Rule{Cond: and(parts...), Action: actionAST(action)}
}

// actionAST spells a kernel return value as a .sec action, with errno
// names where there is one.
func actionAST(ret uint32) *lang.Action {
	data := ret & bpf.RetData
	a := &lang.Action{Parens: true}
	switch ret & bpf.RetActionFull {
	case bpf.RetKillProcess:
		a.Name = "KILL_PROCESS"
	case bpf.RetKillThread:
		a.Name = "KILL_THREAD"
	case bpf.RetTrap:
		a.Name = "TRAP"
		if data != 0 {
			a.Arg = numValue(uint64(data))
		}
	case bpf.RetErrno:
		a.Name = "ERRNO"
		if n, ok := abi.ErrnoName(data); ok {
			a.Arg = nameValue(n)
		} else {
			a.Arg = numValue(uint64(data))
		}
	case bpf.RetUserNotif:
		a.Name = "NOTIFY"
	case bpf.RetTrace:
		a.Name = "TRACE"
		a.Arg = numValue(uint64(data))
	case bpf.RetLog:
		a.Name = "LOG"
	default:
		a.Name = "ALLOW"
	}
	return a
}
