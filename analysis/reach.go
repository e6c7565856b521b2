package analysis

import (
	"github.com/secc-lang/secc/compiler/decide"
	"github.com/secc-lang/secc/compiler/resolve"
)

// Reachability of rules, asked of the compiler: each question lint has
// ("does rule i hold for some input?", "…where every earlier rule fails?",
// "…and where rule j holds too?") is whether a rule fires in a policy built
// for the question, which decide.FiringRules answers with the compiler's
// own lowering to word tests. Its answers err only towards "fires", the
// side on which lint stays silent.

// ruleSpace answers reachability questions about one resolved policy.
type ruleSpace struct {
	p     *resolve.Policy
	fires []bool // fires[i]: some input makes rule i the first that holds
}

func newRuleSpace(p *resolve.Policy) *ruleSpace {
	return &ruleSpace{p: p, fires: firing(p)}
}

// firing is decide.FiringRules, with every rule firing when the policy is
// too complex to decide: then lint says nothing rather than something wrong.
func firing(p *resolve.Policy) []bool {
	fires, err := decide.FiringRules(p)
	if err != nil {
		fires = make([]bool, len(p.Rules))
		for i := range fires {
			fires[i] = true
		}
	}
	return fires
}

// reachable reports whether some input makes rule i's condition true,
// every condition in not false, and (if also is not nil) also true.
func (rs *ruleSpace) reachable(i int, not []int, also resolve.Cond) bool {
	rules := make([]resolve.Rule, 0, len(not)+2)
	for _, j := range not {
		rules = append(rules, resolve.Rule{Cond: rs.p.Rules[j].Cond})
	}
	c := rs.p.Rules[i].Cond
	if also != nil {
		c = resolve.And{c, also}
	}
	// The question's policy needs a final unconditional rule, as every
	// resolved policy has.
	rules = append(rules, resolve.Rule{Cond: c}, resolve.Rule{Cond: resolve.Const(true)})
	return firing(&resolve.Policy{ABI: rs.p.ABI, Rules: rules})[len(not)]
}

// never reports whether rule i's condition holds for no input at all.
func (rs *ruleSpace) never(i int) bool {
	switch {
	case rs.fires[i]:
		return false // it holds where it fires
	case rs.p.Rules[i].Cond == resolve.Const(false):
		return true
	}
	return !rs.reachable(i, nil, nil)
}

// shadowed reports whether rule i, if it ever holds, holds only where an
// earlier rule does.
func (rs *ruleSpace) shadowed(i int) bool { return !rs.fires[i] }
