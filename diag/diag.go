// Package diag holds what every stage of secc needs to report problems in the
// user's own files: positions (file:line:column), diagnostics with an optional
// suggestion, a list that collects them all, and the source texts used to
// print the offending line under a caret.
//
// It plays the role go/token and go/scanner's ErrorList play for Go: stages
// append to a List and keep going, so one run reports every error it can.
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a user's file. Line and Col count from 1; Col counts
// bytes. The zero Pos means "no position" (command line, built-in input).
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p names a place in a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string {
	switch {
	case !p.IsValid() && p.File == "":
		return "-"
	case !p.IsValid():
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Before orders positions by file name, line, column.
func (p Pos) Before(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Severity says whether a diagnostic stops the run.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem at one position.
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	Msg      string
	// Hint is an optional suggestion, printed after the caret line
	// ("did you mean \"open\"?").
	Hint string
}

func (d *Diagnostic) Error() string {
	s := d.Pos.String() + ": "
	if d.Severity == Warning {
		s += "warning: "
	}
	s += d.Msg
	if d.Hint != "" {
		s += " (" + d.Hint + ")"
	}
	return s
}

// List collects diagnostics. The zero value is ready to use.
type List []*Diagnostic

// Add appends an error.
func (l *List) Add(pos Pos, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Pos: pos, Severity: Error, Msg: fmt.Sprintf(format, args...)}
	*l = append(*l, d)
	return d
}

// Warn appends a warning.
func (l *List) Warn(pos Pos, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Pos: pos, Severity: Warning, Msg: fmt.Sprintf(format, args...)}
	*l = append(*l, d)
	return d
}

// Append adds every diagnostic of other.
func (l *List) Append(other List) { *l = append(*l, other...) }

// HasErrors reports whether any diagnostic is an error (not a warning).
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the errors; Warnings only the warnings.
func (l List) Errors() List   { return l.filter(Error) }
func (l List) Warnings() List { return l.filter(Warning) }

func (l List) filter(s Severity) List {
	var out List
	for _, d := range l {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders by position and drops exact duplicates (same position and
// message), so that a stage that meets one mistake twice reports it once.
func (l *List) Sort() {
	sort.SliceStable(*l, func(i, j int) bool { return (*l)[i].Pos.Before((*l)[j].Pos) })
	out := (*l)[:0]
	for i, d := range *l {
		if i > 0 {
			p := out[len(out)-1]
			if p.Pos == d.Pos && p.Msg == d.Msg && p.Severity == d.Severity {
				continue
			}
		}
		out = append(out, d)
	}
	*l = out
}

// Err returns the list as an error if it holds any error, else nil.
func (l List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return l
}

// Error implements error: one line per diagnostic, without source lines.
func (l List) Error() string {
	var b strings.Builder
	for i, d := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// Sources maps file names to their text, so diagnostics can show the
// offending line. Stages that read files register them here.
type Sources map[string][]byte

// Line returns line n (1-based) of file, without its newline.
func (s Sources) Line(file string, n int) (string, bool) {
	text, ok := s[file]
	if !ok || n < 1 {
		return "", false
	}
	for i := 1; i < n; i++ {
		j := strings.IndexByte(string(text), '\n')
		if j < 0 {
			return "", false
		}
		text = text[j+1:]
	}
	if j := strings.IndexByte(string(text), '\n'); j >= 0 {
		text = text[:j]
	}
	return strings.TrimSuffix(string(text), "\r"), true
}

// Format renders one diagnostic the way the CLI prints it:
//
//	policy.sec:3:20: error: unknown system call "opne"
//	    $syscall == @opne => ALLOW;
//	                 ^
//	    did you mean "open"?
func (s Sources) Format(d *Diagnostic) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: %s\n", d.Pos, d.Severity, d.Msg)
	if line, ok := s.Line(d.Pos.File, d.Pos.Line); ok && d.Pos.Col > 0 {
		b.WriteString("    ")
		b.WriteString(strings.ReplaceAll(line, "\t", " "))
		b.WriteString("\n    ")
		col := d.Pos.Col - 1
		if col > len(line) {
			col = len(line)
		}
		b.WriteString(strings.Repeat(" ", col))
		b.WriteString("^\n")
	}
	if d.Hint != "" {
		fmt.Fprintf(&b, "    %s\n", d.Hint)
	}
	return b.String()
}

// FormatAll renders every diagnostic of l with Format.
func (s Sources) FormatAll(l List) string {
	var b strings.Builder
	for _, d := range l {
		b.WriteString(s.Format(d))
	}
	return b.String()
}
