package analysis

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
)

// TestEquivalentCalls: a deny list that restricts a call and lets its
// siblings or a multiplexer through by default is reported, by lint with
// the rule that allows them and by audit on the compiled filter alike; an
// allow list is not, though it denies open and allows openat.
func TestEquivalentCalls(t *testing.T) {
	opts := LoadOptions{Compiler: compiler.Options{Target: abi.TargetX86_64, ABIs: abi.TargetX86_64.ABIs}}
	in, err := Load(filepath.Join("testdata", "equivalent", "denylist.sec"), opts)
	require.NoError(t, err)
	var b bytes.Buffer
	lint := Lint(in)
	require.NoError(t, lint.WriteText(&b))
	golden(t, "equivalent.golden", b.Bytes())
	msgs := func(r *Report) []string {
		var out []string
		for _, f := range r.Findings {
			if f.Code == "equivalent-call" {
				out = append(out, f.Message)
			}
		}
		return out
	}
	got := msgs(lint)
	require.Len(t, got, 4, b.String())
	for _, want := range []string{"allows tgkill", "allows io_uring_setup", "on x86, the filter restricts socket", "allows execveat"} {
		assert.True(t, containsAny(got, want), "no finding with %q:\n%s", want, b.String())
	}
	for _, f := range lint.Findings {
		assert.Equal(t, 11, f.Pos.Line, "the default rule allows the hole: %s", f.Message)
	}

	// The same filter as raw bytes: audit finds the same holes.
	raw, err := FromFilter("denylist.bpf", in.Insns)
	require.NoError(t, err)
	assert.ElementsMatch(t, got, msgs(Audit(raw)))

	allow, err := LoadBytes("allow.sec", []byte("$syscall in (@openat, @read, @write, @tgkill) => ALLOW;\n=> ERRNO(EPERM);\n"), opts)
	require.NoError(t, err)
	assert.Empty(t, msgs(Lint(allow)))
	assert.Empty(t, msgs(Audit(allow)))
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if bytes.Contains([]byte(s), []byte(sub)) {
			return true
		}
	}
	return false
}

// TestENOSYSIsNoDenial: ENOSYS asks for the older call, so clone3's ENOSYS
// next to an allowed clone is intended.
func TestENOSYSIsNoDenial(t *testing.T) {
	assert.True(t, isENOSYS(bpf.RetErrno|38))
	assert.False(t, isENOSYS(bpf.RetErrno|1))
	assert.False(t, isENOSYS(bpf.RetTrap|38))
}
