package lang

import (
	"fmt"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar, in EBNF:
//
//	File    = { Item } .
//	Item    = Directive | Rule .
//	Rule    = [ Cond ] "=>" Action ";" .
//	Action  = Ident [ "(" [ Value ] ")" ] .
//	Cond    = And { "||" And } .
//	And     = Unary { "&&" Unary } .
//	Unary   = "!" Unary | Primary .
//	Primary = "(" Cond ")" [ Tail ] | "true" | "false" | Var [ "&" Value ] [ Tail ] .
//	Tail    = CmpOp Value | [ "not" ] "in" ( "KERNEL" "(" Version ")" | "(" Elem { "," Elem } ")" ) .
//	Elem    = Value [ ".." Value ] .
//	Value   = Term { "|" Term } .
//	Term    = Number | Neg | Syscall | Ident .
//
// File, Item and Rule are participle struct productions (gFile, gItem);
// Cond and Action (with its Value) are participle Parseable productions
// written by hand: participle's reflective parser costs about a microsecond per
// struct node, and a policy is mostly conditions and long sets, so parsing
// them through reflection made the corpus ten times slower than the budget
// (2.7 ms against 0.2 ms). The hand-written part is plain LL(1) recursive
// descent over participle's PeekingLexer.
//
// participle copies every token into a buffer it grows by doubling, and
// the elements of long sets are most of the tokens of a policy. So the
// scanner folds a well-formed set after 'in' into one token (scanner.set)
// and the converter reads the elements again from the text. A parse that
// finds anything to report is run again without folding, so that no
// diagnostic depends on it.
//
// Some shapes are accepted more loosely than the language allows and
// checked while building the AST, where the message can be precise: the
// rule's "=>" and ";" are optional here ("expected ';' after action"), and
// a Primary's Tail is optional, so that "($v & M) == X" needs no lookahead
// past the ')' (a missing tail is reported by the converter).
//
// These structs are private: the public tree is the AST in ast.go.

type gFile struct {
	Items []*gItem `parser:"@@*"`
}

// gItem is a rule or a directive line; the rule's parts are inlined to save
// participle a struct node per rule, and come first because preprocessed
// text has no directives.
type gItem struct {
	Pos       lexer.Position
	Cond      *gCond   `parser:"(  @@?"`
	Arrow     bool     `parser:"   @'=>'?"`
	Action    *gAction `parser:"   @@"`
	Semi      bool     `parser:"   @';'?"`
	Directive string   `parser:" | @Directive )"`
}

// gAction is NAME [ "(" [ VALUE ] ")" ].
type gAction struct {
	Name   lexer.Token
	Parens bool
	Arg    *gValue
	Last   lexer.Token // the name or the ')'
}

// gCond is a condition. End is the position of the token after it: the
// arrow, when there is one.
//
// The nodes of a condition are held by value wherever the tree allows, so
// that a condition costs a few allocations rather than one per node.
type gCond struct {
	X   gOr
	End lexer.Position
}

type gOr struct{ And []gAnd }

type gAnd struct{ Unary []gUnary }

// gUnary is '!' Not, or Prim when Not is nil.
type gUnary struct {
	Pos  lexer.Position
	Not  *gUnary
	Prim gPrimary
}

type gPrimary struct {
	Pos     lexer.Position
	End     lexer.Position // of the token after the primary
	Group   *gOr
	Bool    string
	Var     lexer.Token
	HasMask bool
	Mask    gValue
	HasTail bool
	Tail    gTail
}

type gTail struct {
	Pos    lexer.Position // of the operator, or of "not"/"in"
	Op     string         // comparison operator; empty for a set
	Value  gValue
	Not    bool
	Kernel *lexer.Token // the version token of KERNEL(...)
	// Set is the set's '(', or the whole set folded into one token by
	// the scanner (tokSet); either way its elements are checked against
	// the grammar, and the converter reads them again from the text, so
	// that a set of 300 system calls costs no allocation here.
	Set    *lexer.Token
	SetEnd int // offset just past the set's ')'
}

// gValue is a value; its terms point at tokens that do not move while
// the tree is converted: in participle's token buffer, or, for a set
// element, in the converter's scratch buffer. Most values have one term,
// kept inline to save an allocation per set element.
type gValue struct {
	First *lexer.Token
	More  []*lexer.Token // terms after a '|'
}

// maxDepth bounds the nesting of parentheses and '!', so that hostile input
// meets an error instead of deep recursion here, in the converter and in
// the printer.
const maxDepth = 1000

// syntaxError is a parse error in the hand-written productions. It
// implements participle.Error so participle passes it through.
type syntaxError struct {
	pos  lexer.Position
	msg  string
	hint string
}

func (e *syntaxError) Error() string            { return e.pos.String() + ": " + e.msg }
func (e *syntaxError) Message() string          { return e.msg }
func (e *syntaxError) Position() lexer.Position { return e.pos }

var _ participle.Error = (*syntaxError)(nil)

// descent is the state of one hand-written parse.
type descent struct {
	lex   *lexer.PeekingLexer
	depth int
}

func (d *descent) peek() *lexer.Token { return d.lex.Peek() }
func (d *descent) next() *lexer.Token { return d.lex.Next() }

func (d *descent) is(t *lexer.Token, punct string) bool {
	return t.Type == tokPunct && t.Value == punct
}

func (d *descent) fail(t *lexer.Token, hint, format string, args ...any) error {
	return &syntaxError{pos: t.Pos, msg: fmt.Sprintf(format, args...), hint: hint}
}

// describe names a token in a message.
func describe(t *lexer.Token) string {
	switch t.Type {
	case tokEOF:
		return "end of file"
	case tokDirective:
		return "a directive line"
	}
	return fmt.Sprintf("'%s'", t.Value)
}

func startsCond(t *lexer.Token) bool {
	switch t.Type {
	case tokVar:
		return true
	case tokPunct:
		return t.Value == "(" || t.Value == "!"
	case tokIdent:
		return t.Value == "true" || t.Value == "false"
	}
	return false
}

// Parse implements participle.Parseable.
func (c *gCond) Parse(lex *lexer.PeekingLexer) error {
	if !startsCond(lex.Peek()) {
		return participle.NextMatch
	}
	d := descent{lex: lex}
	if err := d.or(&c.X); err != nil {
		return err
	}
	c.End = lex.Peek().Pos
	return nil
}

func (d *descent) or(o *gOr) error {
	for {
		o.And = append(o.And, gAnd{})
		if err := d.and(&o.And[len(o.And)-1]); err != nil {
			return err
		}
		if !d.is(d.peek(), "||") {
			return nil
		}
		d.next()
	}
}

func (d *descent) and(a *gAnd) error {
	for {
		a.Unary = append(a.Unary, gUnary{})
		if err := d.unary(&a.Unary[len(a.Unary)-1]); err != nil {
			return err
		}
		if !d.is(d.peek(), "&&") {
			return nil
		}
		d.next()
	}
}

func (d *descent) unary(u *gUnary) error {
	t := d.peek()
	u.Pos = t.Pos
	if !d.is(t, "!") {
		return d.primary(&u.Prim)
	}
	if d.depth++; d.depth > maxDepth {
		return d.fail(t, "", "condition nested too deeply (more than %d levels)", maxDepth)
	}
	d.next()
	u.Not = &gUnary{}
	err := d.unary(u.Not)
	d.depth--
	return err
}

func (d *descent) primary(p *gPrimary) error {
	t := d.peek()
	p.Pos = t.Pos
	switch {
	case d.is(t, "("):
		if d.depth++; d.depth > maxDepth {
			return d.fail(t, "", "condition nested too deeply (more than %d levels)", maxDepth)
		}
		d.next()
		p.Group = &gOr{}
		if err := d.or(p.Group); err != nil {
			return err
		}
		d.depth--
		if c := d.peek(); !d.is(c, ")") {
			return &syntaxError{pos: t.Pos, msg: "unbalanced parenthesis: '(' is not closed",
				hint: fmt.Sprintf("expected ')' before %s", describe(c))}
		}
		d.next()
	case t.Type == tokIdent && (t.Value == "true" || t.Value == "false"):
		d.next()
		p.Bool = t.Value
	case t.Type == tokVar:
		d.next()
		p.Var = *t
		if d.is(d.peek(), "&") {
			d.next()
			p.HasMask = true
			if err := d.value(&p.Mask, "a mask after '&'"); err != nil {
				return err
			}
		}
	default:
		hint := "a condition starts with a variable ($syscall, $arch, $arg0 … $arg5), '(', '!', true or false"
		if t.Type == tokSyscall || t.Type == tokNumber || t.Type == tokIdent && t.Value != "in" {
			hint = "a comparison is written VARIABLE OP VALUE, e.g. $syscall == @read"
		}
		return d.fail(t, hint, "unexpected %s in condition", describe(t))
	}
	has, err := d.tail(&p.Tail)
	if err != nil {
		return err
	}
	p.HasTail = has
	p.End = d.peek().Pos
	return nil
}

// valueAfter names the value after each comparison operator, for messages.
var valueAfter = map[string]string{}

func init() {
	for op := range cmpOps {
		valueAfter[op] = "a value after '" + op + "'"
	}
}

// tail parses what follows a variable into tl; false if nothing that can
// follow it comes next.
func (d *descent) tail(tl *gTail) (bool, error) {
	t := d.peek()
	tl.Pos = t.Pos
	if t.Type == tokPunct {
		if what, ok := valueAfter[t.Value]; ok {
			d.next()
			tl.Op = t.Value
			if err := d.value(&tl.Value, what); err != nil {
				return false, err
			}
			return true, nil
		}
		return false, nil
	}
	if t.Type != tokIdent || t.Value != "in" && t.Value != "not" {
		return false, nil
	}
	d.next()
	if t.Value == "not" {
		tl.Not = true
		if in := d.peek(); in.Type != tokIdent || in.Value != "in" {
			return false, d.fail(in, "", "expected 'in' after 'not', found %s", describe(in))
		}
		d.next()
	}
	open := d.peek()
	if open.Type == tokSet {
		d.next()
		tl.Set, tl.SetEnd = open, open.Pos.Offset+len(open.Value)
		return true, nil
	}
	if open.Type == tokIdent && open.Value == "KERNEL" {
		d.next()
		if o := d.peek(); !d.is(o, "(") {
			return false, d.fail(o, "write KERNEL(5.3)", "expected '(' after KERNEL, found %s", describe(o))
		}
		d.next()
		v := d.peek()
		switch v.Type {
		case tokVersion, tokNumber, tokIdent, tokNeg:
			d.next()
		default:
			return false, d.fail(v, "write KERNEL(5.3)", "expected a kernel version, found %s", describe(v))
		}
		if c := d.peek(); !d.is(c, ")") {
			return false, d.fail(c, "write KERNEL(5.3)", "expected ')' after the kernel version, found %s", describe(c))
		}
		d.next()
		tl.Kernel = v
		return true, nil
	}
	if !d.is(open, "(") {
		return false, d.fail(open, "a set is written (X, Y, A..B), or KERNEL(5.3) for $syscall",
			"expected '(' after 'in', found %s", describe(open))
	}
	d.next()
	var scratch gValue
	for {
		if err := d.value(&scratch, "a value in the set"); err != nil {
			return false, err
		}
		if d.is(d.peek(), "..") {
			d.next()
			if err := d.value(&scratch, "the high end of the range after '..'"); err != nil {
				return false, err
			}
		}
		c := d.next()
		if d.is(c, ")") {
			tl.Set, tl.SetEnd = open, c.Pos.Offset+1
			return true, nil
		}
		if !d.is(c, ",") {
			if c.Type == tokEOF || d.is(c, "=>") || d.is(c, ";") {
				return false, &syntaxError{pos: open.Pos, msg: "unbalanced parenthesis: '(' of the set is not closed",
					hint: fmt.Sprintf("expected ')' before %s", describe(c))}
			}
			return false, d.fail(c, "set elements are separated by ','", "expected ',' or ')' in set, found %s", describe(c))
		}
	}
}

func isTerm(t *lexer.Token) bool { return isTermType(t.Type) }

func isTermType(t lexer.TokenType) bool {
	switch t {
	case tokNumber, tokNeg, tokSyscall, tokIdent:
		return true
	}
	return false
}

// value parses Term { "|" Term }; what names the expected value in the
// error message.
func (d *descent) value(v *gValue, what string) error {
	t := d.peek()
	if !isTerm(t) {
		hint := ""
		switch t.Type {
		case tokVersion:
			hint = "a version is only allowed in KERNEL(...)"
		case tokDirective:
			hint = "secc fmt keeps directives between rules, not inside one"
		}
		return d.fail(t, hint, "expected %s, found %s", what, describe(t))
	}
	v.First, v.More = d.next(), v.More[:0]
	for d.is(d.peek(), "|") {
		d.next()
		t := d.peek()
		if !isTerm(t) {
			return d.fail(t, "", "expected a value after '|', found %s", describe(t))
		}
		v.More = append(v.More, d.next())
	}
	return nil
}

// Parse implements participle.Parseable.
func (a *gAction) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if t.Type != tokIdent {
		return participle.NextMatch
	}
	a.Name = *lex.Next()
	a.Last = a.Name
	d := descent{lex: lex}
	if !d.is(d.peek(), "(") {
		return nil
	}
	d.next()
	a.Parens = true
	if isTerm(d.peek()) {
		a.Arg = &gValue{}
		if err := d.value(a.Arg, "a value"); err != nil {
			return err
		}
	}
	c := d.peek()
	if !d.is(c, ")") {
		return d.fail(c, "", "expected ')' after the argument of %s, found %s", a.Name.Value, describe(c))
	}
	a.Last = *d.next()
	return nil
}

var (
	parserOnce sync.Once
	theParser  *participle.Parser[gFile]
)

func grammar() *participle.Parser[gFile] {
	parserOnce.Do(func() {
		theParser = participle.MustBuild[gFile](
			participle.Lexer(Definition{}),
			participle.UseLookahead(1),
		)
	})
	return theParser
}
