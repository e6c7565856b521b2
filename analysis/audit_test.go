package analysis

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
)

// noArchFilter is the classic mistake: a deny-list on x86_64 numbers with
// no arch check.
func noArchFilter() []xbpf.RawInstruction {
	return assemble([]asm{
		ld(bpf.OffNr),
		jmp(bpf.OpJeqK, 59, "deny", "allow"), // execve
		ret(bpf.RetErrno | 1).at("deny"),
		ret(bpf.RetAllow).at("allow"),
	})
}

// messyFilter checks the arch, but late and loosely, and has most of the
// other faults audit knows.
func messyFilter() []xbpf.RawInstruction {
	return assemble([]asm{
		ld(bpf.OffNr),
		jmp(bpf.OpJeqK, 1000, "", "arch"),
		ret(bpf.RetErrno), // ERRNO(0)
		ld(bpf.OffArch).at("arch"),
		jmp(bpf.OpJeqK, abi.AuditArchX86_64, "nr", ""),
		ret(bpf.RetAllow), // any other arch: allowed
		ld(bpf.OffNr).at("nr"),
		jmp(bpf.OpJeqK, 2, "", "close"), // open: loads an argument, then allows anyway
		ld(bpf.ArgLo(1)),
		jmp(bpf.OpJsetK, 1, "openok", "openok"),
		ret(bpf.RetAllow).at("openok"),
		jmp(bpf.OpJeqK, 3, "", "stat").at("close"),
		ret(bpf.RetErrno | 5000),
		jmp(bpf.OpJeqK, 4, "", "fstat").at("stat"),
		ret(0x12340000),
		jmp(bpf.OpJeqK, 5, "", "tail").at("fstat"),
		stmt(bpf.OpAddK, 1), // arithmetic on nr: opaque
		jmp(bpf.OpJeqK, 6, "", "kill"),
		ret(bpf.RetAllow),
		ret(bpf.RetKillProcess).at("kill"),
		jmp(bpf.OpJeqK, 59, "", "rest").at("tail"),
		ret(bpf.RetKillProcess),
		asm{ins: bpf.Stmt(bpf.OpJA, 0), jt: "rest"},
		ret(bpf.RetTrap), // dead
		ret(bpf.RetAllow).at("rest"),
	})
}

// refusedFilter loads a misaligned word: the kernel refuses it.
func refusedFilter() []xbpf.RawInstruction {
	return []xbpf.RawInstruction{bpf.Stmt(bpf.OpLdAbsW, 2), retAllow}
}

func auditText(t *testing.T, name string, prog []xbpf.RawInstruction) (*Report, string) {
	in, err := FromFilter(name, prog)
	require.NoError(t, err)
	rep := Audit(in)
	var b bytes.Buffer
	require.NoError(t, rep.WriteText(&b))
	return rep, b.String()
}

func TestAuditGolden(t *testing.T) {
	var all bytes.Buffer
	codes := map[string]bool{}
	total := 0
	for _, c := range []struct {
		name string
		prog []xbpf.RawInstruction
	}{
		{"noarch.bpf", noArchFilter()},
		{"messy.bpf", messyFilter()},
		{"refused.bpf", refusedFilter()},
		{"personality.bpf", personalityFilter()},
	} {
		rep, text := auditText(t, c.name, c.prog)
		all.WriteString(text)
		for _, f := range rep.Findings {
			codes[f.Code] = true
		}
		total += len(rep.Findings)
	}
	golden(t, "audit.golden", all.Bytes())
	assert.GreaterOrEqual(t, total, 8)
	for _, c := range []string{"no-arch-check", "foreign-abi", "x32-bypass", "allow-unknown-arch", "nr-before-arch",
		"uncached-allow", "unreachable", "unknown-action", "errno-capped", "errno-zero", "opaque", "kernel-refuses"} {
		assert.True(t, codes[c], "no %s finding", c)
	}
}

// TestAuditHandWritten: a careful hand-written filter (arch first, x32
// killed, 64-bit argument tests) has one hole left: it denies execve and
// lets execveat through.
func TestAuditHandWritten(t *testing.T) {
	rep, text := auditText(t, "personality.bpf", personalityFilter())
	require.Len(t, rep.Findings, 1, text)
	assert.Equal(t, "equivalent-call", rep.Findings[0].Code)
	assert.Contains(t, rep.Findings[0].Message, "allows execveat")
}
