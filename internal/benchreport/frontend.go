package main

import (
	"time"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/verify"
	"github.com/secc-lang/secc/internal/caps"
)

// stageTimes are the timings of single stages on easyseccomp-default.sec,
// for the targets of issues 2 (preprocess + parse ≤ 250 µs) and 3
// (verification ≤ 5 ms).
type stageTimes struct {
	parse      time.Duration // preprocess + parse, x86_64 symbols
	verify     time.Duration // verify alone, x86_64 native
	verifyAll  time.Duration // verify alone, x86_64 + x86 + x32
	inputs     int           // inputs verify tries, native
	inputsAll  int
	sampledAll int
	err        error
}

func measureStages(in *input, runs int) *stageTimes {
	st := &stageTimes{}
	if runs <= 0 {
		runs = 1
	}
	src := compiler.Source{Name: in.name, Text: in.text, Caps: caps.Docker}
	opts := compiler.Options{Target: abi.TargetX86_64, Kernel: kernel}
	st.parse, st.err = timeMedian(runs, func() error {
		o := opts
		_, _, diags, err := compiler.Parse(src, &o)
		if err == nil {
			err = diags.Err()
		}
		return err
	})
	if st.err != nil {
		return st
	}
	for _, c := range []struct {
		abis   []*abi.ABI
		dur    *time.Duration
		inputs *int
	}{{[]*abi.ABI{abi.X86_64}, &st.verify, &st.inputs}, {abi.TargetX86_64.ABIs, &st.verifyAll, &st.inputsAll}} {
		o := opts
		o.ABIs, o.NoVerify = c.abis, true
		res, _, err := compiler.CompileSource(src, o)
		if err != nil {
			st.err = err
			return st
		}
		ref := &verify.Reference{Policies: res.Policies, BadABI: res.Decision.BadABI}
		var rep verify.Report
		*c.dur, st.err = timeMedian(runs, func() error {
			var err error
			rep, err = verify.Verify(res.Program.Insns, ref)
			return err
		})
		if st.err != nil {
			return st
		}
		*c.inputs = rep.Inputs
		if len(c.abis) > 1 {
			st.sampledAll = rep.SampledCalls
		}
	}
	return st
}

func (r *report) stagesSection(p printer) {
	st := r.stages
	if st == nil {
		return
	}
	p("## Front end and verification (easyseccomp-default.sec, x86_64)\n\n")
	if st.err != nil {
		p("Not measured: %s\n\n", oneLine(st.err))
		return
	}
	mark := func(ok bool) string {
		if ok {
			return "✅"
		}
		return "❌"
	}
	p("| stage | time (median) | target | |\n|---|--:|--:|---|\n")
	p("| preprocess + parse | %.0f µs | ≤ 250 µs | %s |\n", float64(st.parse.Nanoseconds())/1e3, mark(st.parse <= 250*time.Microsecond))
	p("| verify, x86_64 native (%d inputs) | %.2f ms | ≤ 5 ms | %s |\n", st.inputs, float64(st.verify.Nanoseconds())/1e6, mark(st.verify <= 5*time.Millisecond))
	p("| verify, x86_64 + x86 + x32 (%d inputs, %d calls sampled) | %.2f ms | – | |\n\n", st.inputsAll, st.sampledAll, float64(st.verifyAll.Nanoseconds())/1e6)
}
