package preprocessor

import (
	"strings"

	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/suggest"
)

// directives are the known directive names, for did-you-mean hints.
var directives = []string{"ifdef", "ifndef", "if", "elif", "else", "endif", "define", "undef", "include", "error", "warning"}

// dline is a directive line being read: its text, with comments blanked out
// so that byte offsets are still columns, and a cursor.
type dline struct {
	text string
	file string
	num  int
	i    int
}

func (d *dline) pos(i int) diag.Pos { return diag.Pos{File: d.file, Line: d.num, Col: i + 1} }

func (d *dline) skipBlanks() {
	for d.i < len(d.text) && isBlank(d.text[d.i]) {
		d.i++
	}
}

func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || '0' <= c && c <= '9' }

// ident reads a name at the cursor, or returns "" without moving.
func (d *dline) ident() string {
	start := d.i
	if d.i < len(d.text) && isIdentStart(d.text[d.i]) {
		d.i++
		for d.i < len(d.text) && isIdentChar(d.text[d.i]) {
			d.i++
		}
	}
	return d.text[start:d.i]
}

// rest returns the trimmed text from the cursor to the end of the line and
// the offset where it starts.
func (d *dline) rest() (string, int) {
	d.skipBlanks()
	return strings.TrimRight(d.text[d.i:], " \t\f\v"), d.i
}

// word returns the blank-delimited word at the cursor (for messages).
func (d *dline) word() string {
	end := d.i
	for end < len(d.text) && !isBlank(d.text[end]) {
		end++
	}
	return d.text[d.i:end]
}

// blankComments returns line with the comments after index i replaced by
// blanks (a comment is white space, as in C) and records in f a /* comment
// left open at the end of the line. Quoted text is not searched for
// comments, so `#include "a//b.sec"` keeps its path.
func blankComments(f *fileState, line string, i, num int) string {
	var b []byte // a copy, made on the first comment
	blank := func(from, to int) {
		if b == nil {
			b = []byte(line)
		}
		for k := from; k < to; k++ {
			b[k] = ' '
		}
	}
	for i < len(line) {
		switch c := line[i]; {
		case c == '"':
			if j := strings.IndexByte(line[i+1:], '"'); j >= 0 {
				i += j + 2
			} else {
				i = len(line)
			}
		case c == '/' && i+1 < len(line) && line[i+1] == '/':
			blank(i, len(line))
			i = len(line)
		case c == '/' && i+1 < len(line) && line[i+1] == '*':
			end := commentEnd(line, i+2)
			if end < 0 {
				f.inComment, f.live = true, false
				f.commentPos = diag.Pos{File: f.name, Line: num, Col: i + 1}
				end = len(line)
			}
			blank(i, end)
			i = end
		default:
			i++
		}
	}
	if b == nil {
		return line
	}
	return string(b)
}

// directive handles a directive line; hash is the index of its '#'.
func (p *run) directive(f *fileState, line string, num, hash int) {
	d := &dline{text: blankComments(f, line, hash+1, num), file: f.name, num: num, i: hash + 1}
	at := d.pos(hash)
	d.skipBlanks()
	name := d.ident()
	live := p.active(f)

	switch name {
	case "ifdef", "ifndef":
		p.ifdef(f, d, at, name)
		return
	case "if":
		p.ifExpr(f, d, at)
		return
	case "elif":
		p.elif(f, d, at)
		return
	case "else":
		p.elseDirective(f, d, at)
		return
	case "endif":
		p.endif(f, d, at)
		return
	}
	if !live {
		// As in C, a skipped group may hold anything that is not a
		// conditional directive.
		return
	}
	switch name {
	case "define":
		p.define(d)
	case "undef":
		p.undef(d)
	case "include":
		p.includeDirective(f, d, at)
	case "error", "warning":
		text, _ := d.rest()
		if len(text) >= 2 && text[0] == '"' && text[len(text)-1] == '"' {
			text = text[1 : len(text)-1]
		}
		if text == "" {
			text = "#" + name
		}
		if name == "error" {
			p.errorf(at, "%s", text)
		} else {
			p.warnf(at, "%s", text)
		}
	case "":
		if rest, _ := d.rest(); rest != "" {
			p.errorf(at, "expected a directive name after #, found %q", d.word())
		}
		// A lone '#' is C's null directive.
	default:
		e := p.errorf(at, "unknown directive #%s", name)
		s, ok := suggest.Closest(name, directives, nil)
		if ok {
			e.Hint = "did you mean #" + s + "?"
		}
		// Take a misspelt conditional for the one it resembles, so that
		// its group does not give a second error (a stray #endif).
		switch s {
		case "if", "ifdef", "ifndef":
			p.push(f, cond{pos: at, kind: name, taken: true})
		case "endif":
			if f.overflow > 0 {
				f.overflow--
			} else if p.top(f) != nil {
				p.conds = p.conds[:len(p.conds)-1]
			}
		}
	}
}

// push opens a conditional. Past MaxNesting the group is skipped and only
// counted, so that a hostile file cannot grow the stack.
func (p *run) push(f *fileState, c cond) {
	if len(p.conds) >= p.opts.MaxNesting || f.overflow > 0 {
		if !f.nestErr {
			f.nestErr = true
			p.errorf(c.pos, "conditionals nested too deeply (limit %d)", p.opts.MaxNesting)
		}
		f.overflow++
		return
	}
	c.outer = p.active(f)
	p.conds = append(p.conds, c)
}

// top returns the innermost conditional opened in f, or nil.
func (p *run) top(f *fileState) *cond {
	if len(p.conds) > f.base {
		return &p.conds[len(p.conds)-1]
	}
	return nil
}

// name reads the NAME operand of #ifdef, #ifndef, #define and #undef.
// It reports an error and returns "" when there is none.
func (p *run) nameOperand(d *dline, directive string) (string, int) {
	d.skipBlanks()
	at := d.i
	name := d.ident()
	if name == "" {
		if end := len(strings.TrimRight(d.text, " \t\f\v")); d.i >= end {
			p.errorf(d.pos(end), "#%s needs a name", directive)
		} else {
			p.errorf(d.pos(d.i), "#%s needs a name, found %q", directive, d.word())
		}
		return "", at
	}
	// A name glued to junk ("ARCH-X", "9LIVES" is caught above) is a bad
	// name rather than a name followed by extra text.
	if d.i < len(d.text) && !isBlank(d.text[d.i]) && directive != "define" {
		d.i = at
		p.errorf(d.pos(at), "bad name %q in #%s", d.word(), directive)
		return "", at
	}
	return name, at
}

// noExtra reports text after a directive's operands; it is an error where the
// text could change the meaning and a warning elsewhere (old code writes
// `#endif FOO`).
func (p *run) noExtra(d *dline, directive string, isErr bool) {
	if rest, at := d.rest(); rest != "" {
		if isErr {
			p.errorf(d.pos(at), "unexpected %q after #%s", rest, directive)
		} else {
			p.warnf(d.pos(at), "extra text after #%s ignored", directive)
		}
	}
}

func (p *run) ifdef(f *fileState, d *dline, at diag.Pos, kind string) {
	c := cond{pos: at, kind: kind}
	if !p.active(f) {
		c.taken = true
		p.push(f, c)
		return
	}
	name, _ := p.nameOperand(d, kind)
	if name != "" {
		p.noExtra(d, kind, true)
		_, defined := p.defs[name]
		c.active = defined == (kind == "ifdef")
	}
	c.taken = c.active
	p.push(f, c)
}

func (p *run) ifExpr(f *fileState, d *dline, at diag.Pos) {
	c := cond{pos: at, kind: "if"}
	if !p.active(f) {
		c.taken = true
		p.push(f, c)
		return
	}
	c.active = p.eval(*d, "if")
	c.taken = c.active
	p.push(f, c)
}

func (p *run) elif(f *fileState, d *dline, at diag.Pos) {
	c := p.branch(f, at, "elif", "the #else is at ")
	if c == nil {
		return
	}
	if c.taken {
		c.active = false
		return
	}
	c.active = p.eval(*d, "elif")
	c.taken = c.active
}

// branch finds the group an #elif or #else continues. It reports a
// directive without #if, or one after the group's #else (whose place the
// hint names), and returns nil when there is nothing more to do.
func (p *run) branch(f *fileState, at diag.Pos, name, elseHint string) *cond {
	if f.overflow > 0 {
		return nil
	}
	c := p.top(f)
	if c == nil {
		p.errorf(at, "#%s without #if", name)
		return nil
	}
	if c.elsePos.IsValid() {
		p.errorf(at, "#%s after #else", name).Hint = elseHint + c.elsePos.String()
		c.active = false
		return nil
	}
	return c
}

func (p *run) elseDirective(f *fileState, d *dline, at diag.Pos) {
	c := p.branch(f, at, "else", "the first #else is at ")
	if c == nil {
		return
	}
	c.elsePos = at
	c.active = !c.taken
	c.taken = true
	if c.outer {
		p.noExtra(d, "else", false)
	}
}

func (p *run) endif(f *fileState, d *dline, at diag.Pos) {
	if f.overflow > 0 {
		f.overflow--
		return
	}
	if p.top(f) == nil {
		p.errorf(at, "#endif without #if")
		return
	}
	c := p.conds[len(p.conds)-1]
	p.conds = p.conds[:len(p.conds)-1]
	if c.outer {
		p.noExtra(d, "endif", false)
	}
}

func (p *run) define(d *dline) {
	name, at := p.nameOperand(d, "define")
	if name == "" {
		return
	}
	if d.i < len(d.text) && d.text[d.i] == '(' {
		p.errorf(d.pos(d.i), "#define of a macro with parameters is not supported")
		return
	}
	if d.i < len(d.text) && !isBlank(d.text[d.i]) {
		d.i = at
		p.errorf(d.pos(at), "bad name %q in #define", d.word())
		return
	}
	if name == "defined" {
		p.errorf(d.pos(at), "\"defined\" cannot be #define'd")
		return
	}
	value, _ := d.rest()
	sym := Symbol{Value: value, HasValue: value != "", Pos: d.pos(at)}
	if old, ok := p.defs[name]; ok {
		if old.Value == sym.Value {
			return // same definition: nothing changes
		}
		w := p.warnf(sym.Pos, "%s redefined (was %q, now %q)", name, old.Value, sym.Value)
		if old.Pos.IsValid() {
			w.Hint = "previous definition at " + old.Pos.String()
		} else {
			w.Hint = "it was defined outside the policy (command line or target)"
		}
	}
	if p.mutateDefs(sym.Pos) {
		p.defs[name] = sym
	}
}

func (p *run) undef(d *dline) {
	name, at := p.nameOperand(d, "undef")
	if name == "" {
		return
	}
	p.noExtra(d, "undef", true)
	if _, ok := p.defs[name]; !ok {
		return // as in C, forgetting an unknown name is fine
	}
	if p.mutateDefs(d.pos(at)) {
		delete(p.defs, name)
	}
}

func (p *run) includeDirective(f *fileState, d *dline, at diag.Pos) {
	d.skipBlanks()
	start := d.i
	if d.i >= len(d.text) || d.text[d.i] != '"' {
		e := p.errorf(d.pos(start), "#include needs a quoted path")
		if d.i < len(d.text) && d.text[d.i] == '<' {
			e.Hint = "write #include \"path\"; there are no system include files"
		}
		return
	}
	end := strings.IndexByte(d.text[start+1:], '"')
	if end < 0 {
		p.errorf(d.pos(start), "unterminated path in #include")
		return
	}
	path := d.text[start+1 : start+1+end]
	d.i = start + end + 2
	if path == "" {
		p.errorf(d.pos(start), "empty path in #include")
		return
	}
	p.noExtra(d, "include", true)
	p.include(f, path, d.pos(start))
}
