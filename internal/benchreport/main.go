// Command benchreport regenerates BENCHMARKS.md: instruction counts, path
// lengths, kernel-cache coverage, compile time and memory of secc's filters
// for the corpus profiles, next to libseccomp's for the same profiles and
// next to the lower bound (issue 4). `make bench` runs it as
//
//	go run -tags libseccomp ./internal/benchreport -o BENCHMARKS.md
//
// Without the libseccomp tag (no cgo), libseccomp's rows say so instead.
// Everything but the timings, the memory and the machine section is
// deterministic, so a diff of BENCHMARKS.md shows what a change did.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/decide"
)

// defaultLevel is what `secc compile` uses without --optimize.
const defaultLevel = compiler.OptimizeSpeed

// options say what generate measures.
type options struct {
	corpus      string   // directory of the profiles
	inputs      []string // file names in corpus
	weightsPath string   // workload mix ("count name" lines)
	runs        int      // timed runs per compile-time figure; 0: no timings
	moduleRoot  string   // for building cmd/secc; "" skips memory
	args        []string // the command line, for the report
}

func main() {
	out := flag.String("o", "-", "output file (- for standard output)")
	corpus := flag.String("corpus", "", "corpus directory (default: ../shared/corpus next to the module)")
	wl := flag.String("weights", "", "workload mix (default: ../shared/workloads/all.txt next to the module)")
	runs := flag.Int("runs", 21, "timed compiles per compile-time figure (the median is reported)")
	noMem := flag.Bool("no-memory", false, "skip the peak-memory measurement (it builds cmd/secc)")
	child := flag.String("child-compile", "", "internal: compile this policy once and exit (memory probe)")
	childCfg := flag.String("child-config", "", "internal: the configuration for -child-compile")
	flag.Parse()
	if *child != "" {
		if err := childCompile(*child, *childCfg); err != nil {
			fmt.Fprintln(os.Stderr, "benchreport:", err)
			os.Exit(1)
		}
		return
	}
	root, err := moduleRoot()
	if err != nil {
		fatal(err)
	}
	o := options{
		corpus:      *corpus,
		inputs:      inputNames,
		weightsPath: *wl,
		runs:        *runs,
		moduleRoot:  root,
		args:        os.Args[1:],
	}
	if o.corpus == "" {
		o.corpus = filepath.Join(root, "..", "shared", "corpus")
	}
	if o.weightsPath == "" {
		o.weightsPath = filepath.Join(root, "..", "shared", "workloads", "all.txt")
	}
	if *noMem {
		o.moduleRoot = ""
	}
	r, err := generate(o, os.Stderr)
	if err != nil {
		fatal(err)
	}
	var buf bytes.Buffer
	r.markdown(&buf)
	if *out == "-" {
		os.Stdout.Write(buf.Bytes())
		return
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchreport:", err)
	os.Exit(1)
}

// moduleRoot is the directory of go.mod, found by the go command so that
// the report can run from any directory of the module.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the secc module")
	}
	return filepath.Dir(mod), nil
}

// report is everything measured, ready to print.
type report struct {
	opts     options
	machine  machineInfo
	weights  weights
	sections []*section
	memNote  string // why memory is missing, if it is
	stages   *stageTimes
	elapsed  time.Duration
}

// section is one input policy.
type section struct {
	in     *input
	err    error // the input could not be read or lowered at all
	groups []*group
}

// group is one policy for one ABI set: the rows of one table.
type group struct {
	cfg      config
	rows     []*row
	decision *decide.Decision // secc's, the meaning all rows are judged by
	bound    *bound
	// lowerTime is decoding and lowering a JSON profile alone, the part of
	// every compile time that is the converter's rather than the compiler's.
	lowerTime time.Duration
	err       error
}

// row is one compiler at one setting.
type row struct {
	label   string
	kind    rowKind
	m       *metrics
	err     error
	timeOff time.Duration // compile time, verify off (libseccomp: build)
	timeOn  time.Duration // verify on; 0 where it does not apply
	peakKB  int64
	peakHow string
}

type rowKind int

const (
	rowSecc rowKind = iota
	rowLibseccomp
)

// seccRows are secc's settings in report order; the default is marked so
// the targets and the memory column use it.
var seccRows = []struct {
	label    string
	level    compiler.Level
	weighted bool
	isDef    bool
}{
	{"secc `--optimize none`", compiler.OptimizeNone, false, false},
	{"secc `--optimize size`", compiler.OptimizeSize, false, false},
	{"secc `--optimize speed` (default)", compiler.OptimizeSpeed, false, true},
	{"secc `--optimize mean` (longest path unbounded)", compiler.OptimizeMean, false, false},
	{"secc `speed` + workload weights", compiler.OptimizeSpeed, true, false},
}

// generate measures everything; progress goes to log.
func generate(o options, log io.Writer) (*report, error) {
	start := time.Now()
	r := &report{opts: o, machine: readMachine()}
	w, err := readWeights(o.weightsPath)
	if err != nil {
		return nil, err
	}
	r.weights = w
	ins, err := loadInputs(o.corpus, o.inputs)
	if err != nil {
		return nil, err
	}
	var probe *memProbe
	if o.moduleRoot != "" {
		fmt.Fprintln(log, "building cmd/secc for the memory probe")
		probe, err = newMemProbe(o.moduleRoot)
		if err != nil {
			return nil, err
		}
		defer probe.close()
		if probe.buildErr != nil {
			r.memNote = probe.buildErr.Error()
		}
	} else {
		r.memNote = "not measured (-no-memory)"
	}
	for _, in := range ins {
		s := &section{in: in}
		r.sections = append(r.sections, s)
		for _, cfg := range configs {
			fmt.Fprintf(log, "%s, %s\n", in.name, cfg.name)
			s.groups = append(s.groups, measureGroup(in, cfg, w, o.runs, probe))
		}
	}
	for _, in := range ins {
		if !in.json {
			fmt.Fprintln(log, "front end and verification stages")
			r.stages = measureStages(in, o.runs)
		}
	}
	r.elapsed = time.Since(start)
	return r, nil
}

func measureGroup(in *input, cfg config, w weights, runs int, probe *memProbe) *group {
	g := &group{cfg: cfg}
	// The default compile gives the decision every row is judged by.
	ref, err := in.compileSecc(cfg, seccOpts{level: defaultLevel, verify: true})
	if err != nil {
		g.err = err
		return g
	}
	g.decision = ref.Decision
	// The pull-out search takes seconds: it is run for the targets' table.
	b := lowerBound(ref.Decision, cfg, w, in.name == targetProfile && cfg.name == "x86_64 native")
	g.bound = &b
	if in.json && runs > 0 {
		g.lowerTime, _ = timeMedian(runs, func() error { _, err := in.lower(cfg); return err })
	}
	for _, sr := range seccRows {
		rw := &row{label: sr.label, kind: rowSecc}
		g.rows = append(g.rows, rw)
		so := seccOpts{level: sr.level, verify: true}
		if sr.weighted {
			so.weights = w
		}
		res, err := in.compileSecc(cfg, so)
		if err != nil {
			rw.err = err
			continue
		}
		rw.m, rw.err = measure(res.Program.Insns, res.Decision, cfg, w)
		if runs > 0 {
			off := so
			off.verify = false
			rw.timeOff, _ = timeMedian(runs, func() error { _, err := in.compileSecc(cfg, off); return err })
			rw.timeOn, _ = timeMedian(runs, func() error { _, err := in.compileSecc(cfg, so); return err })
		}
		if sr.isDef && probe != nil {
			rw.peakKB, rw.peakHow, err = probe.peak(in, cfg)
			if err != nil {
				rw.peakHow = "failed: " + firstLine(err.Error())
			}
		}
	}
	for _, lvl := range []int{1, 2} {
		rw := &row{label: fmt.Sprintf("libseccomp %s opt %d", libseccompVersion(), lvl), kind: rowLibseccomp}
		if !libseccompBuiltIn {
			rw.label = fmt.Sprintf("libseccomp opt %d", lvl)
		}
		g.rows = append(g.rows, rw)
		prog, err := in.compileLibseccomp(cfg, lvl)
		if err != nil {
			rw.err = err
			continue
		}
		rw.m, rw.err = measure(prog, g.decision, cfg, w)
		if runs > 0 {
			rw.timeOff, _ = timeMedian(runs, func() error { _, err := in.compileLibseccomp(cfg, lvl); return err })
		}
	}
	return g
}
