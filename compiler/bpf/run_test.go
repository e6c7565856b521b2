package bpf

import (
	"encoding/binary"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xbpf "golang.org/x/net/bpf"
)

func TestSeccompDataBytes(t *testing.T) {
	d := SeccompData{Nr: -1, Arch: 0xc000003e, InstructionPointer: 0x1122334455667788,
		Args: [6]uint64{1, 2, 3, 4, 5, 0xa0a1a2a3a4a5a6a7}}
	b := d.Bytes()
	assert.Equal(t, uint32(0xffffffff), binary.LittleEndian.Uint32(b[0:]))
	assert.Equal(t, uint32(0xc000003e), binary.LittleEndian.Uint32(b[4:]))
	assert.Equal(t, uint64(0x1122334455667788), binary.LittleEndian.Uint64(b[8:]))
	assert.Equal(t, uint64(0xa0a1a2a3a4a5a6a7), binary.LittleEndian.Uint64(b[56:]))
	w := d.words()
	for i := range w {
		assert.Equal(t, binary.LittleEndian.Uint32(b[4*i:]), w[i], "word %d", i)
	}
	assert.Equal(t, uint32(56), ArgLo(5))
	assert.Equal(t, uint32(60), ArgHi(5))
}

func TestRunSemantics(t *testing.T) {
	d := &SeccompData{Nr: 59, Arch: 0xc000003e, Args: [6]uint64{0x1_0000_0021, 40}}
	tests := []struct {
		name  string
		prog  []xbpf.RawInstruction
		want  uint32
		steps int
		err   string
	}{
		{"arch", Program{Stmt(OpLdAbsW, OffArch), Stmt(OpRetA, 0)}, 0xc000003e, 2, ""},
		{"arg hi", Program{Stmt(OpLdAbsW, ArgHi(0)), Stmt(OpRetA, 0)}, 1, 2, ""},
		{"len", Program{Stmt(OpLdLenW, 0), Stmt(OpRetA, 0)}, 64, 2, ""},
		{"shift by X masks the count", Program{Stmt(OpLdAbsW, ArgLo(0)), Stmt(OpTax, 0),
			Stmt(OpLdImm, 1), Stmt(OpLshX, 0), Stmt(OpRetA, 0)}, 2, 5, ""},
		{"divide by X 0 returns 0", Program{Stmt(OpLdxImm, 0), Stmt(OpLdImm, 7),
			Stmt(OpDivX, 0), Stmt(OpRetK, RetAllow)}, 0, 3, ""},
		{"neg", Program{Stmt(OpLdImm, 1), Stmt(OpNeg, 0), Stmt(OpRetA, 0)}, 0xffffffff, 3, ""},
		{"unsigned compare", Program{Stmt(OpLdImm, 0x80000000), Jump(OpJgtK, 1, 0, 1),
			Stmt(OpRetK, 1), Stmt(OpRetK, 2)}, 1, 3, ""},
		{"jset X", Program{Stmt(OpLdxImm, 4), Stmt(OpLdImm, 6), Jump(OpJsetX, 0, 1, 0),
			Stmt(OpRetK, 1), Stmt(OpRetK, 2)}, 2, 4, ""},
		{"ja", Program{Stmt(OpJA, 1), Stmt(OpRetK, 1), Stmt(OpRetK, 2)}, 2, 2, ""},
		{"mem", Program{Stmt(OpLdImm, 5), Stmt(OpSt, 3), Stmt(OpLdImm, 0), Stmt(OpLdxMem, 3),
			Stmt(OpTxa, 0), Stmt(OpRetA, 0)}, 5, 6, ""},
		{"unset mem", Program{Stmt(OpLdMem, 3), Stmt(OpRetA, 0)}, 0, 1, "insn 0: reads M[3]"},
		{"unaligned", Program{Stmt(OpLdAbsW, 2), Stmt(OpRetA, 0)}, 0, 1, "insn 0: load from offset 2"},
		{"byte load", Program{Stmt(OpLdAbsB, 0), Stmt(OpRetA, 0)}, 0, 1, "insn 0: opcode 0x30"},
		{"jump out", Program{Jump(OpJeqK, 0, 1, 1), Stmt(OpRetA, 0)}, 0, 1, "insn 0: jump past end"},
		{"off the end", Program{Stmt(OpLdImm, 0)}, 0, 1, "ran off the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ret, steps, err := Run(tt.prog, d)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, ret)
			assert.Equal(t, tt.steps, steps)
		})
	}
}

// randData returns seccomp data with edge values.
func randData(g *progGen) *SeccompData {
	d := &SeccompData{Nr: int32(g.word()), Arch: g.word(),
		InstructionPointer: uint64(g.word())<<32 | uint64(g.word())}
	for i := range d.Args {
		d.Args[i] = uint64(g.word())<<32 | uint64(g.word())
	}
	return d
}

// TestRunAgainstXNetVM runs random valid programs on Run and on
// golang.org/x/net/bpf's VM. The VM loads words big-endian, so it gets the
// data with every 32-bit word byte-swapped.
func TestRunAgainstXNetVM(t *testing.T) {
	g := &progGen{r: rand.New(rand.NewSource(2)), xnet: true}
	ran := 0
	for i := 0; i < 4000; i++ {
		prog := g.valid()
		if Check(prog) != nil {
			continue // scratch read before store: the VM would read 0
		}
		insns, ok := xbpf.Disassemble(prog)
		require.True(t, ok, "x/net/bpf cannot decode program %d", i)
		vm, err := xbpf.NewVM(insns)
		require.NoError(t, err, "program %d\n%s", i, disasmString(prog))
		for j := 0; j < 8; j++ {
			d := randData(g)
			le := d.Bytes()
			var be [DataSize]byte
			for w := 0; w < DataSize; w += 4 {
				binary.BigEndian.PutUint32(be[w:], binary.LittleEndian.Uint32(le[w:]))
			}
			want, err := vm.Run(be[:])
			require.NoError(t, err)
			got, steps, err := Run(prog, d)
			require.NoError(t, err, "program %d\n%s", i, disasmString(prog))
			if uint32(want) != got {
				t.Fatalf("program %d on %+v: Run %#x, x/net/bpf %#x\n%s", i, d, got, uint32(want), disasmString(prog))
			}
			assert.LessOrEqual(t, steps, len(prog))
			ran++
		}
	}
	t.Logf("%d runs agree", ran)
	assert.Greater(t, ran, 10000)
}

func TestCheckErrors(t *testing.T) {
	ret := Stmt(OpRetK, RetAllow)
	tests := []struct {
		name string
		prog Program
		err  string
	}{
		{"ok", Program{Stmt(OpLdAbsW, 60), ret}, ""},
		{"empty", Program{}, "empty program"},
		{"unaligned", Program{Stmt(OpLdAbsW, 6), ret}, "insn 0: load from offset 6"},
		{"past data", Program{Stmt(OpLdAbsW, 64), ret}, "insn 0: load from offset 64"},
		{"mod", Program{Stmt(OpModK, 3), ret}, "insn 0: modulo"},
		{"ind", Program{Stmt(OpLdIndW, 0), ret}, "insn 0: indirect load"},
		{"div 0", Program{Stmt(OpLdImm, 1), Stmt(OpDivK, 0), ret}, "insn 1: division by constant 0"},
		{"shift 32", Program{Stmt(OpRshK, 32), ret}, "insn 0: shift by 32"},
		{"mem 16", Program{Stmt(OpSt, 16), ret}, "insn 0: scratch memory index 16"},
		{"ja", Program{Stmt(OpJA, 1), ret}, "insn 0: jump past end of program"},
		{"jf", Program{Jump(OpJeqK, 0, 0, 1), ret}, "insn 0: jump past end of program"},
		{"no ret", Program{ret, Stmt(OpLdImm, 0)}, "insn 1: last instruction is not a return"},
		{"one branch stores", Program{Jump(OpJeqK, 0, 0, 1), Stmt(OpSt, 1), Stmt(OpLdMem, 1), ret},
			"insn 2: reads M[1]"},
		{"both branches store", Program{Jump(OpJeqK, 0, 0, 2), Stmt(OpSt, 1), Stmt(OpJA, 1),
			Stmt(OpStx, 1), Stmt(OpLdMem, 1), ret}, ""},
		// The kernel's scan lets stores flow past a RET into dead code.
		{"dead load after ret", Program{Stmt(OpSt, 2), ret, Stmt(OpLdMem, 2), ret}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.prog)
			if tt.err == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
	big := make(Program, MaxInsns+1)
	for i := range big {
		big[i] = ret
	}
	assert.NoError(t, Check(big[:MaxInsns]))
	assert.ErrorContains(t, Check(big), "4097 instructions")
}

func BenchmarkRun(b *testing.B) {
	// An arch check and a 16-way linear nr search: a typical short path.
	prog := Program{Stmt(OpLdAbsW, OffArch), Jump(OpJeqK, 0xc000003e, 1, 0), Stmt(OpRetK, RetKillProcess),
		Stmt(OpLdAbsW, OffNr)}
	for i := 0; i < 16; i++ {
		prog = append(prog, Jump(OpJeqK, uint32(100+i), uint8(16-i), 0))
	}
	prog = append(prog, Stmt(OpRetK, RetErrno|1), Stmt(OpRetK, RetAllow))
	require.NoError(b, Check(prog))
	d := &SeccompData{Nr: 115, Arch: 0xc000003e}
	b.ReportAllocs()
	for b.Loop() {
		if ret, _, _ := Run(prog, d); ret != RetAllow {
			b.Fatal(ActionString(ret))
		}
	}
}
