package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/converter"
	"github.com/secc-lang/secc/internal/caps"
	"github.com/secc-lang/secc/internal/kver"
)

// kernel is the target kernel of every row: the one the development
// machines and the workload recordings run, and the one the targets in
// issue 4 were set for. It matters for includes.minKernel in the JSON
// profiles, KERNEL in .sec files, and the constant-action cache (≥ 5.11).
var kernel = kver.Version{Major: 6, Minor: 18}

// input is one policy the report measures.
type input struct {
	name string // file name as shown in the report
	path string
	text []byte
	json bool
}

// config is one set of accepted ABIs: a column group of the report.
type config struct {
	name   string
	target *abi.Target
	abis   []*abi.ABI
}

// configs are the four ABI sets issue 4 asks for: each target's native ABI
// alone, and with its compat ABIs (what Docker's archMap gives a host).
var configs = []config{
	{"x86_64 native", abi.TargetX86_64, []*abi.ABI{abi.X86_64}},
	{"x86_64+x86+x32", abi.TargetX86_64, []*abi.ABI{abi.X86_64, abi.X86, abi.X32}},
	{"aarch64 native", abi.TargetAarch64, []*abi.ABI{abi.Aarch64}},
	{"aarch64+arm", abi.TargetAarch64, []*abi.ABI{abi.Aarch64, abi.ARM}},
}

// inputNames are the corpus files, in report order.
var inputNames = []string{"moby-default.json", "containers-default.json", "easyseccomp-default.sec"}

func loadInputs(dir string, names []string) ([]*input, error) {
	var out []*input
	for _, n := range names {
		p := filepath.Join(dir, n)
		text, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, &input{name: n, path: p, text: text, json: strings.HasSuffix(n, ".json")})
	}
	return out, nil
}

// seccOpts are the compiler settings of one secc row.
type seccOpts struct {
	level   compiler.Level
	weights map[string]float64 // nil: the default (no weights)
	verify  bool
}

// lower decodes a JSON profile and resolves it for the configuration's
// target with Docker's capabilities, as an engine would on that host.
func (in *input) lower(cfg config) (*converter.Lowered, error) {
	p, err := converter.Decode(in.name, in.text)
	if err != nil {
		return nil, err
	}
	// The report fixes the ABIs per row rather than taking the profile's
	// archMap, so that native-only and multi-ABI filters are compared; as
	// `secc compile --abi`, it lowers only those.
	l, ds := p.Lower(converter.Host{Target: cfg.target, Caps: caps.Docker, Kernel: kernel, ABIs: cfg.abis})
	if ds.HasErrors() {
		return nil, ds
	}
	if l == nil {
		return nil, fmt.Errorf("%s: the converter returned nothing", in.name)
	}
	return l, nil
}

// compileSecc runs the whole in-process path from the file's bytes to a
// verified (or not) BPF program: decoding, lowering and compiling for a
// JSON profile; preprocessing, parsing and compiling for a .sec file. This
// is what the compile-time columns time.
func (in *input) compileSecc(cfg config, o seccOpts) (*compiler.Result, error) {
	opts := compiler.Options{
		Target:   cfg.target,
		ABIs:     cfg.abis,
		Kernel:   kernel,
		NoVerify: !o.verify,
		Optimize: o.level,
		Weights:  o.weights,
	}
	if !in.json {
		res, _, err := compiler.CompileSource(compiler.Source{Name: in.name, Text: in.text, Caps: caps.Docker}, opts)
		return res, err
	}
	l, err := in.lower(cfg)
	if err != nil {
		return nil, err
	}
	bad := l.BadABIAction
	opts.BadABIAction = &bad
	return compiler.Compile(l.File, opts)
}

// compileLibseccomp builds the filter libseccomp 2.5.4 makes for the same
// lowered profile, as runc would hand it over.
func (in *input) compileLibseccomp(cfg config, level int) ([]xbpf.RawInstruction, error) {
	if !in.json {
		return nil, errNoProfile
	}
	l, err := in.lower(cfg)
	if err != nil {
		return nil, err
	}
	return libseccompBuild(l, level)
}

var errNoProfile = fmt.Errorf("no JSON profile: libseccomp has no input language of its own")
