package abi

import (
	"fmt"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, tt := range []struct {
		name string
		want *ABI
	}{
		{"x86_64", X86_64}, {"amd64", X86_64}, {"SCMP_ARCH_X86_64", X86_64},
		{"x86", X86}, {"i386", X86}, {"SCMP_ARCH_X86", X86},
		{"x32", X32}, {"SCMP_ARCH_X32", X32},
		{"aarch64", Aarch64}, {"arm64", Aarch64}, {"SCMP_ARCH_AARCH64", Aarch64},
		{"arm", ARM}, {"SCMP_ARCH_ARM", ARM},
		{"mips", nil}, {"SCMP_ARCH_PPC64LE", nil}, {"", nil},
	} {
		got, ok := Lookup(tt.name)
		if got != tt.want || ok != (tt.want != nil) {
			t.Errorf("Lookup(%q) = %v, %v; want %v", tt.name, got, ok, tt.want)
		}
	}
}

func TestSCMPName(t *testing.T) {
	want := map[*ABI]string{
		X86_64: "SCMP_ARCH_X86_64", X86: "SCMP_ARCH_X86", X32: "SCMP_ARCH_X32",
		Aarch64: "SCMP_ARCH_AARCH64", ARM: "SCMP_ARCH_ARM",
	}
	for _, a := range All {
		if got := a.SCMPName(); got != want[a] {
			t.Errorf("%s.SCMPName() = %s, want %s", a, got, want[a])
		}
		if back, _ := Lookup(a.SCMPName()); back != a {
			t.Errorf("Lookup(%s) = %v, want %v", a.SCMPName(), back, a)
		}
	}
}

func TestByAuditArch(t *testing.T) {
	for _, tt := range []struct {
		audit uint32
		want  string
	}{
		{AuditArchX86_64, "[x86_64 x32]"},
		{AuditArchI386, "[x86]"},
		{AuditArchAarch64, "[aarch64]"},
		{AuditArchARM, "[arm]"},
		{0, "[]"},
	} {
		if got := fmt.Sprint(ByAuditArch(tt.audit)); got != tt.want {
			t.Errorf("ByAuditArch(%#x) = %s, want %s", tt.audit, got, tt.want)
		}
	}
}

func TestLookupTarget(t *testing.T) {
	for _, tt := range []struct {
		name string
		want *Target
	}{
		{"amd64", TargetX86_64}, {"x86_64", TargetX86_64}, {"arm64", TargetAarch64},
		{"x86", nil}, {"arm", nil}, {"riscv64", nil},
	} {
		got, ok := LookupTarget(tt.name)
		if got != tt.want || ok != (tt.want != nil) {
			t.Errorf("LookupTarget(%q) = %v, %v", tt.name, got, ok)
		}
	}
	for _, tg := range Targets {
		for _, a := range tg.ABIs {
			if a.Target != tg.Name {
				t.Errorf("%s carries %s whose Target is %s", tg.Name, a, a.Target)
			}
		}
	}
}
