package bpf

import (
	"encoding/binary"
	"fmt"

	xbpf "golang.org/x/net/bpf"
)

// InsnSize is sizeof(struct sock_filter).
const InsnSize = 8

// Encode returns prog as the kernel's struct sock_filter array in
// little-endian byte order (u16 code, u8 jt, u8 jf, u32 k per instruction):
// the raw filter format of `secc compile -o x.bpf` and crun's annotation.
func Encode(prog []xbpf.RawInstruction) []byte {
	b := make([]byte, len(prog)*InsnSize)
	for i, ins := range prog {
		p := b[i*InsnSize:]
		binary.LittleEndian.PutUint16(p[0:], ins.Op)
		p[2] = ins.Jt
		p[3] = ins.Jf
		binary.LittleEndian.PutUint32(p[4:], ins.K)
	}
	return b
}

// Decode parses a raw little-endian struct sock_filter array. It checks
// only the size; Check says whether the kernel would load the result.
func Decode(raw []byte) ([]xbpf.RawInstruction, error) {
	if len(raw)%InsnSize != 0 {
		return nil, fmt.Errorf("raw filter is %d bytes, not a multiple of %d", len(raw), InsnSize)
	}
	prog := make([]xbpf.RawInstruction, len(raw)/InsnSize)
	for i := range prog {
		p := raw[i*InsnSize:]
		prog[i] = xbpf.RawInstruction{
			Op: binary.LittleEndian.Uint16(p[0:]),
			Jt: p[2],
			Jf: p[3],
			K:  binary.LittleEndian.Uint32(p[4:]),
		}
	}
	return prog, nil
}
