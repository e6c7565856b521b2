package preprocessor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secc-lang/secc/diag"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// defs turns "A", "B=5" into caller symbols.
func defs(names ...string) map[string]Symbol {
	m := map[string]Symbol{}
	for _, n := range names {
		name, value, has := strings.Cut(n, "=")
		m[name] = Symbol{Value: value, HasValue: has}
	}
	return m
}

// texts returns the text of each output line.
func texts(r *Result) []string {
	out := []string{}
	for _, l := range r.Lines {
		out = append(out, l.Text)
	}
	return out
}

// diagList returns the error of Preprocess as its diag.List.
func diagList(t *testing.T, err error) diag.List {
	t.Helper()
	var l diag.List
	require.True(t, errors.As(err, &l), "error %v is not a diag.List", err)
	return l
}

func TestDirectives(t *testing.T) {
	tests := []struct {
		name string
		src  string
		syms []string
		want []string
	}{
		{"plain", "a\nb\n", nil, []string{"a", "b"}},
		{"no final newline", "a\nb", nil, []string{"a", "b"}},
		{"crlf", "a\r\n#ifdef X\r\nb\r\n#endif\r\nc\r\n", []string{"X"}, []string{"a", "b", "c"}},
		{"ifdef undefined", "a\n#ifdef X\nb\n#endif\nc", nil, []string{"a", "c"}},
		{"ifdef defined", "#ifdef X\nb\n#endif", []string{"X"}, []string{"b"}},
		{"ifndef", "#ifndef X\nb\n#else\nc\n#endif", nil, []string{"b"}},
		{"ifndef defined", "#ifndef X\nb\n#else\nc\n#endif", []string{"X"}, []string{"c"}},
		{"ifdef else", "#ifdef X\nb\n#else\nc\n#endif", nil, []string{"c"}},
		{"blanks after hash", "# ifdef X\nb\n#  else\nc\n#\tendif", []string{"X"}, []string{"b"}},
		{"indented directive", "  #ifdef X\nb\n\t#endif\nc", nil, []string{"c"}},
		{"trailing comments", "#ifdef X // why\nb\n#else /* no */\nc\n#endif /* done */", nil, []string{"c"}},
		{"comment inside directive", "#ifdef /* which */ X\nb\n#endif", []string{"X"}, []string{"b"}},
		{"nested", "#ifdef A\n#ifdef B\nab\n#else\na\n#endif\n#else\n#ifdef B\nb\n#endif\nnone\n#endif",
			[]string{"B"}, []string{"b", "none"}},
		{"nested both", "#ifdef A\n#ifdef B\nab\n#else\na\n#endif\n#endif", []string{"A", "B"}, []string{"ab"}},
		{"elif chain first", "#if A\n1\n#elif B\n2\n#else\n3\n#endif", []string{"A", "B"}, []string{"1"}},
		{"elif chain second", "#if A\n1\n#elif B\n2\n#else\n3\n#endif", []string{"B"}, []string{"2"}},
		{"elif chain else", "#if A\n1\n#elif B\n2\n#else\n3\n#endif", nil, []string{"3"}},
		{"elif in skipped group", "#ifdef X\n#if 0\n1\n#elif 1\n2\n#else\n3\n#endif\n#endif\n4", nil, []string{"4"}},
		{"unknown directive in skipped group", "#if 0\n#pragma once\n#inclde \"x\"\n#error no\n#endif\nok", nil, []string{"ok"}},
		{"include in skipped group", "#ifdef X\n#include \"nope.sec\"\n#endif\nok", nil, []string{"ok"}},
		{"null directive", "#\n# // nothing\na", nil, []string{"a"}},
		{"hash in rule is not a directive", "a # b\n", nil, []string{"a # b"}},
		{"block comment hides directives", "/* start\n#error not a directive\n*/\nb", nil,
			[]string{"/* start", "#error not a directive", "*/", "b"}},
		{"block comment in skipped group", "#if 0\n/*\n#endif\n*/\n#endif\nb", nil, []string{"b"}},
		{"line comment does not open a block", "a // /* no\n#ifdef X\nb\n#endif", nil, []string{"a // /* no"}},
		{"closed block comment", "a /* x */ b\n#ifdef X\nc\n#endif", nil, []string{"a /* x */ b"}},
		{"comment opened on a directive", "#ifdef X /* this\ncomment goes on\nand ends */ rule\n#endif", []string{"X"},
			[]string{strings.Repeat(" ", 11) + " rule"}},
		{"comment opened on a directive, nothing after", "#define A 1 /* this\nends */\nrule", nil, []string{"rule"}},
		{"define then ifdef", "#define X\n#ifdef X\nb\n#endif", nil, []string{"b"}},
		{"undef then ifdef", "#undef X\n#ifdef X\nb\n#endif", []string{"X"}, []string{}},
		{"undef unknown is fine", "#undef NOPE\na", nil, []string{"a"}},
		{"defines in skipped group", "#if 0\n#define X\n#endif\n#ifdef X\nb\n#endif", nil, []string{}},
		{"warning keeps going", "#warning \"careful\"\na", nil, []string{"a"}},
		{"byte order mark", "\uFEFF#ifdef X\na\n#endif\nb", nil, []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Preprocess("t.sec", []byte(tt.src), Options{Symbols: defs(tt.syms...)})
			require.NoError(t, err)
			assert.Equal(t, tt.want, texts(r))
		})
	}
}

// TestErrors checks the message and position of each error; the golden tests
// check the printed form.
func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "line:col: message" of each error, in order
	}{
		{"unterminated ifdef", "a\n#ifdef X\nb", []string{"2:1: unterminated #ifdef"}},
		{"unterminated nested", "#if 1\n  #ifndef X\n#endif", []string{"1:1: unterminated #if"}},
		{"stray endif", "a\n #endif", []string{"2:2: #endif without #if"}},
		{"stray else", "#else", []string{"1:1: #else without #if"}},
		{"stray elif", "#elif 1", []string{"1:1: #elif without #if"}},
		{"else twice", "#ifdef X\n#else\n#else\n#endif", []string{"3:1: #else after #else"}},
		{"else twice in skipped group", "#if 0\n#ifdef X\n#else\n#else\n#endif\n#endif", []string{"4:1: #else after #else"}},
		{"elif after else", "#if 1\n#else\n#elif 1\n#endif", []string{"3:1: #elif after #else"}},
		{"unknown directives", "#pragma once\n#inclde \"a.sec\"\n#IFDEF X\n#endif",
			[]string{"1:1: unknown directive #pragma", "2:1: unknown directive #inclde", "3:1: unknown directive #IFDEF"}},
		{"ifdef without name", "#ifdef\n#endif", []string{"1:7: #ifdef needs a name"}},
		{"ifdef with a number", "#ifdef 42\n#endif", []string{"1:8: #ifdef needs a name, found \"42\""}},
		{"ifdef bad name", "#ifdef ARCH-X\n#endif", []string{"1:8: bad name \"ARCH-X\" in #ifdef"}},
		{"ifdef extra", "#ifdef A B\n#endif", []string{"1:10: unexpected \"B\" after #ifdef"}},
		{"define bad name", "#define 9X 1", []string{"1:9: #define needs a name, found \"9X\""}},
		{"define glued", "#define X-1 2", []string{"1:9: bad name \"X-1\" in #define"}},
		{"define function", "#define F(x) x", []string{"1:10: #define of a macro with parameters is not supported"}},
		{"define defined", "#define defined 1", []string{"1:9: \"defined\" cannot be #define'd"}},
		{"undef extra", "#undef A B", []string{"1:10: unexpected \"B\" after #undef"}},
		{"error quoted", "  #error \"no way\"", []string{"1:3: no way"}},
		{"error bare", "#error no way", []string{"1:1: no way"}},
		{"error empty", "#error", []string{"1:1: #error"}},
		{"include unquoted", "#include a.sec", []string{"1:10: #include needs a quoted path"}},
		{"include angle", "#include <a.sec>", []string{"1:10: #include needs a quoted path"}},
		{"include unterminated", "#include \"a.sec", []string{"1:10: unterminated path in #include"}},
		{"include empty", "#include \"\"", []string{"1:10: empty path in #include"}},
		{"bad hash", "#!x", []string{"1:1: expected a directive name after #, found \"!x\""}},
		{"unterminated comment on directive", "#define A /* x\nb", []string{"1:11: unterminated /* comment"}},
		{"many errors", "#pragma a\n#ifdef\n#endif\n#endif\n#if 1 +\n#endif",
			[]string{"1:1: unknown directive #pragma", "2:7: #ifdef needs a name", "4:1: #endif without #if",
				"5:7: unexpected '+' in expression"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Preprocess("t.sec", []byte(tt.src), Options{})
			require.NotNil(t, r)
			l := diagList(t, err)
			var got []string
			for _, d := range l {
				assert.Equal(t, "t.sec", d.Pos.File)
				got = append(got, strings.TrimPrefix(d.Error(), "t.sec:"))
			}
			for i := range got {
				// Compare without the hint, checked in TestHints.
				got[i], _, _ = strings.Cut(got[i], " (")
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestHints(t *testing.T) {
	tests := []struct{ src, hint string }{
		{"#inclde \"a\"", "did you mean #include?"},
		{"#IFDEF X\n", "did you mean #ifdef?"},
		{"#elsif X\n", "did you mean #elif?"},
		{"#endfi\n", "did you mean #endif?"},
		{"#pragma once", ""},
		{"#ifdef X\n#else\n#else\n#endif", "the first #else is at t.sec:2:1"},
		{"#if 1\n #else\n#elif 1\n#endif", "the #else is at t.sec:2:2"},
		{"#include <a.sec>", "write #include \"path\"; there are no system include files"},
		{"#if A & B\n#endif", "logical and is &&"},
		{"#if (1\n#endif", "the ( is at column 5"},
	}
	for _, tt := range tests {
		_, err := Preprocess("t.sec", []byte(tt.src), Options{})
		l := diagList(t, err)
		require.NotEmpty(t, l, tt.src)
		assert.Equal(t, tt.hint, l[0].Hint, tt.src)
	}
}

func TestWarnings(t *testing.T) {
	src := "#define A 1\n#define A 1\n#define A 2\n#define KERNEL 5.4\n#warning \"old\"\n#ifdef A\n#else junk\n#endif A\n"
	r, err := Preprocess("t.sec", []byte(src), Options{Symbols: map[string]Symbol{"KERNEL": {Value: "6.18"}}})
	require.NoError(t, err)
	var got []string
	for _, d := range r.Diags {
		assert.Equal(t, diag.Warning, d.Severity)
		got = append(got, d.Error())
	}
	assert.Equal(t, []string{
		`t.sec:3:9: warning: A redefined (was "1", now "2") (previous definition at t.sec:1:9)`,
		`t.sec:4:9: warning: KERNEL redefined (was "6.18", now "5.4") (it was defined outside the policy (command line or target))`,
		`t.sec:5:1: warning: old`,
		`t.sec:7:7: warning: extra text after #else ignored`,
		`t.sec:8:8: warning: extra text after #endif ignored`,
	}, got)
}

func TestWarningInSkippedGroup(t *testing.T) {
	r, err := Preprocess("t.sec", []byte("#ifdef X\n#warning no\n#define A 1\n#define A 2\n#endif\n"), Options{})
	require.NoError(t, err)
	assert.Empty(t, r.Diags)
}

func TestNotText(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"a\nb\x00c\n", "t.sec:2: not a text file: NUL byte at column 2"},
		{"\xff\xfe#", "t.sec:1: not a text file: invalid UTF-8 at column 1"},
		{"ok é\n\nx\xc3", "t.sec:3: not a text file: invalid UTF-8 at column 2"},
	}
	for _, tt := range tests {
		r, err := Preprocess("t.sec", []byte(tt.src), Options{})
		require.Error(t, err)
		assert.Equal(t, tt.want, err.Error())
		assert.Empty(t, r.Lines)
		assert.Contains(t, r.Sources, "t.sec")
	}
}

func TestPositions(t *testing.T) {
	src := "a\n#ifdef X\nb\n#endif\n\tc\n"
	r, err := Preprocess("dir/t.sec", []byte(src), Options{})
	require.NoError(t, err)
	require.Len(t, r.Lines, 2)
	assert.Equal(t, Line{Text: "a", File: "dir/t.sec", Num: 1, Scope: r.Lines[0].Scope}, r.Lines[0])
	assert.Equal(t, Line{Text: "\tc", File: "dir/t.sec", Num: 5, Scope: r.Lines[0].Scope}, r.Lines[1])
	assert.Equal(t, "a\n\tc\n", r.Text())
	assert.Equal(t, []byte(src), r.Sources["dir/t.sec"])
}

func TestScopes(t *testing.T) {
	src := strings.Join([]string{
		"l1",                   // 1: caller symbols only
		"#define A 1",          // 2
		"l3",                   // 3
		"l4",                   // 4: same scope as l3
		"#define B",            // 5
		"#define A 1",          // 6: same value: no change
		"l7",                   // 7
		"#define A 0x2",        // 8: redefined (warning)
		"#undef B",             // 9
		"#undef NOPE",          // 10: nothing to forget
		"l11",                  // 11
		"#undef CALLER",        // 12
		"l13",                  // 13
		"#ifdef NOPE",          // 14
		"#define C",            // 15: skipped
		"#endif",               // 16
		"l17 /* comment",       // 17
		"#define NOT_A_DEFINE", // 18: inside the comment
		"*/ l19",               // 19
	}, "\n")
	caller := map[string]Symbol{"CALLER": {Value: "6.18"}}
	r, err := Preprocess("t.sec", []byte(src), Options{Symbols: caller})
	require.NoError(t, err)
	require.Equal(t, []string{"l1", "l3", "l4", "l7", "l11", "l13", "l17 /* comment", "#define NOT_A_DEFINE", "*/ l19"}, texts(r))

	at := func(line, col int) diag.Pos { return diag.Pos{File: "t.sec", Line: line, Col: col} }
	want := []map[string]Symbol{
		{"CALLER": {Value: "6.18"}},
		{"CALLER": {Value: "6.18"}, "A": {Value: "1", HasValue: true, Pos: at(2, 9)}},
		{"CALLER": {Value: "6.18"}, "A": {Value: "1", HasValue: true, Pos: at(2, 9)}},
		{"CALLER": {Value: "6.18"}, "A": {Value: "1", HasValue: true, Pos: at(2, 9)}, "B": {Pos: at(5, 9)}},
		{"CALLER": {Value: "6.18"}, "A": {Value: "0x2", HasValue: true, Pos: at(8, 9)}},
		{"A": {Value: "0x2", HasValue: true, Pos: at(8, 9)}},
		{"A": {Value: "0x2", HasValue: true, Pos: at(8, 9)}},
		{"A": {Value: "0x2", HasValue: true, Pos: at(8, 9)}},
		{"A": {Value: "0x2", HasValue: true, Pos: at(8, 9)}},
	}
	for i, l := range r.Lines {
		assert.Equal(t, want[i], l.Scope.Defs, "line %d", l.Num)
	}
	// Lines between two changes share one Scope; a change makes a new one.
	s := func(i int) *Scope { return r.Lines[i].Scope }
	assert.Same(t, s(1), s(2))
	assert.NotSame(t, s(0), s(1))
	assert.NotSame(t, s(2), s(3))
	assert.NotSame(t, s(3), s(4))
	assert.NotSame(t, s(4), s(5))
	assert.Same(t, s(5), s(6))
	assert.Same(t, s(6), s(8))

	sym, ok := s(3).Lookup("A")
	assert.True(t, ok)
	assert.Equal(t, "1", sym.Value)
	_, ok = s(5).Lookup("CALLER")
	assert.False(t, ok)
	_, ok = (*Scope)(nil).Lookup("A")
	assert.False(t, ok)

	// The caller's map is not changed.
	assert.Equal(t, map[string]Symbol{"CALLER": {Value: "6.18"}}, caller)
}

// write creates the files of a tree under dir.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
}

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"main.sec":          "top1\n#include \"sub/a.sec\"\ntop3\n#include \"lib.sec\"\n#include \"only-in-i2.sec\"\n",
		"sub/a.sec":         "#define FROM_A 1\na1\n#include \"b.sec\"\na3\n",
		"sub/b.sec":         "b1 FROM_A\n",
		"lib.sec":           "local lib\n",
		"i1/lib.sec":        "i1 lib\n",
		"i1/sub/b.sec":      "wrong b\n",
		"i2/only-in-i2.sec": "#ifdef FROM_A\ni2 only\n#endif\n",
		"i2/lib.sec":        "i2 lib\n",
	})
	main := filepath.Join(dir, "main.sec")
	src, err := os.ReadFile(main)
	require.NoError(t, err)
	r, err := Preprocess(main, src, Options{IncludeDirs: []string{filepath.Join(dir, "i1"), filepath.Join(dir, "i2")}})
	require.NoError(t, err)

	type at struct {
		text, file string
		num        int
	}
	var got []at
	for _, l := range r.Lines {
		rel, err := filepath.Rel(dir, l.File)
		require.NoError(t, err)
		got = append(got, at{l.Text, rel, l.Num})
	}
	assert.Equal(t, []at{
		{"top1", "main.sec", 1},
		{"a1", "sub/a.sec", 2},
		{"b1 FROM_A", "sub/b.sec", 1}, // the including file's directory comes first
		{"a3", "sub/a.sec", 4},
		{"top3", "main.sec", 3},
		{"local lib", "lib.sec", 1},
		{"i2 only", "i2/only-in-i2.sec", 2}, // a #define carries over to later files
	}, got)

	// A line of an included file sees the defines made before it.
	_, ok := r.Lines[2].Scope.Lookup("FROM_A")
	assert.True(t, ok)
	_, ok = r.Lines[1].Scope.Lookup("FROM_A")
	assert.True(t, ok)
	_, ok = r.Lines[0].Scope.Lookup("FROM_A")
	assert.False(t, ok)

	var files []string
	for name := range r.Sources {
		rel, _ := filepath.Rel(dir, name)
		files = append(files, rel)
	}
	assert.ElementsMatch(t, []string{"main.sec", "sub/a.sec", "sub/b.sec", "lib.sec", "i2/only-in-i2.sec"}, files)
}

func TestIncludeSearchOrder(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"i1/x.sec": "from i1\n",
		"i2/x.sec": "from i2\n",
		"i2/y.sec": "from i2\n",
	})
	i1, i2 := filepath.Join(dir, "i1"), filepath.Join(dir, "i2")
	for _, tt := range []struct {
		dirs []string
		file string
		want string
	}{
		{[]string{i1, i2}, "x.sec", "from i1"},
		{[]string{i2, i1}, "x.sec", "from i2"},
		{[]string{i1, i2}, "y.sec", "from i2"},
		{[]string{i1}, filepath.Join(i2, "y.sec"), "from i2"}, // absolute
	} {
		r, err := Preprocess(filepath.Join(dir, "main.sec"), []byte("#include \""+tt.file+"\""), Options{IncludeDirs: tt.dirs})
		require.NoError(t, err)
		assert.Equal(t, []string{tt.want}, texts(r))
	}
}

func TestIncludeErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"a.sec":        "#include \"b.sec\"\n",
		"b.sec":        "x\n#include \"sub/c.sec\"\n",
		"sub/c.sec":    "#include \"../a.sec\"\n",
		"self.sec":     "#include \"self.sec\"\n",
		"open.sec":     "#ifdef X\n",
		"subdir/.keep": "",
	})
	rd := func(name string) []byte {
		src, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return src
	}
	p := func(name string) string { return filepath.Join(dir, name) }

	_, err := Preprocess(p("a.sec"), rd("a.sec"), Options{})
	assert.EqualError(t, err, p("sub/c.sec")+":1:10: #include cycle: "+
		p("a.sec")+" → "+p("b.sec")+" → "+p("sub/c.sec")+" → "+p("a.sec"))

	_, err = Preprocess(p("self.sec"), rd("self.sec"), Options{})
	assert.EqualError(t, err, p("self.sec")+":1:10: #include cycle: "+p("self.sec")+" → "+p("self.sec"))

	_, err = Preprocess(p("m.sec"), []byte("#include \"nope.sec\""), Options{IncludeDirs: []string{"/x", "y"}})
	assert.EqualError(t, err, p("m.sec")+":1:10: include file \"nope.sec\" not found (searched "+dir+", /x, y)")

	_, err = Preprocess(p("m.sec"), []byte("#include \"subdir\""), Options{})
	assert.EqualError(t, err, p("m.sec")+":1:10: cannot read "+p("subdir")+": not a regular file")

	// An unterminated conditional is reported in the file that opened it.
	_, err = Preprocess(p("m.sec"), []byte("#include \"open.sec\"\n#endif\n"), Options{})
	l := diagList(t, err)
	require.Len(t, l, 2)
	assert.Equal(t, p("m.sec")+":2:1: #endif without #if", l[0].Error())
	assert.Equal(t, p("open.sec")+":1:1: unterminated #ifdef (add #endif at the end of the group)", l[1].Error())
}

func TestReadFileOption(t *testing.T) {
	files := map[string]string{
		"pol/main.sec":     "#include \"common.sec\"\nmain\n",
		"pol/common.sec":   "#include \"inc/deep.sec\"\ncommon\n",
		"lib/inc/deep.sec": "deep\n",
	}
	var reads []string
	read := func(name string) ([]byte, error) {
		reads = append(reads, name)
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	r, err := Preprocess("pol/main.sec", []byte(files["pol/main.sec"]), Options{ReadFile: read, IncludeDirs: []string{"lib"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"deep", "common", "main"}, texts(r))
	assert.Equal(t, []string{"pol/common.sec", "pol/inc/deep.sec", "lib/inc/deep.sec"}, reads)
	assert.Equal(t, "lib/inc/deep.sec", r.Lines[0].File)

	// Other read errors are reported, not taken for a missing file.
	_, err = Preprocess("m.sec", []byte("#include \"x\""), Options{ReadFile: func(string) ([]byte, error) {
		return nil, errors.New("disk on fire")
	}})
	assert.EqualError(t, err, "m.sec:1:10: cannot read x: disk on fire")
}

func TestIncludeTwice(t *testing.T) {
	// Including a file twice is not a cycle; a guard makes it count once.
	files := map[string]string{"g.sec": "#ifndef G\n#define G\nonce\n#endif\n"}
	n := 0
	read := func(name string) ([]byte, error) { n++; return []byte(files[name]), nil }
	r, err := Preprocess("m.sec", []byte("#include \"g.sec\"\n#include \"g.sec\"\n"), Options{ReadFile: read})
	require.NoError(t, err)
	assert.Equal(t, []string{"once"}, texts(r))
	assert.Equal(t, 1, n, "a file is read once")
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("#ifdef X\n", 5) + "x\n" + strings.Repeat("#endif\n", 5) + "after\n"
	loop := map[string]string{}
	for i := range 10 {
		loop[string(rune('a'+i))+".sec"] = "#include \"" + string(rune('a'+i+1)) + ".sec\"\n"
	}
	read := func(name string) ([]byte, error) {
		if s, ok := loop[name]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	big := strings.Repeat("line\n", 100)
	loop["big.sec"] = big

	tests := []struct {
		name string
		src  string
		opts Options
		want string
	}{
		{"nesting", deep, Options{MaxNesting: 3, Symbols: defs("X")},
			"t.sec:4:1: conditionals nested too deeply (limit 3)"},
		{"nesting default", strings.Repeat("#if 1\n", DefaultMaxNesting+1) + strings.Repeat("#endif\n", DefaultMaxNesting+1),
			Options{}, "t.sec:257:1: conditionals nested too deeply (limit 256)"},
		{"include depth", loop["a.sec"], Options{ReadFile: read, MaxIncludeDepth: 3},
			"d.sec:1:10: #include nested too deeply (limit 3) (include chain: t.sec → b.sec → c.sec → d.sec)"},
		{"bytes of top file", big, Options{MaxBytes: 100}, "t.sec: input too large: more than 100 bytes over all files"},
		{"bytes over files", "#include \"a.sec\"\n", Options{MaxBytes: 100, ReadFile: read},
			"d.sec:1:10: input too large: more than 100 bytes over all files"},
		{"bytes of a big include", "x\n#include \"big.sec\"\n", Options{MaxBytes: 100, ReadFile: read},
			"t.sec:2:10: input too large: more than 100 bytes over all files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Preprocess("t.sec", []byte(tt.src), tt.opts)
			l := diagList(t, err)
			require.NotEmpty(t, l)
			assert.Equal(t, tt.want, l[0].Error())
			assert.Len(t, l, 1, "one error, not a cascade: %v", err)
		})
	}

	// Within the limit, the nesting works.
	r, err := Preprocess("t.sec", []byte(deep), Options{MaxNesting: 5, Symbols: defs("X")})
	require.NoError(t, err)
	assert.Equal(t, []string{"x", "after"}, texts(r))
}

func TestTooManyErrors(t *testing.T) {
	src := strings.Repeat("#bad\n", 10000)
	_, err := Preprocess("t.sec", []byte(src), Options{})
	l := diagList(t, err)
	assert.Len(t, l, maxErrors+1)
	assert.Equal(t, "t.sec:100:1: too many errors; stopping", l[len(l)-1].Error())
}

func TestScopeBudget(t *testing.T) {
	// Every rule line sees a new, bigger symbol table: the snapshots would
	// grow quadratically without a bound.
	var b strings.Builder
	for i := range 2000 {
		b.WriteString("#define S")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(" ")
		b.WriteString(strings.Repeat("1", 1+i%3))
		b.WriteString("\n#define N")
		for n := i; n > 0; n /= 10 {
			b.WriteByte(byte('0' + n%10))
		}
		b.WriteString("\nrule\n")
	}
	_, err := Preprocess("t.sec", []byte(b.String()), Options{})
	l := diagList(t, err)
	require.Len(t, l, 1)
	assert.Contains(t, l[0].Msg, "too many #define/#undef changes")
}

func TestDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := Preprocess("t.sec", []byte("#include \"/dev/zero\""), Options{})
	assert.EqualError(t, err, "t.sec:1:10: cannot read /dev/zero: not a regular file")
}
