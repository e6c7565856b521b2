//go:build !libseccomp

package main

import (
	"errors"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/converter"
)

// libseccompBuiltIn says whether this build can make libseccomp's rows.
const libseccompBuiltIn = false

var errNoLibseccomp = errors.New("libseccomp not built in (build with -tags libseccomp)")

func libseccompBuild(*converter.Lowered, int) ([]xbpf.RawInstruction, error) {
	return nil, errNoLibseccomp
}

func libseccompVersion() string { return "not built in" }
