package abi

import seccomparch "github.com/elastic/go-seccomp-bpf/arch"

// PROVISIONAL: raw tables straight from go-seccomp-bpf, not yet corrected.
func fromElastic(m map[string]int) map[string]uint32 {
	out := make(map[string]uint32, len(m))
	for n, nr := range m {
		out[n] = uint32(nr) &^ X32Bit
	}
	return out
}

func tableX86_64() map[string]uint32  { return fromElastic(seccomparch.X86_64.SyscallNames) }
func tableX86() map[string]uint32     { return fromElastic(seccomparch.I386.SyscallNames) }
func tableX32() map[string]uint32     { return fromElastic(seccomparch.X32.SyscallNames) }
func tableAarch64() map[string]uint32 { return fromElastic(seccomparch.AARCH64.SyscallNames) }
func tableARM() map[string]uint32     { return fromElastic(seccomparch.ARM.SyscallNames) }
