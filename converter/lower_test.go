package converter

import (
	"fmt"
	"strings"
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

// TestMultiplexedRulesWarnOnce: the argument rules libseccomp also applies
// to socketcall on x86 get one warning, at the first, naming the others;
// a filter without x86 gets none.
func TestMultiplexedRulesWarnOnce(t *testing.T) {
	src := `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
  "syscalls": [
    {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
    {"names": ["connect"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": 16, "op": "SCMP_CMP_LE"}]}
  ]}`
	p, err := Decode("p.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	l, diags := p.Lower(Host{Target: abi.TargetX86_64})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var muxed []string
	for _, d := range l.Warnings {
		if strings.Contains(d.Msg, "socketcall") {
			muxed = append(muxed, fmt.Sprintf("%d: %s", d.Pos.Line, d.Msg))
		}
	}
	want := "4: on x86, libseccomp also applies this rule (socket) and the rules at lines 5 (socket) and 6 (connect) to socketcall/ipc"
	if len(muxed) != 1 || !strings.HasPrefix(muxed[0], want) {
		t.Errorf("warnings about socketcall: %q, want one starting %q", muxed, want)
	}
	native, _ := p.Lower(Host{Target: abi.TargetX86_64, ABIs: []*abi.ABI{abi.X86_64}})
	for _, d := range native.Warnings {
		if strings.Contains(d.Msg, "socketcall") {
			t.Errorf("x86_64 alone: %s", d.Msg)
		}
	}
}
