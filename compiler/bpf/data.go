package bpf

import "encoding/binary"

// SeccompData is struct seccomp_data, the input of every seccomp filter.
type SeccompData struct {
	Nr                 int32
	Arch               uint32
	InstructionPointer uint64
	Args               [6]uint64
}

// Bytes returns the 64-byte native (little-endian) layout the kernel hands
// to filters.
func (d *SeccompData) Bytes() [DataSize]byte {
	var b [DataSize]byte
	binary.LittleEndian.PutUint32(b[OffNr:], uint32(d.Nr))
	binary.LittleEndian.PutUint32(b[OffArch:], d.Arch)
	binary.LittleEndian.PutUint64(b[OffIP:], d.InstructionPointer)
	for i, a := range d.Args {
		binary.LittleEndian.PutUint64(b[OffArgs+8*i:], a)
	}
	return b
}

// words returns the data as the 16 32-bit words filters load: word i is
// the little-endian word at offset 4*i.
func (d *SeccompData) words() (w [DataSize / 4]uint32) {
	w[0] = uint32(d.Nr)
	w[1] = d.Arch
	w[2] = uint32(d.InstructionPointer)
	w[3] = uint32(d.InstructionPointer >> 32)
	for i, a := range d.Args {
		w[4+2*i] = uint32(a)
		w[5+2*i] = uint32(a >> 32)
	}
	return w
}
