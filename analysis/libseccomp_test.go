//go:build libseccomp

package analysis

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/codegen"
	"github.com/secc-lang/secc/compiler/decide"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/converter"
	"github.com/secc-lang/secc/internal/kver"
	"github.com/secc-lang/secc/internal/libseccomp"
)

// dockerBoth builds Docker's default profile for x86_64 twice: with
// libseccomp, the way runc does (the reference), and with secc.
func dockerBoth(t *testing.T) (ref, ours *Input) {
	path := filepath.Join("..", "..", "shared", "corpus", "moby-default.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("corpus not found: %v", err)
	}
	prof, err := converter.Decode(path, data)
	require.NoError(t, err)
	low, ds := prof.Lower(converter.Host{Target: abi.TargetX86_64, Caps: converter.DockerDefaultCaps, Kernel: kver.Version{Major: 6, Minor: 18}})
	require.False(t, ds.HasErrors(), "%v", ds)

	lprog, err := libseccomp.Build(low, 2)
	require.NoError(t, err)
	ref, err = FromFilter("libseccomp", lprog)
	require.NoError(t, err)

	var pols []*resolve.Policy
	def := low.Default
	for _, a := range low.ABIs {
		p, ds := resolve.Resolve(low.File, resolve.Options{ABI: a, Default: &def})
		require.False(t, ds.HasErrors(), "%v", ds)
		pols = append(pols, p)
	}
	d, err := decide.Decide(pols, low.BadABIAction)
	require.NoError(t, err)
	prog, err := codegen.Generate(d, codegen.Options{})
	require.NoError(t, err)
	ours, err = FromFilter("secc", prog)
	require.NoError(t, err)
	ours.ABIs = low.ABIs
	return ref, ours
}

// TestExplainDockerMatchesLibseccomp: explain's table of secc's filter for
// Docker's default profile matches the table of libseccomp's filter for
// every system call of every ABI: constant rows word for word, argument
// rows as decisions (their trees may be shaped differently).
func TestExplainDockerMatchesLibseccomp(t *testing.T) {
	ref, ours := dockerBoth(t)
	opts := ExplainOptions{ABIs: ours.ABIs}
	er, eo := Explain(ref, opts), Explain(ours, opts)
	dc := &differ{a: ref.Explored, b: ours.Explored, e: &explorer{sets: map[Test]setEntry{}}, memo: map[[2]int][]diffCase{}}
	rows, args := 0, 0
	for i, ta := range er.ABIs {
		tb := eo.ABIs[i]
		require.Equal(t, len(ta.Syscalls), len(tb.Syscalls))
		a, _ := abi.Lookup(ta.ABI)
		for j, ra := range ta.Syscalls {
			rb := tb.Syscalls[j]
			if _, ok := libseccomp.NrOn(a, ra.Name); !ok {
				// libseccomp 2.5.4 cannot resolve calls newer than it;
				// runc skips them, so they get the default there.
				continue
			}
			rows++
			if ra.Decision.Constant || rb.Decision.Constant {
				if ra.Decision.Text != rb.Decision.Text {
					t.Errorf("%s %s: libseccomp %s, secc %s", ta.ABI, ra.Name, ra.Decision.Text, rb.Decision.Text)
				}
				continue
			}
			args++
			na := ref.Explored.Lookup(a.AuditArch, ra.Nr).Node
			nb := ours.Explored.Lookup(a.AuditArch, rb.Nr).Node
			if cases := dc.nodes(na, nb); len(cases) > 0 {
				t.Errorf("%s %s: libseccomp %s\n  secc %s", ta.ABI, ra.Name, ra.Decision.Text, rb.Decision.Text)
			}
		}
	}
	t.Logf("%d rows compared, %d argument-dependent", rows, args)
}

// TestAuditLibseccompOutput: audit on libseccomp's own output for Docker's
// profile, and on secc's, which must be clean.
func TestAuditLibseccompOutput(t *testing.T) {
	ref, ours := dockerBoth(t)
	rep := Audit(ref)
	for _, f := range rep.Findings {
		t.Logf("libseccomp: %s: %s [%s]", f.Severity, f.Message, f.Code)
		require.NotEqual(t, SevError, f.Severity, f.Message)
	}
	rep = Audit(ours)
	for _, f := range rep.Findings {
		t.Errorf("secc: %s: %s [%s]", f.Severity, f.Message, f.Code)
	}
	_ = bpf.RetAllow
}
