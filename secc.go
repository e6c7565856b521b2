package secc

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/filter"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/examples"
	"github.com/secc-lang/secc/internal/caps"
	"github.com/secc-lang/secc/internal/kver"
)

// Options configure a compilation. The zero value compiles for the host:
// its target, its native ABI only, its running kernel, no capabilities.
type Options struct {
	// Target is "x86_64" (or "amd64") or "aarch64" (or "arm64").
	Target string
	// ABIs the filter accepts: "x86_64", "x86", "x32" on x86_64,
	// "aarch64", "arm" on aarch64, or the single entry "all". A JSON
	// profile's architectures decide when this is empty.
	ABIs []string
	// Kernel is the target kernel version ("5.10", "6.18.3") for
	// `#if KERNEL` and a JSON profile's minKernel.
	Kernel string
	// Caps are capabilities ("CAP_SYS_ADMIN" or "SYS_ADMIN"), or one of
	// the sets "docker", "all", "none". Each is defined as a symbol. A
	// JSON profile with no Caps is resolved for Docker's default set, what
	// a container gets unless told otherwise; give "none" for none.
	Caps []string
	// Defines are preprocessor symbols: name → value ("" for none), as
	// the command line's -d NAME and -D NAME=VALUE.
	Defines map[string]string
	// IncludeDirs are searched by #include after the including file's
	// directory.
	IncludeDirs []string
	// ReadFile reads included files; nil means os.ReadFile.
	ReadFile func(name string) ([]byte, error)
	// Default is the action when the policy has no final unconditional
	// rule, e.g. "ERRNO(EPERM)"; empty makes such a policy an error.
	Default string
	// BadABIAction is returned for calls from ABIs the filter does not
	// accept; empty means KILL_PROCESS (a JSON profile: KILL_THREAD, as
	// libseccomp).
	BadABIAction string
	// EnosysUnknown: in a JSON profile, calls newer than the target kernel
	// or unknown to secc get ERRNO(ENOSYS) rather than the default action
	// (`secc --enosys-unknown`). A .sec policy says so in its rules; there
	// it is an error.
	EnosysUnknown bool
	// Optimize is "speed" (default), "mean", "size" or "none".
	Optimize string
	// Weights say how often each system call (by name) is made, so the
	// search tree favours the frequent ones.
	Weights map[string]float64
	// NoVerify skips checking the filter against the policy. Compiling is
	// faster; a compiler bug would go unnoticed.
	NoVerify bool
	// CacheDir, if set, keeps compiled filters there (see ForSpec). A
	// filter from the cache has no Warnings.
	CacheDir string
}

// Program is a compiled seccomp filter.
type Program struct {
	prog     *filter.Program
	warnings []string
	flags    []string
	cached   bool
}

// Error is a policy that does not compile: every problem found, each with
// its position.
type Error struct {
	// Report is what `secc compile` prints: each diagnostic with
	// file:line:column, the offending line, a caret and any hint.
	Report string
	// Diags are the diagnostics themselves.
	Diags diag.List
}

func (e *Error) Error() string { return strings.TrimRight(e.Report, "\n") }

// Unwrap gives the diag.List, for errors.As.
func (e *Error) Unwrap() error { return e.Diags }

// Compile compiles a .sec policy or a JSON profile (told apart by a .json
// name or a leading '{'). name is used for positions in diagnostics and to
// find files included relative to it. A policy error is an *Error.
func Compile(name string, src []byte, opts Options) (*Program, error) {
	s, err := resolve(name, src, opts)
	if err != nil {
		return nil, err
	}
	if opts.CacheDir != "" {
		return s.compileCached(opts.CacheDir)
	}
	return s.compile()
}

// CompileFile reads and compiles a policy or JSON profile.
func CompileFile(path string, opts Options) (*Program, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Compile(path, src, opts)
}

// Builtins lists the policies compiled into secc (package examples).
func Builtins() []string { return examples.Names() }

// CompileBuiltin compiles a built-in policy: "container-default" (Docker's
// default profile, honouring Options.Caps), "static", "go-http", "python", …
func CompileBuiltin(name string, opts Options) (*Program, error) {
	src, ok := examples.Builtin(name)
	if !ok {
		return nil, fmt.Errorf("no built-in policy %q (have: %s)", name, strings.Join(Builtins(), ", "))
	}
	return Compile(examples.FileName(name), src, opts)
}

// ReadFilter reads a raw filter (a struct sock_filter array, as
// Program.Raw writes it).
func ReadFilter(raw []byte) (*Program, error) {
	p, err := filter.Read(raw)
	if err != nil {
		return nil, err
	}
	return &Program{prog: p}, nil
}

// settings are Options resolved into the compiler's types.
type settings struct {
	copts compiler.Options
	src   compiler.Source
	// abisGiven is false when Options.ABIs is empty, so a JSON profile's
	// architectures may decide.
	abisGiven     bool
	enosysUnknown bool
}

func resolve(name string, text []byte, o Options) (*settings, error) {
	s := &settings{}
	s.copts.Target = compiler.HostTarget()
	if o.Target != "" {
		t, ok := abi.LookupTarget(o.Target)
		if !ok {
			return nil, fmt.Errorf("unknown target %q (want x86_64 or aarch64)", o.Target)
		}
		s.copts.Target = t
	}
	if len(o.ABIs) == 1 && o.ABIs[0] == "all" {
		s.copts.ABIs = s.copts.Target.ABIs
	} else {
		for _, n := range o.ABIs {
			a, ok := abi.Lookup(strings.TrimSpace(n))
			if !ok {
				return nil, fmt.Errorf("unknown ABI %q", n)
			}
			s.copts.ABIs = append(s.copts.ABIs, a)
		}
	}
	s.abisGiven = len(s.copts.ABIs) > 0
	// The kernel is pinned here, not left to the compiler, so the cache key
	// names the kernel the filter was really made for.
	s.copts.Kernel = compiler.HostKernel()
	if o.Kernel != "" {
		v, err := kver.Parse(o.Kernel)
		if err != nil {
			return nil, err
		}
		s.copts.Kernel = v
	}
	for _, a := range []struct {
		text string
		dst  **uint32
	}{{o.Default, &s.copts.Default}, {o.BadABIAction, &s.copts.BadABIAction}} {
		if a.text == "" {
			continue
		}
		v, err := compiler.ParseAction(a.text)
		if err != nil {
			return nil, err
		}
		*a.dst = &v
	}
	lvl, err := compiler.ParseLevel(o.Optimize)
	if err != nil {
		return nil, err
	}
	s.copts.Optimize = lvl
	s.copts.Weights = o.Weights
	s.copts.NoVerify = o.NoVerify
	s.enosysUnknown = o.EnosysUnknown
	if o.EnosysUnknown && !isJSON(name, text) {
		return nil, errors.New("EnosysUnknown is for JSON profiles; in a .sec policy write `$syscall not in KERNEL(X.Y) => ERRNO(ENOSYS);`")
	}
	cs, err := caps.Parse(strings.Join(o.Caps, ","))
	if err != nil {
		return nil, err
	}
	if cs == nil && len(o.Caps) > 0 {
		cs = []string{} // an explicit "none", told apart from "not given"
	}
	s.src = compiler.Source{
		Name:        name,
		Text:        text,
		Caps:        cs,
		Symbols:     map[string]string{},
		IncludeDirs: o.IncludeDirs,
		ReadFile:    o.ReadFile,
	}
	for k, v := range o.Defines {
		s.src.Symbols[k] = v
	}
	return s, nil
}

func (s *settings) compile() (*Program, error) {
	if isJSON(s.src.Name, s.src.Text) {
		return s.compileJSON()
	}
	res, sources, err := compiler.CompileSource(s.src, s.copts)
	if err != nil {
		return nil, wrapError(sources, err)
	}
	return &Program{prog: res.Program, warnings: formatEach(sources, res.Diags)}, nil
}

// wrapError turns a diag.List into an *Error with its report; other
// errors (a compiler fault, an unreadable include) pass through.
func wrapError(sources diag.Sources, err error) error {
	var dl diag.List
	if errors.As(err, &dl) {
		return &Error{Report: sources.FormatAll(dl), Diags: dl}
	}
	return err
}

func formatEach(sources diag.Sources, l diag.List) []string {
	var out []string
	for _, d := range l {
		out = append(out, strings.TrimRight(sources.Format(d), "\n"))
	}
	return out
}

func isJSON(name string, text []byte) bool {
	if strings.HasSuffix(name, ".json") {
		return true
	}
	t := strings.TrimLeft(string(text[:min(len(text), 64)]), " \t\r\n")
	return strings.HasPrefix(t, "{")
}

// Len is the number of instructions.
func (p *Program) Len() int { return len(p.prog.Insns) }

// Instructions are the filter's instructions.
func (p *Program) Instructions() []xbpf.RawInstruction { return p.prog.Insns }

// Target is the target the filter was compiled for ("" when read raw).
func (p *Program) Target() string { return p.prog.Target }

// ABIs are the ABIs the filter accepts (nil when read raw).
func (p *Program) ABIs() []string { return p.prog.ABIs }

// Warnings are the compiler's warnings, each with its position and
// source line.
func (p *Program) Warnings() []string { return p.warnings }

// Flags are the SECCOMP_FILTER_FLAG_* names a JSON profile asks to load
// the filter with (its `flags`; SPEC_ALLOW when absent, as runc does);
// nil for a .sec policy. ParseLoadFlags reads them.
func (p *Program) Flags() []string { return p.flags }

// Cached reports whether the filter came from Options.CacheDir.
func (p *Program) Cached() bool { return p.cached }

// Raw is the kernel's struct sock_filter array in the host's byte order:
// what `secc compile -o x.bpf` writes.
func (p *Program) Raw() []byte { return p.prog.Raw() }

// Base64 is Raw in standard padded base64.
func (p *Program) Base64() string { return p.prog.Base64() }

// OCIAnnotation is the JSON object {"run.oci.seccomp_bpf_data": Base64()}
// to merge into an OCI spec's annotations (SpecFilter.Apply does that).
func (p *Program) OCIAnnotation() string { return p.prog.OCIAnnotation() }

// CArray is C source defining a struct sock_filter array called name.
func (p *Program) CArray(name string) string { return p.prog.CArray(name) }

// GoSource is Go source for package pkg defining the filter as name.
func (p *Program) GoSource(pkg, name string) string { return p.prog.GoSource(pkg, name) }

// Disasm is a listing of the filter.
func (p *Program) Disasm() string { return p.prog.Disasm() }

// Filter is the compiler's own form of the program.
func (p *Program) Filter() *filter.Program { return p.prog }

// Simulate runs the filter on one system call of abiName, by name or
// number, with the given arguments, as the kernel would, and returns the
// action: "ALLOW", "ERRNO(EPERM)", "KILL_PROCESS", … The filter is not
// loaded.
func (p *Program) Simulate(abiName, syscall string, args ...uint64) (string, error) {
	a, ok := abi.Lookup(abiName)
	if !ok {
		return "", fmt.Errorf("unknown ABI %q", abiName)
	}
	if len(args) > 6 {
		return "", fmt.Errorf("a system call has at most 6 arguments, not %d", len(args))
	}
	nr, ok := a.Nr(syscall)
	if !ok {
		n, err := strconv.ParseUint(syscall, 0, 32)
		if err != nil {
			return "", fmt.Errorf("no system call %q on %s", syscall, a.Name)
		}
		nr = uint32(n)
	}
	d := bpf.SeccompData{Nr: int32(nr), Arch: a.AuditArch}
	copy(d.Args[:], args)
	ret, _, err := bpf.Run(p.prog.Insns, &d)
	if err != nil {
		return "", err
	}
	return ActionString(ret), nil
}

// ActionString names a seccomp return value as a policy writes it, with
// the errno's name when it has one: "ERRNO(EPERM)".
func ActionString(ret uint32) string {
	if ret&bpf.RetActionFull == bpf.RetErrno {
		if n, ok := abi.ErrnoName(ret & bpf.RetData); ok {
			return "ERRNO(" + n + ")"
		}
	}
	return bpf.ActionString(ret)
}
