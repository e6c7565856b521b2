//go:build libseccomp

// Package libseccomp builds filters with the real libseccomp, the way runc
// does, so that tests can hold secc's converter and compiler to what
// containers actually get. It needs cgo and libseccomp-dev, hence the build
// tag: the default build of secc has no C dependency.
//
// It deliberately leaves out runc's hidden ENOSYS stub (patchbpf): that is
// a separate, explicit option in secc (--enosys-unknown).
package libseccomp

/*
#cgo pkg-config: libseccomp
#include <errno.h>
#include <stdlib.h>
#include <seccomp.h>

static uint32_t arch_token(int i) {
	switch (i) {
	case 0: return SCMP_ARCH_X86_64;
	case 1: return SCMP_ARCH_X86;
	case 2: return SCMP_ARCH_X32;
	case 3: return SCMP_ARCH_AARCH64;
	case 4: return SCMP_ARCH_ARM;
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int n,
		    unsigned int *arg, int *op, uint64_t *a, uint64_t *b) {
	struct scmp_arg_cmp cmp[6];
	unsigned int i;
	for (i = 0; i < n && i < 6; i++) {
		cmp[i].arg = arg[i];
		cmp[i].op = (enum scmp_compare)op[i];
		cmp[i].datum_a = a[i];
		cmp[i].datum_b = b[i];
	}
	return seccomp_rule_add_array(ctx, action, nr, n, cmp);
}
*/
import "C"

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"unsafe"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/converter"
)

func token(a *abi.ABI) C.uint32_t {
	for i, x := range []*abi.ABI{abi.X86_64, abi.X86, abi.X32, abi.Aarch64, abi.ARM} {
		if x == a {
			return C.arch_token(C.int(i))
		}
	}
	return 0
}

var cmpOp = map[converter.Op]C.int{
	converter.OpNE:       C.SCMP_CMP_NE,
	converter.OpLT:       C.SCMP_CMP_LT,
	converter.OpLE:       C.SCMP_CMP_LE,
	converter.OpEQ:       C.SCMP_CMP_EQ,
	converter.OpGE:       C.SCMP_CMP_GE,
	converter.OpGT:       C.SCMP_CMP_GT,
	converter.OpMaskedEQ: C.SCMP_CMP_MASKED_EQ,
}

// Error is a libseccomp call that failed.
type Error struct {
	Call  string
	Errno syscall.Errno
}

func (e *Error) Error() string { return fmt.Sprintf("libseccomp: %s: %v", e.Call, e.Errno) }

func check(call string, rc C.int) error {
	if rc < 0 {
		return &Error{call, syscall.Errno(-rc)}
	}
	return nil
}

// Build makes the filter runc would make from the lowered profile l on a
// host of l's target: seccomp_init with the default action (which starts
// the filter with the native ABI), the bad-ABI action, the ABIs added (the
// native one is never removed, even when the profile does not list it),
// optimization level optLevel (1 or 2), one seccomp_rule_add_array per
// call with names libseccomp cannot resolve skipped, and returns the
// exported BPF.
func Build(l *converter.Lowered, optLevel int) ([]xbpf.RawInstruction, error) {
	var prog []xbpf.RawInstruction
	err := build(l, optLevel, func(ctx C.scmp_filter_ctx) (err error) {
		prog, err = export(ctx)
		return err
	})
	return prog, err
}

// PFC is libseccomp's pseudo-code listing (seccomp_export_pfc) of the filter
// Build makes. It is printed from libseccomp's rule tree, not from the BPF,
// so tests use it to tell libseccomp's code generation faults from
// disagreements about what the rules mean.
func PFC(l *converter.Lowered) (string, error) {
	var text string
	err := build(l, 2, func(ctx C.scmp_filter_ctx) error {
		return withTemp(func(f *os.File) error {
			if err := check("seccomp_export_pfc", C.seccomp_export_pfc(ctx, C.int(f.Fd()))); err != nil {
				return err
			}
			raw, err := readBack(f)
			text = string(raw)
			return err
		})
	})
	return text, err
}

func build(l *converter.Lowered, optLevel int, out func(C.scmp_filter_ctx) error) error {
	ctx := C.seccomp_init(C.uint32_t(l.Default))
	if ctx == nil {
		return fmt.Errorf("libseccomp: seccomp_init(%s) failed", bpf.ActionString(l.Default))
	}
	defer C.seccomp_release(ctx)
	if err := check("seccomp_attr_set(ACT_BADARCH)", C.seccomp_attr_set(ctx, C.SCMP_FLTATR_ACT_BADARCH, C.uint32_t(l.BadABIAction))); err != nil {
		return err
	}
	if err := check("seccomp_attr_set(CTL_OPTIMIZE)", C.seccomp_attr_set(ctx, C.SCMP_FLTATR_CTL_OPTIMIZE, C.uint32_t(optLevel))); err != nil {
		return err
	}
	// seccomp_init starts the filter with the machine's native ABI. To stand
	// for a host of l's target on this machine, swap it for the target's
	// native ABI: that is where runc's filter starts there.
	if machine, native := C.seccomp_arch_native(), token(l.Target.Native); machine != native {
		if err := check("seccomp_arch_add("+l.Target.Native.Name+")", C.seccomp_arch_add(ctx, native)); err != nil {
			return err
		}
		if err := check("seccomp_arch_remove(machine)", C.seccomp_arch_remove(ctx, machine)); err != nil {
			return err
		}
	}
	// Then what runc does: add every ABI of the profile, never remove
	// one, and take EEXIST (already there, as the native one is) as
	// success, as libseccomp-golang's AddArch does.
	for _, a := range l.ABIs {
		if rc := C.seccomp_arch_add(ctx, token(a)); rc != -C.EEXIST {
			if err := check("seccomp_arch_add("+a.Name+")", rc); err != nil {
				return err
			}
		}
	}
	for _, c := range l.Calls {
		nr, ok := Resolve(c.Name)
		if !ok {
			continue // runc skips what libseccomp cannot resolve
		}
		n := len(c.Conds)
		args := make([]C.uint, 6)
		ops := make([]C.int, 6)
		as := make([]C.uint64_t, 6)
		bs := make([]C.uint64_t, 6)
		for i, cd := range c.Conds {
			args[i], ops[i], as[i], bs[i] = C.uint(cd.Index), cmpOp[cd.Op], C.uint64_t(cd.A), C.uint64_t(cd.B)
		}
		rc := C.add_rule(ctx, C.uint32_t(c.Action), C.int(nr), C.uint(n), &args[0], &ops[0], &as[0], &bs[0])
		if err := check("seccomp_rule_add_array("+c.Name+")", rc); err != nil {
			return err
		}
	}
	return out(ctx)
}

func export(ctx C.scmp_filter_ctx) ([]xbpf.RawInstruction, error) {
	var prog []xbpf.RawInstruction
	err := withTemp(func(f *os.File) error {
		if err := check("seccomp_export_bpf", C.seccomp_export_bpf(ctx, C.int(f.Fd()))); err != nil {
			return err
		}
		raw, err := readBack(f)
		if err != nil {
			return err
		}
		prog, err = bpf.Decode(raw)
		return err
	})
	return prog, err
}

// withTemp hands f an unlinked-on-return temporary file: libseccomp writes
// to a file descriptor, and a pipe could fill up before we read it.
func withTemp(f func(*os.File) error) error {
	t, err := os.CreateTemp("", "secc-libseccomp-*")
	if err != nil {
		return err
	}
	defer os.Remove(t.Name())
	defer t.Close()
	return f(t)
}

func readBack(f *os.File) ([]byte, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

// Resolve is seccomp_syscall_resolve_name: the number of name on the native
// architecture, a negative pseudo number for a name libseccomp knows only on
// other architectures, and false for a name it does not know at all.
func Resolve(name string) (int, bool) {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	nr := C.seccomp_syscall_resolve_name(cs)
	if nr == C.__NR_SCMP_ERROR {
		return 0, false
	}
	return int(nr), true
}

// NrOn is the number libseccomp gives name on ABI a (x32 numbers include
// bit 30), and false when the name does not exist there.
func NrOn(a *abi.ABI, name string) (uint32, bool) {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	nr := C.seccomp_syscall_resolve_name_arch(token(a), cs)
	if nr < 0 {
		return 0, false
	}
	return uint32(nr), true
}
