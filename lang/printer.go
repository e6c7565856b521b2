package lang

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/secc-lang/secc/diag"
)

// The canonical form, as gofmt has one for Go:
//
//   - one rule per line: `COND => ACTION;`, or `=> ACTION;` without a
//     condition; single spaces around binary operators, none around '|'
//     in a value or '..' in a range;
//   - actions always with parentheses: ALLOW(), ERRNO(EPERM);
//   - sets wrapped before column 80, continuation lines aligned just
//     after the set's '(';
//   - numbers as spelled, the user's parentheses kept, and parentheses
//     added where an AST built by a program needs them;
//   - directives at column 1, otherwise verbatim (`# ifndef X` keeps its
//     inner indentation);
//   - a comment after a rule stays on its line; comment lines stay between
//     the items they were between; a comment inside a rule moves to a line
//     of its own above the rule; runs of blank lines between items become
//     one blank line.

// maxWidth is the column sets are wrapped at.
const maxWidth = 80

// Fprint writes f in canonical form. Comments and blank lines are placed
// by their positions, so f should come from ParseFile (one file); an AST
// without positions prints one item per line.
func Fprint(w io.Writer, f *File) error {
	p := &printer{wrap: true}
	p.file(f)
	_, err := w.Write(p.buf)
	return err
}

// Format parses raw .sec text and prints it in canonical form.
func Format(name string, src []byte) ([]byte, diag.List) {
	f, errs := ParseFile(name, src)
	if errs.HasErrors() {
		return nil, errs
	}
	var b bytes.Buffer
	if err := Fprint(&b, f); err != nil {
		return nil, diag.List{{Pos: diag.Pos{File: name}, Msg: err.Error()}}
	}
	return b.Bytes(), errs
}

// ExprString renders a condition on one line, for messages.
func ExprString(e Expr) string {
	p := &printer{}
	p.expr(e, precLowest)
	return string(p.buf)
}

func (a *Action) String() string {
	p := &printer{}
	p.action(a)
	return string(p.buf)
}

func (v *Value) String() string {
	p := &printer{}
	p.value(v)
	return string(p.buf)
}

func (t *Term) String() string {
	p := &printer{}
	p.term(t)
	return string(p.buf)
}

func (v *Var) String() string { return varName(v) }

// String renders the rule on one line, without its comments.
func (r *Rule) String() string {
	p := &printer{}
	p.rule(r)
	return string(p.buf)
}

type printer struct {
	buf       []byte
	lineStart int  // offset in buf of the current line
	wrap      bool // wrap long sets
	// lastSet is the set that ends the condition being printed, and
	// suffix the width of what follows it on its line (") => ALLOW();"),
	// so that its last element wraps if the rule would overflow.
	lastSet *InSet
	suffix  int
}

func (p *printer) str(s string) { p.buf = append(p.buf, s...) }

func (p *printer) newline() {
	p.buf = append(p.buf, '\n')
	p.lineStart = len(p.buf)
}

func (p *printer) col() int { return len(p.buf) - p.lineStart }

// layout keeps at most one blank line where the source had any between two
// printed units (an item with its comments, or a comment line).
type layout struct {
	p        *printer
	lastLine int // source line the last unit ended on; 0 if unknown
	lastFile string
	started  bool
}

// begin starts a unit that was at pos in the source, after a blank line if
// the source had one there.
func (l *layout) begin(pos diag.Pos) {
	if l.started && l.lastLine > 0 && pos.IsValid() && pos.File == l.lastFile && pos.Line > l.lastLine+1 {
		l.p.newline()
	}
	l.started = true
}

func (l *layout) end(pos diag.Pos, lastLine int) {
	l.lastLine, l.lastFile = lastLine, pos.File
}

func before(a, b diag.Pos) bool {
	if !a.IsValid() {
		return true
	}
	if !b.IsValid() || a.File != b.File {
		return false
	}
	return a.Before(b)
}

func (p *printer) file(f *File) {
	l := &layout{p: p}
	cs := f.Comments
	comment := func(c *Comment) {
		l.begin(c.At)
		p.commentText(c.Text)
		p.newline()
		l.end(c.At, c.At.Line+strings.Count(c.Text, "\n"))
	}
	for i, it := range f.Items {
		start := it.Pos()
		for len(cs) > 0 && before(cs[0].At, start) {
			comment(cs[0])
			cs = cs[1:]
		}
		var next diag.Pos
		if i+1 < len(f.Items) {
			next = f.Items[i+1].Pos()
		}
		switch it := it.(type) {
		case *Directive:
			l.begin(start)
			p.str(strings.TrimLeft(it.Text, " \t"))
			p.newline()
			l.end(start, start.Line)
		case *Rule:
			l.begin(start)
			act := it.Action.At
			// Comments inside the rule go on lines of their own above it:
			// printed on one line, a // comment would swallow the rest.
			for len(cs) > 0 && cs[0].At.IsValid() && before(cs[0].At, act) {
				p.commentText(cs[0].Text)
				p.newline()
				cs = cs[1:]
			}
			p.rule(it)
			end := act.Line
			for len(cs) > 0 && act.IsValid() && cs[0].At.File == act.File && cs[0].At.Line == act.Line &&
				(!next.IsValid() || before(cs[0].At, next)) {
				p.str(" ")
				p.commentText(cs[0].Text)
				end = cs[0].At.Line + strings.Count(cs[0].Text, "\n")
				cs = cs[1:]
			}
			p.newline()
			l.end(act, end)
		}
	}
	for _, c := range cs {
		comment(c)
	}
}

// commentText writes a comment; a block comment keeps its inner lines.
func (p *printer) commentText(s string) {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		p.str(s)
		p.lineStart = len(p.buf) - (len(s) - i - 1)
		return
	}
	p.str(s)
}

func (p *printer) rule(r *Rule) {
	if r.Cond != nil {
		p.lastSet, p.suffix = rightmostSet(r.Cond)
		if p.lastSet != nil {
			p.suffix += len(" => ();") + len(r.Action.Name)
			if r.Action.Arg != nil {
				p.suffix += len(r.Action.Arg.String())
			}
		}
		p.expr(r.Cond, precLowest)
		p.lastSet = nil
		p.str(" ")
	}
	p.str("=> ")
	p.action(r.Action)
	p.str(";")
}

func (p *printer) action(a *Action) {
	if a == nil {
		return
	}
	p.str(a.Name)
	p.str("(")
	if a.Arg != nil {
		p.value(a.Arg)
	}
	p.str(")")
}

// Precedence, loose to tight.
const (
	precLowest = iota
	precOr
	precAnd
	precUnary
)

func binaryPrec(op BinaryOp) int {
	if op == OpOr {
		return precOr
	}
	return precAnd
}

// expr prints e, in parentheses if it binds looser than prec requires.
func (p *printer) expr(e Expr, prec int) {
	switch e := e.(type) {
	case *Binary:
		bp := binaryPrec(e.Op)
		if bp < prec {
			p.str("(")
			defer p.str(")")
		}
		p.expr(e.X, bp)
		p.str(" ")
		p.str(e.Op.String())
		p.str(" ")
		// The parser nests to the left; a right operand of the same
		// operator gets parentheses so the tree reads back the same.
		p.expr(e.Y, bp+1)
	case *Not:
		p.str("!")
		p.expr(e.X, precUnary)
	case *Paren:
		p.str("(")
		p.expr(e.X, precLowest)
		p.str(")")
	case *Compare:
		p.masked(e.Var, e.Mask, e.MaskParens)
		p.str(" ")
		p.str(e.Op.String())
		p.str(" ")
		p.value(e.Value)
	case *InSet:
		p.masked(e.Var, e.Mask, e.MaskParens)
		if e.Negated {
			p.str(" not in (")
		} else {
			p.str(" in (")
		}
		p.set(e)
	case *InKernel:
		p.variable(e.Var)
		if e.Negated {
			p.str(" not")
		}
		p.str(" in KERNEL(")
		p.str(e.Version)
		p.str(")")
	case *BoolLit:
		p.str(strconv.FormatBool(e.Val))
	}
}

func (p *printer) masked(v *Var, mask *Value, parens bool) {
	if mask == nil {
		p.variable(v)
		return
	}
	if parens {
		p.str("(")
	}
	p.variable(v)
	p.str(" & ")
	p.value(mask)
	if parens {
		p.str(")")
	}
}

// rightmostSet returns the set printed last in e, if e ends with one, and
// the number of ')' printed after it.
func rightmostSet(e Expr) (*InSet, int) {
	parens := 0
	for {
		switch x := e.(type) {
		case *Binary:
			e = x.Y
		case *Not:
			e = x.X
		case *Paren:
			e, parens = x.X, parens+1
		case *InSet:
			return x, parens
		default:
			return nil, 0
		}
	}
}

// set prints the elements and the closing ')', the '(' being written.
func (p *printer) set(s *InSet) {
	elems := s.Elems
	indent := p.col()
	var elem []byte
	for i, e := range elems {
		q := printer{buf: elem[:0]}
		q.value(e.Lo)
		if e.Hi != nil {
			q.str("..")
			q.value(e.Hi)
		}
		if i == len(elems)-1 {
			q.str(")")
		} else {
			q.str(",")
		}
		elem = q.buf
		width := len(elem)
		if i == len(elems)-1 && s == p.lastSet {
			width += p.suffix
		}
		if i > 0 {
			if p.wrap && p.col()+1+width > maxWidth {
				p.newline()
				p.str(strings.Repeat(" ", indent))
			} else {
				p.str(" ")
			}
		}
		p.buf = append(p.buf, elem...)
	}
	if len(elems) == 0 {
		p.str(")")
	}
}

func (p *printer) variable(v *Var) {
	if v == nil {
		return
	}
	switch v.Kind {
	case VarSyscall:
		p.str("$syscall")
	case VarArch:
		p.str("$arch")
	default:
		p.str("$arg")
		p.str(strconv.Itoa(v.Index))
	}
	switch v.Part {
	case Lo:
		p.str(".lo")
	case Hi:
		p.str(".hi")
	}
}

func (p *printer) value(v *Value) {
	if v == nil {
		return
	}
	for i, t := range v.Terms {
		if i > 0 {
			p.str("|")
		}
		p.term(t)
	}
}

func (p *printer) term(t *Term) {
	switch t.Kind {
	case TermNumber:
		p.number(t)
	case TermNeg:
		p.str("-")
		p.number(t)
	case TermSyscall:
		p.str("@")
		p.str(t.Name)
	case TermSyscallABI:
		p.str("@")
		p.str(t.Name)
		p.str("@")
		p.str(t.ABI)
	default:
		p.str(t.Name)
	}
}

// number writes the spelling kept by the parser; a term built by a program
// without one is written in decimal.
func (p *printer) number(t *Term) {
	if t.Text != "" {
		p.str(t.Text)
		return
	}
	p.buf = strconv.AppendUint(p.buf, t.Num, 10)
}
