package main

import (
	"fmt"
	"runtime/debug"

	"github.com/secc-lang/secc/compiler/abi"
)

func init() {
	register("version", "print secc's version, its Go toolchain and the targets it knows", runVersion)
}

// runVersion prints the module version (or the VCS revision of a
// development build), so a bug report can say exactly which secc made a
// filter.
func runVersion(args []string) int {
	fs := newFlags("version", "secc version", "secc version")
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fs.Usage()
		return exitUsage
	}
	version, goVersion := "(unknown)", "(unknown)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		version = bi.Main.Version
		rev, modified := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if (version == "" || version == "(devel)") && rev != "" {
			version = "devel " + rev[:min(12, len(rev))]
			if modified {
				version += " (modified)"
			}
		}
	}
	fmt.Printf("secc %s (%s)\n", version, goVersion)
	for _, t := range abi.Targets {
		names := ""
		for i, a := range t.ABIs {
			if i > 0 {
				names += ", "
			}
			names += a.Name
		}
		fmt.Printf("target %s: ABIs %s\n", t.Name, names)
	}
	return exitOK
}
