package secc

import (
	"fmt"
	"strings"

	"github.com/secc-lang/secc/compiler/filter"
)

// LoadFlags are the SECCOMP_FILTER_FLAG_* flags Load passes to seccomp(2).
type LoadFlags struct {
	// TSync installs the filter on every thread of the process, not only
	// the calling one (Linux 3.17).
	TSync bool
	// Log makes the kernel log every action but ALLOW (Linux 4.14).
	Log bool
	// SpecAllow keeps the kernel from turning on the speculative store
	// bypass mitigation for the process (Linux 4.17). Kernels 4.17 to 5.15
	// otherwise enable it for every seccomp'd task, which can make
	// CPU-bound code much slower.
	SpecAllow bool
	// NewListener returns a user-notification descriptor for NOTIFY
	// actions (Linux 5.0).
	NewListener bool
}

// ParseLoadFlags reads flag names as OCI specs and JSON profiles write
// them ("SECCOMP_FILTER_FLAG_TSYNC"; the prefix may be left out).
// WAIT_KILLABLE_RECV is accepted and ignored: it only changes how a
// notification listener waits, which Load does not manage.
func ParseLoadFlags(names []string) (LoadFlags, error) {
	var f LoadFlags
	for _, n := range names {
		switch strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(n)), "SECCOMP_FILTER_FLAG_") {
		case "TSYNC":
			f.TSync = true
		case "LOG":
			f.Log = true
		case "SPEC_ALLOW":
			f.SpecAllow = true
		case "NEW_LISTENER":
			f.NewListener = true
		case "WAIT_KILLABLE_RECV":
		default:
			return f, fmt.Errorf("unknown seccomp filter flag %q", n)
		}
	}
	return f, nil
}

// NewProgram wraps a filter made with the compiler packages directly.
func NewProgram(p *filter.Program) *Program { return &Program{prog: p} }

// Load installs the filter in the calling process: it sets no_new_privs,
// then calls seccomp(2). Without TSync only the calling thread is
// filtered, so lock it first (runtime.LockOSThread); the filter passes to
// every process the thread starts or execs. With NewListener the returned
// descriptor receives NOTIFY events; otherwise it is -1.
//
// When the kernel refuses, the error wraps its errno (errors.Is(err,
// unix.EINVAL)) and names the flag or limit it refused.
func (p *Program) Load(flags LoadFlags) (listenerFD int, err error) {
	return p.prog.Load(filter.LoadFlags{
		TSync: flags.TSync, Log: flags.Log, SpecAllow: flags.SpecAllow, NewListener: flags.NewListener,
	})
}
