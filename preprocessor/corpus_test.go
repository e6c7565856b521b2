package preprocessor

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const corpusFile = "../../shared/corpus/easyseccomp-default.sec"

func readCorpus(tb testing.TB) []byte {
	tb.Helper()
	src, err := os.ReadFile(corpusFile)
	if err != nil {
		tb.Skipf("corpus not available: %v", err)
	}
	return src
}

// TestCorpus runs easyseccomp's default policy with the symbol mixes a
// container engine uses and checks which guarded rules survive.
func TestCorpus(t *testing.T) {
	src := readCorpus(t)
	const (
		cloneMaskArg0 = "$syscall == @clone && $arg0 & 2080505856 == 0 => ALLOW();"
		cloneMaskArg1 = "$syscall == @clone && $arg1 & 2080505856 == 0 => ALLOW();"
		archPrctl     = "$syscall == @arch_prctl => ALLOW();"
		adminSet      = "$syscall in (@bpf, @clone, @fanotify_init, @lookup_dcookie, @mount,"
		s390Set       = "$syscall in (@s390_pci_mmio_read, @s390_pci_mmio_write,"
		auditSocket   = "$syscall == @socket && $arg0 == 16 && $arg2 == 9 => ERRNO(EINVAL);"
		personality   = "$syscall == @personality && $arg0 == 0 => ALLOW();"
		lastRule      = "=> ERRNO(ENOSYS);"
	)
	tests := []struct {
		name    string
		syms    []string
		in, out []string
	}{
		{"no symbols", nil,
			[]string{cloneMaskArg0, auditSocket, personality, lastRule},
			[]string{cloneMaskArg1, archPrctl, adminSet, s390Set}},
		{"amd64", []string{"ARCH_AMD64", "ARCH_X86_64", "KERNEL=6.18"},
			[]string{cloneMaskArg0, archPrctl, auditSocket, lastRule},
			[]string{cloneMaskArg1, adminSet, s390Set}},
		{"amd64 with CAP_SYS_ADMIN", []string{"ARCH_AMD64", "CAP_SYS_ADMIN"},
			[]string{archPrctl, adminSet, auditSocket},
			[]string{cloneMaskArg0, cloneMaskArg1, s390Set}},
		{"s390x", []string{"ARCH_S390X"},
			[]string{cloneMaskArg1, s390Set, auditSocket},
			[]string{cloneMaskArg0, archPrctl, adminSet}},
		{"s390x with CAP_AUDIT_WRITE", []string{"ARCH_S390X", "CAP_AUDIT_WRITE"},
			[]string{cloneMaskArg1, s390Set},
			[]string{cloneMaskArg0, auditSocket}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Preprocess(corpusFile, src, Options{Symbols: defs(tt.syms...)})
			require.NoError(t, err)
			require.Empty(t, r.Diags)
			got := map[string]int{} // text → line number
			srcLines := strings.Split(string(src), "\n")
			prev := 0
			for _, l := range r.Lines {
				assert.Equal(t, corpusFile, l.File)
				assert.True(t, l.Num > prev, "line numbers increase")
				prev = l.Num
				assert.Equal(t, srcLines[l.Num-1], l.Text, "line %d is copied verbatim", l.Num)
				assert.False(t, strings.HasPrefix(strings.TrimSpace(l.Text), "#"), "directive %q in output", l.Text)
				got[l.Text] = l.Num
			}
			for _, s := range tt.in {
				assert.Contains(t, got, s)
			}
			for _, s := range tt.out {
				_, ok := got[s]
				assert.False(t, ok, "%q should be skipped (line %d)", s, got[s])
			}
		})
	}
}

func TestCorpusPositions(t *testing.T) {
	src := readCorpus(t)
	r, err := Preprocess(corpusFile, src, Options{Symbols: defs("ARCH_AMD64")})
	require.NoError(t, err)
	// The clone rule sits three directives deep, at line 120.
	for _, l := range r.Lines {
		if strings.Contains(l.Text, "@clone && $arg0") {
			assert.Equal(t, 120, l.Num)
			return
		}
	}
	t.Fatal("clone rule not found")
}

func BenchmarkPreprocessCorpus(b *testing.B) {
	src := readCorpus(b)
	opts := Options{Symbols: defs("ARCH_AMD64", "ARCH_X86_64", "KERNEL=6.18")}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Preprocess(corpusFile, src, opts); err != nil {
			b.Fatal(err)
		}
	}
}
