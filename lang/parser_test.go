package lang

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/preprocessor"
)

const (
	languageDoc = "../../shared/docs/LANGUAGE.md"
	corpusFile  = "../../shared/corpus/easyseccomp-default.sec"
)

// docBlocks returns the ``` blocks of LANGUAGE.md that are policy text
// (they hold a rule arrow and are not grammar sketches with [ ]).
func docBlocks(t testing.TB) []string {
	b, err := os.ReadFile(languageDoc)
	require.NoError(t, err)
	var out []string
	for _, m := range regexp.MustCompile("(?s)```\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		if strings.Contains(m[1], "=>") && !strings.Contains(m[1], "[") {
			out = append(out, m[1])
		}
	}
	require.NotEmpty(t, out)
	return out
}

// docRules are the examples of LANGUAGE.md §3-6, each written as a rule.
var docRules = []string{
	// §3 variables
	`$syscall == @read => ALLOW();`,
	`$arch == @x32 => ALLOW();`,
	`$arch == @x86_64 => ALLOW();`,
	`$arg0 == 40 => ERRNO(EPERM);`,
	`$arg0.lo == 40 => ERRNO(EPERM);`,
	`$arg5.hi == 0 => ALLOW();`,
	// §4 atoms
	`$arg0 == 1 => ALLOW();`, `$arg0 != 1 => ALLOW();`, `$arg0 < 1 => ALLOW();`,
	`$arg0 <= 1 => ALLOW();`, `$arg0 > 1 => ALLOW();`, `$arg0 >= 1 => ALLOW();`,
	`$arg1 & 0xff == 1 => ALLOW();`, `$arg1 & 0xff != 1 => ALLOW();`, `$arg1 & 0xff < 1 => ALLOW();`,
	`$arg1 & 0xff <= 1 => ALLOW();`, `$arg1 & 0xff > 1 => ALLOW();`, `$arg1 & 0xff >= 1 => ALLOW();`,
	`($arg2 & PROT_EXEC) == 0 => ALLOW();`,
	`$arg0 in (1, 2, 3) => ALLOW();`,
	`$arg0 not in (1, 2, 3) => ALLOW();`,
	`$arg0 in (1..5, 7, 10..0x20) => ALLOW();`,
	`$syscall in KERNEL(5.3) => ALLOW();`,
	`$syscall not in KERNEL(5.3) => ALLOW();`,
	`$syscall in KERNEL(6.18.1) => ALLOW();`,
	`true => ALLOW();`, `false => ALLOW();`,
	`$syscall == @read && $arg0 == 1 => ALLOW();`,
	`$syscall == @read || $syscall == @write => ALLOW();`,
	`!$syscall == @read => ALLOW();`,
	`!($syscall == @read || $arg0 == 1) && true => ALLOW();`,
	// §5 values
	`$arg0 == 42 => ALLOW();`, `$arg0 == 0x2a => ALLOW();`, `$arg0 == 0o52 => ALLOW();`,
	`$arg0 == 0b101010 => ALLOW();`, `$arg0 == 052 => ALLOW();`,
	`$arg0 == 0xffffffffffffffff => ALLOW();`,
	`$arg0 == -1 => ALLOW();`, `$arg0.lo == -1 => ALLOW();`,
	`$syscall == @open => ALLOW();`, `$syscall != @open => ALLOW();`,
	`$syscall in (@open, @openat) => ALLOW();`,
	`$syscall == @read@x86_64 => ALLOW();`,
	`$arch == @x86 => ALLOW();`, `$arch in (@i386, @aarch64, @arm) => ALLOW();`,
	`$arg0 == PER_QUERY => ALLOW();`, `$arg0.lo == AF_VSOCK => ALLOW();`,
	`$arg1 == O_RDONLY|O_CLOEXEC => ALLOW();`,
	`$arg1 & O_RDONLY|O_CLOEXEC == 0 => ALLOW();`,
	`$syscall in (@read..@close) => ALLOW();`,
	// §6 actions
	`=> ALLOW();`, `=> ERRNO(1);`, `=> ERRNO(EPERM);`, `=> KILL();`, `=> KILL_THREAD();`,
	`=> KILL_PROCESS();`, `=> TRAP();`, `=> TRAP(7);`, `=> TRACE(1);`, `=> LOG();`, `=> NOTIFY();`,
	`=> ALLOW;`, `=> KILL_PROCESS;`, `=> ERRNO(4095);`, `=> TRACE(65535);`,
}

func TestDocExamples(t *testing.T) {
	for i, b := range docBlocks(t) {
		roundTrip(t, "LANGUAGE.md block "+string(rune('0'+i)), []byte(b))
	}
	for _, r := range docRules {
		roundTrip(t, r, []byte(r))
	}
}

func TestCorpusRaw(t *testing.T) {
	src, err := os.ReadFile(corpusFile)
	require.NoError(t, err)
	f := mustParse(t, corpusFile, src)
	rules, dirs := 0, 0
	for _, it := range f.Items {
		switch it.(type) {
		case *Rule:
			rules++
		case *Directive:
			dirs++
		}
	}
	assert.Equal(t, 34, rules)
	assert.Equal(t, 50, dirs)
	out := roundTrip(t, corpusFile, src)
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, " ") { // continuation lines of a set
			assert.LessOrEqual(t, len(line), maxWidth, line)
		}
	}
}

func TestTestdataRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.sec")
	require.NotEmpty(t, files)
	for _, name := range files {
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		roundTrip(t, name, src)
	}
}

// TestPreprocessed runs the corpus and the §1 example through the
// preprocessor with several symbol mixes and checks positions and the
// rules against the raw parse.
func TestPreprocessed(t *testing.T) {
	corpus, err := os.ReadFile(corpusFile)
	require.NoError(t, err)
	mixes := []map[string]preprocessor.Symbol{
		nil,
		{"ARCH_AMD64": {}, "CAP_SYS_ADMIN": {}},
		{"ARCH_S390X": {}, "CAP_SYS_PTRACE": {}, "CAP_AUDIT_WRITE": {}},
		{"ARCH_ARM64": {}, "CAP_SYS_BOOT": {}, "CAP_SYS_TIME": {}, "CAP_SYS_NICE": {}},
	}
	for _, syms := range mixes {
		res, err := preprocessor.Preprocess("policy.sec", corpus, preprocessor.Options{Symbols: syms})
		require.NoError(t, err)
		f, errs := ParsePreprocessed(res)
		require.False(t, errs.HasErrors(), res.Sources.FormatAll(errs))
		require.NotEmpty(t, f.Items)
		for _, it := range f.Items {
			r, ok := it.(*Rule)
			require.True(t, ok, "no directives after preprocessing")
			// The position points at the rule's text in the original file.
			line, ok := res.Sources.Line(r.At.File, r.At.Line)
			require.True(t, ok)
			require.True(t, strings.HasPrefix(line[r.At.Col-1:], strings.SplitN(r.String(), " ", 2)[0]),
				"%s: %q", r.At, line)
		}
		last := f.Items[len(f.Items)-1].(*Rule)
		assert.Equal(t, diag.Pos{File: "policy.sec", Line: 179, Col: 1}, last.At)
		assert.Equal(t, "=> ERRNO(ENOSYS);", last.String())
	}
}

func TestPreprocessedDefines(t *testing.T) {
	src := []byte(`#include "base.sec"
#define PER_QUERY 0xffffffff
#define MINUS -1
#define ABI_ONLY
$syscall == @personality && $arg0 in (0, 8, PER_QUERY) => ALLOW();
$arg0.lo == MINUS => ALLOW();
$arg0 == EPERM => ALLOW();
$arg0 == ABI_ONLY => ALLOW();
`)
	base := []byte("$syscall == @read => ALLOW();\n")
	res, err := preprocessor.Preprocess("p.sec", src, preprocessor.Options{
		ReadFile: func(path string) ([]byte, error) { return base, nil },
	})
	require.NoError(t, err)
	f, errs := ParsePreprocessed(res)
	require.False(t, errs.HasErrors(), res.Sources.FormatAll(errs))
	require.Len(t, f.Items, 5)
	assert.Equal(t, "base.sec", filepath.Base(f.Items[0].Pos().File))
	assert.Equal(t, diag.Pos{File: "p.sec", Line: 5, Col: 1}, f.Items[1].Pos())

	set := f.Items[1].(*Rule).Cond.(*Binary).Y.(*InSet)
	q := set.Elems[2].Lo.Terms[0]
	assert.True(t, q.Defined)
	assert.Equal(t, uint64(0xffffffff), q.Num)
	assert.Equal(t, diag.Pos{File: "p.sec", Line: 5, Col: 45}, q.At)

	minus := f.Items[2].(*Rule).Cond.(*Compare).Value.Terms[0]
	assert.True(t, minus.Defined)
	assert.Equal(t, uint64(0xffffffff), minus.Num, "-1 in the 32 bits of .lo")

	for _, i := range []int{3, 4} { // built-in name; define without value
		term := f.Items[i].(*Rule).Cond.(*Compare).Value.Terms[0]
		assert.False(t, term.Defined, term.Name)
	}
}

func TestPreprocessedNonNumericDefine(t *testing.T) {
	src := []byte("#define V 5.8\n$arg0 == V => ALLOW();\n$arg1 == V => ALLOW();\n")
	res, err := preprocessor.Preprocess("p.sec", src, preprocessor.Options{})
	require.NoError(t, err)
	_, errs := ParsePreprocessed(res)
	require.Len(t, errs, 2, "every use is reported")
	assert.Equal(t, diag.Pos{File: "p.sec", Line: 2, Col: 10}, errs[0].Pos)
	assert.Contains(t, errs[0].Msg, `V is #define'd as "5.8", which is not a number`)
}

// TestShapes checks the trees the grammar builds for the tricky forms.
func TestShapes(t *testing.T) {
	cond := func(src string) Expr {
		t.Helper()
		f := mustParse(t, "x.sec", []byte(src+" => ALLOW;"))
		return f.Items[0].(*Rule).Cond
	}
	// && binds tighter than ||, both nest to the left.
	e := cond("$arg0 == 1 || $arg1 == 2 && $arg2 == 3 || true")
	or := e.(*Binary)
	assert.Equal(t, OpOr, or.Op)
	assert.IsType(t, &BoolLit{}, or.Y)
	inner := or.X.(*Binary)
	assert.Equal(t, OpOr, inner.Op)
	assert.Equal(t, OpAnd, inner.Y.(*Binary).Op)

	// ! applies to the atom after it.
	n := cond("!$arg0 == 1 && $arg1 == 2").(*Binary)
	assert.IsType(t, &Not{}, n.X)
	assert.IsType(t, &Compare{}, n.X.(*Not).X)
	assert.IsType(t, &Paren{}, cond("!($arg0 == 1 && $arg1 == 2)").(*Not).X)

	// The mask binds tighter than the comparison; A|B is one value.
	c := cond("$arg0 & A|B == 0x10").(*Compare)
	assert.Equal(t, "A|B", c.Mask.String())
	assert.False(t, c.MaskParens)
	assert.Equal(t, "0x10", c.Value.Terms[0].Text)
	assert.Equal(t, uint64(16), c.Value.Terms[0].Num)

	c = cond("($arg2 & PROT_EXEC) == 0").(*Compare)
	assert.True(t, c.MaskParens)
	assert.Equal(t, 2, c.Var.Index)

	s := cond("$arg0.hi & 1 not in (1, 3..5)").(*InSet)
	assert.True(t, s.Negated)
	assert.Equal(t, Hi, s.Var.Part)
	assert.Equal(t, 32, s.Var.Width())
	assert.Equal(t, "5", s.Elems[1].Hi.String())

	k := cond("$syscall not in KERNEL(5.10)").(*InKernel)
	assert.True(t, k.Negated)
	assert.Equal(t, "5.10", k.Version)
	assert.Equal(t, diag.Pos{File: "x.sec", Line: 1, Col: 24}, k.VerPos)
	assert.Equal(t, diag.Pos{File: "x.sec", Line: 1, Col: 10}, k.OpPos)

	term := cond("$syscall == @read@x32").(*Compare).Value.Terms[0]
	assert.Equal(t, TermSyscallABI, term.Kind)
	assert.Equal(t, "read", term.Name)
	assert.Equal(t, "x32", term.ABI)

	neg := cond("$arg0 == -0x10").(*Compare).Value.Terms[0]
	assert.Equal(t, TermNeg, neg.Kind)
	assert.Equal(t, uint64(16), neg.Num)
	assert.Equal(t, "0x10", neg.Text)

	assert.Equal(t, uint64(52), cond("$arg0 == 052").(*Compare).Value.Terms[0].Num, "leading zero is decimal")

	f := mustParse(t, "x.sec", []byte("=> ALLOW;\n  => ERRNO(EPERM) ;"))
	r := f.Items[1].(*Rule)
	assert.Nil(t, r.Cond)
	assert.Equal(t, diag.Pos{File: "x.sec", Line: 2, Col: 3}, r.Arrow)
	assert.Equal(t, diag.Pos{File: "x.sec", Line: 2, Col: 6}, r.Action.At)
	assert.False(t, f.Items[0].(*Rule).Action.Parens)
	assert.Equal(t, "EPERM", r.Action.Arg.Terms[0].Name)
	assert.Equal(t, "=> ERRNO(EPERM);", r.String())
}

func TestComments(t *testing.T) {
	src := "// head\n\n\n$arg0 == 1 => ALLOW; // tail\n/* block\n   two */\n$arg0 in (1, // inner\n 2) => KILL;\n=> LOG; /* a */ /* b */\n// end\n"
	want := "// head\n\n$arg0 == 1 => ALLOW(); // tail\n/* block\n   two */\n// inner\n$arg0 in (1, 2) => KILL();\n=> LOG(); /* a */ /* b */\n// end\n"
	out, errs := Format("c.sec", []byte(src))
	require.Empty(t, errs)
	assert.Equal(t, want, string(out))
	roundTrip(t, "c.sec", []byte(src))
}

func TestPrintSynthetic(t *testing.T) {
	// A tree built by a program (the JSON converter) has no positions and
	// no Paren nodes: the printer adds the parentheses precedence needs.
	v := &Var{Kind: VarArg, Index: 1}
	num := func(n uint64) *Value { return &Value{Terms: []*Term{{Kind: TermNumber, Num: n}}} }
	or := &Binary{Op: OpOr, X: &Compare{Var: v, Op: Eq, Value: num(1)}, Y: &Compare{Var: v, Op: Eq, Value: num(2)}}
	f := &File{Items: []Item{
		&Rule{Cond: &Binary{Op: OpAnd, X: &Compare{Var: &Var{Kind: VarSyscall}, Op: Eq, Value: &Value{Terms: []*Term{{Kind: TermSyscall, Name: "read"}}}}, Y: or},
			Action: &Action{Name: "ALLOW"}},
		&Rule{Cond: &Not{X: or}, Action: &Action{Name: "ERRNO", Arg: &Value{Terms: []*Term{{Kind: TermName, Name: "EPERM"}}}}},
		&Rule{Action: &Action{Name: "KILL_PROCESS"}},
	}}
	want := "$syscall == @read && ($arg1 == 1 || $arg1 == 2) => ALLOW();\n!($arg1 == 1 || $arg1 == 2) => ERRNO(EPERM);\n=> KILL_PROCESS();\n"
	assert.Equal(t, want, string(printFile(t, f)))
	assert.Equal(t, "!($arg1 == 1 || $arg1 == 2)", ExprString(f.Items[1].(*Rule).Cond))
}

func TestAllSemanticErrorsReported(t *testing.T) {
	src := "$arg6 == 1 => ALOW;\n$arch < @x86 => ERRNO;\n$syscall == 0x100000000 => TRAP(70000);\n"
	_, errs := ParseFile("m.sec", []byte(src))
	var msgs []string
	for _, d := range errs {
		msgs = append(msgs, d.Pos.String()+" "+d.Msg)
	}
	assert.Equal(t, []string{
		"m.sec:1:1 unknown variable $arg6",
		"m.sec:1:15 unknown action ALOW",
		"m.sec:2:7 $arch cannot be compared with <",
		"m.sec:2:17 ERRNO needs an argument",
		"m.sec:3:13 value 0x100000000 is wider than $syscall, which has 32 bits",
		"m.sec:3:33 TRAP argument 70000 is out of range 0..65535",
	}, msgs)
}

func TestDepthLimit(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", 5000) + "true" + strings.Repeat(")", 5000) + " => ALLOW;",
		strings.Repeat("!", 5000) + "true => ALLOW;",
	} {
		_, errs := ParseFile("deep.sec", []byte(src))
		require.Len(t, errs, 1)
		assert.Contains(t, errs[0].Msg, "nested too deeply")
	}
	ok := strings.Repeat("(", 500) + "true" + strings.Repeat(")", 500) + " => ALLOW;"
	roundTrip(t, "ok.sec", []byte(ok))
}

func TestInputLimits(t *testing.T) {
	_, errs := ParseFile("big.sec", make([]byte, MaxInputBytes+1))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Msg, "input too large")
	_, errs = ParseFile("bin.sec", []byte("=> ALLOW;\xff"))
	require.Len(t, errs, 1)
	assert.Equal(t, "bin.sec:1:1: not a text file (a policy is UTF-8 text without NUL bytes)", errs[0].Error())
}

func TestDefinitionLexes(t *testing.T) {
	toks, err := grammar().Lex("x", strings.NewReader("$arg0.lo & 0x1|A == -1 => ERRNO(EPERM); # not a directive"))
	require.Error(t, err, "a '#' after code on the line is an error")
	assert.Nil(t, toks)
	toks, err = grammar().Lex("x", strings.NewReader("  # define X\n$syscall in KERNEL(5.3) /* c */ => ALLOW;"))
	require.NoError(t, err)
	var got []string
	for _, tk := range toks {
		got = append(got, tk.Value)
	}
	assert.Equal(t, []string{"# define X", "$syscall", "in", "KERNEL", "(", "5.3", ")", "=>", "ALLOW", ";", ""}, got)
}

func TestTooManyErrors(t *testing.T) {
	_, errs := ParseFile("g.sec", []byte(strings.Repeat("%", 500)))
	require.Len(t, errs, maxErrors+1)
	assert.Equal(t, "too many errors", errs[maxErrors].Msg)
	_, errs = ParseFile("s.sec", []byte(strings.Repeat("$arg9 == 1 => ALLOW;\n", 500)))
	require.Len(t, errs, maxErrors+1)
	assert.Equal(t, "too many errors", errs[maxErrors].Msg)
}
