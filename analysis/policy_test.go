package analysis

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/codegen"
	"github.com/secc-lang/secc/compiler/decide"
)

// compiled compiles a policy the way the compiler does (resolve, decide,
// codegen, the kernel checker) and explores the result, for tests that
// need secc's own output.
func compiled(t *testing.T, name, text string, abis ...*abi.ABI) *Input {
	t.Helper()
	in := resolved(t, name, []byte(text), abis...)
	d, err := decide.Decide(in.Policies, bpf.RetKillProcess)
	require.NoError(t, err)
	prog, err := codegen.Generate(d, codegen.Options{})
	require.NoError(t, err)
	require.NoError(t, bpf.Check(prog))
	r, err := Explore(prog)
	require.NoError(t, err)
	in.Insns, in.Explored, in.Target = prog, r, abi.TargetX86_64
	if abis[0].Target == "aarch64" {
		in.Target = abi.TargetAarch64
	}
	return in
}
