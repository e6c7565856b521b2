//go:build libseccomp

package libseccomp

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/converter"
	"github.com/secc-lang/secc/internal/kver"
)

// TestNativeArchKept: a profile that lists only a compat ABI still gets the
// native one, because libseccomp's filter starts with it and runc only
// adds. The filter libseccomp builds that way and secc's must agree on every
// ABI of the host, the native one included.
func TestNativeArchKept(t *testing.T) {
	for _, tc := range []struct {
		arch string
		want []*abi.ABI
	}{
		{"SCMP_ARCH_X86", []*abi.ABI{abi.X86_64, abi.X86}},
		{"SCMP_ARCH_X32", []*abi.ABI{abi.X86_64, abi.X32}},
	} {
		src := fmt.Sprintf(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": [%q], "syscalls": [
		  {"names": ["read", "write", "exit_group", "connect", "arch_prctl", "set_thread_area"], "action": "SCMP_ACT_ALLOW"},
		  {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
		  {"names": ["socket"], "action": "SCMP_ACT_LOG", "args": [{"index": 1, "value": 16, "op": "SCMP_CMP_NE"}]},
		  {"names": ["kill"], "action": "SCMP_ACT_TRAP", "args": [{"index": 1, "value": 4294967296, "op": "SCMP_CMP_GE"}]}]}`, tc.arch)
		p, err := converter.Decode(tc.arch+".json", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		h := converter.Host{Target: abi.TargetX86_64, Kernel: kver.Version{Major: 6, Minor: 1}}
		l, diags := p.Lower(h)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", tc.arch, diags)
		}
		if fmt.Sprint(l.ABIs) != fmt.Sprint(tc.want) {
			t.Errorf("%s: ABIs %v, want %v", tc.arch, l.ABIs, tc.want)
		}
		// libseccomp must see it the same way: the native ABI's calls are
		// decided by the rules, not killed as a bad ABI.
		prog, err := Build(l, 2)
		if err != nil {
			t.Fatal(err)
		}
		nr, _ := abi.X86_64.Nr("read")
		if got := runProg(prog, &bpf.SeccompData{Nr: int32(nr), Arch: abi.X86_64.AuditArch}); got != bpf.RetAllow {
			t.Errorf("%s: libseccomp gives x86_64 read %#x, want ALLOW", tc.arch, got)
		}
		if fails, _ := diffOne(t, tc.arch, p, h, rand.New(rand.NewSource(4))); fails > 0 {
			t.Errorf("%s: %d inputs differ from libseccomp", tc.arch, fails)
		}
	}
}
