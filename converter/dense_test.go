package converter

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/internal/kver"
)

// Rules on two arguments of one system call (an ioctl allow-list by fd and
// request, say) give libseccomp a tree in which a rule whose first test
// holds and second fails goes on to the next rule: walked naively, that is
// every combination of branches, 2^n paths for n rules. The branches a
// path's own tests exclude (fd == 3, then fd == 4) are pruned, so this
// lowers at once instead of being refused as too complex.
func TestLowerDenseRules(t *testing.T) {
	var entries []any
	for i := 0; i < 40; i++ {
		entries = append(entries, map[string]any{
			"names":  []string{"ioctl"},
			"action": "SCMP_ACT_ALLOW",
			"args": []any{
				map[string]any{"index": 0, "value": i, "op": "SCMP_CMP_EQ"},
				map[string]any{"index": 1, "value": 0x5400 + i, "op": "SCMP_CMP_EQ"},
			},
		})
	}
	text, err := json.Marshal(map[string]any{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": entries})
	require.NoError(t, err)
	p, err := Decode("dense.json", text)
	require.NoError(t, err)
	l, ds := p.Lower(Host{Target: abi.TargetX86_64, Kernel: kver.MustParse("6.18")})
	require.False(t, ds.HasErrors(), "%v", ds)
	require.NotNil(t, l)
}
