package analysis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/diag"
)

// LoadOptions configure how policies and profiles are compiled; raw
// filters ignore them.
type LoadOptions struct {
	// Compiler: Target, ABIs, Default, BadABIAction, Kernel, NoVerify.
	// A JSON profile is compiled as compiler.CompileProfile does, for the
	// profile's own ABIs whatever ABIs says (as the engines load it).
	Compiler compiler.Options
	// Source: Symbols (-d, -D), Caps (--caps) and IncludeDirs (-I); Name
	// and Text are filled by Load. For a JSON profile, nil Caps means
	// Docker's default capability set.
	Source compiler.Source
	// EnosysUnknown: in a JSON profile, calls newer than the target kernel
	// or unknown get ERRNO(ENOSYS) (`secc --enosys-unknown`). A policy says
	// that in its own rules, so for a policy it is an error.
	EnosysUnknown bool
}

// Load reads a policy (.sec), a JSON profile or a raw filter (a .bpf file,
// or any binary input whose size is a multiple of 8) from path ("-" is
// stdin), compiles it if needed, and explores the filter. On a policy error
// the returned error is a diag.List and the Input still carries the
// Sources to print it with.
func Load(path string, opts LoadOptions) (*Input, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	name := path
	if path == "-" {
		name = "<stdin>"
	}
	return LoadBytes(name, data, opts)
}

// LoadBytes is Load on data already read; name gives the kind by its
// extension and positions their file name.
func LoadBytes(name string, data []byte, opts LoadOptions) (*Input, error) {
	switch {
	case isRaw(name, data):
		prog, err := bpf.Decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return FromFilter(name, prog)
	case isJSONInput(name, data):
		return loadProfile(name, data, opts)
	}
	return loadPolicy(name, data, opts)
}

// errEnosysPolicy refuses EnosysUnknown for a policy.
var errEnosysPolicy = errors.New("--enosys-unknown is for JSON profiles; in a .sec policy write `$syscall not in KERNEL(X.Y) => ERRNO(ENOSYS);`")

func isRaw(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".bpf", ".raw":
		return true
	case ".sec", ".json":
		return false
	}
	return len(data) > 0 && len(data)%bpf.InsnSize == 0 && (bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data))
}

func isJSONInput(name string, data []byte) bool {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return true
	}
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{"))
}

func loadPolicy(name string, data []byte, opts LoadOptions) (*Input, error) {
	if opts.EnosysUnknown {
		return nil, errEnosysPolicy
	}
	src := opts.Source
	src.Name, src.Text = name, data
	copts := opts.Compiler
	f, sources, diags, err := compiler.Parse(src, &copts)
	in := &Input{Name: name, Kind: KindPolicy, Sources: sources}
	if err != nil {
		return in, err
	}
	if diags.HasErrors() {
		return in, diags
	}
	res, err := compiler.Compile(f, copts)
	if err != nil {
		return in, err
	}
	in.File, in.Diags = f, append(diags, res.Diags...)
	return finish(in, res, copts.Target)
}

func loadProfile(name string, data []byte, opts LoadOptions) (*Input, error) {
	in := &Input{Name: name, Kind: KindProfile, Sources: diag.Sources{name: data}}
	copts := opts.Compiler
	copts.ABIs = nil // the profile's own, as the engines load it; --abi picks what is shown
	res, _, low, err := compiler.CompileProfile(compiler.Profile{Name: name, Data: data, Caps: opts.Source.Caps,
		EnosysUnknown: opts.EnosysUnknown}, copts)
	if err != nil {
		return in, err
	}
	in.File, in.Diags = low.File, append(res.Diags, low.Warnings...)
	return finish(in, res, low.Target)
}

// finish explores the compiled program and records what compiling knew.
func finish(in *Input, res *compiler.Result, target *abi.Target) (*Input, error) {
	in.Insns = res.Program.Insns
	in.Policies = res.Policies
	in.Target = target
	if t, ok := abi.LookupTarget(res.Program.Target); ok {
		in.Target = t
	}
	for _, n := range res.Program.ABIs {
		if a, ok := abi.Lookup(n); ok {
			in.ABIs = append(in.ABIs, a)
		}
	}
	if len(res.Policies) > 0 {
		rules := res.Policies[0].Rules
		in.Default = rules[len(rules)-1].Action
	}
	r, err := Explore(in.Insns)
	if err != nil {
		return in, fmt.Errorf("%s: %w", in.Name, err)
	}
	in.Explored = r
	return in, nil
}

// IsPolicyError reports whether err is a problem in the user's input (a
// diag.List) rather than an I/O or internal error.
func IsPolicyError(err error) bool {
	var dl diag.List
	return errors.As(err, &dl)
}
