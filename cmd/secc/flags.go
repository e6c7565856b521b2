package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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
// (`secc compile p.sec -o p.bpf`); "--" ends flags. A negative number is
// an argument (`secc sim f.bpf personality -1`) unless it is the value of
// the flag before it. It returns the positional arguments, or an exit code
// when parsing stops the command.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var pos []string
	for {
		// fs.Parse gets the args before the first "--" or negative-number
		// argument: it would take either for a flag.
		end := len(args)
		for i, a := range args {
			if a == "--" || isNegativeNumber(a) && (i == 0 || !takesValue(fs, args[i-1])) {
				end = i
				break
			}
		}
		if err := fs.Parse(args[:end]); err != nil {
			if err == flag.ErrHelp {
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		if fs.NArg() > 0 {
			// Parse stopped at an argument (a lone "-" is stdin, one too);
			// flags may follow it.
			pos = append(pos, fs.Arg(0))
			args = slices.Concat(fs.Args()[1:], args[end:])
			continue
		}
		switch {
		case end == len(args):
			return pos, 0, true
		case args[end] == "--":
			return append(pos, args[end+1:]...), 0, true
		}
		pos = append(pos, args[end]) // a negative number
		args = args[end+1:]
	}
}

// isNegativeNumber reports whether s reads as a negative number; no flag
// name starts with a digit.
func isNegativeNumber(s string) bool {
	return len(s) > 1 && s[0] == '-' && s[1] >= '0' && s[1] <= '9'
}

// takesValue reports whether arg is a flag of fs that takes the next
// argument as its value.
func takesValue(fs *flag.FlagSet, arg string) bool {
	name, ok := strings.CutPrefix(arg, "-")
	if !ok {
		return false
	}
	name = strings.TrimPrefix(name, "-")
	f := fs.Lookup(name) // nil for "name=value" too
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
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
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory: name the output file", path)
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
