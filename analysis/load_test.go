package analysis

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
)

// TestLoadKinds: one loader for the three kinds, told apart by content and
// extension, and the same explored meaning whatever the input was.
func TestLoadKinds(t *testing.T) {
	opts := LoadOptions{Compiler: compiler.Options{Target: abi.TargetX86_64}}
	pol, err := Load(filepath.Join("testdata", "example.sec"), opts)
	require.NoError(t, err)
	assert.Equal(t, KindPolicy, pol.Kind)
	assert.Equal(t, []*abi.ABI{abi.X86_64}, pol.ABIs)
	require.NotEmpty(t, pol.Policies)

	// The same filter saved raw (no extension: detected by content).
	raw := filepath.Join(t.TempDir(), "filter")
	require.NoError(t, os.WriteFile(raw, bpf.Encode(pol.Insns), 0o644))
	rin, err := Load(raw, opts)
	require.NoError(t, err)
	assert.Equal(t, KindRaw, rin.Kind)
	assert.Equal(t, abi.TargetX86_64, rin.Target)
	assert.Equal(t, []*abi.ABI{abi.X86_64}, rin.ABIs, "x32 and x86 are refused, so not accepted")
	assert.True(t, Diff(pol, rin, nil).Same())

	// A policy error comes back as a diag.List, with the sources.
	bad := filepath.Join(t.TempDir(), "bad.sec")
	require.NoError(t, os.WriteFile(bad, []byte("$syscall == @opne => ALLOW;\n=> ERRNO(EPERM);\n"), 0o644))
	in, err := Load(bad, opts)
	require.Error(t, err)
	assert.True(t, IsPolicyError(err))
	require.NotNil(t, in)
	assert.NotEmpty(t, in.Sources)
}

func TestLoadProfile(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "corpus", "moby-default.json")
	if _, err := os.Stat(path); err != nil {
		t.Skip("corpus not found")
	}
	in, err := Load(path, LoadOptions{Compiler: compiler.Options{Target: abi.TargetX86_64}})
	require.NoError(t, err)
	assert.Equal(t, KindProfile, in.Kind)
	ex := Explain(in, ExplainOptions{Only: "args", ABIs: []*abi.ABI{abi.X86_64}})
	got := map[string]string{}
	for _, r := range ex.ABIs[0].Syscalls {
		got[r.Name] = r.Decision.Text
	}
	assert.Equal(t, "ALLOW if arg0 in {0, 8, 0x20000, 0x20008, 0xffffffff}; else ERRNO(EPERM)", got["personality"])
	assert.Contains(t, got, "clone")
	rep := Audit(in)
	assert.Empty(t, rep.Findings)
	_ = Lint(in)
}
