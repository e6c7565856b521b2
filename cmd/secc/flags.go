package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// listFlag collects a repeatable flag (-d A -d B) or a comma list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// newFlags makes a flag set whose -h prints usage text and an example.
func newFlags(name, usageLine, example string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: %s\n\nflags:\n", usageLine)
		fs.PrintDefaults()
		if example != "" {
			fmt.Fprintf(os.Stderr, "\nexample:\n  %s\n", example)
		}
	}
	return fs
}

// parseFlags parses args allowing flags after positional arguments
// (`secc compile p.sec -o p.bpf`); "--" ends flags. It returns the
// positional arguments, or an exit code when parsing stops the command.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, 0, true
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), 0, true
		}
		// A lone "-" is stdin, a positional argument.
		pos = append(pos, args[0])
		args = args[1:]
		if len(args) > 0 && args[0] == "--" {
			return append(pos, args[1:]...), 0, true
		}
	}
}

// writeOutput writes data to path atomically (temp file in the same
// directory, then rename), or to stdout for "" and "-". Never leaves a
// partial file behind.
func writeOutput(path string, data []byte, binary bool) error {
	if path == "" || path == "-" {
		if binary && isTerminal(os.Stdout) {
			return fmt.Errorf("refusing to write a binary filter to a terminal: use -o FILE or --format disasm/base64")
		}
		_, err := os.Stdout.Write(data)
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(name, 0o644)
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		os.Remove(name)
		return werr
	}
	return nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readInput reads a file, or stdin for "-".
func readInput(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(path)
}
