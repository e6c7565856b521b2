// Command secc compiles seccomp policies (.sec files and JSON profiles) into
// classic-BPF filters, and inspects, compares and runs them.
//
// Exit codes: 0 ok, 1 policy or input error (or, for diff and lint, a
// difference or finding), 2 usage error, 3 internal error.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// Exit codes, documented in one place.
const (
	exitOK       = 0
	exitInput    = 1
	exitUsage    = 2
	exitInternal = 3
)

// command is one verb. Each verb lives in its own file and registers itself.
type command struct {
	summary string
	run     func(args []string) int
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string) int) {
	commands[name] = command{summary, run}
}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: secc <command> [flags] [args]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(os.Stderr, "\nRun 'secc <command> -h' for a command's flags and an example.\n")
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		usage()
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		usage()
		return exitOK
	case "--version", "-version":
		name, args = "version", args[:1]
	}
	// easyseccomp's command line has no verb: `secc -d X -i in.sec -o out.bpf`.
	if strings.HasPrefix(name, "-") {
		if c, ok := commands["compile"]; ok {
			return c.run(args)
		}
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "secc: unknown command %q\n", name)
		usage()
		return exitUsage
	}
	return c.run(args[1:])
}
