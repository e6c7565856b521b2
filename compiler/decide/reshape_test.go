package decide

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/lang"
)

const (
	allow = 0x7fff0000
	eperm = 0x00050001
)

func arg0(op lang.CmpOp, v uint64) resolve.ArgCmp {
	return resolve.ArgCmp{Arg: 0, Mask: ^uint64(0), Op: op, Val: v}
}

// decideOne decides a policy of rules for system call 1 of x86_64 and
// returns the node of call 1 and the node of call 1 reshaped.
func decideOne(t *testing.T, sizeFirst bool, rules ...resolve.Rule) (before, after *Node) {
	t.Helper()
	p := &resolve.Policy{ABI: abi.X86_64, Rules: append(rules, resolve.Rule{Cond: resolve.Const(true), Action: eperm})}
	d, err := Decide([]*resolve.Policy{p}, 0)
	require.NoError(t, err)
	before = d.Lookup(abi.AuditArchX86_64, 1)
	after = d.Reshape(sizeFirst).Lookup(abi.AuditArchX86_64, 1)
	require.Same(t, before, d.Lookup(abi.AuditArchX86_64, 1), "d is left as it was")
	return before, after
}

func oneOf(vals ...uint64) resolve.Cond {
	var or resolve.Or
	for _, v := range vals {
		or = append(or, arg0(lang.Eq, v))
	}
	return resolve.And{resolve.NrIn{Set: resolve.Points(1)}, or}
}

// countTests counts the distinct tests on w below n.
func countTests(n *Node, w Word) int {
	seen := map[*Node]bool{}
	var walk func(x *Node)
	walk = func(x *Node) {
		if x.Leaf || seen[x] {
			return
		}
		seen[x] = true
		walk(x.True)
		walk(x.False)
	}
	walk(n)
	count := 0
	for x := range seen {
		if x.Test.Word == w {
			count++
		}
	}
	return count
}

// Docker's personality rule: the four values made of bits 3 and 17 are one
// JSET, 0xffffffff one JEQ after it; zero takes the JSET alone.
func TestReshapeFindsBitCube(t *testing.T) {
	before, n := decideOne(t, false, resolve.Rule{Cond: oneOf(0, 8, 0x20000, 0x20008, 0xffffffff), Action: allow})
	require.Equal(t, 5, countTests(before, Word{0, false}))
	assert.Equal(t, 2, countTests(n, Word{0, false}))
	var zero [6]uint64
	assert.Equal(t, 5, n.Steps(&zero), "ld hi, jeq, ld lo, jset, ret")
	assert.Equal(t, 6, n.MaxSteps())
	for _, v := range []uint64{0, 8, 0x20000, 0x20008, 0xffffffff} {
		args := [6]uint64{v}
		assert.Equal(t, uint32(allow), n.Eval(&args), "%#x", v)
	}
	for _, v := range []uint64{1, 9, 0x20001, 0x20010, 0xfffffffe, 0x100000000, 0x100020008} {
		args := [6]uint64{v}
		assert.Equal(t, uint32(eperm), n.Eval(&args), "%#x", v)
	}
}

// Docker's socket rule, 38 and 40 refused: for speed, JGT 37 first answers
// every common address family (all below 38) in one test, at one test
// more for the rest; for size, two JEQs.
func TestReshapePullsOutValues(t *testing.T) {
	lo := Word{0, false}
	var args [6]uint64
	args[0] = 2 // AF_INET
	_, fast := decideOne(t, false, resolve.Rule{Cond: oneOf(38, 40), Action: allow})
	assert.Equal(t, 3, countTests(fast, lo))
	assert.Equal(t, 5, fast.Steps(&args), "ld hi, jgt, ld lo, jgt, ret")
	assert.Equal(t, 7, fast.MaxSteps())
	_, small := decideOne(t, true, resolve.Rule{Cond: oneOf(38, 40), Action: allow})
	assert.Equal(t, 2, countTests(small, lo))
	assert.Equal(t, 6, small.MaxSteps())
}

// A value search that is a ladder of ranges stays one test per boundary.
func TestReshapeRanges(t *testing.T) {
	nr1 := resolve.NrIn{Set: resolve.Points(1)}
	_, n := decideOne(t, false,
		resolve.Rule{Cond: resolve.And{nr1, arg0(lang.Lt, 10)}, Action: allow},
		resolve.Rule{Cond: resolve.And{nr1, arg0(lang.Lt, 20)}, Action: 0x00050002},
		resolve.Rule{Cond: resolve.And{nr1, arg0(lang.Lt, 30)}, Action: 0x00050003},
		resolve.Rule{Cond: resolve.And{nr1, arg0(lang.Lt, 40)}, Action: 0x00050004},
	)
	// hi > 0 goes to the default; the low word has five ranges: a
	// balanced search of depth 3 with 4 tests.
	assert.Equal(t, 4, countTests(n, Word{0, false}))
	assert.Equal(t, 7, n.MaxSteps(), "ld hi, jgt, ld lo, three tests, ret")
}

// randomRule is a rule on call 1 testing the arguments with every operator,
// masks, 64-bit constants and constants close to each other.
func randomRule(rng *rand.Rand, consts []uint64) resolve.Rule {
	ops := []lang.CmpOp{lang.Eq, lang.Ne, lang.Lt, lang.Le, lang.Gt, lang.Ge}
	var and resolve.And
	and = append(and, resolve.NrIn{Set: resolve.Points(1)})
	for range 1 + rng.IntN(2) {
		mask := ^uint64(0)
		switch rng.IntN(5) {
		case 0:
			mask = consts[rng.IntN(len(consts))] | 1
		case 1:
			mask = 0xffffffff
		}
		c := resolve.Cond(resolve.ArgCmp{Arg: rng.IntN(2), Mask: mask, Op: ops[rng.IntN(len(ops))], Val: consts[rng.IntN(len(consts))] & mask})
		if rng.IntN(3) == 0 {
			or := resolve.Or{c}
			for range 1 + rng.IntN(4) {
				or = append(or, arg0(lang.Eq, consts[rng.IntN(len(consts))]))
			}
			c = or
		}
		and = append(and, c)
	}
	return resolve.Rule{Cond: and, Action: uint32(0x00050000 + rng.IntN(4))}
}

// Reshaping changes the DAG, never the decision: random argument rules,
// evaluated on every boundary value of their constants before and after,
// for both goals.
func TestReshapeKeepsTheDecision(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for trial := range 400 {
		consts := []uint64{0, 1, 8, 38, 40, 0x20008, 0xffffffff, 0x100000000, ^uint64(0)}
		for range 4 {
			consts = append(consts, rng.Uint64N(64), rng.Uint64()>>rng.IntN(64))
		}
		var rules []resolve.Rule
		for range 1 + rng.IntN(6) {
			rules = append(rules, randomRule(rng, consts))
		}
		var values []uint64
		for _, c := range consts {
			values = append(values, c, c+1, c-1, c<<32, c>>32, c|0xffffffff00000000)
		}
		for _, sizeFirst := range []bool{false, true} {
			before, after := decideOne(t, sizeFirst, rules...)
			want := map[[2]uint64]uint32{}
			for _, a := range values {
				for _, b := range values[:12] {
					args := [6]uint64{a, b}
					want[[2]uint64{a, b}] = before.Eval(&args)
				}
			}
			for k, w := range want {
				args := [6]uint64{k[0], k[1]}
				require.Equal(t, w, after.Eval(&args), "trial %d size %v args %#x", trial, sizeFirst, k)
			}
		}
	}
}

// Ranges can make a bit cube too: 0-3 and 16-19 are the values with no bit
// outside 0x13, one JSET where ranges would take two tests on each path.
func TestReshapeCubeOfRanges(t *testing.T) {
	nr1 := resolve.NrIn{Set: resolve.Points(1)}
	in := resolve.Or{
		resolve.And{arg0(lang.Ge, 0), arg0(lang.Le, 3)},
		resolve.And{arg0(lang.Ge, 16), arg0(lang.Le, 19)},
	}
	before, after := decideOne(t, false, resolve.Rule{Cond: resolve.And{nr1, in}, Action: allow})
	lo := Word{0, false}
	require.Greater(t, countTests(before, lo), 1)
	assert.Equal(t, 1, countTests(after, lo))
	for v := uint64(0); v < 64; v++ {
		args := [6]uint64{v}
		assert.Equal(t, before.Eval(&args), after.Eval(&args), "%d", v)
	}
}

// A set with more spans than one search takes is halved by JGTs first:
// for speed, 60 values cost 8 tests at most instead of a chain of 60; for
// size, the chain (one test per value) is built. The meaning is the same.
// Decide itself halves sets this large (pulling 60 values out one by one
// would take quadratic time), so its own longest path is short too.
func TestReshapeLargeSet(t *testing.T) {
	var vals []uint64
	for v := uint64(0); v < 120; v += 2 {
		vals = append(vals, v)
	}
	rule := resolve.Rule{Cond: oneOf(vals...), Action: allow}
	before, fast := decideOne(t, false, rule)
	_, small := decideOne(t, true, rule)
	lo := Word{0, false}
	require.GreaterOrEqual(t, countTests(before, lo), 60)
	assert.LessOrEqual(t, before.MaxSteps(), 2+1+3+largeRun+1, "Decide: ld hi, jeq, ld lo, 3 halvings, a chain, ret")
	assert.LessOrEqual(t, fast.MaxSteps(), 2+1+8+1, "ld hi, jeq, ld lo, at most 8 tests, ret")
	assert.Equal(t, 60, countTests(small, lo))
	for v := uint64(0); v < 130; v++ {
		args := [6]uint64{v}
		assert.Equal(t, before.Eval(&args), fast.Eval(&args), "%d", v)
		assert.Equal(t, before.Eval(&args), small.Eval(&args), "%d", v)
	}
}

// A run of a thousand tests (a 1000-value set) is halved down to searches
// of a few spans and keeps its meaning.
func TestReshapeHugeSet(t *testing.T) {
	var vals []uint64
	for v := uint64(0); v < 3000; v += 3 {
		vals = append(vals, v)
	}
	before, fast := decideOne(t, false, resolve.Rule{Cond: oneOf(vals...), Action: allow})
	assert.LessOrEqual(t, fast.MaxSteps(), 2+1+12+1, "ld hi, jeq, ld lo, at most 12 tests, ret")
	for v := uint64(0); v < 3100; v++ {
		args := [6]uint64{v}
		require.Equal(t, before.Eval(&args), fast.Eval(&args), "%d", v)
	}
}
