package abi

//go:generate go run ./internal/gen -csv ../../../shared/data/syscalls.csv -versions ../../../shared/data/syscall-versions.txt -o zdata.go

import (
	"sort"
	"strings"

	"github.com/secc-lang/secc/internal/kver"
	"github.com/secc-lang/secc/internal/suggest"
)

var knownNames = func() map[string]bool {
	m := make(map[string]bool, len(allSyscallNames))
	for _, n := range allSyscallNames {
		m[n] = true
	}
	return m
}()

// KnownAnywhere reports whether name is a system call on some Linux ABI, not
// only the ones secc compiles for. A name known nowhere is a policy error; one
// known elsewhere merely has no number on the ABI being compiled.
func KnownAnywhere(name string) bool { return knownNames[name] }

// AllSyscallNames lists the system calls of every Linux ABI, sorted. The
// slice is shared: do not modify it.
func AllSyscallNames() []string { return allSyscallNames }

// Suggest returns the known system call name closest to name, for "did you
// mean" messages, or false when none is close enough to be a likely typo.
// Among equally close names it prefers one secc compiles for, the likelier
// intent.
func Suggest(name string) (string, bool) {
	return suggest.Closest(name, allSyscallNames, onCompiledABI)
}

func onCompiledABI(name string) bool {
	for _, a := range All {
		if _, ok := a.byName[name]; ok {
			return true
		}
	}
	return false
}

// Closest returns the candidate nearest to name by edit distance (insertions,
// deletions, substitutions and swaps of neighbours, ignoring case), if it is
// close enough to be a typo: at most one edit for names up to 5 letters, two
// up to 8, three beyond. Ties go to the alphabetically first candidate. A
// candidate equal to name is not a suggestion and is skipped.
func Closest(name string, candidates []string) (string, bool) {
	return suggest.Closest(name, candidates, nil)
}

// closest and distance keep the names this package's tests know the shared
// implementation by.
var (
	closest  = suggest.Closest
	distance = suggest.Distance
)

// FirstVersion returns the first Linux release whose syscall tables list name
// (on any ABI). The last few entries of the data are marked approximate.
func FirstVersion(name string) (kver.Version, bool) {
	v, ok := firstVersions[name]
	return v, ok
}

// SyscallsUpTo lists the ABI's system calls first released in v or earlier,
// by number: the set `KERNEL(v)` denotes.
func (a *ABI) SyscallsUpTo(v kver.Version) []Syscall {
	var out []Syscall
	for _, s := range a.sorted {
		if fv, ok := firstVersions[s.Name]; ok && fv.Compare(v) <= 0 {
			out = append(out, s)
		}
	}
	return out
}

// endianTwins are Linux ABIs that share the syscall table of another one
// (so the table has no column for them) but have their own AUDIT_ARCH, in
// libseccomp's spelling.
var endianTwins = []string{"mipsel", "mipsel64", "mipsel64n32", "ppc64le", "sheb"}

var archNames = func() map[string]bool {
	m := make(map[string]bool)
	for n := range aliases {
		m[n] = true
	}
	for _, n := range linuxABINames {
		m[n] = true
	}
	for _, n := range endianTwins {
		m[n] = true
	}
	return m
}()

// KnownArchName reports whether name is an architecture `$arch` may be
// compared with: one of secc's ABIs or their aliases (as Lookup accepts
// them), or another Linux ABI, which secc never compiles for and so never
// matches.
func KnownArchName(name string) bool {
	return archNames[strings.ToLower(strings.TrimPrefix(name, "SCMP_ARCH_"))]
}

// ArchNames lists every name KnownArchName accepts (in lower case, without
// SCMP_ARCH_), sorted, for suggestions.
func ArchNames() []string {
	out := make([]string, 0, len(archNames))
	for n := range archNames {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// SCMPName is the ABI's libseccomp name, e.g. "SCMP_ARCH_X86_64".
func (a *ABI) SCMPName() string { return "SCMP_ARCH_" + strings.ToUpper(a.Name) }
