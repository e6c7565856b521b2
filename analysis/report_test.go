package analysis

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/abi"
)

func examplePolicy(t *testing.T, abis ...*abi.ABI) *Input {
	path := filepath.Join("testdata", "example.sec")
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	return compiled(t, path, string(text), abis...)
}

func TestExplainGolden(t *testing.T) {
	in := examplePolicy(t, abi.X86_64, abi.X86)
	var b bytes.Buffer
	require.NoError(t, Explain(in, ExplainOptions{Only: "args"}).WriteText(&b))
	require.NoError(t, Explain(in, ExplainOptions{Only: "allowed", ABIs: []*abi.ABI{abi.X32}}).WriteText(&b))
	golden(t, "explain.golden", b.Bytes())
	// JSON keeps the same rows.
	var j bytes.Buffer
	require.NoError(t, Explain(in, ExplainOptions{Only: "args"}).WriteJSON(&j))
	golden(t, "explain.json.golden", j.Bytes())
}

func TestExplainCache(t *testing.T) {
	in := examplePolicy(t, abi.X86_64)
	ex := Explain(in, ExplainOptions{})
	rows := map[string]SyscallDecision{}
	for _, r := range ex.ABIs[0].Syscalls {
		rows[r.Name] = r
	}
	assert.True(t, rows["read"].Cached, "constant ALLOW from secc must be cacheable")
	assert.False(t, rows["mmap"].Cached, "argument-dependent")
	assert.False(t, rows["openat"].Cached, "denied")
	assert.Equal(t, "ALLOW if arg0 in {0, 8, 0xffffffff}; else ERRNO(EPERM)", rows["personality"].Decision.Text)
	assert.Equal(t, "ERRNO(EAFNOSUPPORT) if arg0.lo == 40; else ERRNO(EPERM)", rows["socket"].Decision.Text)
	assert.Equal(t, "ALLOW if (arg2 & 0x4) == 0; else ERRNO(EPERM)", rows["mmap"].Decision.Text)
}

func TestGraphGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteDot(&b, examplePolicy(t, abi.X86_64)))
	golden(t, "example.dot", b.Bytes())
}

// TestAuditSeccOutput: secc's own filters are clean.
func TestAuditSeccOutput(t *testing.T) {
	for _, abis := range [][]*abi.ABI{{abi.X86_64}, {abi.X86_64, abi.X86, abi.X32}, {abi.Aarch64, abi.ARM}} {
		in := examplePolicy(t, abis...)
		rep := Audit(in)
		var b bytes.Buffer
		require.NoError(t, rep.WriteText(&b))
		assert.Empty(t, rep.Findings, b.String())
	}
}
