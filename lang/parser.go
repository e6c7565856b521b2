// Package lang reads and writes the .sec policy language (LANGUAGE.md §2-6).
//
// It takes the text of a policy, either raw (ParseFile: directive lines are
// kept as *Directive items, for secc fmt) or as the preprocessor's output
// (ParsePreprocessed: positions point back into the user's files and
// #define'd numbers are resolved), and gives the AST of ast.go together
// with every error it found. Fprint and Format print an AST back as
// canonical .sec text, keeping comments and directives.
//
// The parser checks what it can without the syscall tables: syntax,
// variables, number sizes and widths, actions and their arguments, $arch
// operators, ranges and KERNEL versions. Names (system calls, errno names,
// built-in constants) are resolved later by the compiler.
//
// A hand-written lexer feeds a participle grammar (grammar.go).
package lang

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/suggest"
	"github.com/secc-lang/secc/preprocessor"
)

// MaxInputBytes is the largest text the parser accepts.
const MaxInputBytes = preprocessor.DefaultMaxBytes

// maxErrors stops a run on a file of garbage before its diagnostics eat
// memory: past it, one "too many errors" ends the list.
const maxErrors = 100

// ParseFile parses raw .sec text that may contain directive lines (kept as
// *Directive items): the input of secc fmt and other tools that keep the
// file as written. Names are never marked Defined.
//
// On a syntax error it returns a nil File and that error; otherwise the
// File and every semantic error found (check HasErrors).
func ParseFile(name string, src []byte) (*File, diag.List) {
	text := string(src)
	if d := checkText(name, text); d != nil {
		return nil, diag.List{d}
	}
	return parse(name, text, nil)
}

// ParsePreprocessed parses the output of the preprocessor. Positions point
// into the original files (line i of the joined text is res.Lines[i]; the
// column is unchanged), and a name #define'd with a numeric value where it
// is used becomes a Defined term.
func ParsePreprocessed(res *preprocessor.Result) (*File, diag.List) {
	n := 0
	for i := range res.Lines {
		l := &res.Lines[i]
		n += len(l.Text) + 1
		if d := checkText(l.File, l.Text); d != nil {
			return nil, diag.List{d}
		}
	}
	if n > MaxInputBytes {
		return nil, diag.List{tooLarge(res.Lines[0].File, n)}
	}
	name := ""
	if len(res.Lines) > 0 {
		name = res.Lines[0].File
	}
	var b strings.Builder
	b.Grow(n)
	for i := range res.Lines {
		b.WriteString(res.Lines[i].Text)
		b.WriteByte('\n')
	}
	return parse(name, b.String(), res.Lines)
}

func checkText(name string, src string) *diag.Diagnostic {
	if len(src) > MaxInputBytes {
		return tooLarge(name, len(src))
	}
	if strings.IndexByte(src, 0) >= 0 || !utf8.ValidString(src) {
		return &diag.Diagnostic{Pos: diag.Pos{File: name, Line: 1, Col: 1}, Msg: "not a text file",
			Hint: "a policy is UTF-8 text without NUL bytes"}
	}
	return nil
}

func tooLarge(name string, n int) *diag.Diagnostic {
	return &diag.Diagnostic{Pos: diag.Pos{File: name, Line: 1, Col: 1},
		Msg: fmt.Sprintf("input too large: %d bytes, the limit is %d MiB", n, MaxInputBytes>>20)}
}

// converter turns the participle tree into the AST and checks it.
type converter struct {
	file  string
	src   string
	lines []preprocessor.Line // nil for raw text
	// syntax errors found while converting; only the first is reported,
	// because the next ones are often its consequences.
	syntax diag.List
	errs   diag.List

	// elemToks holds the tokens of one set element while it is converted.
	elemToks []lexer.Token

	// Slabs for the many small nodes of long sets: one allocation per
	// chunk instead of three per element.
	terms  []Term
	tptrs  []*Term
	values []Value
	elems  []SetElem
}

const slabSize = 128

func (c *converter) newTerms(n int) []*Term {
	if len(c.tptrs)+n > cap(c.tptrs) {
		c.tptrs = make([]*Term, 0, max(slabSize, n))
	}
	ptrs := c.tptrs[len(c.tptrs) : len(c.tptrs)+n : len(c.tptrs)+n]
	c.tptrs = c.tptrs[:len(c.tptrs)+n]
	for i := range ptrs {
		if len(c.terms) == cap(c.terms) {
			c.terms = make([]Term, 0, slabSize)
		}
		c.terms = c.terms[:len(c.terms)+1]
		ptrs[i] = &c.terms[len(c.terms)-1]
	}
	return ptrs
}

func (c *converter) newValue() *Value {
	if len(c.values) == cap(c.values) {
		c.values = make([]Value, 0, slabSize)
	}
	c.values = c.values[:len(c.values)+1]
	return &c.values[len(c.values)-1]
}

func (c *converter) newElem() *SetElem {
	if len(c.elems) == cap(c.elems) {
		c.elems = make([]SetElem, 0, slabSize)
	}
	c.elems = c.elems[:len(c.elems)+1]
	return &c.elems[len(c.elems)-1]
}

func parse(name, src string, lines []preprocessor.Line) (*File, diag.List) {
	// Sets are folded into one token each (scanner.set) on the way that
	// a policy without errors takes. Whatever is to be reported is found
	// again without folding, so no diagnostic depends on it.
	if f, errs := parseWith(name, src, lines, true); f != nil && len(errs) == 0 {
		return f, errs
	}
	return parseWith(name, src, lines, false)
}

func parseWith(name, src string, lines []preprocessor.Line, foldSets bool) (*File, diag.List) {
	c := &converter{file: name, src: src, lines: lines}
	sc := newScanner(name, src)
	sc.sets = foldSets
	pl, err := lexer.Upgrade(sc)
	if err != nil { // the scanner never fails; keep participle's contract anyway
		return nil, diag.List{{Pos: diag.Pos{File: name, Line: 1, Col: 1}, Msg: err.Error()}}
	}
	if len(sc.errs) > 0 {
		var l diag.List
		for _, e := range sc.errs {
			l = append(l, &diag.Diagnostic{Pos: c.pos(e.pos), Msg: e.msg, Hint: e.hint})
		}
		return nil, l
	}
	// Every term comes from a term token: size the slabs once.
	c.terms = make([]Term, 0, sc.terms)
	c.tptrs = make([]*Term, 0, sc.terms)
	c.values = make([]Value, 0, sc.terms)
	c.elems = make([]SetElem, 0, sc.terms)
	g, err := grammar().ParseFromLexer(pl)
	if err != nil {
		d := c.parseError(err)
		// participle stops at the first error; a missing ';' earlier in
		// the partial tree explains it better.
		if g != nil {
			c.convertFile(g)
			if len(c.syntax) > 0 && c.syntax[0].Pos.Before(d.Pos) {
				d = c.syntax[0]
			}
		}
		return nil, diag.List{d}
	}
	f := c.convertFile(g)
	if len(c.syntax) > 0 {
		return nil, c.syntax[:1]
	}
	if len(sc.comments) > 0 {
		f.Comments = make([]*Comment, len(sc.comments))
		for i, rc := range sc.comments {
			f.Comments[i] = &Comment{At: c.pos(rc.pos), Text: rc.text}
		}
	}
	c.errs.Sort()
	return f, c.errs
}

// pos maps a position in the lexed text to the user's file.
func (c *converter) pos(p lexer.Position) diag.Pos {
	if c.lines == nil {
		return diag.Pos{File: c.file, Line: p.Line, Col: p.Column}
	}
	if i := p.Line - 1; i >= 0 && i < len(c.lines) {
		return diag.Pos{File: c.lines[i].File, Line: c.lines[i].Num, Col: p.Column}
	}
	if n := len(c.lines); n > 0 { // end of input: just after the last line
		return diag.Pos{File: c.lines[n-1].File, Line: c.lines[n-1].Num, Col: len(c.lines[n-1].Text) + 1}
	}
	return diag.Pos{File: c.file, Line: 1, Col: 1}
}

// after is the position just past token t.
func (c *converter) after(t lexer.Token) diag.Pos {
	p := c.pos(t.Pos)
	p.Col += len(t.Value)
	return p
}

func (c *converter) errorf(p lexer.Position, hint, format string, args ...any) {
	c.errorAt(c.pos(p), hint, format, args...)
}

func (c *converter) errorAt(p diag.Pos, hint, format string, args ...any) {
	switch {
	case len(c.errs) > maxErrors:
		return
	case len(c.errs) == maxErrors:
		c.errs.Add(p, "too many errors")
		return
	}
	d := c.errs.Add(p, format, args...)
	d.Hint = hint
}

func (c *converter) syntaxf(p diag.Pos, hint, format string, args ...any) {
	d := c.syntax.Add(p, format, args...)
	d.Hint = hint
}

// parseError turns participle's error into a diagnostic.
func (c *converter) parseError(err error) *diag.Diagnostic {
	if se, ok := err.(*syntaxError); ok {
		return &diag.Diagnostic{Pos: c.pos(se.pos), Msg: se.msg, Hint: se.hint}
	}
	ute, ok := err.(*participle.UnexpectedTokenError)
	if !ok {
		pe, isPE := err.(participle.Error)
		if !isPE {
			return &diag.Diagnostic{Pos: diag.Pos{File: c.file}, Msg: err.Error()}
		}
		return &diag.Diagnostic{Pos: c.pos(pe.Position()), Msg: pe.Message()}
	}
	tok := ute.Unexpected
	d := &diag.Diagnostic{Pos: c.pos(tok.Pos)}
	prev := c.tokenBefore(tok.Pos.Offset)
	const ruleHint = "a rule is written [CONDITION] => ACTION;"
	switch {
	case tok.Type == tokPunct && tok.Value == ")":
		d.Msg = "unbalanced parenthesis: ')' has no matching '('"
	case prev.Type == tokPunct && prev.Value == "=>":
		d.Msg = fmt.Sprintf("expected an action after '=>', found %s", describe(&tok))
		d.Hint = "actions are " + strings.Join(actionNames, ", ")
	case tok.Type == tokEOF:
		d.Msg = "unexpected end of file: the last rule is not finished"
		d.Hint = ruleHint
	case prev.Type == tokEOF || prev.Type == tokDirective || prev.Type == tokPunct && prev.Value == ";":
		d.Msg = fmt.Sprintf("unexpected %s: expected a rule", describe(&tok))
		d.Hint = ruleHint
	default:
		d.Msg = fmt.Sprintf("expected '=>' after the condition, found %s", describe(&tok))
		d.Hint = ruleHint
	}
	return d
}

// tokenBefore rescans the text for the token that ends before offset; EOF
// when there is none. Only used on the error path.
func (c *converter) tokenBefore(offset int) lexer.Token {
	sc := newScanner(c.file, c.src)
	prev := lexer.Token{Type: tokEOF}
	for {
		t, _ := sc.Next()
		if t.EOF() || t.Pos.Offset >= offset {
			return prev
		}
		prev = t
	}
}

func (c *converter) convertFile(g *gFile) *File {
	f := &File{Items: make([]Item, 0, len(g.Items))}
	for _, it := range g.Items {
		if it == nil {
			continue
		}
		if it.Directive != "" {
			f.Items = append(f.Items, &Directive{At: c.pos(it.Pos), Text: it.Directive})
			continue
		}
		if it.Action == nil {
			continue // partial tree after an error
		}
		f.Items = append(f.Items, c.rule(it))
	}
	return f
}

func (c *converter) rule(it *gItem) *Rule {
	r := &Rule{At: c.pos(it.Pos)}
	switch {
	case it.Cond != nil:
		r.Cond = c.or(&it.Cond.X)
		r.Arrow = c.pos(it.Cond.End)
	default:
		r.Arrow = r.At
	}
	a := it.Action
	if !it.Arrow {
		c.syntaxf(c.pos(a.Name.Pos), "a rule is written [CONDITION] => ACTION;", "expected '=>' before the action %s", a.Name.Value)
	}
	r.Action = c.action(a)
	if !it.Semi {
		c.syntaxf(c.after(a.Last), "", "expected ';' after action")
	}
	return r
}

func (c *converter) or(g *gOr) Expr {
	x := c.and(&g.And[0])
	for i := 1; i < len(g.And); i++ {
		x = &Binary{Op: OpOr, X: x, Y: c.and(&g.And[i])}
	}
	return x
}

func (c *converter) and(g *gAnd) Expr {
	x := c.unary(&g.Unary[0])
	for i := 1; i < len(g.Unary); i++ {
		x = &Binary{Op: OpAnd, X: x, Y: c.unary(&g.Unary[i])}
	}
	return x
}

func (c *converter) unary(g *gUnary) Expr {
	if g.Not != nil {
		return &Not{At: c.pos(g.Pos), X: c.unary(g.Not)}
	}
	return c.primary(&g.Prim)
}

func (c *converter) primary(g *gPrimary) Expr {
	switch {
	case g.Group != nil && !g.HasTail:
		return &Paren{At: c.pos(g.Pos), X: c.or(g.Group)}
	case g.Group != nil:
		// "($v & M) op X": the group must hold exactly a masked variable.
		if len(g.Group.And) == 1 && len(g.Group.And[0].Unary) == 1 {
			if u := &g.Group.And[0].Unary[0]; u.Not == nil {
				if in := &u.Prim; in.Var.Value != "" && in.HasMask && !in.HasTail {
					return c.atom(in.Var, &in.Mask, true, &g.Tail)
				}
			}
		}
		c.syntaxf(c.pos(g.Tail.Pos), "only a masked variable can be compared after ')': ($arg0 & MASK) == VALUE",
			"unexpected %s after ')'", tailWord(&g.Tail))
		return nil
	case g.Bool != "":
		if g.HasTail {
			c.syntaxf(c.pos(g.Tail.Pos), "true and false are conditions on their own", "unexpected %s after %s", tailWord(&g.Tail), g.Bool)
			return nil
		}
		return &BoolLit{At: c.pos(g.Pos), Val: g.Bool == "true"}
	}
	if !g.HasTail {
		c.syntaxf(c.pos(g.End), "compare it: $arg0 == VALUE, $arg0 in (A, B), …",
			"expected a comparison operator or 'in' after %s", strings.TrimSpace(c.src[g.Pos.Offset:g.End.Offset]))
		return nil
	}
	var mask *gValue
	if g.HasMask {
		mask = &g.Mask
	}
	return c.atom(g.Var, mask, false, &g.Tail)
}

func tailWord(t *gTail) string {
	switch {
	case t.Op != "":
		return "'" + t.Op + "'"
	case t.Not:
		return "'not'"
	}
	return "'in'"
}

// atom builds a Compare, InSet or InKernel and checks it.
func (c *converter) atom(vt lexer.Token, mask *gValue, maskParens bool, t *gTail) Expr {
	v, ok := c.variable(vt)
	width := v.Width()
	var m *Value
	if mask != nil {
		m = c.value(mask, v, ok)
		if ok && v.Kind == VarArch {
			c.errorf(mask.First.Pos, "$arch is an ABI, compared with == @x86_64 or in (@x86, @x32)", "$arch cannot be masked")
		}
	}
	opPos := c.pos(t.Pos)
	switch {
	case t.Op != "":
		op := cmpOps[t.Op]
		if ok && v.Kind == VarArch && op != Eq && op != Ne {
			c.errorf(t.Pos, "$arch takes only ==, !=, in and not in", "$arch cannot be compared with %s", t.Op)
		}
		return &Compare{Var: v, Mask: m, MaskParens: maskParens, Op: op, OpPos: opPos, Value: c.value(&t.Value, v, ok)}
	case t.Kernel != nil:
		if ok && v.Kind != VarSyscall {
			c.errorf(vt.Pos, "KERNEL(x.y) is the set of system calls of kernel x.y: use it with $syscall",
				"'in KERNEL' applies only to $syscall, not to %s", vt.Value)
		}
		if mask != nil {
			c.errorf(mask.First.Pos, "", "a KERNEL set takes no mask")
		}
		if !validVersion(t.Kernel.Value) {
			c.errorf(t.Kernel.Pos, "a kernel version is MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. KERNEL(5.3)",
				"bad kernel version %q", t.Kernel.Value)
		}
		return &InKernel{Var: v, Negated: t.Not, OpPos: opPos, Version: t.Kernel.Value, VerPos: c.pos(t.Kernel.Pos)}
	}
	// The elements are read again from the text: the set was checked
	// while parsing, and may have been folded into one token.
	open := t.Set.Pos
	n := 1 + strings.Count(c.src[open.Offset:t.SetEnd], ",")
	s := &InSet{Var: v, Mask: m, MaskParens: maskParens, Negated: t.Not, OpPos: opPos, Elems: make([]*SetElem, 0, n)}
	sc := scanner{filename: c.file, src: c.src, off: open.Offset + 1, line: open.Line, lineStart: open.Offset - open.Column + 1}
	for done := false; !done; {
		toks := c.elemToks[:0]
		for {
			t, start, end := sc.scan()
			if t == tokEOF || t == tokPunct && end-start == 1 && (c.src[start] == ',' || c.src[start] == ')') {
				done = t == tokEOF || c.src[start] == ')'
				break
			}
			toks = append(toks, lexer.Token{})
			sc.fill(&toks[len(toks)-1], t, start, end)
		}
		c.elemToks = toks
		var lo, hi gValue
		isRange := false
		toks = splitValue(toks, &lo)
		if len(toks) > 0 && toks[0].Value == ".." {
			isRange = true
			toks = splitValue(toks[1:], &hi)
		}
		e := c.newElem()
		e.Lo = c.value(&lo, v, ok)
		if isRange {
			if ok && v.Kind == VarArch {
				c.errorf(lo.First.Pos, "list the ABIs one by one", "$arch sets cannot hold ranges")
			}
			e.Hi = c.value(&hi, v, ok)
			loN, lok := constValue(e.Lo, width)
			hiN, hok := constValue(e.Hi, width)
			if lok && hok && loN > hiN {
				c.errorf(lo.First.Pos, "write the low end first", "range %s..%s is reversed: its low end is larger than its high end",
					e.Lo, e.Hi)
			}
		}
		s.Elems = append(s.Elems, e)
	}
	return s
}

// splitValue reads the value at the start of a set's checked tokens into
// v and returns the tokens after it.
func splitValue(toks []lexer.Token, v *gValue) []lexer.Token {
	v.First = &toks[0]
	i := 1
	for i+1 < len(toks) && toks[i].Type == tokPunct && toks[i].Value == "|" {
		v.More = append(v.More, &toks[i+1])
		i += 2
	}
	return toks[i:]
}

var cmpOps = map[string]CmpOp{"==": Eq, "!=": Ne, "<": Lt, "<=": Le, ">": Gt, ">=": Ge}

func validVersion(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 6 {
			return false
		}
		for i := 0; i < len(p); i++ {
			if !isDigit(p[i]) {
				return false
			}
		}
	}
	return true
}

// constValue is the number a value stands for when every term is a
// number or a Defined name; -N is taken in width bits.
func constValue(v *Value, width int) (uint64, bool) {
	var x uint64
	for _, t := range v.Terms {
		switch {
		case t.Kind == TermNumber || t.Kind == TermName && t.Defined:
			x |= t.Num
		case t.Kind == TermNeg:
			x |= negate(t.Num, width)
		default:
			return 0, false
		}
	}
	return x, true
}

// negate is -n in two's complement on width bits.
func negate(n uint64, width int) uint64 {
	x := -n
	if width < 64 {
		x &= 1<<width - 1
	}
	return x
}

var argNames = [...]string{"arg0", "arg1", "arg2", "arg3", "arg4", "arg5"}

// variable decodes $name[.part]. ok is false after an error, so that the
// caller skips the checks that depend on the variable.
func (c *converter) variable(t lexer.Token) (v *Var, ok bool) {
	v = &Var{At: c.pos(t.Pos)}
	name, part, hasPart := strings.Cut(t.Value[1:], ".")
	ok = true
	switch name {
	case "syscall":
		v.Kind = VarSyscall
	case "arch":
		v.Kind = VarArch
	case "arg0", "arg1", "arg2", "arg3", "arg4", "arg5":
		v.Kind, v.Index = VarArg, int(name[3]-'0')
	default:
		v.Kind, ok = VarArg, false
		hint := "the variables are $syscall, $arch and $arg0 … $arg5"
		if strings.HasPrefix(name, "arg") {
			hint = "system calls have six arguments, $arg0 … $arg5"
		} else if s, found := suggest.Closest(name, append([]string{"syscall", "arch"}, argNames[:]...), nil); found {
			hint = "did you mean $" + s + "?"
		}
		if name == "" {
			c.errorf(t.Pos, hint, "expected a variable name after '$'")
		} else {
			c.errorf(t.Pos, hint, "unknown variable $%s", name)
		}
	}
	if !hasPart {
		return v, ok
	}
	switch part {
	case "lo", "hi":
		if ok && v.Kind != VarArg {
			c.errorf(t.Pos, "only the 64-bit arguments $arg0 … $arg5 have .lo and .hi halves",
				"$%s has no .%s part", name, part)
			return v, false
		}
		v.Part = Lo
		if part == "hi" {
			v.Part = Hi
		}
	default:
		hint := "the parts are .lo (low 32 bits) and .hi (high 32 bits)"
		if s, found := suggest.Closest(part, []string{"lo", "hi"}, nil); found {
			hint = "did you mean ." + s + "?"
		}
		c.errorf(t.Pos, hint, "unknown part .%s of $%s", part, name)
		return v, false
	}
	return v, ok
}

// varName spells v for messages.
func varName(v *Var) string {
	p := &printer{}
	p.variable(v)
	return string(p.buf)
}

// value converts a value compared with v (varOK false: v is unknown, skip
// the width checks).
func (c *converter) value(g *gValue, v *Var, varOK bool) *Value {
	width := 64
	if varOK {
		width = v.Width()
	}
	val := c.newValue()
	val.Terms = c.newTerms(1 + len(g.More))
	for i, t := range val.Terms {
		tok := g.First
		if i > 0 {
			tok = g.More[i-1]
		}
		c.term(tok, t, width)
		if !varOK {
			continue
		}
		switch {
		case t.Kind == TermNumber || t.Kind == TermName && t.Defined:
			if bits.Len64(t.Num) > width {
				c.errorf(tok.Pos, widthHint(v), "value %s is wider than %s, which has %d bits", tok.Value, varName(v), width)
			}
		case t.Kind == TermNeg:
			if bits.Len64(t.Num) > width {
				c.errorf(tok.Pos, widthHint(v), "value %s is out of range for %s, which has %d bits", tok.Value, varName(v), width)
			}
		}
	}
	return val
}

func widthHint(v *Var) string {
	if v.Kind == VarArg && v.Part != Full {
		return fmt.Sprintf("compare the whole 64-bit $arg%d, or use $arg%d.hi for the high half", v.Index, v.Index)
	}
	return ""
}

// term decodes one term token into t.
func (c *converter) term(tok *lexer.Token, t *Term, width int) {
	t.At = c.pos(tok.Pos)
	s := tok.Value
	switch tok.Type {
	case tokNumber:
		t.Kind, t.Text = TermNumber, s
		t.Num = c.number(tok.Pos, s)
	case tokNeg:
		t.Kind, t.Text = TermNeg, s[1:]
		t.Num = c.number(tok.Pos, s[1:])
	case tokSyscall:
		name, abi, hasABI := strings.Cut(s[1:], "@")
		t.Kind, t.Name = TermSyscall, name
		if hasABI {
			t.Kind, t.ABI = TermSyscallABI, abi
		}
		if name == "" || hasABI && abi == "" {
			c.errorf(tok.Pos, "write @name or @name@abi", "expected a name after '@' in %s", s)
		}
	default:
		t.Kind, t.Name = TermName, s
		c.defined(tok, t, width)
	}
}

// defined marks a name #define'd with a numeric value on its line. A
// value -N is taken in two's complement on the width it is compared in.
func (c *converter) defined(tok *lexer.Token, t *Term, width int) {
	if c.lines == nil {
		return
	}
	i := tok.Pos.Line - 1
	if i < 0 || i >= len(c.lines) {
		return
	}
	sym, ok := c.lines[i].Scope.Lookup(t.Name)
	if !ok || !sym.HasValue {
		return
	}
	text := strings.TrimSpace(sym.Value)
	neg := strings.HasPrefix(text, "-")
	n, err := parseNumber(strings.TrimPrefix(text, "-"))
	if err == nil && neg {
		if bits.Len64(n) > width {
			c.errorAt(t.At, "", "%s is #define'd as %s, out of range for %d bits", t.Name, text, width)
			return
		}
		n = negate(n, width)
	}
	if err != nil {
		hint := "a #define used as a value needs a number: #define " + t.Name + " 0x10"
		if sym.Pos.IsValid() {
			hint += fmt.Sprintf(" (defined at %s)", sym.Pos)
		}
		c.errorAt(t.At, hint, "%s is #define'd as %q, which is not a number", t.Name, sym.Value)
		return
	}
	t.Defined, t.Num = true, n
}

func (c *converter) number(p lexer.Position, s string) uint64 {
	n, err := parseNumber(s)
	if err != nil {
		if err == errRange {
			c.errorf(p, "", "number %s is larger than 2^64-1", s)
		} else {
			c.errorf(p, "numbers are decimal, 0x hexadecimal, 0o octal or 0b binary", "malformed number %s", s)
		}
	}
	return n
}

var (
	errRange  = fmt.Errorf("number out of range")
	errSyntax = fmt.Errorf("malformed number")
)

// parseNumber reads 42, 052 (decimal: a leading zero does not mean octal),
// 0x2a, 0o52 or 0b101010.
func parseNumber(s string) (uint64, error) {
	base := 10
	digits := s
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			base, digits = 16, s[2:]
		case 'o', 'O':
			base, digits = 8, s[2:]
		case 'b', 'B':
			base, digits = 2, s[2:]
		}
	}
	if digits == "" || digits[0] == '+' || digits[0] == '-' || strings.IndexByte(digits, '_') >= 0 {
		return 0, errSyntax
	}
	n, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, errRange
		}
		return 0, errSyntax
	}
	return n, nil
}

// actionSpec says what argument an action takes.
type actionSpec struct {
	arg int    // argNone, argOptional or argRequired
	max uint64 // largest argument
}

const (
	argNone = iota
	argOptional
	argRequired
)

var actions = map[string]actionSpec{
	"ALLOW":        {argNone, 0},
	"ERRNO":        {argRequired, 4095},
	"KILL":         {argNone, 0},
	"KILL_THREAD":  {argNone, 0},
	"KILL_PROCESS": {argNone, 0},
	"TRAP":         {argOptional, 65535},
	"TRACE":        {argRequired, 65535},
	"LOG":          {argNone, 0},
	"NOTIFY":       {argNone, 0},
}

var actionNames = []string{"ALLOW", "ERRNO", "KILL", "KILL_PROCESS", "KILL_THREAD", "LOG", "NOTIFY", "TRACE", "TRAP"}

func (c *converter) action(g *gAction) *Action {
	a := &Action{At: c.pos(g.Name.Pos), Name: g.Name.Value, Parens: g.Parens}
	if g.Arg != nil {
		a.Arg = c.value(g.Arg, nil, false)
	}
	spec, known := actions[a.Name]
	if !known {
		hint := "actions are " + strings.Join(actionNames, ", ")
		if s, ok := suggest.Closest(a.Name, actionNames, nil); ok {
			hint = "did you mean " + s + "?"
		}
		c.errorf(g.Name.Pos, hint, "unknown action %s", a.Name)
		return a
	}
	switch {
	case spec.arg == argRequired && a.Arg == nil:
		example := "ERRNO(EPERM)"
		if a.Name == "TRACE" {
			example = "TRACE(1)"
		}
		c.errorf(g.Last.Pos, "write "+example, "%s needs an argument", a.Name)
	case spec.arg == argNone && a.Arg != nil:
		c.errorf(g.Arg.First.Pos, "write "+a.Name+"()", "%s takes no argument", a.Name)
	case a.Arg != nil:
		for _, t := range a.Arg.Terms {
			if t.Kind != TermNumber && t.Kind != TermName {
				c.errorf(g.Arg.First.Pos, "the argument is a number, an errno name or a #define'd constant",
					"bad argument for %s: %s", a.Name, t)
				return a
			}
		}
		if n, ok := constValue(a.Arg, 64); ok && n > spec.max {
			c.errorf(g.Arg.First.Pos, "", "%s argument %s is out of range 0..%d", a.Name, a.Arg, spec.max)
		}
	}
	return a
}
