//go:build libseccomp

package libseccomp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	xbpf "golang.org/x/net/bpf"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/converter"
)

// libseccomp 2.5.4 never returns from seccomp_rule_add on some profiles
// (the converter says so with Lowered.LibseccompHangs). A cgo call cannot
// be interrupted, so such builds run in a child process, this test binary
// re-run for TestBuildChild, which is killed when it takes too long.

// childSpec is what the child needs of a Lowered to replay its calls.
type childSpec struct {
	Default, BadABIAction uint32
	Target                string
	ABIs                  []string
	Calls                 []converter.Call
}

const childEnv = "SECC_LIBSECCOMP_BUILD_CHILD"

// childTimeout is how long a child may take: building a filter for a
// small profile takes milliseconds (TestBuildInChild checks that a child
// that returns is seen to).
const childTimeout = 2 * time.Second

// childCache holds outcomes by spec: lowerings for different hosts often
// make the same calls, and a hanging child costs childTimeout.
var (
	childMu    sync.Mutex
	childCache = map[string]childResult{}
)

type childResult struct {
	o      childOutcome
	detail string
}

// childOutcome is what became of a build in a child process.
type childOutcome int

const (
	childBuilt   childOutcome = iota // libseccomp returned a filter
	childRefused                     // libseccomp returned an error
	childHung                        // killed after childTimeout
	childCrashed                     // died otherwise
)

func (o childOutcome) String() string {
	return [...]string{"built a filter", "refused the profile", "did not return", "crashed"}[o]
}

// buildInChild replays l's calls with libseccomp (optimization level 2) in
// a child process; detail is the child's error or output.
func buildInChild(t *testing.T, l *converter.Lowered) (o childOutcome, detail string) {
	t.Helper()
	spec := childSpec{Default: l.Default, BadABIAction: l.BadABIAction, Target: l.Target.Name, Calls: l.Calls}
	for _, a := range l.ABIs {
		spec.ABIs = append(spec.ABIs, a.Name)
	}
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	childMu.Lock()
	defer childMu.Unlock()
	if r, ok := childCache[string(data)]; ok {
		return r.o, r.detail
	}
	o, detail = runChild(t, data)
	childCache[string(data)] = childResult{o, detail}
	return o, detail
}

func runChild(t *testing.T, data []byte) (childOutcome, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestBuildChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdin = strings.NewReader(string(data))
	out, err := cmd.CombinedOutput()
	text := strings.TrimSpace(string(out))
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return childHung, text
	case err == nil && strings.Contains(text, "CHILD: built"):
		return childBuilt, text
	case err == nil && strings.Contains(text, "CHILD: refused"):
		return childRefused, text
	case errors.As(err, &exit):
		return childCrashed, fmt.Sprintf("%v: %s", err, text)
	case err != nil:
		t.Fatalf("running the child: %v", err)
	}
	t.Fatalf("child said: %s", text)
	return 0, ""
}

// TestBuildChild is the child's side of buildInChild.
func TestBuildChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("only run by buildInChild")
	}
	var spec childSpec
	if err := json.NewDecoder(os.Stdin).Decode(&spec); err != nil {
		t.Fatal(err)
	}
	tg, ok := abi.LookupTarget(spec.Target)
	if !ok {
		t.Fatalf("no target %q", spec.Target)
	}
	l := &converter.Lowered{Default: spec.Default, BadABIAction: spec.BadABIAction, Target: tg, Calls: spec.Calls}
	for _, n := range spec.ABIs {
		a, ok := abi.Lookup(n)
		if !ok {
			t.Fatalf("no ABI %q", n)
		}
		l.ABIs = append(l.ABIs, a)
	}
	if _, err := Build(l, 2); err != nil {
		fmt.Printf("CHILD: refused: %v\n", err)
		return
	}
	fmt.Println("CHILD: built")
}

// checkFault holds a lowering the converter says libseccomp itself gets
// wrong (Lowered.LibseccompFault) to what libseccomp does with it.
func checkFault(t *testing.T, label string, l *converter.Lowered, diags any) {
	t.Helper()
	o, detail := buildInChild(t, l)
	switch {
	case l.LibseccompHangs && o != childHung:
		t.Errorf("%s: secc says libseccomp never returns (%v), but it %v: %s", label, diags, o, detail)
	case !l.LibseccompHangs:
		// A corrupt tree: what libseccomp does next is undefined.
		t.Logf("%s: libseccomp corrupts its tree and then %v", label, o)
	}
}

// buildGuarded is Build, failing the test instead of hanging when
// libseccomp does not return: the converter should have said it would not.
func buildGuarded(t *testing.T, label string, l *converter.Lowered, level int) ([]xbpf.RawInstruction, error) {
	t.Helper()
	type result struct {
		prog []xbpf.RawInstruction
		err  error
	}
	r := within(t, 30*time.Second, label+": libseccomp did not return, which the converter did not foresee", func() result {
		prog, err := Build(l, level)
		return result{prog, err}
	})
	return r.prog, r.err
}

// within runs f and returns what it gives, failing the test with msg if it
// does not return within d.
func within[T any](t *testing.T, d time.Duration, msg string, f func() T) T {
	t.Helper()
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	select {
	case r := <-ch:
		return r
	case <-time.After(d):
		t.Fatal(msg)
	}
	panic("unreachable")
}
