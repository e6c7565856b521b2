package converter

import (
	"hash/fnv"
	"sort"
	"sync"

	"github.com/secc-lang/secc/compiler/abi"
)

// sysInfo is what lowering needs to know about one system call name. Lower
// runs for every host a profile is resolved for, and every name would
// otherwise cost a handful of map lookups per ABI (is it known, its number
// on each ABI, is it multiplexed on i386, its pseudo number), so the answers
// are worked out once per process for every name any table knows.
type sysInfo struct {
	name string
	// rank is the name's place in sorted order, so output can be ordered
	// by name without comparing strings.
	rank  int32
	known bool // libseccomp resolves it on some architecture
	has   [numABIs]bool
	nr    [numABIs]uint32 // by abi.All index, when has
	// mux is "socketcall" or "ipc" for the calls libseccomp multiplexes on
	// i386, with the call number in muxNum.
	mux    string
	muxNum uint64
	pseudo uint32 // pseudoNr(name)
}

// numABIs is len(abi.All); sysTable checks it.
const numABIs = 5

// abiIndex is a's index in abi.All.
func abiIndex(a *abi.ABI) int {
	for i, x := range abi.All {
		if x == a {
			return i
		}
	}
	panic("converter: ABI " + a.Name + " not in abi.All")
}

// sysTab holds the sysInfo of every name: by name, and in rank order.
type sysTab struct {
	byName map[string]*sysInfo
	byRank []sysInfo
}

var sysTable = sync.OnceValue(func() *sysTab {
	if len(abi.All) != numABIs {
		panic("converter: numABIs is out of date")
	}
	seen := map[string]bool{}
	var names []string
	addName := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, n := range abi.AllSyscallNames() {
		addName(n)
	}
	for _, a := range abi.All {
		for _, s := range a.Syscalls() {
			addName(s.Name)
		}
	}
	for n := range socketCalls {
		addName(n)
	}
	for n := range ipcCalls {
		addName(n)
	}
	sort.Strings(names)
	infos := make([]sysInfo, len(names))
	m := make(map[string]*sysInfo, len(names))
	for i, n := range names {
		si := &infos[i]
		si.name, si.rank, si.known, si.pseudo = n, int32(i), knownToLibseccomp(n), pseudoNr(n)
		for ai, a := range abi.All {
			si.nr[ai], si.has[ai] = a.Nr(n)
		}
		if num, ok := socketCalls[n]; ok {
			si.mux, si.muxNum = "socketcall", num
		} else if num, ok := ipcCalls[n]; ok {
			si.mux, si.muxNum = "ipc", num
		}
		m[n] = si
	}
	return &sysTab{byName: m, byRank: infos}
})

// lookupSys is the sysInfo of name, nil for a name no table knows.
func lookupSys(name string) *sysInfo { return sysTable().byName[name] }

// pseudoNr stands for libseccomp's __PNR_* number of a name: negative, one
// per name, the same on every ABI.
func pseudoNr(name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return uint32(-int32(1000 + h.Sum32()%0x3fffffff))
}
