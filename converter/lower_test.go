package converter

import (
	"fmt"
	"testing"

	"github.com/secc-lang/secc/compiler/abi"
)

// TestNativeABIKept: runc never removes the native ABI libseccomp's filter
// starts with, whatever the profile lists.
func TestNativeABIKept(t *testing.T) {
	for _, tc := range []struct {
		arches string
		target *abi.Target
		want   []*abi.ABI
	}{
		{`["SCMP_ARCH_X86"]`, abi.TargetX86_64, []*abi.ABI{abi.X86_64, abi.X86}},
		{`["SCMP_ARCH_X32"]`, abi.TargetX86_64, []*abi.ABI{abi.X86_64, abi.X32}},
		{`["SCMP_ARCH_X32", "SCMP_ARCH_X86"]`, abi.TargetX86_64, []*abi.ABI{abi.X86_64, abi.X32, abi.X86}},
		{`["SCMP_ARCH_X86", "SCMP_ARCH_X86_64"]`, abi.TargetX86_64, []*abi.ABI{abi.X86, abi.X86_64}},
		{`["SCMP_ARCH_X86"]`, abi.TargetAarch64, []*abi.ABI{abi.Aarch64}},
		{`[]`, abi.TargetX86_64, []*abi.ABI{abi.X86_64}},
	} {
		src := `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ` + tc.arches + `,
		  "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`
		p, err := Decode("p.json", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		l, diags := p.Lower(Host{Target: tc.target})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if fmt.Sprint(l.ABIs) != fmt.Sprint(tc.want) {
			t.Errorf("%s on %s: ABIs %v, want %v", tc.arches, tc.target.Name, l.ABIs, tc.want)
		}
	}
}
