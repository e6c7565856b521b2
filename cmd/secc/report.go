package main

import (
	"fmt"
	"os"

	"github.com/secc-lang/secc/analysis"
)

// runReport is a verb that reads one policy, profile or filter and prints
// the findings check makes of it: lint and audit. They take the same flags
// (the policy flags, --format, --strict) and exit alike: 1 when there are
// errors, or with --strict warnings too. check returns nil and an exit code
// to refuse the input instead.
func runReport(verb, usageLine, example string, args []string, check func(path string, in *analysis.Input) (*analysis.Report, int)) int {
	fs := newFlags(verb, usageLine, example)
	var pf policyFlags
	pf.register(fs)
	var format string
	var strict bool
	fs.StringVar(&format, "format", "text", "output: text or json")
	fs.BoolVar(&strict, "strict", false, "exit 1 on warnings too")
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || (format != "text" && format != "json") {
		fs.Usage()
		return exitUsage
	}
	in, code := loadAnalysisInput(verb, pos[0], &pf)
	if in == nil {
		return code
	}
	rep, code := check(pos[0], in)
	if rep == nil {
		return code
	}
	return writeReport(verb, rep, format, strict)
}

// writeReport prints a lint or audit report and returns the exit code.
func writeReport(verb string, rep *analysis.Report, format string, strict bool) int {
	var err error
	if format == "json" {
		err = rep.WriteJSON(os.Stdout)
	} else {
		err = rep.WriteText(os.Stdout)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc %s: %v\n", verb, err)
		return exitInternal
	}
	if rep.Count(analysis.SevError) > 0 || strict && rep.Count(analysis.SevWarning) > 0 {
		return exitInput
	}
	return exitOK
}
