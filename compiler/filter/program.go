// Package filter is the compiled artifact: a seccomp program, its
// encodings (raw sock_filter array, base64, C, Go, the crun annotation,
// disassembly) and, on Linux, loading it into the kernel.
package filter

import (
	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/bpf"
)

// Program is a compiled (or read) seccomp filter.
type Program struct {
	Insns []xbpf.RawInstruction
	// Target is "x86_64" or "aarch64"; empty for a foreign raw filter.
	Target string
	// ABIs are the ABI names the filter accepts, native first.
	ABIs []string
}

// Raw is the little-endian struct sock_filter array the kernel takes.
func (p *Program) Raw() []byte { return bpf.Encode(p.Insns) }

// Read makes a Program from a raw sock_filter array.
func Read(raw []byte) (*Program, error) {
	insns, err := bpf.Decode(raw)
	if err != nil {
		return nil, err
	}
	return &Program{Insns: insns}, nil
}
