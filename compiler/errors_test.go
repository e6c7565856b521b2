package compiler_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/kver"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestErrorGoldens compiles each testdata/errors/*.sec for x86_64 and
// compares the diagnostics (position, source line, caret, message, hint)
// with its .golden file.
func TestErrorGoldens(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.sec")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text, err := os.ReadFile(file)
			require.NoError(t, err)
			_, sources, err := compiler.CompileSource(compiler.Source{Name: file, Text: text},
				compiler.Options{Target: abi.TargetX86_64, Kernel: kver.MustParse("6.18")})
			var dl diag.List
			require.True(t, errors.As(err, &dl), "want a policy error, got %v", err)
			got := sources.FormatAll(dl)
			golden := strings.TrimSuffix(file, ".sec") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test -update to create it")
			assert.Equal(t, string(want), got)
		})
	}
}
