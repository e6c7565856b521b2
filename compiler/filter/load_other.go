//go:build !linux

package filter

import (
	"errors"
	"runtime"
)

// Load installs the filter; seccomp exists only on Linux.
func (p *Program) Load(flags LoadFlags) (listenerFD int, err error) {
	return -1, errors.New("seccomp filters can only be loaded on Linux, not " + runtime.GOOS)
}
