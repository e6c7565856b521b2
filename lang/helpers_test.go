package lang

import (
	"bytes"
	"flag"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var posType = reflect.TypeOf(diag.Pos{})

// normalize zeroes every position in the tree and sets Action.Parens, the
// two things printing does not keep (actions print as ALLOW()).
func normalize(f *File) *File {
	zero(reflect.ValueOf(f))
	return f
}

func zero(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			zero(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			zero(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == posType {
			v.Set(reflect.Zero(posType))
			return
		}
		if a, ok := v.Addr().Interface().(*Action); ok {
			a.Parens = true
		}
		for i := 0; i < v.NumField(); i++ {
			zero(v.Field(i))
		}
	}
}

func mustParse(t testing.TB, name string, src []byte) *File {
	t.Helper()
	f, errs := ParseFile(name, src)
	if errs.HasErrors() {
		t.Fatalf("%s: unexpected errors:\n%s", name, diag.Sources{name: src}.FormatAll(errs))
	}
	return f
}

func printFile(t testing.TB, f *File) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, Fprint(&b, f))
	return b.Bytes()
}

// roundTrip checks that parse → print → parse gives the same tree and that
// printing is idempotent. It returns the printed text.
func roundTrip(t testing.TB, name string, src []byte) []byte {
	t.Helper()
	f := mustParse(t, name, src)
	out := printFile(t, f)
	g := mustParse(t, name+" (printed)", out)
	out2 := printFile(t, g)
	require.Equal(t, string(out), string(out2), "%s: printing is not idempotent", name)
	require.Equal(t, normalize(f), normalize(g), "%s: printed text parses to another tree:\n%s", name, out)
	return out
}
