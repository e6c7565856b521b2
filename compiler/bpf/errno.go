package bpf

import "github.com/secc-lang/secc/compiler/abi"

// errnoName names errno n (EPERM), or returns "" if unknown.
func errnoName(n uint32) string {
	s, _ := abi.ErrnoName(n)
	return s
}
