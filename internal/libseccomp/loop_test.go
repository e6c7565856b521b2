//go:build libseccomp

package libseccomp

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/converter"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/kver"
)

// libseccomp 2.5.4 never returns from seccomp_rule_add on these profiles
// (see converter/scmp_test.go): it links a node of the new rule into a
// level of its tree twice and then walks the level forever. The converter
// must say so, promptly, and agree with libseccomp on every host where the
// profile does not reach the loop.
var (
	loopMinimal = converterTestdata("loops/minimal.json")
	loopFound   = converterTestdata("loops/found.json")
)

func converterTestdata(name string) string {
	b, err := os.ReadFile(filepath.Join("..", "..", "converter", "testdata", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// lowerWithin is Lower, failing the test if it does not return promptly.
func lowerWithin(t *testing.T, label string, p *converter.Profile, h converter.Host) (*converter.Lowered, diag.List) {
	t.Helper()
	type result struct {
		l *converter.Lowered
		d diag.List
	}
	r := within(t, 5*time.Second, label+": Lower did not return", func() result {
		l, d := p.Lower(h)
		return result{l, d}
	})
	return r.l, r.d
}

// TestBuildInChild: the child harness tells a build that returns from one
// that does not.
func TestBuildInChild(t *testing.T) {
	l := &converter.Lowered{Default: bpf.RetTrap, BadABIAction: bpf.RetKillThread, Target: abi.TargetX86_64,
		ABIs: []*abi.ABI{abi.X86_64}, Calls: []converter.Call{{Name: "read", Action: bpf.RetAllow}}}
	if o, detail := buildInChild(t, l); o != childBuilt {
		t.Fatalf("a filter with one rule: the child %v: %s", o, detail)
	}
	l.Calls = []converter.Call{{Name: "read", Action: bpf.RetAllow, Conds: []converter.Cond{{Index: 0, Op: converter.OpMaskedEQ, A: 1, B: 1}, {Index: 0, Op: converter.OpEQ}}}}
	if o, detail := buildInChild(t, l); o != childRefused {
		t.Fatalf("a refused rule: the child %v: %s", o, detail)
	}
}

func TestLibseccompLoops(t *testing.T) {
	k44 := kver.Version{Major: 4, Minor: 4}
	for _, tc := range []struct {
		name, src string
		h         converter.Host
	}{
		{"minimal", loopMinimal, converter.Host{Target: abi.TargetX86_64, Kernel: k44}},
		{"found", loopFound, converter.Host{Target: abi.TargetX86_64, Caps: []string{}, Kernel: k44}},
	} {
		label := fmt.Sprintf("%s/%s", tc.name, tc.h.Target.Name)
		p, err := converter.Decode(tc.name+".json", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		l, diags := lowerWithin(t, label, p, tc.h)
		if !diags.HasErrors() || l == nil || !l.LibseccompHangs {
			t.Fatalf("%s: secc does not say libseccomp hangs: %v", label, diags)
		}
		if o, detail := buildInChild(t, l); o != childHung {
			t.Errorf("%s: secc says libseccomp never returns, but it %v: %s", label, o, detail)
		}
	}
}

// TestDifferentialLoopFound: the profile on every x86_64 host, where it
// loops and where it does not.
func TestDifferentialLoopFound(t *testing.T) {
	p, err := converter.Decode("found.json", []byte(loopFound))
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range capSets {
		for _, k := range kernels {
			h := converter.Host{Target: abi.TargetX86_64, Caps: cs.caps, Kernel: k}
			label := fmt.Sprintf("found.json/caps=%s/kernel=%s", cs.name, k)
			lowerWithin(t, label, p, h)
			diffOne(t, label, p, h, rand.New(rand.NewSource(1)))
		}
	}
}
