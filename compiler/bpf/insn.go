package bpf

import xbpf "golang.org/x/net/bpf"

// Program is a classic-BPF program as the kernel receives it.
type Program = []xbpf.RawInstruction

// MaxInsns is BPF_MAXINSNS, the longest filter the kernel loads.
const MaxInsns = 4096

// MemWords is BPF_MEMWORDS, the number of scratch memory cells.
const MemWords = 16

// DataSize is sizeof(struct seccomp_data), also what LD LEN loads.
const DataSize = 64

// Offsets of the fields of struct seccomp_data.
const (
	OffNr   = 0
	OffArch = 4
	OffIP   = 8
	OffArgs = 16
)

// ArgLo and ArgHi are the offsets of the low and high 32-bit words of
// argument i (little-endian).
func ArgLo(i int) uint32 { return uint32(OffArgs + 8*i) }
func ArgHi(i int) uint32 { return uint32(OffArgs + 8*i + 4) }

// Instruction codes (struct sock_filter.code) of the classic-BPF subset
// seccomp accepts (seccomp_check_filter), plus the ones classic BPF has and
// seccomp refuses, which the checker and disassembler must recognise.
const (
	OpLdAbsW  uint16 = 0x20 // A = data[k]
	OpLdAbsH  uint16 = 0x28 // refused by seccomp
	OpLdAbsB  uint16 = 0x30 // refused by seccomp
	OpLdIndW  uint16 = 0x40 // refused by seccomp
	OpLdIndH  uint16 = 0x48 // refused by seccomp
	OpLdIndB  uint16 = 0x50 // refused by seccomp
	OpLdLenW  uint16 = 0x80 // A = len
	OpLdImm   uint16 = 0x00 // A = k
	OpLdMem   uint16 = 0x60 // A = M[k]
	OpLdxLenW uint16 = 0x81 // X = len
	OpLdxImm  uint16 = 0x01 // X = k
	OpLdxMem  uint16 = 0x61 // X = M[k]
	OpLdxMsh  uint16 = 0xb1 // refused by seccomp
	OpSt      uint16 = 0x02 // M[k] = A
	OpStx     uint16 = 0x03 // M[k] = X

	OpAddK  uint16 = 0x04
	OpSubK  uint16 = 0x14
	OpMulK  uint16 = 0x24
	OpDivK  uint16 = 0x34
	OpOrK   uint16 = 0x44
	OpAndK  uint16 = 0x54
	OpLshK  uint16 = 0x64
	OpRshK  uint16 = 0x74
	OpNeg   uint16 = 0x84
	OpModK  uint16 = 0x94 // refused by seccomp
	OpXorK  uint16 = 0xa4
	OpAddX  uint16 = 0x0c
	OpSubX  uint16 = 0x1c
	OpMulX  uint16 = 0x2c
	OpDivX  uint16 = 0x3c
	OpOrX   uint16 = 0x4c
	OpAndX  uint16 = 0x5c
	OpLshX  uint16 = 0x6c
	OpRshX  uint16 = 0x7c
	OpModX  uint16 = 0x9c // refused by seccomp
	OpXorX  uint16 = 0xac
	OpJA    uint16 = 0x05
	OpJeqK  uint16 = 0x15
	OpJgtK  uint16 = 0x25
	OpJgeK  uint16 = 0x35
	OpJsetK uint16 = 0x45
	OpJeqX  uint16 = 0x1d
	OpJgtX  uint16 = 0x2d
	OpJgeX  uint16 = 0x3d
	OpJsetX uint16 = 0x4d
	OpRetK  uint16 = 0x06
	OpRetA  uint16 = 0x16
	OpTax   uint16 = 0x07
	OpTxa   uint16 = 0x87
)

// Stmt and Jump build raw instructions like the C macros BPF_STMT and
// BPF_JUMP; tests and hand-written filters use them.
func Stmt(code uint16, k uint32) xbpf.RawInstruction {
	return xbpf.RawInstruction{Op: code, K: k}
}

// Jump is BPF_JUMP.
func Jump(code uint16, k uint32, jt, jf uint8) xbpf.RawInstruction {
	return xbpf.RawInstruction{Op: code, Jt: jt, Jf: jf, K: k}
}
