package preprocessor

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/secc-lang/secc/internal/kver"
)

// The #if language:
//
//	or      = and { "||" and }
//	and     = cmp { "&&" cmp }
//	cmp     = unary [ ("=="|"!="|"<"|"<="|">"|">=") unary ]
//	unary   = "!" unary | primary
//	primary = "(" or ")" | "defined" ( "(" NAME ")" | NAME ) | NAME | NUMBER | VERSION
//
// Comparisons do not chain, as in the rule language. A value is a number or
// a kernel version; versions compare by kver ordinal, and a number compared
// with a version is read as a major version (KERNEL >= 6 means 6.0).

type tokKind int

const (
	tEOF tokKind = iota
	tName
	tNumber // a number or a version; value holds which
	tOp
	tBad
)

type token struct {
	kind tokKind
	text string
	at   int // byte offset in the line
}

func (t token) String() string {
	if t.kind == tEOF {
		return "end of line"
	}
	return strconv.Quote(t.text)
}

type value struct {
	n   uint64
	ver bool // n is a kver ordinal
}

func boolValue(b bool) value {
	if b {
		return value{n: 1}
	}
	return value{}
}

// exprErr stops the parse of an expression at its first error.
type exprErr struct {
	at   int
	msg  string
	hint string
}

type exprParser struct {
	p   *run
	d   *dline
	tok token
}

// eval evaluates the expression after #if or #elif, reporting errors; an
// expression with an error is false.
// d is a copy so that only #if lines pay for the parser's allocations.
func (p *run) eval(d dline, directive string) (result bool) {
	x := &exprParser{p: p, d: &d}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(exprErr)
			if !ok {
				panic(r)
			}
			p.errorf(d.pos(e.at), "%s", e.msg).Hint = e.hint
			result = false
		}
	}()
	x.next()
	if x.tok.kind == tEOF {
		x.fail(x.tok.at, "#%s needs an expression", directive)
	}
	v := x.or(true)
	if x.tok.kind != tEOF {
		if x.tok.kind == tOp && isRelOp(x.tok.text) {
			x.fail(x.tok.at, "comparisons do not chain; join them with &&")
		}
		x.fail(x.tok.at, "unexpected %v after the expression", x.tok)
	}
	return v.n != 0
}

func (x *exprParser) fail(at int, format string, args ...any) {
	panic(exprErr{at: at, msg: fmt.Sprintf(format, args...)})
}

func (x *exprParser) failHint(at int, hint, format string, args ...any) {
	panic(exprErr{at: at, msg: fmt.Sprintf(format, args...), hint: hint})
}

// next reads the next token into x.tok.
func (x *exprParser) next() {
	d := x.d
	d.skipBlanks()
	start := d.i
	if d.i >= len(d.text) {
		// Point just past the last token, not past a trailing comment.
		x.tok = token{kind: tEOF, at: len(strings.TrimRight(d.text, " \t\f\v"))}
		return
	}
	c := d.text[d.i]
	switch {
	case isIdentStart(c):
		x.tok = token{kind: tName, text: d.ident(), at: start}
		return
	case '0' <= c && c <= '9':
		for d.i < len(d.text) && (isIdentChar(d.text[d.i]) || d.text[d.i] == '.') {
			d.i++
		}
		x.tok = token{kind: tNumber, text: d.text[start:d.i], at: start}
		return
	}
	two := ""
	if d.i+1 < len(d.text) {
		two = d.text[d.i : d.i+2]
	}
	switch two {
	case "&&", "||", "==", "!=", "<=", ">=":
		d.i += 2
		x.tok = token{kind: tOp, text: two, at: start}
		return
	}
	switch c {
	case '!', '(', ')', '<', '>':
		d.i++
		x.tok = token{kind: tOp, text: string(c), at: start}
		return
	}
	d.i++
	x.tok = token{kind: tBad, text: string(c), at: start}
	hint := ""
	switch c {
	case '&':
		hint = "logical and is &&"
	case '|':
		hint = "logical or is ||"
	case '=':
		hint = "equality is =="
	}
	x.failHint(start, hint, "unexpected %q in expression", c)
}

func isRelOp(s string) bool {
	switch s {
	case "==", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// live is false in the operands that short-circuit skips: they must still
// parse, but their values are not looked at, so `defined(X) && X > 5` is
// fine when X is undefined.
func (x *exprParser) or(live bool) value {
	v := x.and(live)
	for x.tok.kind == tOp && x.tok.text == "||" {
		x.next()
		w := x.and(live && v.n == 0)
		v = boolValue(v.n != 0 || w.n != 0)
	}
	return v
}

func (x *exprParser) and(live bool) value {
	v := x.cmp(live)
	for x.tok.kind == tOp && x.tok.text == "&&" {
		x.next()
		w := x.cmp(live && v.n != 0)
		v = boolValue(v.n != 0 && w.n != 0)
	}
	return v
}

func (x *exprParser) cmp(live bool) value {
	v := x.unary(live)
	if x.tok.kind != tOp || !isRelOp(x.tok.text) {
		return v
	}
	op := x.tok.text
	x.next()
	w := x.unary(live)
	a, b := v.n, w.n
	if v.ver != w.ver {
		// A bare number against a version is a major version.
		if !v.ver && a <= 99999 {
			a = uint64(kver.Version{Major: int(a)}.Ordinal())
		}
		if !w.ver && b <= 99999 {
			b = uint64(kver.Version{Major: int(b)}.Ordinal())
		}
	}
	switch op {
	case "==":
		return boolValue(a == b)
	case "!=":
		return boolValue(a != b)
	case "<":
		return boolValue(a < b)
	case "<=":
		return boolValue(a <= b)
	case ">":
		return boolValue(a > b)
	}
	return boolValue(a >= b)
}

func (x *exprParser) unary(live bool) value {
	if x.tok.kind == tOp && x.tok.text == "!" {
		x.next()
		return boolValue(x.unary(live).n == 0)
	}
	return x.primary(live)
}

func (x *exprParser) primary(live bool) value {
	t := x.tok
	switch t.kind {
	case tOp:
		if t.text == "(" {
			x.next()
			v := x.or(live)
			if x.tok.kind != tOp || x.tok.text != ")" {
				x.failHint(x.tok.at, fmt.Sprintf("the ( is at column %d", t.at+1), "expected \")\", found %v", x.tok)
			}
			x.next()
			return v
		}
	case tNumber:
		x.next()
		v, err := parseLiteral(t.text)
		if err != nil {
			x.fail(t.at, "%v", err)
		}
		return v
	case tName:
		x.next()
		if t.text == "defined" {
			return x.defined()
		}
		return x.symbol(t, live)
	}
	x.fail(t.at, "expected a name, number or version, found %v", t)
	return value{}
}

// defined reads the operand of "defined", already consumed.
func (x *exprParser) defined() value {
	paren := x.tok.kind == tOp && x.tok.text == "("
	var open token
	if paren {
		open = x.tok
		x.next()
	}
	if x.tok.kind != tName {
		x.fail(x.tok.at, "defined needs a name, found %v", x.tok)
	}
	_, ok := x.p.defs[x.tok.text]
	x.next()
	if paren {
		if x.tok.kind != tOp || x.tok.text != ")" {
			x.failHint(x.tok.at, fmt.Sprintf("the ( is at column %d", open.at+1), "expected \")\", found %v", x.tok)
		}
		x.next()
	}
	return boolValue(ok)
}

// symbol is the value of a name: 0 when undefined, 1 when defined without a
// value, else its value, which must be a number or a version.
func (x *exprParser) symbol(t token, live bool) value {
	sym, ok := x.p.defs[t.text]
	switch {
	case !ok:
		return value{}
	case sym.Value == "":
		return value{n: 1}
	}
	v, err := parseSymbolValue(sym.Value)
	if err != nil && live {
		hint := ""
		if sym.Pos.IsValid() {
			hint = "it is defined at " + sym.Pos.String()
		}
		x.failHint(t.at, hint, "%s is %q, not a number or a version", t.text, sym.Value)
	}
	return v
}

// parseLiteral reads a number (42, 0x2a, 0o52, 0b101010; a leading zero is
// still decimal, as in the rule language) or a version (5.8, 6.18.3).
func parseLiteral(s string) (value, error) {
	if strings.IndexByte(s, '.') >= 0 {
		for _, part := range strings.Split(s, ".") {
			if part == "" || strings.Trim(part, "0123456789") != "" {
				return value{}, fmt.Errorf("bad version %q (want X.Y or X.Y.Z)", s)
			}
		}
		v, err := kver.Parse(s)
		if err != nil {
			return value{}, fmt.Errorf("bad version %q (want X.Y or X.Y.Z)", s)
		}
		return value{n: uint64(v.Ordinal()), ver: true}, nil
	}
	n, err := parseNumber(s)
	if err != nil {
		return value{}, fmt.Errorf("bad number %q", s)
	}
	return value{n: n}, nil
}

func parseNumber(s string) (uint64, error) {
	base := 10
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 10 {
			s = s[2:]
		}
	}
	return strconv.ParseUint(s, base, 64)
}

// parseSymbolValue reads a symbol's value; versions may carry a suffix, as
// `uname -r` prints them ("6.18.44-fc").
func parseSymbolValue(s string) (value, error) {
	if n, err := parseNumber(s); err == nil {
		return value{n: n}, nil
	}
	if strings.IndexByte(s, '.') >= 0 {
		if v, err := kver.Parse(s); err == nil {
			return value{n: uint64(v.Ordinal()), ver: true}, nil
		}
	}
	return value{}, fmt.Errorf("not a number or a version")
}
