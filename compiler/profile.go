package compiler

import (
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/converter"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/caps"
)

// Profile is a JSON seccomp profile to compile: a Docker or Podman engine
// profile, an OCI linux.seccomp section, or a whole OCI config.json.
type Profile struct {
	Name string
	Data []byte
	// Caps is the container's capability set; nil means Docker's default
	// set (what a container gets unless told otherwise), an empty non-nil
	// slice means none.
	Caps []string
	// EnosysUnknown makes calls newer than the target kernel, or unknown
	// to secc, fail with ENOSYS (--enosys-unknown).
	EnosysUnknown bool
}

// CompileProfile compiles a JSON profile exactly as runc + libseccomp would
// enforce it on the target, kernel and capability set: the engine's
// includes/excludes, libseccomp's rule merging, the profile's ABIs (unless
// opts.ABIs names others), its default action and libseccomp's bad-ABI
// action (kill thread) unless opts give others. It also returns the
// lowered profile (its flags, listener, and the .sec rules compiled).
func CompileProfile(p Profile, opts Options) (*Result, diag.Sources, *converter.Lowered, error) {
	sources := diag.Sources{p.Name: p.Data}
	abisGiven := len(opts.ABIs) > 0
	if err := opts.fill(); err != nil {
		return nil, sources, nil, err
	}
	prof, err := converter.Decode(p.Name, p.Data)
	if err != nil {
		return nil, sources, nil, err
	}
	capset := p.Caps
	if capset == nil {
		capset = caps.Docker
	}
	// Given ABIs are the only ones lowered: libseccomp builds each ABI's
	// rules on its own, so the others would be work for nothing.
	var lowerABIs []*abi.ABI
	if abisGiven {
		lowerABIs = opts.ABIs
	}
	low, ds := prof.LowerWith(converter.Host{Target: opts.Target, Caps: capset, Kernel: opts.Kernel, ABIs: lowerABIs},
		converter.LowerOptions{EnosysUnknown: p.EnosysUnknown})
	if ds.HasErrors() {
		return nil, sources, low, ds
	}
	if !abisGiven {
		opts.ABIs = low.ABIs
	}
	if opts.BadABIAction == nil {
		opts.BadABIAction = &low.BadABIAction
	}
	if opts.Default == nil {
		opts.Default = &low.Default
	}
	res, err := Compile(low.File, opts)
	if err != nil {
		if dl, ok := err.(diag.List); ok {
			placeIn(dl, p.Name)
			err = append(append(diag.List{}, ds...), dl...)
		}
		return nil, sources, low, err
	}
	placeIn(res.Diags, p.Name)
	res.Diags = append(append(diag.List{}, ds...), res.Diags...)
	return res, sources, low, nil
}
