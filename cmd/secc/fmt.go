package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/lang"
)

func init() {
	register("fmt", "format .sec files", cmdFmt)
}

const fmtUsage = `usage: secc fmt [-w] [-d] [-l] [files...]

Fmt prints .sec policies in canonical form: one rule per line, actions
written ALLOW(), sets wrapped before column 80, comments and directives
kept. Without files it reads stdin and writes stdout ("-" is stdin too).

Example:
  secc fmt -w policy.sec        rewrite policy.sec in place
  secc fmt -l -d policies/*.sec list and show what would change

Flags:
`

func cmdFmt(args []string) int {
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	write := fs.Bool("w", false, "write the result to the file instead of stdout")
	diff := fs.Bool("d", false, "print a unified diff instead of the result")
	list := fs.Bool("l", false, "list files whose formatting differs; exit 1 if any")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), fmtUsage)
		fs.PrintDefaults()
	}
	// Flags may follow the files, as for every other verb: `secc fmt p.sec -w`.
	files, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	code = exitOK // from here on, the worst result of the files
	for _, name := range files {
		if name == "-" && *write {
			fmt.Fprintln(os.Stderr, "secc fmt: cannot use -w with standard input")
			return exitUsage
		}
		if c := fmtFile(name, *write, *diff, *list); c > code {
			code = c
		}
	}
	return code
}

// fmtFile formats one file; it returns exitInput when the file has errors,
// or differs under -l.
func fmtFile(name string, write, diff, list bool) int {
	var src []byte
	var err error
	if name == "-" {
		src, err = io.ReadAll(os.Stdin)
		name = "<stdin>"
	} else {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc fmt: %v\n", err)
		return exitInput
	}
	out, errs := lang.Format(name, src)
	if errs.HasErrors() {
		fmt.Fprint(os.Stderr, diag.Sources{name: src}.FormatAll(errs))
		return exitInput
	}
	changed := !bytes.Equal(src, out)
	code := exitOK
	if list && changed {
		fmt.Println(name)
		code = exitInput
	}
	if diff && changed {
		fmt.Print(unifiedDiff(name, string(src), string(out)))
	}
	if write && changed {
		if err := writeFileAtomic(name, out); err != nil {
			fmt.Fprintf(os.Stderr, "secc fmt: %v\n", err)
			return exitInput
		}
	}
	if !write && !diff && !list {
		os.Stdout.Write(out)
	}
	return code
}

// writeFileAtomic replaces name by data through a temporary file in the
// same directory, so that a crash never leaves a partial policy; the file
// keeps its mode.
func writeFileAtomic(name string, data []byte) error {
	info, err := os.Stat(name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".fmt-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// unifiedDiff is a small line diff (longest common subsequence) printed
// in unified format with three lines of context. Policies are small, so
// the quadratic table is fine; past a size limit the whole file is shown
// as replaced.
func unifiedDiff(name, a, b string) string {
	x, y := splitLines(a), splitLines(b)
	type op struct {
		kind byte // ' ', '-', '+'
		text string
		ai   int // line index in a for ' ' and '-', in b for '+'
	}
	var ops []op
	if len(x)*len(y) > 25_000_000 {
		for i, l := range x {
			ops = append(ops, op{'-', l, i})
		}
		for i, l := range y {
			ops = append(ops, op{'+', l, i})
		}
	} else {
		// lcs[i][j] is the LCS length of x[i:] and y[j:].
		lcs := make([][]int32, len(x)+1)
		for i := range lcs {
			lcs[i] = make([]int32, len(y)+1)
		}
		for i := len(x) - 1; i >= 0; i-- {
			for j := len(y) - 1; j >= 0; j-- {
				if x[i] == y[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(x) || j < len(y) {
			switch {
			case i < len(x) && j < len(y) && x[i] == y[j]:
				ops = append(ops, op{' ', x[i], i})
				i, j = i+1, j+1
			case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
				ops = append(ops, op{'-', x[i], i})
				i++
			default:
				ops = append(ops, op{'+', y[j], j})
				j++
			}
		}
	}

	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s (formatted)\n", name, name)
	const context = 3
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		// A hunk runs from context lines before the change to context
		// lines after the last change that is at most 2*context away.
		start := max(k-context, 0)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				end = min(end+context, len(ops))
				break
			}
			end = run
		}
		// Line numbers: count a and b lines before start.
		aLine, bLine := 1, 1
		for _, o := range ops[:start] {
			if o.kind != '+' {
				aLine++
			}
			if o.kind != '-' {
				bLine++
			}
		}
		aCount, bCount := 0, 0
		for _, o := range ops[start:end] {
			if o.kind != '+' {
				aCount++
			}
			if o.kind != '-' {
				bCount++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(aLine, aCount), hunkRange(bLine, bCount))
		for _, o := range ops[start:end] {
			out.WriteByte(o.kind)
			out.WriteString(o.text)
			out.WriteByte('\n')
		}
		k = end
	}
	return out.String()
}

func hunkRange(line, count int) string {
	if count == 0 {
		line-- // an empty range names the line before it
	}
	if count == 1 {
		return fmt.Sprint(line)
	}
	return fmt.Sprintf("%d,%d", line, count)
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
