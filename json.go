package secc

import (
	"github.com/secc-lang/secc/compiler"
)

// compileJSON compiles a JSON profile (engine profile, OCI linux.seccomp
// section or whole config.json) the way a container engine and runc
// would resolve it for this target, capability set and kernel. The
// profile's architectures pick the ABIs unless Options.ABIs does, and its
// default and bad-ABI actions apply unless Options give others.
func (s *settings) compileJSON() (*Program, error) {
	res, sources, low, err := compiler.CompileProfile(compiler.Profile{Name: s.src.Name, Data: s.src.Text, Caps: s.src.Caps,
		EnosysUnknown: s.enosysUnknown}, s.profileOptions())
	if err != nil {
		return nil, wrapError(sources, err)
	}
	return &Program{prog: res.Program, warnings: formatEach(sources, res.Diags), flags: low.Flags}, nil
}

// profileOptions are the compiler options for a JSON profile: the
// profile's own ABIs unless Options.ABIs named some.
func (s *settings) profileOptions() compiler.Options {
	opts := s.copts
	if !s.abisGiven {
		opts.ABIs = nil
	}
	return opts
}
