package main

import (
	"github.com/secc-lang/secc/analysis"
)

func init() {
	register("audit", "check a filter from any tool for missing arch checks, x32 holes and more", cmdAudit)
}

// cmdAudit exits 1 when it finds errors (or, with --strict, warnings).
func cmdAudit(args []string) int {
	fs := newFlags("audit", "secc audit [flags] FILTER.bpf|POLICY.sec|PROFILE.json",
		"secc audit /tmp/filter.bpf")
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
	in, code := loadAnalysisInput("audit", pos[0], &pf)
	if in == nil {
		return code
	}
	return writeReport("audit", analysis.Audit(in), format, strict)
}
