package preprocessor

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ifSymbols are the symbols the #if tests run with.
var ifSymbols = map[string]Symbol{
	"KERNEL":   {Value: "6.18"},
	"UNAME":    {Value: "6.18.44-fc-v657"},
	"ONE":      {Value: "1", HasValue: true},
	"ZERO":     {Value: "0", HasValue: true},
	"HEX":      {Value: "0x10", HasValue: true},
	"FLAG":     {},
	"TEXT":     {Value: "O_RDONLY|O_CLOEXEC", HasValue: true},
	"ARCH_X86": {},
}

func TestIfExpressions(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{"1", true},
		{"0", false},
		{"0x0", false},
		{"0x10 == 16", true},
		{"0b101 == 5", true},
		{"0o17 == 15", true},
		{"010 == 10", true}, // a leading zero is decimal, as in rules
		{"18446744073709551615 > 0", true},
		{"FLAG", true},
		{"NOPE", false},
		{"ONE", true},
		{"ZERO", false},
		{"HEX == 16", true},
		{"NOPE == 0", true},
		{"defined(FLAG)", true},
		{"defined FLAG", true},
		{"defined(ZERO)", true},
		{"defined ( NOPE )", false},
		{"!defined(NOPE)", true},
		{"!!FLAG", true},
		{"! 0", true},
		{"defined(TEXT)", true},
		// versions
		{"KERNEL >= 5.8", true},
		{"KERNEL >= 6.18", true},
		{"KERNEL > 6.18", false},
		{"KERNEL < 6.18.1", true},
		{"KERNEL == 6.18.0", true},
		{"KERNEL != 6.18", false},
		{"KERNEL <= 6.9", false}, // 6.18 > 6.9: part by part
		{"5.10 > 5.8", true},
		{"5.10.1 > 5.10", true},
		{"UNAME == 6.18.44", true},
		{"KERNEL >= 6", true}, // a number against a version is a major version
		{"KERNEL < 7", true},
		{"KERNEL == 6", false},
		{"NOPE < 5.8", true}, // undefined is 0
		{"KERNEL", true},
		// precedence: ! over comparison over && over ||
		{"1 || 0 && 0", true},
		{"(1 || 0) && 0", false},
		{"0 && 0 || 1", true},
		{"!0 && 0", false},
		{"!(0 && 0)", true},
		{"!ZERO == 1", true},
		{"defined(FLAG) && KERNEL >= 5.8 || defined(NOPE)", true},
		{"defined(NOPE) || KERNEL < 5.8 && FLAG", false},
		{"((((1))))", true},
		// short-circuit: the value of TEXT is not looked at
		{"defined(NOPE) && TEXT", false},
		{"FLAG || TEXT == 1", true},
		// comments are blanks
		{"1 /* || 0 */ && 1 // x", true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			src := "#if " + tt.expr + "\nyes\n#else\nno\n#endif\n"
			r, err := Preprocess("t.sec", []byte(src), Options{Symbols: ifSymbols})
			require.NoError(t, err)
			want := "no"
			if tt.want {
				want = "yes"
			}
			assert.Equal(t, []string{want}, texts(r))
		})
	}
}

func TestIfErrors(t *testing.T) {
	tests := []struct {
		expr string
		want string // "col: message" for "#if " + expr on line 1
	}{
		{"", "4: #if needs an expression"},
		{"   // only a comment", "4: #if needs an expression"},
		{"1 +", "7: unexpected '+' in expression"},
		{"A = 1", "7: unexpected '=' in expression"},
		{"A | B", "7: unexpected '|' in expression"},
		{"(1", "7: expected \")\", found end of line"},
		{"(1 2)", "8: expected \")\", found \"2\""},
		{"1 2", "7: unexpected \"2\" after the expression"},
		{"1 < 2 < 3", "11: comparisons do not chain; join them with &&"},
		{"1 && /* more */", "9: expected a name, number or version, found end of line"},
		{")", "5: expected a name, number or version, found \")\""},
		{"defined", "12: defined needs a name, found end of line"},
		{"defined(1)", "13: defined needs a name, found \"1\""},
		{"defined(A", "14: expected \")\", found end of line"},
		{"0x", "5: bad number \"0x\""},
		{"0xfg", "5: bad number \"0xfg\""},
		{"12abc", "5: bad number \"12abc\""},
		{"99999999999999999999", "5: bad number \"99999999999999999999\""},
		{"5..8", "5: bad version \"5..8\" (want X.Y or X.Y.Z)"},
		{"5.8.1.2", "5: bad version \"5.8.1.2\" (want X.Y or X.Y.Z)"},
		{"5.x", "5: bad version \"5.x\" (want X.Y or X.Y.Z)"},
		{"5.1000", "5: bad version \"5.1000\" (want X.Y or X.Y.Z)"},
		{"KERNEL >= TEXT", "15: TEXT is \"O_RDONLY|O_CLOEXEC\", not a number or a version"},
		{"1 && TEXT", "10: TEXT is \"O_RDONLY|O_CLOEXEC\", not a number or a version"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			src := "#if " + tt.expr + "\nyes\n#endif\n"
			r, err := Preprocess("t.sec", []byte(src), Options{Symbols: ifSymbols})
			l := diagList(t, err)
			require.Len(t, l, 1)
			assert.Equal(t, 1, l[0].Pos.Line)
			assert.Equal(t, tt.want, fmt.Sprintf("%d: %s", l[0].Pos.Col, l[0].Msg))
			assert.Empty(t, r.Lines, "a bad #if is false")
		})
	}
}

func TestElifErrorOnlyWhenEvaluated(t *testing.T) {
	// An #elif after a taken group is not evaluated, as in C.
	r, err := Preprocess("t.sec", []byte("#if 1\na\n#elif TEXT\nb\n#endif\n"), Options{Symbols: ifSymbols})
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, texts(r))

	_, err = Preprocess("t.sec", []byte("#if 0\na\n#elif TEXT\nb\n#endif\n"), Options{Symbols: ifSymbols})
	assert.EqualError(t, err, `t.sec:3:7: TEXT is "O_RDONLY|O_CLOEXEC", not a number or a version`)
}

func TestIfSymbolHint(t *testing.T) {
	_, err := Preprocess("t.sec", []byte("#define V abc\n#if V > 1\n#endif\n"), Options{})
	l := diagList(t, err)
	require.Len(t, l, 1)
	assert.Equal(t, "t.sec:2:5", l[0].Pos.String())
	assert.Equal(t, "it is defined at t.sec:1:9", l[0].Hint)
}
