// Package bpf is secc's classic-BPF layer for seccomp: instruction codes,
// the return actions, a kernel-faithful interpreter (Run) of the seccomp
// subset, a checker (Check) that refuses exactly what the kernel refuses
// when a filter is loaded, an emulation of the kernel's action cache
// (CacheableAllow), the raw struct sock_filter encoding (Encode, Decode) and
// a seccomp-tools style disassembler.
//
// Programs are []golang.org/x/net/bpf.RawInstruction, the layout of
// struct sock_filter. The package assumes the kernel's view of its input:
// struct seccomp_data read as 32-bit native little-endian words.
package bpf
