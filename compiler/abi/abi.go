// Package abi knows the Linux system call ABIs secc compiles for: their
// AUDIT_ARCH values, their system call tables (name ↔ number, numbers exactly
// as a seccomp filter sees them, so x32 numbers carry bit 30), the first
// kernel release of every system call, the targets (x86_64 with x86 and x32,
// aarch64 with arm), and the built-in constants of the language per ABI.
//
// Tables start from github.com/elastic/go-seccomp-bpf's arch package and are
// corrected where it is wrong (tables.go lists each correction); a test checks
// every ABI against ../shared/data/syscalls.csv. The names of every Linux
// ABI's system calls (for KnownAnywhere and Suggest) and their first releases
// (FirstVersion) are generated into zdata.go from ../shared/data by
// `go generate`.
package abi

import (
	"sort"
	"strings"
)

// X32Bit is __X32_SYSCALL_BIT: x32 calls arrive as AUDIT_ARCH_X86_64 with
// this bit set in nr.
const X32Bit = 0x40000000

// AUDIT_ARCH values of the ABIs secc compiles for.
const (
	AuditArchX86_64  = 0xc000003e
	AuditArchI386    = 0x40000003
	AuditArchAarch64 = 0xc00000b7
	AuditArchARM     = 0x40000028
)

// ABI is one system call ABI.
type ABI struct {
	Name      string // canonical: "x86_64", "x86", "x32", "aarch64", "arm"
	AuditArch uint32
	Target    string // the target carrying it: "x86_64" or "aarch64"
	// NrBase is ORed into every table number as the filter sees it
	// (X32Bit for x32, else 0).
	NrBase uint32
	// Bits is 64 for LP64 ABIs, 32 for x86, x32 and arm (whose longs and
	// pointers are 32 bits; the kernel still hands the filter 64-bit args).
	Bits int

	byName map[string]uint32 // name → nr as the filter sees it
	byNr   map[uint32]string
	sorted []Syscall // by nr
}

// Syscall is a name and its number as the filter sees it.
type Syscall struct {
	Name string
	Nr   uint32
}

// Nr returns the number of the system call name on this ABI, as the filter
// sees it (x32 numbers include X32Bit).
func (a *ABI) Nr(name string) (uint32, bool) {
	nr, ok := a.byName[name]
	return nr, ok
}

// SyscallName returns the system call with number nr (as the filter sees it).
func (a *ABI) SyscallName(nr uint32) (string, bool) {
	s, ok := a.byNr[nr]
	return s, ok
}

// Syscalls lists the ABI's system calls by number.
func (a *ABI) Syscalls() []Syscall { return a.sorted }

func (a *ABI) String() string { return a.Name }

func newABI(name string, audit uint32, target string, base uint32, bits int, table map[string]uint32) *ABI {
	a := &ABI{Name: name, AuditArch: audit, Target: target, NrBase: base, Bits: bits,
		byName: make(map[string]uint32, len(table)), byNr: make(map[uint32]string, len(table))}
	for n, nr := range table {
		nr |= base
		a.byName[n] = nr
		a.byNr[nr] = n
		a.sorted = append(a.sorted, Syscall{n, nr})
	}
	sort.Slice(a.sorted, func(i, j int) bool { return a.sorted[i].Nr < a.sorted[j].Nr })
	return a
}

// The ABIs. Their tables are built in tables.go.
var (
	X86_64  = newABI("x86_64", AuditArchX86_64, "x86_64", 0, 64, tableX86_64())
	X86     = newABI("x86", AuditArchI386, "x86_64", 0, 32, tableX86())
	X32     = newABI("x32", AuditArchX86_64, "x86_64", X32Bit, 32, tableX32())
	Aarch64 = newABI("aarch64", AuditArchAarch64, "aarch64", 0, 64, tableAarch64())
	ARM     = newABI("arm", AuditArchARM, "aarch64", 0, 32, tableARM())
)

// All is every ABI secc compiles for, targets' native ABIs first.
var All = []*ABI{X86_64, X86, X32, Aarch64, ARM}

// Target is a machine a filter is compiled for: a native ABI and the compat
// ABIs the kernel also accepts on it.
type Target struct {
	Name   string // "x86_64" or "aarch64"
	Native *ABI
	ABIs   []*ABI // native first, then compat ABIs
	// Symbols are the preprocessor symbols the compiler defines for it.
	Symbols []string
	// GoArch is the Go/OCI name used by JSON profiles' includes.arches.
	GoArch string
}

var (
	TargetX86_64  = &Target{Name: "x86_64", Native: X86_64, ABIs: []*ABI{X86_64, X86, X32}, Symbols: []string{"ARCH_AMD64", "ARCH_X86_64"}, GoArch: "amd64"}
	TargetAarch64 = &Target{Name: "aarch64", Native: Aarch64, ABIs: []*ABI{Aarch64, ARM}, Symbols: []string{"ARCH_ARM64", "ARCH_AARCH64"}, GoArch: "arm64"}
	Targets       = []*Target{TargetX86_64, TargetAarch64}
)

var aliases = map[string]string{
	"x86_64": "x86_64", "amd64": "x86_64", "x86-64": "x86_64",
	"x86": "x86", "i386": "x86", "i686": "x86", "386": "x86",
	"x32":     "x32",
	"aarch64": "aarch64", "arm64": "aarch64",
	"arm": "arm", "armhf": "arm", "armv7": "arm",
}

// Lookup finds an ABI by name, accepting common aliases (amd64, i386,
// arm64) and libseccomp's SCMP_ARCH_* spellings.
func Lookup(name string) (*ABI, bool) {
	n := strings.ToLower(strings.TrimPrefix(name, "SCMP_ARCH_"))
	canon, ok := aliases[n]
	if !ok {
		return nil, false
	}
	for _, a := range All {
		if a.Name == canon {
			return a, true
		}
	}
	return nil, false
}

// LookupTarget finds a target by name or alias (amd64, arm64).
func LookupTarget(name string) (*Target, bool) {
	a, ok := Lookup(name)
	if !ok {
		return nil, false
	}
	for _, t := range Targets {
		if t.Native == a {
			return t, true
		}
	}
	return nil, false
}

// ByAuditArch returns the ABIs that report audit as their AUDIT_ARCH
// (x86_64 and x32 share one).
func ByAuditArch(audit uint32) []*ABI {
	var out []*ABI
	for _, a := range All {
		if a.AuditArch == audit {
			out = append(out, a)
		}
	}
	return out
}
