package suggest_test

import (
	"fmt"

	"github.com/secc-lang/secc/internal/suggest"
)

func ExampleClosest() {
	actions := []string{"ALLOW", "ERRNO", "KILL", "LOG", "TRAP"}
	for _, typo := range []string{"ALOW", "errno", "KIL", "TRACE"} {
		s, ok := suggest.Closest(typo, actions, nil)
		fmt.Printf("%s: %q %v\n", typo, s, ok)
	}
	// Output:
	// ALOW: "ALLOW" true
	// errno: "ERRNO" true
	// KIL: "KILL" true
	// TRACE: "" false
}
