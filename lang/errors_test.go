package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/diag"
)

// TestErrorsGolden parses each testdata/errors/NAME.sec and compares the
// diagnostics, as the CLI prints them, with NAME.golden. Run with -update
// to rewrite the golden files.
func TestErrorsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.sec")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 15)
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			require.NoError(t, err)
			name := filepath.ToSlash(name)
			f, errs := ParseFile(name, src)
			require.True(t, errs.HasErrors(), "no error reported")
			if f == nil {
				assert.Len(t, errs, 1, "a syntax error is reported alone")
			}
			for _, d := range errs {
				assert.Equal(t, name, d.Pos.File)
				assert.Positive(t, d.Pos.Line)
				assert.Positive(t, d.Pos.Col)
			}
			got := diag.Sources{name: src}.FormatAll(errs)
			golden := strings.TrimSuffix(name, ".sec") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), got)
		})
	}
}
