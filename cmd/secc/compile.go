package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/filter"
	"github.com/secc-lang/secc/compiler/weights"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/caps"
	"github.com/secc-lang/secc/internal/kver"
)

func init() {
	register("compile", "compile a policy or JSON profile to a BPF filter", cmdCompile)
}

// policyFlags are the flags every verb that compiles a policy accepts.
type policyFlags struct {
	target, abis, kernel, capsList string
	defaultAction, badABI          string
	defines, values, includes      listFlag
	noVerify, verbose              bool
	enosysUnknown                  bool
	optimize, weights              string
}

func (p *policyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.target, "arch", "", "target: x86_64 or aarch64 (default: the host's)")
	fs.StringVar(&p.target, "target", "", "same as --arch")
	p.registerCommon(fs)
}

// registerCommon registers every policy flag but the target, for verbs
// whose --arch means something else.
func (p *policyFlags) registerCommon(fs *flag.FlagSet) {
	fs.StringVar(&p.abis, "abi", "", "ABIs the filter accepts, comma-separated (x86_64,x86,x32 / aarch64,arm), or all; default: the native ABI")
	fs.StringVar(&p.kernel, "kernel", "", "target kernel version for #if KERNEL (default: the running kernel)")
	fs.StringVar(&p.capsList, "caps", "", "capabilities to define (CAP_X symbols): names, docker, none or all")
	fs.StringVar(&p.defaultAction, "default", "", "action when the policy has no final unconditional rule, e.g. 'ERRNO(EPERM)'")
	fs.StringVar(&p.badABI, "bad-abi-action", "", "action for ABIs the filter does not accept (default KILL_PROCESS)")
	fs.Var(&p.defines, "d", "define a preprocessor symbol (repeatable)")
	fs.Var(&p.values, "D", "define a symbol with a value, NAME=VALUE (repeatable)")
	fs.Var(&p.includes, "I", "add an #include search directory (repeatable)")
	fs.BoolVar(&p.noVerify, "no-verify", false, "skip checking the filter against the policy")
	fs.BoolVar(&p.verbose, "v", false, "verbose: list dropped names per ABI and statistics")
	fs.BoolVar(&p.enosysUnknown, "enosys-unknown", false, "JSON profiles: calls newer than the target kernel or unknown get ERRNO(ENOSYS)")
	fs.StringVar(&p.optimize, "optimize", "speed", "search tree: speed (fewest tests executed, the longest path within one of the shortest), mean (fewest tests executed, longest path unbounded), size (fewest instructions) or none")
	fs.StringVar(&p.weights, "weights", "", "how often each syscall is made, for --optimize speed or mean: a `FILE` holding an strace -c table or COUNT NAME lines, or typical (a built-in mix)")
}

// options turns the flags into compiler options and preprocessor symbols.
func (p *policyFlags) options() (compiler.Options, compiler.Source, error) {
	var opts compiler.Options
	var src compiler.Source
	if p.target != "" {
		t, ok := abi.LookupTarget(p.target)
		if !ok {
			return opts, src, fmt.Errorf("unknown target %q (want x86_64 or aarch64)", p.target)
		}
		opts.Target = t
	} else {
		opts.Target = compiler.HostTarget()
	}
	if p.abis != "" {
		if p.abis == "all" {
			opts.ABIs = opts.Target.ABIs
		} else {
			for _, n := range strings.Split(p.abis, ",") {
				a, ok := abi.Lookup(strings.TrimSpace(n))
				if !ok {
					return opts, src, fmt.Errorf("unknown ABI %q", n)
				}
				opts.ABIs = append(opts.ABIs, a)
			}
		}
	}
	if p.kernel != "" {
		v, err := kver.Parse(p.kernel)
		if err != nil {
			return opts, src, err
		}
		opts.Kernel = v
	}
	for _, pair := range []struct {
		flag string
		dst  **uint32
	}{{p.defaultAction, &opts.Default}, {p.badABI, &opts.BadABIAction}} {
		if pair.flag == "" {
			continue
		}
		a, err := compiler.ParseAction(pair.flag)
		if err != nil {
			return opts, src, err
		}
		*pair.dst = &a
	}
	cs, err := caps.Parse(p.capsList)
	if err != nil {
		return opts, src, err
	}
	if cs == nil && p.capsList != "" {
		cs = []string{} // an explicit "none", which JSON profiles tell from "not given"
	}
	src.Caps = cs
	if opts.Optimize, err = compiler.ParseLevel(p.optimize); err != nil {
		return opts, src, err
	}
	enosysUnknown = p.enosysUnknown
	switch p.weights {
	case "":
	case "typical":
		opts.Weights = weights.Typical()
	default:
		data, err := os.ReadFile(p.weights)
		if err != nil {
			return opts, src, err
		}
		if opts.Weights, err = weights.Parse(data); err != nil {
			return opts, src, fmt.Errorf("%s: %v", p.weights, err)
		}
		warnUnknownWeights(p.weights, opts.Weights)
	}
	src.Symbols = map[string]string{}
	for _, d := range p.defines {
		if d == "" {
			return opts, src, fmt.Errorf("-d needs a symbol name")
		}
		src.Symbols[d] = ""
	}
	for _, d := range p.values {
		name, val, _ := strings.Cut(d, "=")
		if name == "" {
			return opts, src, fmt.Errorf("-D %q: want NAME=VALUE", d)
		}
		src.Symbols[name] = val
	}
	src.IncludeDirs = p.includes
	opts.NoVerify = p.noVerify
	return opts, src, nil
}

// printDiags prints diagnostics with their source lines to stderr.
func printDiags(sources diag.Sources, l diag.List) {
	fmt.Fprint(os.Stderr, sources.FormatAll(l))
}

// reportError prints a compile error and returns the exit code for it.
func reportError(sources diag.Sources, err error) int {
	var dl diag.List
	var ie *compiler.InternalError
	switch {
	case errors.As(err, &dl):
		printDiags(sources, dl)
		return exitInput
	case errors.As(err, &ie):
		fmt.Fprintf(os.Stderr, "secc: %v\nThis is a bug in secc; please report it with the policy and the line above.\n", ie)
		return exitInternal
	}
	fmt.Fprintf(os.Stderr, "secc: %v\n", err)
	return exitInput
}

// formats maps --format values to encoders; binary ones are marked.
var formats = map[string]struct {
	binary bool
	encode func(p *filter.Program) []byte
}{
	"raw":    {true, func(p *filter.Program) []byte { return p.Raw() }},
	"base64": {false, func(p *filter.Program) []byte { return []byte(p.Base64() + "\n") }},
	"c":      {false, func(p *filter.Program) []byte { return []byte(p.CArray("filter")) }},
	"go":     {false, func(p *filter.Program) []byte { return []byte(p.GoSource("main", "filter")) }},
	"oci":    {false, func(p *filter.Program) []byte { return []byte(p.OCIAnnotation() + "\n") }},
	"disasm": {false, func(p *filter.Program) []byte { return []byte(p.Disasm()) }},
}

func cmdCompile(args []string) int {
	fs := newFlags("compile", "secc compile [flags] POLICY.sec|PROFILE.json|- | --builtin NAME [-o OUT]",
		"secc compile --arch x86_64 --abi x86_64,x32 -d CAP_SYS_ADMIN policy.sec -o policy.bpf")
	var pf policyFlags
	pf.register(fs)
	var out, input, format, builtin string
	fs.StringVar(&builtin, "builtin", "", builtinUsage())
	fs.StringVar(&out, "o", "", "output file (default: standard output)")
	fs.StringVar(&input, "i", "", "input file (easyseccomp spelling; same as the POLICY argument)")
	fs.StringVar(&format, "format", "raw", "output: raw, base64, c, go, oci, disasm")
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if input != "" {
		pos = append([]string{input}, pos...)
	}
	if (builtin == "" && len(pos) != 1) || (builtin != "" && len(pos) != 0) {
		fs.Usage()
		return exitUsage
	}
	enc, ok := formats[format]
	if !ok {
		fmt.Fprintf(os.Stderr, "secc compile: unknown format %q\n", format)
		return exitUsage
	}
	opts, src, err := pf.options()
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc compile: %v\n", err)
		return exitUsage
	}
	var res *compiler.Result
	var sources diag.Sources
	if builtin != "" {
		if _, _, err := builtinSource(builtin); err != nil {
			fmt.Fprintf(os.Stderr, "secc compile: %v\n", err)
			return exitUsage
		}
		res, sources, err = compileBuiltin(builtin, src, opts)
	} else {
		res, sources, err = compileInput(pos[0], src, opts)
	}
	if err != nil {
		return reportError(sources, err)
	}
	printDiags(sources, res.Diags)
	if pf.verbose {
		printStats(res, opts)
	}
	if err := writeOutput(out, enc.encode(res.Program), enc.binary); err != nil {
		fmt.Fprintf(os.Stderr, "secc compile: %v\n", err)
		return exitInput
	}
	return exitOK
}

// compileInput compiles a .sec policy or JSON profile (a file or "-" for
// stdin).
func compileInput(path string, src compiler.Source, opts compiler.Options) (*compiler.Result, diag.Sources, error) {
	text, err := readInput(path)
	if err != nil {
		return nil, nil, err
	}
	return compileText(path, text, src, opts)
}

// compileText compiles the text of path, already read: stdin cannot be
// read twice.
func compileText(path string, text []byte, src compiler.Source, opts compiler.Options) (*compiler.Result, diag.Sources, error) {
	src.Name, src.Text = path, text
	if path == "-" {
		src.Name = "<stdin>"
	}
	if isJSON(path, text) {
		return compileJSON(src, opts)
	}
	if enosysUnknown {
		return nil, nil, fmt.Errorf("--enosys-unknown is for JSON profiles; in a .sec policy write `$syscall not in KERNEL(X.Y) => ERRNO(ENOSYS);`")
	}
	return compiler.CompileSource(src, opts)
}

// enosysUnknown is --enosys-unknown of the running verb, for JSON inputs.
var enosysUnknown bool

// compileJSON compiles a JSON profile as runc + libseccomp would enforce it;
// without --caps the container has Docker's default capabilities.
func compileJSON(src compiler.Source, opts compiler.Options) (*compiler.Result, diag.Sources, error) {
	res, sources, _, err := compiler.CompileProfile(compiler.Profile{
		Name: src.Name, Data: src.Text, Caps: src.Caps, EnosysUnknown: enosysUnknown,
	}, opts)
	return res, sources, err
}

func isJSON(path string, text []byte) bool {
	if strings.HasSuffix(path, ".json") {
		return true
	}
	t := strings.TrimLeft(string(text[:min(len(text), 64)]), " \t\r\n")
	return strings.HasPrefix(t, "{")
}

// warnUnknownWeights points out names in a weights file that are no
// system call on any ABI (a typo weighs nothing, silently otherwise).
func warnUnknownWeights(path string, w map[string]float64) {
	var unknown []string
	for name := range w {
		if !abi.KnownAnywhere(name) {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		hint := ""
		if s, ok := abi.Suggest(name); ok {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		fmt.Fprintf(os.Stderr, "secc: warning: %s: %q is no system call%s; it weighs nothing\n", path, name, hint)
	}
}

// printStats prints -v's summary: size, verification, and per ABI the
// instructions a call runs with zero arguments, also weighted by the
// --weights counts when given. The weighted figure is what the optimizer
// minimised: on kernels with the constant-action cache, cached calls run
// nothing.
func printStats(res *compiler.Result, opts compiler.Options) {
	kernel := opts.Kernel
	if kernel == (kver.Version{}) {
		kernel = compiler.HostKernel()
	}
	caches := !kernel.Less(compiler.CacheKernel)
	for _, p := range res.Policies {
		if n := len(p.Missing); n > 0 {
			names := p.Missing
			more := ""
			if n > 8 {
				names, more = names[:8], fmt.Sprintf(" and %d more", n-8)
			}
			fmt.Fprintf(os.Stderr, "%s: %d names of the policy are not %s system calls (dropped): %s%s\n",
				p.ABI.Name, n, p.ABI.Name, strings.Join(names, ", "), more)
		}
	}
	verified := res.Verify.String()
	if res.Verify.Inputs == 0 {
		verified = "not verified (--no-verify)" // "verified 0 inputs" would read as a pass
	}
	fmt.Fprintf(os.Stderr, "%d instructions for %s (ABIs %s); %s\n", len(res.Program.Insns), res.Program.Target,
		strings.Join(res.Program.ABIs, ", "), verified)
	for _, p := range res.Policies {
		sum, longest, n := 0, 0, 0
		var wsum, wtotal float64
		for _, sc := range p.ABI.Syscalls() {
			d := bpf.SeccompData{Nr: int32(sc.Nr), Arch: p.ABI.AuditArch}
			_, steps, err := bpf.Run(res.Program.Insns, &d)
			if err != nil {
				continue
			}
			sum, longest, n = sum+steps, max(longest, steps), n+1
			w := opts.Weights[sc.Name]
			wtotal += w
			// The kernel caches the native and compat ABIs, never x32.
			if !(caches && p.ABI != abi.X32 && bpf.CacheableAllow(res.Program.Insns, p.ABI.AuditArch, sc.Nr)) {
				wsum += w * float64(steps)
			}
		}
		if n == 0 {
			continue
		}
		weighted := ""
		switch {
		case wtotal > 0 && caches:
			weighted = fmt.Sprintf(", %.2f weighted by --weights (calls the kernel's cache answers run none)", wsum/wtotal)
		case wtotal > 0:
			weighted = fmt.Sprintf(", %.2f weighted by --weights", wsum/wtotal)
		}
		fmt.Fprintf(os.Stderr, "%s: %d system calls, %.2f instructions run on average%s, %d at most (arguments zero)\n",
			p.ABI.Name, n, float64(sum)/float64(n), weighted, longest)
	}
}
