package main

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/decide"
)

const sharedDir = "../../../shared"

// TestReportEasyseccomp generates the report for easyseccomp's policy
// (no timings, no memory: those need a quiet machine) and checks that its
// numbers hang together.
func TestReportEasyseccomp(t *testing.T) {
	corpus := filepath.Join(sharedDir, "corpus")
	if _, err := os.Stat(filepath.Join(corpus, "easyseccomp-default.sec")); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	r, err := generate(options{
		corpus:      corpus,
		inputs:      []string{"easyseccomp-default.sec"},
		weightsPath: filepath.Join(sharedDir, "workloads", "all.txt"),
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.sections) != 1 || len(r.sections[0].groups) != len(configs) {
		t.Fatalf("want 1 section of %d groups", len(configs))
	}
	const eps = 1e-9
	for _, g := range r.sections[0].groups {
		if g.err != nil {
			t.Fatalf("%s: %v", g.cfg.name, g.err)
		}
		b := g.bound
		if b.floorUniform > b.optUniform+eps || b.floorWeighted > b.optWeighted+eps {
			t.Errorf("%s: floor above the JGE-tree reference: %+v", g.cfg.name, *b)
		}
		for _, a := range b.arches {
			if a.intervals < 1 || a.decisions < 1 || a.decisions > a.intervals || 1<<a.log2 < a.intervals {
				t.Errorf("%s: bad arch bound %+v", g.cfg.name, a)
			}
		}
		for _, rw := range g.rows {
			if rw.kind == rowLibseccomp {
				if rw.err != errNoProfile {
					t.Errorf("%s %s: want the no-profile error for a .sec input, got %v", g.cfg.name, rw.label, rw.err)
				}
				continue
			}
			if rw.err != nil {
				t.Errorf("%s %s: %v", g.cfg.name, rw.label, rw.err)
				continue
			}
			m := rw.m
			name := g.cfg.name + " " + rw.label
			if m.insns <= 0 || m.calls <= 0 {
				t.Errorf("%s: empty measurement %+v", name, *m)
			}
			if m.meanPath > float64(m.maxPath)+eps || m.meanWeighted > float64(m.maxPath)+eps {
				t.Errorf("%s: a mean above the max: %+v", name, *m)
			}
			if m.maxArgs < m.maxPath {
				t.Errorf("%s: max over arguments %d below max at zero %d", name, m.maxArgs, m.maxPath)
			}
			if m.meanEffective > m.meanWeighted+eps || m.meanEffective < 0 {
				t.Errorf("%s: effective mean %.3f outside [0, weighted %.3f]", name, m.meanEffective, m.meanWeighted)
			}
			if s := m.cacheShare(); s < 0 || s > 1 || m.cacheable > m.constAllow {
				t.Errorf("%s: cacheable %d of %d", name, m.cacheable, m.constAllow)
			}
			if m.weightCover <= 0 || m.weightCover > 1+eps {
				t.Errorf("%s: workload coverage %v", name, m.weightCover)
			}
			// secc's filters mean their policy, and the bound is a bound.
			if m.disagree != 0 {
				t.Errorf("%s: disagrees with its own decision on %d calls: %v", name, m.disagree, m.disagreeNames)
			}
			if m.meanPath+eps < b.floorUniform || m.meanWeighted+eps < b.floorWeighted {
				t.Errorf("%s: mean below the lower bound: %.3f < %.3f or %.3f < %.3f", name,
					m.meanPath, b.floorUniform, m.meanWeighted, b.floorWeighted)
			}
			if m.maxPath < fixedCost {
				t.Errorf("%s: max path %d below the fixed cost", name, m.maxPath)
			}
		}
	}
	var buf bytes.Buffer
	r.markdown(&buf)
	md := buf.String()
	for _, want := range []string{"# Benchmarks", "## Machine", "## Targets", "### easyseccomp-default.sec, x86_64 native",
		"### easyseccomp-default.sec, aarch64+arm", "lower bound (any binary tests)", "| preprocess + parse |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Docker's profile was not measured, so the targets must say so rather
	// than pass or fail.
	targets := md[strings.Index(md, "## Targets"):]
	if i := strings.Index(targets, "## Front end"); i >= 0 {
		targets = targets[:i]
	}
	if strings.Contains(targets, "✅") || strings.Contains(targets, "❌") {
		t.Errorf("targets judged without moby-default.json:\n%s", md)
	}
}

// alphabeticCost's Knuth speed-up must give what the plain cubic
// recurrence gives.
func TestAlphabeticCostMatchesCubic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 40; n++ {
		for trial := 0; trial < 5; trial++ {
			w := make([]float64, n)
			for i := range w {
				if rng.IntN(3) > 0 { // zero weights occur: most intervals are never called
					w[i] = float64(rng.IntN(1000))
				}
			}
			got, want := alphabeticCost(w), cubicAlphabetic(w)
			if math.Abs(got-want) > 1e-6 {
				t.Fatalf("n=%d w=%v: Knuth %v, cubic %v", n, w, got, want)
			}
			if h := huffmanCost(w); h > got+1e-6 {
				t.Fatalf("n=%d: Huffman %v above alphabetic %v", n, h, got)
			}
		}
	}
}

func cubicAlphabetic(w []float64) float64 {
	n := len(w)
	c := make([][]float64, n)
	for i := range c {
		c[i] = make([]float64, n)
	}
	for l := 2; l <= n; l++ {
		for i := 0; i+l-1 < n; i++ {
			j := i + l - 1
			sum := 0.0
			for k := i; k <= j; k++ {
				sum += w[k]
			}
			best := math.Inf(1)
			for k := i; k < j; k++ {
				best = min(best, c[i][k]+c[k+1][j])
			}
			c[i][j] = best + sum
		}
	}
	return c[0][n-1]
}

func TestHuffmanCost(t *testing.T) {
	// Leaves 1,1,2,4: merges 2, 4, 8 → 14 (depths 3,3,2,1).
	if got := huffmanCost([]float64{4, 1, 2, 1}); got != 14 {
		t.Errorf("huffmanCost = %v, want 14", got)
	}
	if got := huffmanCost([]float64{7}); got != 0 {
		t.Errorf("one leaf costs %v, want 0", got)
	}
}

func TestReadWeights(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "w.txt")
	os.WriteFile(p, []byte("# header\n10 read\n\n5 write\n2 read\n"), 0o644)
	w, err := readWeights(p)
	if err != nil {
		t.Fatal(err)
	}
	if w["read"] != 12 || w["write"] != 5 || len(w) != 2 {
		t.Errorf("got %v", w)
	}
	os.WriteFile(p, []byte("read 10\n"), 0o644)
	if _, err := readWeights(p); err == nil {
		t.Error("a name before its count was accepted")
	}
}

// pullOutCost must agree with the plain alphabetic tree when nothing may
// be pulled out, and with an exhaustive search over every tree of JGE
// splits and JEQ pull-outs (any number outstanding) when enough may.
func TestPullOutCost(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	b := decide.NewBuilder()
	leaves := []*decide.Node{b.Leaf(1), b.Leaf(2), b.Leaf(3)}
	for trial := 0; trial < 400; trial++ {
		n := 1 + rng.IntN(7)
		ivs := make([]decide.Interval, n)
		w := make([]float64, n)
		lo := uint32(0)
		for i := range ivs {
			node := leaves[rng.IntN(len(leaves))]
			for i > 0 && node == ivs[i-1].Node {
				node = leaves[rng.IntN(len(leaves))]
			}
			width := uint32(1)
			if rng.IntN(2) == 0 {
				width = 2 + rng.Uint32N(3)
			}
			ivs[i] = decide.Interval{Lo: lo, Hi: lo + width - 1, Node: node}
			lo += width
			w[i] = float64(rng.IntN(5))
		}
		require.InDelta(t, alphabeticCost(w), pullOutCost(ivs, w, 0), 1e-9, "trial %d", trial)
		want := exhaustive(ivs, w, 1<<n-1, map[int]float64{})
		require.InDelta(t, want, pullOutCost(ivs, w, maxPullOut), 1e-9, "trial %d: %v %v", trial, ivs, w)
	}
}

// exhaustive is the least cost of the intervals in mask over every tree of
// JGE splits between them and JEQs on their single numbers.
func exhaustive(ivs []decide.Interval, w []float64, mask int, memo map[int]float64) float64 {
	if v, ok := memo[mask]; ok {
		return v
	}
	var present []int
	var node *decide.Node
	one := true
	weight := 0.0
	for i := range ivs {
		if mask>>i&1 == 1 {
			present = append(present, i)
			weight += w[i]
			if node != nil && ivs[i].Node != node {
				one = false
			}
			node = ivs[i].Node
		}
	}
	if one {
		return 0
	}
	best := math.Inf(1)
	for _, at := range present[1:] {
		left := mask & (1<<at - 1)
		best = min(best, exhaustive(ivs, w, left, memo)+exhaustive(ivs, w, mask&^left, memo))
	}
	for _, x := range present {
		if ivs[x].Lo == ivs[x].Hi {
			best = min(best, exhaustive(ivs, w, mask&^(1<<x), memo))
		}
	}
	memo[mask] = best + weight
	return best + weight
}
