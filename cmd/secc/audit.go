package main

import (
	"github.com/secc-lang/secc/analysis"
)

func init() {
	register("audit", "check a filter from any tool for missing arch checks, x32 holes and more", cmdAudit)
}

// cmdAudit exits 1 when it finds errors (or, with --strict, warnings).
func cmdAudit(args []string) int {
	return runReport("audit", "secc audit [flags] FILTER.bpf|POLICY.sec|PROFILE.json",
		"secc audit /tmp/filter.bpf", args,
		func(_ string, in *analysis.Input) (*analysis.Report, int) {
			return analysis.Audit(in), exitOK
		})
}
