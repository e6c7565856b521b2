package main

import (
	"fmt"
	"os"

	"github.com/secc-lang/secc/analysis"
)

func init() {
	register("lint", "find rules that never fire, bypassable argument checks and other policy mistakes", cmdLint)
}

// cmdLint exits 1 when it finds errors (or, with --strict, warnings).
func cmdLint(args []string) int {
	fs := newFlags("lint", "secc lint [flags] POLICY.sec|PROFILE.json",
		"secc lint --arch x86_64 --abi x86_64,x86 policy.sec")
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
	in, code := loadAnalysisInput("lint", pos[0], &pf)
	if in == nil {
		return code
	}
	if in.Kind == analysis.KindRaw {
		fmt.Fprintf(os.Stderr, "secc lint: %s is a raw filter; lint reads policies and profiles (use secc audit)\n", pos[0])
		return exitUsage
	}
	return writeReport("lint", analysis.Lint(in), format, strict)
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
