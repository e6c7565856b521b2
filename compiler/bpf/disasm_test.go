package bpf

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xbpf "golang.org/x/net/bpf"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), string(got))
}

func nr(t *testing.T, a *abi.ABI, name string) uint32 {
	n, ok := a.Nr(name)
	require.True(t, ok, name)
	return n
}

// disasmCases are hand-built filters; each must pass Check.
func disasmCases(t *testing.T) map[string]Program {
	x := abi.X86_64
	i386 := abi.X86
	return map[string]Program{
		// A typical single-ABI filter: arch check, x32 refused, an argument
		// test, ERRNO default.
		"x86_64": {
			Stmt(OpLdAbsW, OffArch),
			Jump(OpJeqK, abi.AuditArchX86_64, 1, 0),
			Stmt(OpRetK, RetKillProcess),
			Stmt(OpLdAbsW, OffNr),
			Jump(OpJgeK, abi.X32Bit, 9, 0),
			Jump(OpJeqK, nr(t, x, "read"), 7, 0),
			Jump(OpJeqK, nr(t, x, "write"), 6, 0),
			Jump(OpJeqK, nr(t, x, "personality"), 0, 4),
			Stmt(OpLdAbsW, ArgHi(0)),
			Jump(OpJeqK, 0, 0, 2),
			Stmt(OpLdAbsW, ArgLo(0)),
			Jump(OpJsetK, 0xffff0000, 0, 1),
			Stmt(OpRetK, RetErrno|1),
			Stmt(OpRetK, RetAllow),
			Stmt(OpRetK, RetKillThread),
		},
		// Two arches: the same numbers name different calls.
		"multiarch": {
			Stmt(OpLdAbsW, OffArch),
			Jump(OpJeqK, abi.AuditArchI386, 4, 0),
			Jump(OpJeqK, abi.AuditArchX86_64, 0, 6),
			Stmt(OpLdAbsW, OffNr),
			Jump(OpJeqK, nr(t, x, "close"), 4, 0),
			Jump(OpJeqK, nr(t, abi.X32, "close"), 3, 4),
			Stmt(OpLdAbsW, OffNr),
			Jump(OpJeqK, nr(t, i386, "close"), 1, 0),
			Jump(OpJeqK, 3, 0, 1), // i386 read
			Stmt(OpRetK, RetAllow),
			Stmt(OpRetK, RetTrap|7),
		},
		// No arch check: names come from DisasmOptions.Arch until paths
		// with different arch facts merge.
		"misc": {
			Stmt(OpLdAbsW, OffNr),
			Jump(OpJeqK, 39, 0, 1),
			Stmt(OpRetK, RetErrno|1234),
			Stmt(OpSt, 0),
			Stmt(OpLdAbsW, ArgLo(5)),
			Stmt(OpAndK, 0xff),
			Stmt(OpRshK, 4),
			Stmt(OpTax, 0),
			Stmt(OpLdMem, 0),
			Jump(OpJgtX, 0, 1, 0),
			Stmt(OpJA, 2),
			Stmt(OpLdImm, RetErrno|22),
			Stmt(OpRetA, 0),
			Stmt(OpLdAbsW, OffIP+4),
			Stmt(OpNeg, 0),
			Stmt(OpLdAbsW, OffArch),
			Jump(OpJeqK, 0x12345678, 0, 1),
			Stmt(OpRetK, RetLog),
			Stmt(OpRetK, RetUserNotif),
		},
	}
}

func TestDisassembleGolden(t *testing.T) {
	for name, prog := range disasmCases(t) {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, Check(prog))
			var b bytes.Buffer
			require.NoError(t, Disassemble(&b, prog, DisasmOptions{Arch: abi.AuditArchX86_64}))
			golden(t, "disasm/"+name+".golden", b.Bytes())
		})
	}
}

func TestDisassembleRefused(t *testing.T) {
	// Codes seccomp refuses still print, and bad jump targets do not panic.
	prog := Program{Stmt(OpLdAbsB, 3), Stmt(OpModX, 0), Stmt(0xffff, 0), Stmt(OpJA, 0xffffffff),
		Jump(OpJeqK, 1, 200, 7)}
	var b bytes.Buffer
	require.NoError(t, Disassemble(&b, prog, DisasmOptions{NoHeader: true}))
	assert.Equal(t, ` 0000: 0x30 0x00 0x00 0x00000003  invalid (code 0x30)
 0001: 0x9c 0x00 0x00 0x00000000  A %= X
 0002: 0xffff 0x00 0x00 0x00000000  invalid (code 0xffff)
 0003: 0x05 0x00 0x00 0xffffffff  goto 4294967299
 0004: 0x15 0xc8 0x07 0x00000001  if (A == 1) goto 0205 else goto 0012
`, b.String())
}

func TestEncodeDecode(t *testing.T) {
	for name, prog := range disasmCases(t) {
		raw := Encode(prog)
		assert.Len(t, raw, InsnSize*len(prog), name)
		back, err := Decode(raw)
		require.NoError(t, err)
		assert.Equal(t, prog, back, name)
	}
	// The layout is struct sock_filter, little-endian.
	raw := Encode(Program{Jump(OpJeqK, 0xc000003e, 1, 2)})
	assert.Equal(t, []byte{0x15, 0x00, 1, 2, 0x3e, 0x00, 0x00, 0xc0}, raw)
	_, err := Decode(make([]byte, 12))
	assert.ErrorContains(t, err, "not a multiple of 8")
	empty, err := Decode(nil)
	require.NoError(t, err)
	assert.Empty(t, empty)
}

// raw assembles x/net/bpf instructions, for tests written with them.
func raw(t *testing.T, insns ...xbpf.Instruction) Program {
	p, err := xbpf.Assemble(insns)
	require.NoError(t, err)
	return p
}
