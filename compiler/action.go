package compiler

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/lang"
)

// ParseAction reads an action as the command line writes it:
// `KILL_PROCESS`, `ERRNO(EPERM)`, `ERRNO(38)`, `TRAP()`.
func ParseAction(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	a := &lang.Action{Name: strings.ToUpper(s)}
	if i := strings.IndexByte(s, '('); i >= 0 {
		if !strings.HasSuffix(s, ")") {
			return 0, fmt.Errorf("bad action %q: missing ')'", s)
		}
		a.Name = strings.ToUpper(strings.TrimSpace(s[:i]))
		a.Parens = true
		if arg := strings.TrimSpace(s[i+1 : len(s)-1]); arg != "" {
			t := &lang.Term{Kind: lang.TermName, Name: arg}
			if n, err := strconv.ParseUint(arg, 0, 64); err == nil {
				t = &lang.Term{Kind: lang.TermNumber, Num: n, Text: arg}
			}
			a.Arg = &lang.Value{Terms: []*lang.Term{t}}
		}
	}
	v, ok := resolve.ActionValue(a, func(t *lang.Term) (uint64, bool) {
		e, ok := abi.Errno(t.Name)
		return uint64(e), ok
	})
	if !ok {
		return 0, fmt.Errorf("bad action %q (want ALLOW, ERRNO(n), KILL_PROCESS, KILL_THREAD, TRAP, TRACE(n), LOG or NOTIFY)", s)
	}
	return v, nil
}
