package lang

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types of the hand-written lexer. participle's regexp lexers are
// general but slow; this one is a single pass over bytes with no
// allocation per token. scan finds where a token is; a lexer.Token is
// made only for the tokens handed on.
const (
	tokEOF                       = lexer.EOF
	tokIdent     lexer.TokenType = iota // NAME, also in, not, true, false, KERNEL, action names
	tokVar                              // $name or $name.part
	tokSyscall                          // @name or @name@abi
	tokNumber                           // 42, 0x2a, also malformed ones such as 12ab (checked later)
	tokNeg                              // -N
	tokVersion                          // 5.3, 6.18.1: digits with dots, for KERNEL(...)
	tokPunct                            // operators and punctuation
	tokDirective                        // # ... up to the end of the line
	tokSet                              // ( ... ) after 'in': a well-formed set, folded into one token
)

var tokenSymbols = map[string]lexer.TokenType{
	"EOF":       tokEOF,
	"Ident":     tokIdent,
	"Var":       tokVar,
	"Syscall":   tokSyscall,
	"Number":    tokNumber,
	"Neg":       tokNeg,
	"Version":   tokVersion,
	"Punct":     tokPunct,
	"Directive": tokDirective,
	"Set":       tokSet,
}

// lexError is a problem the lexer found, positioned in the lexed text.
type lexError struct {
	pos  lexer.Position
	msg  string
	hint string
}

// rawComment is a comment as lexed, before positions are mapped.
type rawComment struct {
	pos  lexer.Position
	text string
}

// scanner splits the text into tokens, one per call of Next, as
// participle's Upgrade asks for them. Comments go to the side; errors are
// collected and scanning goes on after the bad character, so the caller
// can report every lexical error at once.
type scanner struct {
	filename  string
	src       string
	off       int
	line      int
	lineStart int
	blankLine bool // only blanks so far on this line: a '#' starts a directive

	// sets makes Next fold a set after 'in' into one tokSet token when
	// its elements are well formed (see set); afterIn says the last token
	// was the identifier in.
	sets    bool
	afterIn bool
	// terms counts the tokens that can be terms, an upper bound on the
	// terms of the tree, so the converter allocates them at once.
	terms int

	comments []rawComment
	errs     []lexError
}

func newScanner(filename, src string) *scanner {
	return &scanner{filename: filename, src: src, line: 1, blankLine: true}
}

func (s *scanner) pos(off int) lexer.Position {
	return lexer.Position{Filename: s.filename, Offset: off, Line: s.line, Column: off - s.lineStart + 1}
}

func (s *scanner) errorf(off int, hint, format string, args ...any) {
	if len(s.errs) > maxErrors {
		return
	}
	if len(s.errs) == maxErrors {
		format, hint, args = "too many errors", "", nil
	}
	s.errs = append(s.errs, lexError{pos: s.pos(off), msg: fmt.Sprintf(format, args...), hint: hint})
}

// at ends a token of type t at end.
func (s *scanner) at(t lexer.TokenType, start, end int) (lexer.TokenType, int, int) {
	s.off = end
	s.blankLine = false
	if isTermType(t) {
		s.terms++
	}
	return t, start, end
}

// token makes the token that scan found. It is on the current line.
func (s *scanner) token(t lexer.TokenType, start, end int) lexer.Token {
	var tok lexer.Token
	s.fill(&tok, t, start, end)
	return tok
}

// fill is token writing in place, which saves copying tokens around.
func (s *scanner) fill(tok *lexer.Token, t lexer.TokenType, start, end int) {
	tok.Type, tok.Value = t, s.src[start:end]
	if t == tokDirective {
		tok.Value = strings.TrimRight(tok.Value, " \t\r\f\v")
	}
	tok.Pos.Filename, tok.Pos.Offset, tok.Pos.Line, tok.Pos.Column = s.filename, start, s.line, start-s.lineStart+1
}

// lineEnd is the offset of the end of the line holding off.
func (s *scanner) lineEnd(off int) int {
	if i := strings.IndexByte(s.src[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(s.src)
}

// Next implements lexer.Lexer. It never fails: errors are kept for the
// parser to report with its own positions.
func (s *scanner) Next() (lexer.Token, error) {
	t, start, end := s.scan()
	if s.sets {
		if s.afterIn && t == tokPunct && s.src[start] == '(' {
			pos := s.pos(start) // before set moves to later lines
			if end, ok := s.set(start); ok {
				return lexer.Token{Type: tokSet, Value: s.src[start:end], Pos: pos}, nil
			}
		}
		s.afterIn = t == tokIdent && s.src[start:end] == "in"
	}
	return s.token(t, start, end), nil
}

// set tries to read the set whose '(' is at open up to its ')', to make
// it one token; it returns the offset past the ')'. participle copies
// every token into a growing buffer, and the elements of long sets are
// most of the tokens of a policy: folded, a set of 300 system calls is
// one token, and the converter reads its elements again from the text.
//
// Only a set that follows the grammar (Elem { "," Elem } ")", see
// descent.tail) and holds no lexical error is folded; otherwise the
// scanner rewinds and the set's tokens come one by one, so that errors
// are found and reported as without folding. Either way the scanner ends
// in the state that scanning the same tokens one by one leaves.
func (s *scanner) set(open int) (int, bool) {
	saved := *s
	needTerm, inRange := true, false
	for ok := true; ok; {
		t, start, end := s.scan()
		switch {
		case len(s.errs) > len(saved.errs):
			ok = false
		case needTerm:
			ok, needTerm = isTermType(t), false
		case t != tokPunct:
			ok = false
		case end-start == 1 && s.src[start] == '|':
			needTerm = true
		case end-start == 2 && s.src[start] == '.' && !inRange:
			needTerm, inRange = true, true
		case end-start == 1 && s.src[start] == ',':
			needTerm, inRange = true, false
		case end-start == 1 && s.src[start] == ')':
			return end, true
		default:
			ok = false
		}
	}
	*s = saved
	return 0, false
}

// scan finds the next token: its type and where it is in the text.
func (s *scanner) scan() (lexer.TokenType, int, int) {
	src := s.src
	for s.off < len(src) {
		off := s.off
		c := src[off]
		switch {
		case c == '\n':
			s.off++
			s.line, s.lineStart, s.blankLine = s.line+1, s.off, true
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			s.off++
		case c == '#':
			end := s.lineEnd(off)
			if !s.blankLine {
				s.errorf(off, "a directive must start its own line", "unexpected '#'")
				s.off = end
				continue
			}
			return s.at(tokDirective, off, end)
		case c == '/' && off+1 < len(src) && src[off+1] == '/':
			end := s.lineEnd(off)
			s.comments = append(s.comments, rawComment{s.pos(off), strings.TrimRight(src[off:end], " \t\r\f\v")})
			s.off = end
		case c == '/' && off+1 < len(src) && src[off+1] == '*':
			end := strings.Index(src[off+2:], "*/")
			if end < 0 {
				s.errorf(off, "", "comment not terminated: missing */")
				s.off = len(src)
				continue
			}
			end += off + 4
			s.comments = append(s.comments, rawComment{s.pos(off), src[off:end]})
			for i := off; i < end; i++ {
				if src[i] == '\n' {
					s.line, s.lineStart = s.line+1, i+1
				}
			}
			s.off = end
		case c == '$':
			end := identEnd(src, off+1)
			if end+1 < len(src) && src[end] == '.' && src[end+1] != '.' {
				end = identEnd(src, end+1)
			}
			return s.at(tokVar, off, end)
		case c == '@':
			end := identEnd(src, off+1)
			if end < len(src) && src[end] == '@' {
				end = identEnd(src, end+1)
			}
			return s.at(tokSyscall, off, end)
		case isDigit(c):
			end, t := numberEnd(src, off)
			return s.at(t, off, end)
		case c == '-' && off+1 < len(src) && isDigit(src[off+1]):
			end, t := numberEnd(src, off+1)
			if t == tokVersion {
				t = tokNumber // -5.3 is no version; the number check reports it
			} else {
				t = tokNeg
			}
			return s.at(t, off, end)
		case isIdentStart(c):
			return s.at(tokIdent, off, identEnd(src, off))
		default:
			if n := punctLen(src, off); n > 0 {
				return s.at(tokPunct, off, off+n)
			}
			r, size := utf8.DecodeRuneInString(src[off:])
			hint := ""
			switch c {
			case '=':
				hint = "comparison is ==, and => introduces the action"
			case '.':
				hint = "ranges are written A..B"
			case '-':
				hint = "a negative number is written -N, with the digits right after the minus"
			}
			s.errorf(off, hint, "unexpected character %q", r)
			s.off += size
		}
	}
	return tokEOF, len(src), len(src)
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }

func identEnd(src string, off int) int {
	for off < len(src) && isIdentChar(src[off]) {
		off++
	}
	return off
}

// numberEnd takes every identifier character after a digit, so that 12ab
// or 0xZZ is one token the parser reports as a malformed number rather
// than two confusing tokens. A '.' not followed by another '.' continues a
// version (5.3); "1..5" is a range.
func numberEnd(src string, off int) (int, lexer.TokenType) {
	end := identEnd(src, off)
	t := tokNumber
	for end < len(src) && src[end] == '.' && (end+1 >= len(src) || src[end+1] != '.') {
		end = identEnd(src, end+1)
		t = tokVersion
	}
	return end, t
}

// punctLen returns the length of the operator at off, or 0.
func punctLen(src string, off int) int {
	c := src[off]
	var next byte
	if off+1 < len(src) {
		next = src[off+1]
	}
	switch c {
	case '(', ')', ',', ';':
		return 1
	case '=':
		if next == '=' || next == '>' {
			return 2
		}
	case '!', '<', '>':
		if next == '=' {
			return 2
		}
		return 1
	case '&', '|':
		if next == c {
			return 2
		}
		return 1
	case '.':
		if next == '.' {
			return 2
		}
	}
	return 0
}

// Definition is the lexer as participle sees it. Lexical errors come back
// as the error of Lex; the parser itself calls scan directly to keep
// comments and all errors.
type Definition struct{}

var _ lexer.Definition = Definition{}
var _ lexer.StringDefinition = Definition{}
var _ lexer.BytesDefinition = Definition{}

// Symbols implements lexer.Definition.
func (Definition) Symbols() map[string]lexer.TokenType { return tokenSymbols }

// Lex implements lexer.Definition.
func (d Definition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		return nil, err
	}
	return d.LexString(filename, b.String())
}

// LexBytes implements lexer.BytesDefinition.
func (d Definition) LexBytes(filename string, src []byte) (lexer.Lexer, error) {
	return d.LexString(filename, string(src))
}

// LexString implements lexer.StringDefinition. The first lexical error, if
// any, is returned once the whole text is scanned.
func (Definition) LexString(filename, src string) (lexer.Lexer, error) {
	s := newScanner(filename, src)
	var toks []lexer.Token
	for {
		t, _ := s.Next()
		toks = append(toks, t)
		if t.EOF() {
			break
		}
	}
	if len(s.errs) > 0 {
		e := s.errs[0]
		return nil, &lexer.Error{Msg: e.msg, Pos: e.pos}
	}
	return &tokenStream{toks: toks}, nil
}

// tokenStream replays scanned tokens.
type tokenStream struct {
	toks []lexer.Token
	i    int
}

// Next implements lexer.Lexer; after the end it keeps returning EOF.
func (t *tokenStream) Next() (lexer.Token, error) {
	tok := t.toks[t.i]
	if t.i < len(t.toks)-1 {
		t.i++
	}
	return tok, nil
}
