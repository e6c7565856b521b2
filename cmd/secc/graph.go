package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/secc-lang/secc/analysis"
)

func init() {
	register("graph", "draw a filter's decision structure as a Graphviz graph", cmdGraph)
}

func cmdGraph(args []string) int {
	fs := newFlags("graph", "secc graph [flags] POLICY.sec|PROFILE.json|FILTER.bpf [-o OUT.dot]",
		"secc graph policy.sec | dot -Tpng -o policy.png")
	var pf policyFlags
	pf.register(fs)
	var format, out string
	fs.StringVar(&format, "format", "dot", "output: dot")
	fs.StringVar(&out, "o", "", "output file (default: standard output)")
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || format != "dot" {
		fs.Usage()
		return exitUsage
	}
	in, code := loadAnalysisInput("graph", pos[0], &pf)
	if in == nil {
		return code
	}
	var b bytes.Buffer
	if err := analysis.WriteDot(&b, in); err != nil {
		fmt.Fprintf(os.Stderr, "secc graph: %v\n", err)
		return exitInternal
	}
	if err := writeOutput(out, b.Bytes(), false); err != nil {
		fmt.Fprintf(os.Stderr, "secc graph: %v\n", err)
		return exitInput
	}
	return exitOK
}
