package converter

import (
	"os"
	"testing"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/internal/kver"
)

// The target is compiling Docker's default profile in ≤ 1 ms; these
// measure the converter's share (decoding, and lowering for one host).

func mobyBytes(b *testing.B) []byte {
	data, err := os.ReadFile("../../shared/corpus/moby-default.json")
	if err != nil {
		b.Skip("corpus not found")
	}
	return data
}

func BenchmarkDecodeMoby(b *testing.B) {
	data := mobyBytes(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode("moby-default.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLowerMoby(b *testing.B) {
	p, err := Decode("moby-default.json", mobyBytes(b))
	if err != nil {
		b.Fatal(err)
	}
	native := []Arch{{Name: "SCMP_ARCH_X86_64", ABI: abi.X86_64}}
	for _, bc := range []struct {
		name   string
		arches []Arch // nil: the profile's own archMap (x86_64, x86, x32)
	}{
		{"x86_64", native},
		{"x86_64+x86+x32", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			q := *p
			if bc.arches != nil {
				q.Architectures, q.ArchMap = bc.arches, nil
			}
			h := Host{Target: abi.TargetX86_64, Caps: DockerDefaultCaps, Kernel: kver.Version{Major: 6, Minor: 1}}
			b.ReportAllocs()
			for b.Loop() {
				if _, diags := q.Lower(h); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
	}
}
