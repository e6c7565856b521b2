package compiler_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/internal/caps"
	"github.com/secc-lang/secc/internal/kver"
)

// accState is what a path knows about the accumulator: which word of
// seccomp_data it holds (unmasked) and the values that word can still have.
type accState struct {
	known bool
	off   uint32
	vals  resolve.Set
}

func join(a, b accState) accState {
	if !a.known || !b.known || a.off != b.off {
		return accState{}
	}
	return accState{known: true, off: a.off, vals: a.vals.Union(b.vals)}
}

// taken is the set of accumulator values for which a JEQ/JGT/JGE K jumps;
// false for JSET, whose values are not an interval.
func taken(op uint16, k uint32) (resolve.Set, bool) {
	switch op {
	case bpf.OpJeqK:
		return resolve.Points(k), true
	case bpf.OpJgtK:
		if k == ^uint32(0) {
			return nil, true
		}
		return resolve.Set{{Lo: k + 1, Hi: ^uint32(0)}}, true
	case bpf.OpJgeK:
		return resolve.Set{{Lo: k, Hi: ^uint32(0)}}, true
	}
	return nil, false
}

// jumpOutcome says whether a jump on a accumulator with values s is always
// taken (1), never (0) or depends (-1). JSET is decided only on few values.
func jumpOutcome(op uint16, k uint32, s resolve.Set) int {
	if yes, ok := taken(op, k); ok {
		switch {
		case len(s.Intersect(yes)) == 0:
			return 0
		case len(s.Intersect(yes.Complement())) == 0:
			return 1
		}
		return -1
	}
	if op != bpf.OpJsetK {
		return -1
	}
	n, first := 0, -1
	for _, r := range s {
		for v := uint64(r.Lo); v <= uint64(r.Hi); v++ {
			if n++; n > 4096 {
				return -1
			}
			got := 0
			if uint32(v)&k != 0 {
				got = 1
			}
			if first < 0 {
				first = got
			} else if got != first {
				return -1
			}
		}
	}
	return first
}

// branch narrows s to the values that take (or do not take) the jump.
func branch(op uint16, k uint32, s resolve.Set, take bool) resolve.Set {
	yes, ok := taken(op, k)
	if !ok {
		return s // JSET: the set is not narrowed
	}
	if !take {
		yes = yes.Complement()
	}
	return s.Intersect(yes)
}

// waste finds what a peephole pass could still remove from prog: loads of
// the word the accumulator already holds on every path, conditional jumps
// decided on every path that reaches them, and jumps into a test their own
// path decides (jump threading).
func waste(prog []xbpf.RawInstruction) (loads, decided, threadable []int) {
	n := len(prog)
	in := make([]*accState, n)
	in[0] = &accState{}
	flow := func(to int, s accState) {
		if to >= n {
			return
		}
		if in[to] == nil {
			in[to] = &s
			return
		}
		j := join(*in[to], s)
		in[to] = &j
	}
	for pc := 0; pc < n; pc++ {
		if in[pc] == nil {
			continue // unreachable: reported by bpf.Check's callers elsewhere
		}
		s := *in[pc]
		ins := prog[pc]
		switch {
		case ins.Op == bpf.OpLdAbsW:
			if s.known && s.off == ins.K {
				loads = append(loads, pc)
			}
			flow(pc+1, accState{known: true, off: ins.K, vals: resolve.FullSet})
		case ins.Op == bpf.OpRetK:
		case ins.Op == bpf.OpJA:
			flow(pc+1+int(ins.K), s)
		case ins.Op&0x07 == 0x05: // conditional jump
			t, f := pc+1+int(ins.Jt), pc+1+int(ins.Jf)
			if !s.known {
				flow(t, s)
				flow(f, s)
				continue
			}
			if jumpOutcome(ins.Op, ins.K, s.vals) >= 0 {
				decided = append(decided, pc)
			}
			for _, e := range []struct {
				to    int
				taken bool
			}{{t, true}, {f, false}} {
				next := accState{known: true, off: s.off, vals: branch(ins.Op, ins.K, s.vals, e.taken)}
				if e.to < n && prog[e.to].Op&0x07 == 0x05 && jumpOutcome(prog[e.to].Op, prog[e.to].K, next.vals) >= 0 {
					threadable = append(threadable, pc)
				}
				flow(e.to, next)
			}
		default:
			flow(pc+1, accState{})
		}
	}
	return loads, decided, threadable
}

// The compiled filters of every corpus profile leave a peephole pass
// nothing to do: no load of a word the accumulator holds, no test its
// paths decide, no jump into a test its own path decides. This holds by
// construction (the decision DAG drops decided tests, the value searches
// split ranges, codegen elides loads), and this test keeps it so.
func TestOutputHasNoPeepholeWaste(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "*"))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("corpus not available")
	}
	for _, file := range files {
		text, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, target := range abi.Targets {
			for _, abis := range [][]*abi.ABI{{target.Native}, target.ABIs} {
				for _, level := range []compiler.Level{compiler.OptimizeSpeed, compiler.OptimizeSize} {
					opts := compiler.Options{Target: target, ABIs: abis, Optimize: level, Kernel: kver.MustParse("6.18"), NoVerify: true}
					var res *compiler.Result
					if strings.HasSuffix(file, ".json") {
						res, _, _, err = compiler.CompileProfile(compiler.Profile{Name: file, Data: text}, opts)
					} else {
						res, _, err = compiler.CompileSource(compiler.Source{Name: file, Text: text, Caps: caps.Docker}, opts)
					}
					require.NoError(t, err)
					loads, decided, threadable := waste(res.Program.Insns)
					name := filepath.Base(file) + " " + target.Name + " " + res.Program.ABIs[len(res.Program.ABIs)-1]
					assert.Empty(t, loads, "%s: redundant loads", name)
					assert.Empty(t, decided, "%s: decided tests", name)
					assert.Empty(t, threadable, "%s: threadable jumps", name)
				}
			}
		}
	}
}

// The analysis itself finds each kind of waste.
func TestPeepholeWasteAnalysis(t *testing.T) {
	ld := func(off uint32) xbpf.RawInstruction { return xbpf.RawInstruction{Op: bpf.OpLdAbsW, K: off} }
	jeq := func(k uint32, jt, jf uint8) xbpf.RawInstruction {
		return xbpf.RawInstruction{Op: bpf.OpJeqK, K: k, Jt: jt, Jf: jf}
	}
	jgt := func(k uint32, jt, jf uint8) xbpf.RawInstruction {
		return xbpf.RawInstruction{Op: bpf.OpJgtK, K: k, Jt: jt, Jf: jf}
	}
	ret := xbpf.RawInstruction{Op: bpf.OpRetK}
	prog := []xbpf.RawInstruction{
		ld(0),         // 0
		ld(0),         // 1: redundant
		jgt(10, 0, 2), // 2: nr > 10 → 3 (threadable: 3 is decided there)
		jgt(5, 0, 2),  // 3: decided on its only path
		ret,           // 4
		jeq(20, 0, 0), // 5: reached from 2 (nr ≤ 10) and 3: nr == 20 is false on both paths
		ret,           // 6
		ret,           // 7
	}
	loads, decided, threadable := waste(prog)
	assert.Equal(t, []int{1}, loads)
	assert.Equal(t, []int{3, 5}, decided)
	assert.Contains(t, threadable, 2)
}

// Accepting x32 costs x86_64 calls nothing: the x32 numbers are searched
// below one leaf of the x86_64 search, so every x86_64 call runs as many
// instructions as in a filter for x86_64 alone (with any arguments zero).
func TestX32CostsNativeCallsNothing(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(corpusDir, "moby-default.json"))
	if err != nil {
		t.Skip("corpus not available:", err)
	}
	compileFor := func(abis []*abi.ABI) []xbpf.RawInstruction {
		opts := compiler.Options{Target: abi.TargetX86_64, ABIs: abis, Kernel: kver.MustParse("6.18")}
		res, _, _, err := compiler.CompileProfile(compiler.Profile{Name: "moby-default.json", Data: text}, opts)
		require.NoError(t, err)
		return res.Program.Insns
	}
	native := compileFor([]*abi.ABI{abi.X86_64})
	all := compileFor(abi.TargetX86_64.ABIs)
	for _, sc := range abi.X86_64.Syscalls() {
		data := bpf.SeccompData{Nr: int32(sc.Nr), Arch: abi.AuditArchX86_64}
		r1, n1, err := bpf.Run(native, &data)
		require.NoError(t, err)
		r2, n2, err := bpf.Run(all, &data)
		require.NoError(t, err)
		assert.Equal(t, r1, r2, sc.Name)
		assert.Equal(t, n1, n2, "%s: instructions run", sc.Name)
	}
}
