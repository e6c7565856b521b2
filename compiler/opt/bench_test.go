package opt_test

import (
	"os"
	"sort"
	"testing"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/decide"
	"github.com/secc-lang/secc/compiler/opt"
	"github.com/secc-lang/secc/internal/kver"
)

// BenchmarkOptimalMoby times the search alone on Docker's x86_64
// intervals, weighed as the compiler weighs them without --weights.
func BenchmarkOptimalMoby(b *testing.B) {
	ivs, weights, costs := mobyIntervals(b)
	for _, goal := range []struct {
		name string
		goal opt.Goal
	}{{"speed", opt.Speed}, {"mean", opt.Mean}, {"size", opt.Size}} {
		b.Run(goal.name, func(b *testing.B) {
			for b.Loop() {
				opt.Optimal(ivs, weights, costs, goal.goal)
			}
		})
	}
}

// mobyIntervals are Docker's x86_64 intervals with the compiler's weights
// and costs.
func mobyIntervals(b testing.TB) ([]decide.Interval, []float64, []opt.Cost) {
	data, err := os.ReadFile("../../../shared/corpus/moby-default.json")
	if err != nil {
		b.Skip("corpus not available:", err)
	}
	res, _, _, err := compiler.CompileProfile(compiler.Profile{Name: "moby-default.json", Data: data},
		compiler.Options{Target: abi.TargetX86_64, ABIs: []*abi.ABI{abi.X86_64}, Kernel: kver.MustParse("6.18"), NoVerify: true})
	if err != nil {
		b.Fatal(err)
	}
	ivs := res.Decision.Reshape(false).Arches[0].Intervals
	weights := make([]float64, len(ivs))
	for _, sc := range abi.X86_64.Syscalls() {
		weights[sort.Search(len(ivs), func(i int) bool { return ivs[i].Hi >= sc.Nr })]++
	}
	var zero [6]uint64
	costs := make([]opt.Cost, len(ivs))
	for i, iv := range ivs {
		costs[i] = opt.Cost{Common: iv.Node.Steps(&zero), Worst: iv.Node.MaxSteps()}
	}
	return ivs, weights, costs
}
