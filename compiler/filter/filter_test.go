package filter

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xbpf "golang.org/x/net/bpf"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), got)
}

// errnoFilter kills foreign arches, returns ERRNO(errno) for getppid and
// ALLOW for the rest (x86_64 numbers).
func errnoFilter(errno uint32) *Program {
	return &Program{
		Insns: []xbpf.RawInstruction{
			bpf.Stmt(bpf.OpLdAbsW, bpf.OffArch),
			bpf.Jump(bpf.OpJeqK, abi.AuditArchX86_64, 1, 0),
			bpf.Stmt(bpf.OpRetK, bpf.RetKillProcess),
			bpf.Stmt(bpf.OpLdAbsW, bpf.OffNr),
			bpf.Jump(bpf.OpJeqK, 110, 0, 1), // getppid
			bpf.Stmt(bpf.OpRetK, bpf.RetErrno|errno),
			bpf.Stmt(bpf.OpRetK, bpf.RetAllow),
		},
		Target: "x86_64",
		ABIs:   []string{"x86_64"},
	}
}

func TestRawRoundTrip(t *testing.T) {
	p := errnoFilter(1)
	raw := p.Raw()
	assert.Len(t, raw, 8*len(p.Insns))
	back, err := Read(raw)
	require.NoError(t, err)
	assert.Equal(t, p.Insns, back.Insns)
	assert.Empty(t, back.Target)

	dec, err := base64.StdEncoding.DecodeString(p.Base64())
	require.NoError(t, err)
	assert.Equal(t, raw, dec)

	var ann map[string]string
	require.NoError(t, json.Unmarshal([]byte(p.OCIAnnotation()), &ann))
	assert.Equal(t, map[string]string{"run.oci.seccomp_bpf_data": p.Base64()}, ann)

	_, err = Read(raw[:len(raw)-1])
	assert.ErrorContains(t, err, "multiple of 8")
	_, err = Read(nil)
	assert.ErrorContains(t, err, "empty")
	_, err = Read(make([]byte, 8*(bpf.MaxInsns+1)))
	assert.ErrorContains(t, err, "4097 instructions")
}

func TestRenderingsGolden(t *testing.T) {
	p := errnoFilter(1)
	// An instruction no macro spells (a RET with jt set) takes the raw form.
	p.Insns = append(p.Insns[:len(p.Insns):len(p.Insns)], xbpf.RawInstruction{Op: bpf.OpRetK, Jt: 1, K: bpf.RetAllow})
	golden(t, "errno.c", p.CArray("secc_filter"))
	golden(t, "errno.go.txt", p.GoSource("policy", "Filter"))
	golden(t, "errno.disasm", p.Disasm())
}

func TestGoSourceIsFormatted(t *testing.T) {
	src := errnoFilter(1).GoSource("policy", "Filter")
	formatted, err := format.Source([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, string(formatted), src)
	assert.Contains(t, src, "var Filter = []unix.SockFilter{")
}

// TestCArrayCompiles builds a C program around the array that writes the
// array's bytes, and compares them with Raw.
func TestCArrayCompiles(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) in PATH")
	}
	p := errnoFilter(1234)
	dir := t.TempDir()
	src := "#include <stdio.h>\n#include <linux/filter.h>\n\n" + p.CArray("secc_filter") + `
int main(void) {
	if (secc_filter_prog.len != sizeof(secc_filter) / sizeof(secc_filter[0]))
		return 2;
	return fwrite(secc_filter, sizeof(secc_filter), 1, stdout) == 1 ? 0 : 1;
}
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f.c"), []byte(src), 0o644))
	out, err := exec.Command(cc, "-Wall", "-Werror", "-o", filepath.Join(dir, "f"), filepath.Join(dir, "f.c")).CombinedOutput()
	require.NoError(t, err, "%s\n%s", out, src)
	got, err := exec.Command(filepath.Join(dir, "f")).Output()
	require.NoError(t, err)
	assert.True(t, bytes.Equal(p.Raw(), got), "C array bytes differ from Raw")
}

func TestCArrayRawFallback(t *testing.T) {
	p := &Program{Insns: []xbpf.RawInstruction{{Op: 0x30, K: 1}, bpf.Stmt(bpf.OpRetK, bpf.RetAllow)}}
	c := p.CArray("f")
	assert.Contains(t, c, "{ 0x30, 0, 0, 0x00000001 },")
	assert.Contains(t, c, "BPF_STMT(BPF_RET | BPF_K, 0x7fff0000),")
	assert.False(t, strings.Contains(c, "target"), "no target for a foreign filter")
}
