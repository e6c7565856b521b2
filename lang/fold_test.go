package lang

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFoldedSets checks that folding sets into one token (scanner.set)
// changes no tree: when the folded parse reports nothing, the plain one
// gives the same tree. (When it reports something, parse starts again
// without folding, so diagnostics never come from the folded parse.)
func TestFoldedSets(t *testing.T) {
	files, err := filepath.Glob("testdata/*.sec")
	require.NoError(t, err)
	errs, err := filepath.Glob("testdata/errors/*.sec")
	require.NoError(t, err)
	files = append(append(files, corpusFile), errs...)
	for _, name := range files {
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		folded, ferrs := parseWith(name, string(src), nil, true)
		if folded == nil || len(ferrs) > 0 {
			continue
		}
		plain, perrs := parseWith(name, string(src), nil, false)
		assert.Empty(t, perrs, name)
		assert.Equal(t, plain, folded, name)
	}
}
