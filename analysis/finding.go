package analysis

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/secc-lang/secc/diag"
)

// Severity ranks findings.
type Severity int

const (
	SevError Severity = iota
	SevWarning
	SevInfo
)

func (s Severity) String() string {
	return [...]string{"error", "warning", "info"}[s]
}

// MarshalText makes severities readable in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one problem lint or audit reports.
type Finding struct {
	// Pos is where in a policy (lint); PC the instruction (audit), -1
	// when the finding is about the whole filter.
	Pos        diag.Pos `json:"-"`
	Where      string   `json:"where"`
	PC         int      `json:"pc"`
	Severity   Severity `json:"severity"`
	Code       string   `json:"code"`
	Message    string   `json:"message"`
	Suggestion string   `json:"suggestion,omitempty"`
}

func (f *Finding) where(input string) string {
	switch {
	case f.Pos.IsValid():
		return f.Pos.String()
	case f.PC >= 0:
		return fmt.Sprintf("%s: insn %d", input, f.PC)
	}
	return input
}

// Report is the findings on one input.
type Report struct {
	Input    string    `json:"input"`
	Findings []Finding `json:"findings"`
}

// Count returns the number of findings of severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

func (r *Report) add(f Finding) {
	f.Where = f.where(r.Input)
	r.Findings = append(r.Findings, f)
}

// sort orders findings by position, then instruction, then code.
func (r *Report) sort() {
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Pos != b.Pos {
			return a.Pos.Before(b.Pos)
		}
		if a.PC != b.PC {
			return a.PC < b.PC
		}
		return a.Code < b.Code
	})
}

// WriteText prints one finding per line: where, severity, message, and
// the suggestion on the next line.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s: %s: %s [%s]\n", f.Where, f.Severity, f.Message, f.Code)
		if f.Suggestion != "" {
			fmt.Fprintf(&b, "\tsuggestion: %s\n", f.Suggestion)
		}
	}
	count := func(sev Severity, one, many string) string {
		n := r.Count(sev)
		return fmt.Sprintf("%d %s", n, plural(n, one, many))
	}
	fmt.Fprintf(&b, "%s, %s, %s\n", count(SevError, "error", "errors"), count(SevWarning, "warning", "warnings"), count(SevInfo, "note", "notes"))
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// names lists up to n names, then how many more.
func names(list []string, n int) string {
	if len(list) <= n {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:n], ", "), len(list)-n)
}
