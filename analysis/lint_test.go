package analysis

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/lang"
	"github.com/secc-lang/secc/preprocessor"
)

// resolved parses and resolves a policy for the given ABIs, which is all
// Lint reads; it does not need the rest of the compiler.
func resolved(t *testing.T, name string, text []byte, abis ...*abi.ABI) *Input {
	t.Helper()
	pre, err := preprocessor.Preprocess(name, text, preprocessor.Options{})
	require.NoError(t, err)
	f, ds := lang.ParsePreprocessed(pre)
	require.False(t, ds.HasErrors(), "%v", ds)
	in := &Input{Name: name, Kind: KindPolicy, File: f}
	for _, a := range abis {
		p, ds := resolve.Resolve(f, resolve.Options{ABI: a})
		require.False(t, ds.HasErrors(), "%v", ds)
		in.Policies = append(in.Policies, p)
		in.ABIs = append(in.ABIs, a)
	}
	return in
}

func TestLintGolden(t *testing.T) {
	path := filepath.Join("testdata", "lint", "mistakes.sec")
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	var all bytes.Buffer
	codes := map[string]int{}
	for _, abis := range [][]*abi.ABI{{abi.X86_64, abi.X86}, {abi.Aarch64}} {
		rep := Lint(resolved(t, path, text, abis...))
		require.NoError(t, rep.WriteText(&all))
		for _, f := range rep.Findings {
			codes[f.Code]++
		}
	}
	golden(t, "lint.golden", all.Bytes())
	for _, c := range []string{"duplicate", "shadowed", "high-bits", "missing-name", "redundant", "errno-zero"} {
		assert.NotZero(t, codes[c], "no %s finding", c)
	}
}

// TestLintQuiet: a policy without mistakes gives no findings.
func TestLintQuiet(t *testing.T) {
	in := resolved(t, "ok.sec", []byte(`
$syscall in (@read, @write) => ALLOW;
$syscall == @socket && $arg0.lo == 40 => ERRNO(EPERM);
$syscall == @personality && $arg0 in (0, 8) => ALLOW;
=> KILL_PROCESS;
`), abi.X86_64)
	rep := Lint(in)
	var b bytes.Buffer
	require.NoError(t, rep.WriteText(&b))
	assert.Empty(t, rep.Findings, b.String())
}
