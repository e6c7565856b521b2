package analysis

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/abi"
)

const basePolicy = `
$syscall in (@read, @write, @close, @exit_group) => ALLOW;
$syscall == @personality && $arg0 in (0, 8) => ALLOW;
$syscall == @socket && $arg0.lo == 40 => ERRNO(EACCES);
=> ERRNO(EPERM);
`

func diffLines(t *testing.T, a, b *Input) []string {
	t.Helper()
	var buf bytes.Buffer
	res := Diff(a, b, nil)
	require.NoError(t, res.WriteText(&buf))
	if buf.Len() == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

func TestDiffKnownChanges(t *testing.T) {
	base := compiled(t, "a.sec", basePolicy, abi.X86_64)
	for _, c := range []struct {
		name, policy string
		abis         []*abi.ABI
		want         []string
	}{
		{"syscall moved", strings.Replace(basePolicy, "@close, ", "", 1), nil,
			[]string{"x86_64 close: ALLOW → ERRNO(EPERM)"}},
		{"argument rule changed", strings.Replace(basePolicy, "(0, 8)", "(0, 8, 0x20008)", 1), nil,
			[]string{"x86_64 personality: ERRNO(EPERM) → ALLOW if arg0 == 0x20008"}},
		{"argument width changed", strings.Replace(basePolicy, "$arg0.lo == 40", "$arg0 == 40", 1), nil,
			[]string{"x86_64 socket: ERRNO(EACCES) → ERRNO(EPERM) if arg0.lo == 40 && arg0.hi != 0"}},
		{"ABI added", basePolicy, []*abi.ABI{abi.X86_64, abi.X86},
			[]string{"x86: not accepted (KILL_PROCESS) → accepted"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			abis := c.abis
			if abis == nil {
				abis = []*abi.ABI{abi.X86_64}
			}
			b := compiled(t, "b.sec", c.policy, abis...)
			assert.Equal(t, c.want, diffLines(t, base, b))
		})
	}
}

// TestDiffSameMeaning: policies written differently that mean the same
// report nothing.
func TestDiffSameMeaning(t *testing.T) {
	base := compiled(t, "a.sec", basePolicy, abi.X86_64)
	other := compiled(t, "b.sec", `
$syscall == @socket && $arg0.lo == 40 => ERRNO(EACCES);
$syscall == @exit_group => ALLOW;
$syscall == @personality && ($arg0 == 0 || $arg0 == 8) => ALLOW;
$syscall == @personality => ERRNO(EPERM);
$syscall in (@close, @read) || $syscall == @write => ALLOW;
$syscall == @mount => ERRNO(EPERM);
=> ERRNO(EPERM);
`, abi.X86_64)
	assert.Empty(t, diffLines(t, base, other))
	assert.Empty(t, diffLines(t, base, base))
}

// TestDiffRawAgainstPolicy compares a hand-written filter with secc's
// compilation of the same policy: only what differs is reported.
func TestDiffRawAgainstPolicy(t *testing.T) {
	pol := compiled(t, "p.sec", `
$syscall == @execve => ERRNO(EPERM);
$syscall == @personality && $arg0 in (0, 8) => ALLOW;
$syscall == @personality => ERRNO(EPERM);
=> ALLOW;
`, abi.X86_64)
	raw, err := FromFilter("p.bpf", personalityFilter())
	require.NoError(t, err)
	// The only difference is real: the hand-written filter kills nr -1
	// with the x32 numbers, where secc lets it through the rules as
	// LANGUAGE.md §7 says (a tracer's "skip this call").
	assert.Equal(t, []string{"x86_64 nr 0xffffffff: KILL_PROCESS → ALLOW"}, diffLines(t, raw, pol))
}
