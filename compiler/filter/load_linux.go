//go:build linux

package filter

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/secc-lang/secc/compiler/bpf"
	"golang.org/x/sys/unix"
)

// seccompFlags maps LoadFlags to the kernel's flag bits and names.
var seccompFlags = []struct {
	bit  uintptr
	name string
	set  func(LoadFlags) bool
}{
	{unix.SECCOMP_FILTER_FLAG_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC", func(f LoadFlags) bool { return f.TSync }},
	{unix.SECCOMP_FILTER_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG", func(f LoadFlags) bool { return f.Log }},
	{unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW", func(f LoadFlags) bool { return f.SpecAllow }},
	{unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, "SECCOMP_FILTER_FLAG_NEW_LISTENER", func(f LoadFlags) bool { return f.NewListener }},
}

// Load installs the filter in the calling process: it sets no_new_privs,
// then calls seccomp(SECCOMP_SET_MODE_FILTER). With TSync every thread of
// the process gets the filter (and no_new_privs); without it only the
// calling thread does, so lock the goroutine to its thread first
// (runtime.LockOSThread) and keep it locked. With NewListener the result is
// the notification descriptor; otherwise it is -1.
//
// The program is checked first, so a filter the kernel would refuse fails
// with Check's reason. Errors wrap the errno (errors.Is(err, unix.EINVAL))
// and say what the kernel refused: an unsupported flag, a thread TSYNC
// could not synchronize, missing privileges.
func (p *Program) Load(flags LoadFlags) (listenerFD int, err error) {
	if err := bpf.Check(p.Insns); err != nil {
		return -1, fmt.Errorf("seccomp: filter refused before loading: %w", err)
	}
	var bits uintptr
	for _, f := range seccompFlags {
		if f.set(flags) {
			bits |= f.bit
		}
	}
	if flags.TSync && flags.NewListener {
		// Both return a positive value on success; TSYNC_ESRCH makes a
		// TSYNC failure an error instead (Linux 5.7).
		bits |= unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH
	}
	fprog := unix.SockFprog{
		Len:    uint16(len(p.Insns)),
		Filter: (*unix.SockFilter)(unsafe.Pointer(&p.Insns[0])),
	}
	// no_new_privs is per thread: set it on the thread that installs.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return -1, fmt.Errorf("seccomp: setting no_new_privs: %w", err)
	}
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, bits, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(p.Insns)
	if errno != 0 {
		return -1, explain(errno, flags, bits)
	}
	if flags.NewListener {
		return int(r), nil
	}
	if flags.TSync && r != 0 {
		return -1, fmt.Errorf("seccomp: TSYNC cannot synchronize thread %d: it has an unrelated seccomp filter or is in strict mode: %w", r, unix.ESRCH)
	}
	return -1, nil
}

// explain turns seccomp(2)'s errno into an error saying why.
func explain(errno unix.Errno, flags LoadFlags, bits uintptr) error {
	switch errno {
	case unix.EINVAL:
		// The filter passed Check, so a flag is the likely culprit: the
		// kernel checks flags before anything else, so probing each one
		// with a NULL program gives EINVAL for an unknown flag and EFAULT
		// for a known one.
		var refused []string
		for _, f := range seccompFlags {
			if bits&f.bit == 0 {
				continue
			}
			_, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, f.bit, 0)
			if e == unix.EINVAL {
				refused = append(refused, f.name)
			}
		}
		if bits&unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH != 0 {
			_, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH, 0)
			if e == unix.EINVAL {
				refused = append(refused, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH (needed with TSYNC and NEW_LISTENER, Linux 5.7)")
			}
		}
		if len(refused) > 0 {
			return fmt.Errorf("seccomp: this kernel does not support %v: %w", refused, errno)
		}
		return fmt.Errorf("seccomp: the kernel refused the filter or its flags: %w", errno)
	case unix.EACCES:
		return fmt.Errorf("seccomp: no_new_privs is not set on the loading thread and it lacks CAP_SYS_ADMIN: %w", errno)
	case unix.ESRCH:
		return fmt.Errorf("seccomp: TSYNC cannot synchronize another thread: it has an unrelated seccomp filter or is in strict mode: %w", errno)
	case unix.EBUSY:
		if flags.NewListener {
			return fmt.Errorf("seccomp: a filter with a notification listener is already installed: %w", errno)
		}
	case unix.ENOMEM:
		return fmt.Errorf("seccomp: stacked filters would exceed the kernel's 32768-instruction path limit: %w", errno)
	case unix.ENOSYS:
		return fmt.Errorf("seccomp: the kernel has no seccomp filter support: %w", errno)
	}
	return fmt.Errorf("seccomp: %w", errno)
}
