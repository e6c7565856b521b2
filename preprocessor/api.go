// Package preprocessor runs the C-like directives of a .sec policy
// (LANGUAGE.md §8): #ifdef/#ifndef/#if/#elif/#else/#endif, #define, #undef,
// #include, #error, #warning.
//
// It takes a file and the caller's symbols and gives the lines that survive,
// each with its origin (file and line; columns are unchanged because lines are
// copied verbatim) and the #define scope in force on it, so the parser can
// report positions in the user's files and resolve #define'd constants.
package preprocessor

import (
	"strings"

	"github.com/secc-lang/secc/diag"
)

// Symbol is a preprocessor symbol.
type Symbol struct {
	// Value is the text after the name ("0xffffffff", "5.8"), empty when
	// defined without a value.
	Value    string
	HasValue bool
	// Pos is where it was #define'd; zero for symbols from the caller.
	Pos diag.Pos
}

// Options configure a run.
type Options struct {
	// Symbols defined before the first line: -d/-D, capabilities (CAP_X),
	// the target's ARCH_ symbols, KERNEL (Value "6.18").
	Symbols map[string]Symbol
	// IncludeDirs are searched, in order, after the including file's
	// directory.
	IncludeDirs []string
	// ReadFile reads an included file; nil means os.ReadFile.
	ReadFile func(path string) ([]byte, error)
	// Limits; zero means the default (DefaultMaxBytes, …).
	MaxBytes        int // total input bytes over all files
	MaxIncludeDepth int
	MaxNesting      int // depth of #if nesting
}

// Defaults for Options' limits.
const (
	DefaultMaxBytes        = 16 << 20
	DefaultMaxIncludeDepth = 32
	DefaultMaxNesting      = 256
)

// Line is one line of output.
type Line struct {
	Text  string // the line as written, without its newline
	File  string // the file it came from, as named to Preprocess or found by #include
	Num   int    // its line number in that file, from 1
	Scope *Scope // the #define symbols in force on this line
}

// Scope is an immutable snapshot of the defined symbols. Consecutive lines
// share one Scope until a #define or #undef changes it.
type Scope struct {
	Defs map[string]Symbol
}

// Lookup returns the symbol name if it is defined in s.
func (s *Scope) Lookup(name string) (Symbol, bool) {
	if s == nil {
		return Symbol{}, false
	}
	sym, ok := s.Defs[name]
	return sym, ok
}

// Result is the output of a run.
type Result struct {
	// Lines are the surviving non-directive lines. Directive lines and the
	// lines of skipped groups are not included.
	Lines []Line
	// Sources holds the text of every file read, for diagnostics.
	Sources diag.Sources
	// Diags holds #warning lines and other warnings; errors are returned
	// by Preprocess instead.
	Diags diag.List
}

// Text joins the lines with newlines; line i of Text is Lines[i].
func (r *Result) Text() string {
	var b strings.Builder
	for _, l := range r.Lines {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}
