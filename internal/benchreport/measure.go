package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/decide"
)

// metrics are what the report says about one filter. Path lengths are
// instructions the interpreter executed (bpf.Run's steps), RET included.
type metrics struct {
	insns int
	calls int // (ABI, system call) pairs measured

	maxPath  int     // over all calls, arguments zero
	meanPath float64 // uniform over all calls, arguments zero

	// nativeMax and nativeMean are the same over the native ABI's calls
	// only: with compat ABIs, what the usual call pays.
	nativeMax  int
	nativeMean float64

	// maxArgs is the longest path over the argument boundary values of the
	// calls whose decision depends on arguments (and zero arguments for the
	// others); argsSampled says the cross product was too big somewhere and
	// each word was varied alone there.
	maxArgs     int
	argsSampled bool

	// meanWeighted weighs the native ABI's calls by the workload mix;
	// meanEffective is the same but counts a call the kernel's cache
	// answers as 0 instructions, since the filter never runs for it: the
	// mean cost per system call the workload actually pays.
	meanWeighted, meanEffective float64
	weightCover                 float64 // share of the mix's weight named on the native ABI

	constAllow, cacheable int // over ABIs the kernel caches (not x32)

	// disagree counts calls (arguments zero) where the filter's action is
	// not secc's decision for the same policy: 0 for secc (verify proves
	// more), and a sanity check of libseccomp's rows; disagreeNames are
	// the first few, native ABI first.
	disagree      int
	disagreeNames []string
}

// maxNames bounds the names a disagreement note lists.
const maxNames = 10

func (m *metrics) cacheShare() float64 {
	if m.constAllow == 0 {
		return 1
	}
	return float64(m.cacheable) / float64(m.constAllow)
}

// weights maps system call names to how often a workload makes them.
type weights map[string]float64

// readWeights reads "count name" lines (the format of ../shared/workloads);
// '#' starts a comment line.
func readWeights(path string) (weights, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	w := weights{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		f := strings.Fields(t)
		if len(f) != 2 {
			return nil, fmt.Errorf("%s:%d: want \"count name\"", path, line)
		}
		c, err := strconv.ParseFloat(f[0], 64)
		if err != nil || c < 0 {
			return nil, fmt.Errorf("%s:%d: bad count %q", path, line, f[0])
		}
		w[f[1]] += c
	}
	return w, sc.Err()
}

// maxCross bounds the argument combinations tried for one system call;
// beyond it each word is varied alone (the others zero).
const maxCross = 1 << 14

// measure runs prog on every system call of every ABI of cfg. d is secc's
// decision for the same policy and ABIs: it says which calls are constant
// ALLOWs and which depend on arguments, whichever compiler made prog.
func measure(prog []xbpf.RawInstruction, d *decide.Decision, cfg config, w weights) (*metrics, error) {
	m := &metrics{insns: len(prog)}
	native := cfg.target.Native
	nativeSteps := map[uint32]int{}
	var zero [6]uint64
	sum, nativeSum := 0, 0
	for _, a := range cfg.abis {
		for _, sc := range a.Syscalls() {
			data := bpf.SeccompData{Nr: int32(sc.Nr), Arch: a.AuditArch}
			ret, steps, err := bpf.Run(prog, &data)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", a.Name, sc.Name, err)
			}
			m.calls++
			sum += steps
			m.maxPath = max(m.maxPath, steps)
			m.maxArgs = max(m.maxArgs, steps)
			agrees := ret == d.Eval(a.AuditArch, sc.Nr, &zero)
			if !agrees {
				m.disagree++
				if len(m.disagreeNames) < maxNames {
					m.disagreeNames = append(m.disagreeNames, a.Name+":"+sc.Name)
				}
			}
			if a == native {
				nativeSteps[sc.Nr] = steps
				nativeSum += steps
				m.nativeMax = max(m.nativeMax, steps)
			}
			node := d.Lookup(a.AuditArch, sc.Nr)
			if node == nil {
				continue
			}
			if !node.Leaf {
				mx, sampled, err := maxOverArgs(prog, &data, node)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", a.Name, sc.Name, err)
				}
				m.maxArgs = max(m.maxArgs, mx)
				m.argsSampled = m.argsSampled || sampled
			}
			// The kernel builds its cache for the native and the compat
			// arch only; x32 calls always run the filter. A call the filter
			// does not allow at all (libseccomp not knowing it) is not a
			// constant ALLOW of that filter, so it is left out too.
			if a != abi.X32 && node.Leaf && node.Action == bpf.RetAllow && agrees {
				m.constAllow++
				if bpf.CacheableAllow(prog, a.AuditArch, sc.Nr) {
					m.cacheable++
				}
			}
		}
	}
	if m.calls > 0 {
		m.meanPath = float64(sum) / float64(m.calls)
	}
	if len(nativeSteps) > 0 {
		m.nativeMean = float64(nativeSum) / float64(len(nativeSteps))
	}
	var total, named, ws, eff float64
	for _, name := range sortedKeys(w) {
		c := w[name]
		total += c
		nr, ok := native.Nr(name)
		if !ok {
			continue
		}
		named += c
		s := float64(nativeSteps[nr])
		ws += c * s
		if !bpf.CacheableAllow(prog, native.AuditArch, nr) {
			eff += c * s
		}
	}
	if named > 0 {
		m.meanWeighted, m.meanEffective = ws/named, eff/named
	}
	if total > 0 {
		m.weightCover = named / total
	}
	return m, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// wordCandidates are the values worth trying for each argument word a
// decision node tests: each constant K it is compared with, K±1 (the two
// sides of every cut), K with the bits outside a mask set, the lowest bit
// of a JSET mask and its complement, plus 0 and all ones. On each piece
// between cuts every filter for the policy takes the same branches, so
// these reach every path the policy's constants can tell apart.
func wordCandidates(n *decide.Node) (words []decide.Word, vals [][]uint32) {
	set := map[decide.Word]map[uint32]bool{}
	seen := map[*decide.Node]bool{}
	var walk func(n *decide.Node)
	walk = func(n *decide.Node) {
		if n.Leaf || seen[n] {
			return
		}
		seen[n] = true
		t := n.Test
		s := set[t.Word]
		if s == nil {
			s = map[uint32]bool{0: true, ^uint32(0): true}
			set[t.Word] = s
		}
		k := t.K
		s[k], s[k-1], s[k+1] = true, true, true
		switch t.Op {
		case decide.OpEQ, decide.OpGT:
			s[k|^t.Mask] = true
		case decide.OpSET:
			s[k&-k], s[^k] = true, true
		}
		walk(n.True)
		walk(n.False)
	}
	walk(n)
	for w := range set {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool { return words[i].Offset() < words[j].Offset() })
	for _, w := range words {
		var vs []uint32
		for v := range set[w] {
			vs = append(vs, v)
		}
		sort.Slice(vs, func(i, j int) bool { return vs[i] < vs[j] })
		vals = append(vals, vs)
	}
	return words, vals
}

func setWord(args *[6]uint64, w decide.Word, v uint32) {
	if w.Hi {
		args[w.Arg] = args[w.Arg]&0xffffffff | uint64(v)<<32
	} else {
		args[w.Arg] = args[w.Arg]&^0xffffffff | uint64(v)
	}
}

// maxOverArgs is the longest path of prog for the call in base over the
// boundary values of the words node tests.
func maxOverArgs(prog []xbpf.RawInstruction, base *bpf.SeccompData, node *decide.Node) (int, bool, error) {
	words, vals := wordCandidates(node)
	product := 1
	for _, vs := range vals {
		product *= len(vs)
		if product > maxCross {
			break
		}
	}
	best := 0
	run := func(d *bpf.SeccompData) error {
		_, steps, err := bpf.Run(prog, d)
		best = max(best, steps)
		return err
	}
	if product > maxCross {
		for i, w := range words {
			for _, v := range vals[i] {
				d := *base
				setWord(&d.Args, w, v)
				if err := run(&d); err != nil {
					return 0, true, err
				}
			}
		}
		return best, true, nil
	}
	d := *base
	var rec func(i int) error
	rec = func(i int) error {
		if i == len(words) {
			return run(&d)
		}
		for _, v := range vals[i] {
			setWord(&d.Args, words[i], v)
			if err := rec(i + 1); err != nil {
				return err
			}
		}
		return nil
	}
	return best, false, rec(0)
}
