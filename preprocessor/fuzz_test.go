package preprocessor

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secc-lang/secc/diag"
)

// FuzzPreprocess runs any text, with any text as the file it includes, and
// checks that the run ends, that every output line is a line of a file that
// was read, and that every diagnostic points into one.
func FuzzPreprocess(f *testing.F) {
	if src, err := os.ReadFile(corpusFile); err == nil {
		f.Add(src, []byte("#define A 1\n"))
	}
	files, _ := filepath.Glob("testdata/errors/*.sec")
	more, _ := filepath.Glob("testdata/errors/inc/*.sec")
	for _, name := range append(files, more...) {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src, []byte("x\n"))
		}
	}
	f.Add([]byte("#include \"a.sec\"\n#if A > 5.8\nx\n#endif\n"), []byte("#define A 6.1\n#include \"b.sec\"\n"))
	f.Add([]byte("#ifdef X /* open\n*/ y\n#endif"), []byte(""))

	f.Fuzz(func(t *testing.T, src, inc []byte) {
		// a.sec is the second input; b.sec is the top file again (a cycle).
		read := func(name string) ([]byte, error) {
			switch filepath.Base(name) {
			case "a.sec":
				return inc, nil
			case "b.sec":
				return src, nil
			}
			return nil, fs.ErrNotExist
		}
		opts := Options{
			Symbols:         map[string]Symbol{"KERNEL": {Value: "6.18"}, "ARCH_AMD64": {}},
			ReadFile:        read,
			MaxBytes:        1 << 20,
			MaxIncludeDepth: 8,
			MaxNesting:      64,
		}
		r, err := Preprocess("f.sec", src, opts)
		if r == nil {
			t.Fatal("nil Result")
		}
		if err != nil {
			var l diag.List
			if !errors.As(err, &l) || len(l) == 0 {
				t.Fatalf("error is not a non-empty diag.List: %v", err)
			}
			for _, d := range l {
				if strings.Contains(d.Msg, "internal error") {
					t.Fatal(d.Msg)
				}
				checkPos(t, r, d)
			}
		}
		for _, d := range r.Diags {
			checkPos(t, r, d)
		}
		if err != nil {
			return // Lines are not meaningful
		}
		for _, l := range r.Lines {
			text, ok := r.Sources.Line(l.File, l.Num)
			if !ok {
				t.Fatalf("line %s:%d is not in the sources", l.File, l.Num)
			}
			// A line is copied verbatim, but for a comment that began on a
			// directive, which is blanked out.
			if l.Text != text && (len(l.Text) != len(text) || !strings.HasSuffix(text, strings.TrimLeft(l.Text, " "))) {
				t.Fatalf("line %s:%d is %q, source has %q", l.File, l.Num, l.Text, text)
			}
			if l.Scope == nil {
				t.Fatalf("line %s:%d has no scope", l.File, l.Num)
			}
		}
	})
}

func checkPos(t *testing.T, r *Result, d *diag.Diagnostic) {
	t.Helper()
	if d.Pos.File == "" {
		return
	}
	if _, ok := r.Sources[d.Pos.File]; !ok {
		t.Fatalf("%v: file not in Sources", d)
	}
	if d.Pos.Line == 0 {
		return
	}
	line, ok := r.Sources.Line(d.Pos.File, d.Pos.Line)
	if !ok {
		t.Fatalf("%v: no such line", d)
	}
	if d.Pos.Col < 0 || d.Pos.Col > len(line)+1 {
		t.Fatalf("%v: column out of the line %q", d, line)
	}
}
