package compiler_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/verify"
	"github.com/secc-lang/secc/internal/caps"
	"github.com/secc-lang/secc/internal/kver"
)

// benchKernel is the kernel of issue 4's targets; fixing it keeps the
// benchmarks independent of the machine's kernel.
var benchKernel = kver.Version{Major: 6, Minor: 18}

func readCorpus(b *testing.B, name string) []byte {
	b.Helper()
	text, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		b.Skipf("corpus not available: %v", err)
	}
	return text
}

// BenchmarkCompileMoby times what issue 4's compile-time target counts:
// Docker's profile, from the JSON bytes to the BPF program for x86_64 with
// Docker's capabilities (decode, lower, compile), with and without the
// verification `secc compile` runs by default.
func BenchmarkCompileMoby(b *testing.B) {
	data := readCorpus(b, "moby-default.json")
	for _, bc := range []struct {
		name     string
		noVerify bool
	}{{"verify=off", true}, {"verify=on", false}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				// What `secc compile --abi x86_64 --caps docker` runs.
				_, _, _, err := compiler.CompileProfile(compiler.Profile{Name: "moby-default.json", Data: data, Caps: caps.Docker},
					compiler.Options{Target: abi.TargetX86_64, ABIs: []*abi.ABI{abi.X86_64}, Kernel: benchKernel, NoVerify: bc.noVerify})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompileEasyseccomp times easyseccomp's default policy from
// source text to a verified program, per target and ABI set.
func BenchmarkCompileEasyseccomp(b *testing.B) {
	text := readCorpus(b, "easyseccomp-default.sec")
	for _, t := range abi.Targets {
		for _, abis := range [][]*abi.ABI{{t.Native}, t.ABIs} {
			name := t.Name + "/native"
			if len(abis) > 1 {
				name = t.Name + "/all"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				src := compiler.Source{Name: "easyseccomp-default.sec", Text: text, Caps: caps.Docker}
				opts := compiler.Options{Target: t, ABIs: abis, Kernel: benchKernel}
				for b.Loop() {
					if _, _, err := compiler.CompileSource(src, opts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerifyEasyseccomp times verification alone, the part of a
// compile that grows with the number of ABIs and argument constants.
func BenchmarkVerifyEasyseccomp(b *testing.B) {
	text := readCorpus(b, "easyseccomp-default.sec")
	for _, t := range abi.Targets {
		b.Run(t.Name+"/all", func(b *testing.B) {
			res, _, err := compiler.CompileSource(compiler.Source{Name: "easyseccomp-default.sec", Text: text, Caps: caps.Docker},
				compiler.Options{Target: t, ABIs: t.ABIs, Kernel: benchKernel, NoVerify: true})
			if err != nil {
				b.Fatal(err)
			}
			ref := &verify.Reference{Policies: res.Policies, BadABI: res.Decision.BadABI}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := verify.Verify(res.Program.Insns, ref); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
