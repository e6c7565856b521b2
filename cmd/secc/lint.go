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
	return runReport("lint", "secc lint [flags] POLICY.sec|PROFILE.json",
		"secc lint --arch x86_64 --abi x86_64,x86 policy.sec", args,
		func(path string, in *analysis.Input) (*analysis.Report, int) {
			if in.Kind == analysis.KindRaw {
				fmt.Fprintf(os.Stderr, "secc lint: %s is a raw filter; lint reads policies and profiles (use secc audit)\n", path)
				return nil, exitUsage
			}
			return analysis.Lint(in), exitOK
		})
}
