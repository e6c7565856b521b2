//go:build libseccomp

package main

/*
#cgo pkg-config: libseccomp
#include <seccomp.h>

static void lib_version(unsigned int *v) {
	const struct scmp_version *x = seccomp_version();
	v[0] = x->major;
	v[1] = x->minor;
	v[2] = x->micro;
}
*/
import "C"

import (
	"fmt"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/converter"
	"github.com/secc-lang/secc/internal/libseccomp"
)

// libseccompBuiltIn says whether this build can make libseccomp's rows.
const libseccompBuiltIn = true

// libseccompBuild is the only place the report touches libseccomp, so that
// the build without cgo (libseccomp_stub.go) differs in one function.
func libseccompBuild(l *converter.Lowered, level int) ([]xbpf.RawInstruction, error) {
	return libseccomp.Build(l, level)
}

// libseccompVersion is the version of the library actually linked, which
// is what the numbers belong to (the targets name 2.5.4).
func libseccompVersion() string {
	var v [3]C.uint
	C.lib_version(&v[0])
	return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2])
}
