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
// allocation per token beyond the token slice.
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
	done      bool

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

func (s *scanner) token(t lexer.TokenType, start, end int) lexer.Token {
	s.off = end
	s.blankLine = false
	return lexer.Token{Type: t, Value: s.src[start:end], Pos: s.pos(start)}
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
			tok := s.token(tokDirective, off, end)
			tok.Value = strings.TrimRight(tok.Value, " \t\r\f\v")
			return tok, nil
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
			return s.token(tokVar, off, end), nil
		case c == '@':
			end := identEnd(src, off+1)
			if end < len(src) && src[end] == '@' {
				end = identEnd(src, end+1)
			}
			return s.token(tokSyscall, off, end), nil
		case isDigit(c):
			end, t := numberEnd(src, off)
			return s.token(t, off, end), nil
		case c == '-' && off+1 < len(src) && isDigit(src[off+1]):
			end, t := numberEnd(src, off+1)
			if t == tokVersion {
				t = tokNumber // -5.3 is no version; the number check reports it
			} else {
				t = tokNeg
			}
			return s.token(t, off, end), nil
		case isIdentStart(c):
			return s.token(tokIdent, off, identEnd(src, off)), nil
		default:
			if n := punctLen(src, off); n > 0 {
				return s.token(tokPunct, off, off+n), nil
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
	return lexer.Token{Type: tokEOF, Pos: s.pos(len(src))}, nil
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
