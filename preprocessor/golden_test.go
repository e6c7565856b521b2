package preprocessor

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/secc-lang/secc/diag"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenOptions reads the options of a golden test from a first line
// "// test: -D NAME[=VALUE] -I DIR max-nesting=N max-depth=N max-bytes=N".
func goldenOptions(t *testing.T, src []byte) Options {
	opts := Options{Symbols: map[string]Symbol{}}
	first, _, _ := bytes.Cut(src, []byte("\n"))
	args, ok := strings.CutPrefix(string(first), "// test:")
	if !ok {
		return opts
	}
	f := strings.Fields(args)
	for i := 0; i < len(f); i++ {
		key, val, _ := strings.Cut(f[i], "=")
		num := func() int {
			n, err := strconv.Atoi(val)
			if err != nil {
				t.Fatalf("bad test option %q", f[i])
			}
			return n
		}
		switch key {
		case "-D":
			i++
			name, value, has := strings.Cut(f[i], "=")
			opts.Symbols[name] = Symbol{Value: value, HasValue: has}
		case "-I":
			i++
			opts.IncludeDirs = append(opts.IncludeDirs, f[i])
		case "max-nesting":
			opts.MaxNesting = num()
		case "max-depth":
			opts.MaxIncludeDepth = num()
		case "max-bytes":
			opts.MaxBytes = num()
		default:
			t.Fatalf("unknown test option %q", f[i])
		}
	}
	return opts
}

// TestGoldenErrors preprocesses each testdata/errors/*.sec and compares the
// printed diagnostics, errors and warnings, with its .golden file.
func TestGoldenErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.sec")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			r, err := Preprocess(file, src, goldenOptions(t, src))
			require.Error(t, err, "an error test must fail")

			var all diag.List
			all.Append(diagList(t, err))
			all.Append(r.Diags)
			all.Sort()
			got := r.Sources.FormatAll(all)

			golden := strings.TrimSuffix(file, ".sec") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create it")
			assert.Equal(t, string(want), got)
		})
	}
}
