package main

import (
	"fmt"
	"os"

	"github.com/secc-lang/secc/analysis"
)

func init() {
	register("diff", "show the system calls and arguments two filters decide differently", cmdDiff)
}

// cmdDiff exits 0 when the two inputs decide every call alike, 1 when they
// differ, 2 on usage errors and 3 on internal errors.
func cmdDiff(args []string) int {
	fs := newFlags("diff", "secc diff [flags] A B   (each a POLICY.sec, PROFILE.json or FILTER.bpf)",
		"secc diff old.sec new.sec")
	var pf policyFlags
	pf.register(fs)
	describeShownABIs(fs)
	var format string
	fs.StringVar(&format, "format", "text", "output: text or json")
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 || (format != "text" && format != "json") {
		fs.Usage()
		return exitUsage
	}
	abis, err := shownABIs(&pf)
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc diff: %v\n", err)
		return exitUsage
	}
	a, code := loadAnalysisInput("diff", pos[0], &pf)
	if a == nil {
		return diffLoadCode(code)
	}
	b, code := loadAnalysisInput("diff", pos[1], &pf)
	if b == nil {
		return diffLoadCode(code)
	}
	res := analysis.Diff(a, b, abis)
	if format == "json" {
		err = res.WriteJSON(os.Stdout)
	} else {
		err = res.WriteText(os.Stdout)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc diff: %v\n", err)
		return exitInternal
	}
	if res.Same() {
		return exitOK
	}
	return exitInput
}

// diffLoadCode keeps exit 1 meaning "they differ": an input that cannot
// be read is reported as a usage problem.
func diffLoadCode(code int) int {
	if code == exitInput {
		return exitUsage
	}
	return code
}
