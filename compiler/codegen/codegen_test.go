package codegen_test

import (
	"math/rand/v2"
	"testing"

	xbpf "golang.org/x/net/bpf"

	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/codegen"
	"github.com/secc-lang/secc/compiler/decide"
	"github.com/secc-lang/secc/compiler/opt"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/compiler/verify"
	"github.com/secc-lang/secc/lang"
)

// policyGen makes random resolved policies: overlapping rules, nested
// conditions, every operator, masks and 64-bit constants.
type policyGen struct {
	rng  *rand.Rand
	base uint32 // added to nr constants (x32's bit 30)
}

var interesting = []uint64{0, 1, 2, 5, 8, 0x7f, 0xff, 0x100, 0xffffffff, 0x100000000, 0x100000001,
	0x1ffffffff, 0x8000000000000000, ^uint64(0), ^uint64(0) - 1, 0xdeadbeef00000000}

func (g *policyGen) val() uint64 {
	if g.rng.IntN(4) == 0 {
		return g.rng.Uint64() >> g.rng.IntN(64)
	}
	return interesting[g.rng.IntN(len(interesting))]
}

func (g *policyGen) mask() uint64 {
	switch g.rng.IntN(6) {
	case 0:
		return 0xffffffff
	case 1:
		return 0xffffffff00000000
	case 2:
		return g.rng.Uint64()
	case 3:
		return 1 << g.rng.IntN(64)
	}
	return ^uint64(0)
}

func (g *policyGen) nrSet() resolve.Set {
	var rs []resolve.Range
	for i := 1 + g.rng.IntN(4); i > 0; i-- {
		lo := g.base + g.rng.Uint32N(40)
		hi := lo
		if g.rng.IntN(4) == 0 {
			hi += g.rng.Uint32N(6)
		}
		rs = append(rs, resolve.Range{Lo: lo, Hi: hi})
	}
	return resolve.SetOf(rs...)
}

func (g *policyGen) cond(depth int) resolve.Cond {
	switch n := g.rng.IntN(10); {
	case depth > 2 || n < 4:
		return resolve.ArgCmp{Arg: g.rng.IntN(3), Mask: g.mask(), Op: lang.CmpOp(g.rng.IntN(6)), Val: g.val()}
	case n < 6:
		return resolve.NrIn{Set: g.nrSet()}
	case n < 7:
		return resolve.Not{X: g.cond(depth + 1)}
	case n < 9:
		return resolve.And{g.cond(depth + 1), g.cond(depth + 1)}
	}
	return resolve.Or{g.cond(depth + 1), g.cond(depth + 1)}
}

var actions = []uint32{bpf.RetAllow, bpf.RetErrno | 1, bpf.RetErrno | 22, bpf.RetKillProcess, bpf.RetKillThread,
	bpf.RetTrap, bpf.RetLog, bpf.RetTrace | 7}

func (g *policyGen) policy(a *abi.ABI) *resolve.Policy {
	p := &resolve.Policy{ABI: a}
	for i := g.rng.IntN(8); i >= 0; i-- {
		c := resolve.Cond(resolve.And{resolve.NrIn{Set: g.nrSet()}, g.cond(1)})
		if g.rng.IntN(3) == 0 {
			c = g.cond(0)
		}
		p.Rules = append(p.Rules, resolve.Rule{Cond: resolve.Simplify(c), Action: actions[g.rng.IntN(len(actions))]})
	}
	p.Rules = append(p.Rules, resolve.Rule{Cond: resolve.Const(true), Action: actions[g.rng.IntN(len(actions))]})
	return p
}

// trees are the search-tree choosers under test: balanced (the reference
// lowering) and optimal for size, speed and mean with random weights.
func trees(rng *rand.Rand) []func(*decide.Arch) *opt.Tree {
	// Generate builds the arches' trees at once: each arch draws its
	// weights from its own generator, seeded here.
	seed := rng.Uint64()
	weights := func(a *decide.Arch) []float64 {
		r := rand.New(rand.NewPCG(seed, uint64(a.AuditArch)))
		w := make([]float64, len(a.Intervals))
		for i := range w {
			w[i] = float64(r.IntN(4))
		}
		return w
	}
	costs := func(a *decide.Arch) []opt.Cost {
		var zero [6]uint64
		c := make([]opt.Cost, len(a.Intervals))
		for i, iv := range a.Intervals {
			c[i] = opt.Cost{Common: iv.Node.Steps(&zero), Worst: iv.Node.MaxSteps()}
		}
		return c
	}
	return []func(*decide.Arch) *opt.Tree{
		func(a *decide.Arch) *opt.Tree { return opt.Balanced(a.Intervals) },
		func(a *decide.Arch) *opt.Tree { return opt.Optimal(a.Intervals, weights(a), costs(a), opt.Speed) },
		func(a *decide.Arch) *opt.Tree { return opt.Optimal(a.Intervals, weights(a), costs(a), opt.Size) },
		func(a *decide.Arch) *opt.Tree { return opt.Optimal(a.Intervals, weights(a), costs(a), opt.Mean) },
	}
}

// TestRandomPoliciesCompileFaithfully compiles random policies and checks
// the filter against the reference evaluation, both with verify and with
// independent random inputs the verifier does not choose.
func TestRandomPoliciesCompileFaithfully(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 1))
	abiSets := [][]*abi.ABI{{abi.X86_64}, {abi.X86_64, abi.X32}, {abi.X86_64, abi.X86, abi.X32}, {abi.Aarch64, abi.ARM}, {abi.X32}}
	n := 200
	if testing.Short() {
		n = 60
	}
	for i := 0; i < n; i++ {
		abis := abiSets[i%len(abiSets)]
		var policies []*resolve.Policy
		for _, a := range abis {
			g := &policyGen{rng: rng, base: a.NrBase}
			policies = append(policies, g.policy(a))
		}
		bad := actions[rng.IntN(len(actions))]
		d, err := decide.Decide(policies, bad)
		require.NoError(t, err)
		// The plain tree (--optimize=none) and the optimal trees must all
		// mean the policy.
		// The trees over Decide's DAGs, and over the DAGs reshaped for
		// speed and for size with their goals' trees, as the compiler
		// pairs them.
		ts := trees(rng)
		type pair struct {
			d    *decide.Decision
			tree func(*decide.Arch) *opt.Tree
		}
		pairs := []pair{{d, ts[0]}, {d, ts[1]}, {d, ts[2]}, {d.Reshape(false), ts[1]}, {d.Reshape(true), ts[2]}, {d.Reshape(false), ts[3]}}
		var progs [][]xbpf.RawInstruction
		for _, p := range pairs {
			prog, err := codegen.Generate(p.d, codegen.Options{Tree: p.tree})
			require.NoError(t, err)
			require.NoError(t, bpf.Check(prog))
			_, err = verify.Verify(prog, &verify.Reference{Policies: policies, BadABI: bad})
			require.NoError(t, err, "policy %d", i)
			progs = append(progs, prog)
		}
		ref := &verify.Reference{Policies: policies, BadABI: bad}
		for j := 0; j < 300; j++ {
			data := bpf.SeccompData{Arch: abis[rng.IntN(len(abis))].AuditArch, Nr: int32(rng.Uint32N(48))}
			if rng.IntN(3) == 0 {
				data.Nr |= abi.X32Bit
			}
			if rng.IntN(20) == 0 {
				data.Arch = verify.ForeignArch
			}
			for k := range data.Args {
				data.Args[k] = interesting[rng.IntN(len(interesting))]
				if rng.IntN(3) == 0 {
					data.Args[k] = rng.Uint64()
				}
			}
			for _, prog := range progs {
				got, _, err := bpf.Run(prog, &data)
				require.NoError(t, err)
				require.Equal(t, bpf.ActionString(ref.Eval(&data)), bpf.ActionString(got), "policy %d input %+v", i, data)
			}
			require.Equal(t, ref.Eval(&data), d.Eval(data.Arch, uint32(data.Nr), &data.Args))
		}
	}
}
