package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/secc-lang/secc/analysis"
	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
)

func init() {
	register("explain", "show what a policy, profile or raw filter decides for every system call", cmdExplain)
}

// loadAnalysisInput loads any input for the analysis verbs (a policy, a
// JSON profile or a raw filter), printing problems; it returns the exit
// code when loading fails.
func loadAnalysisInput(verb, path string, pf *policyFlags) (*analysis.Input, int) {
	opts, src, err := pf.options()
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc %s: %v\n", verb, err)
		return nil, exitUsage
	}
	in, err := analysis.Load(path, analysis.LoadOptions{Compiler: opts, Source: src, EnosysUnknown: pf.enosysUnknown})
	if err != nil {
		var ie *compiler.InternalError
		if errors.As(err, &ie) {
			fmt.Fprintf(os.Stderr, "secc %s: %v\n", verb, err)
			return nil, exitInternal
		}
		if in != nil && analysis.IsPolicyError(err) {
			return nil, reportError(in.Sources, err)
		}
		fmt.Fprintf(os.Stderr, "secc %s: %v\n", verb, err)
		return nil, exitInput
	}
	if len(in.Diags) > 0 && pf.verbose {
		printDiags(in.Sources, in.Diags)
	}
	return in, exitOK
}

// describeShownABIs rewords --abi for the analysis verbs, where it picks
// the ABIs shown: a policy is also compiled for them, but a JSON profile's
// filter accepts what its archMap gives, as the engines load it.
func describeShownABIs(fs *flag.FlagSet) {
	fs.Lookup("abi").Usage = "ABIs to show, comma-separated (x86_64,x86,x32 / aarch64,arm), or all; a policy is compiled for them, " +
		"a JSON profile for its own ABIs; default: the ABIs the filter accepts"
}

// shownABIs is the --abi list, which for the analysis verbs also selects
// what is shown.
func shownABIs(pf *policyFlags) ([]*abi.ABI, error) {
	if pf.abis == "" {
		return nil, nil
	}
	if pf.abis == "all" {
		return abi.All, nil
	}
	var out []*abi.ABI
	for _, n := range strings.Split(pf.abis, ",") {
		a, ok := abi.Lookup(strings.TrimSpace(n))
		if !ok {
			return nil, fmt.Errorf("unknown ABI %q", n)
		}
		out = append(out, a)
	}
	return out, nil
}

func cmdExplain(args []string) int {
	fs := newFlags("explain", "secc explain [flags] POLICY.sec|PROFILE.json|FILTER.bpf",
		"secc explain --only args --abi x86_64 docker.json")
	var pf policyFlags
	pf.register(fs)
	describeShownABIs(fs)
	var format, only string
	fs.StringVar(&format, "format", "text", "output: text or json")
	fs.StringVar(&only, "only", "", "show only denied, allowed or args (argument-dependent) system calls")
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || (format != "text" && format != "json") ||
		(only != "" && only != "denied" && only != "allowed" && only != "args") {
		fs.Usage()
		return exitUsage
	}
	abis, err := shownABIs(&pf)
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc explain: %v\n", err)
		return exitUsage
	}
	in, code := loadAnalysisInput("explain", pos[0], &pf)
	if in == nil {
		return code
	}
	ex := analysis.Explain(in, analysis.ExplainOptions{ABIs: abis, Only: only, Host: compiler.HostTarget().Native})
	if format == "json" {
		err = ex.WriteJSON(os.Stdout)
	} else {
		err = ex.WriteText(os.Stdout)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc explain: %v\n", err)
		return exitInput
	}
	return exitOK
}
