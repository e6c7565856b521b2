package converter

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/internal/kver"
	"github.com/secc-lang/secc/lang"
)

// libseccomp 2.5.4 never returns from seccomp_rule_add on these profiles:
// a0 >= 0 is a DAG (its high-word test and its low-word test both lead
// to the next test), and merging a second rule through it links the new
// a2 node into the a1 level twice, once from each path; the second time
// makes the node its own predecessor, and freeing the new chain then
// walks that level backwards forever.
var (
	loopMinimal = testdataText("loops/minimal.json")
	// The profile the loop was found with (random differential testing),
	// which loops on x86_64 without CAP_BPF before kernel 5.8.
	loopFound = testdataText("loops/found.json")
)

// testdataText is a file of testdata, which the package's tests share
// with internal/libseccomp's.
func testdataText(name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// within runs f and fails the test if it does not return within a few
// seconds, so that a regression fails instead of hanging.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not return", what)
	}
}

func TestLibseccompLoopReported(t *testing.T) {
	host44 := Host{Target: abi.TargetX86_64, Kernel: kver.Version{Major: 4, Minor: 4}}
	for _, tc := range []struct {
		name, src string
		h         Host
		call      string
	}{
		{"minimal", loopMinimal, host44, "semop"},
		{"found", loopFound, host44, "semop"},
		{"found, no caps", loopFound, Host{Target: abi.TargetX86_64, Caps: []string{}, Kernel: kver.Version{Major: 4, Minor: 4}}, "semop"},
		{"minimal, aarch64", loopMinimal, Host{Target: abi.TargetAarch64, Kernel: kver.Version{Major: 6, Minor: 1}}, "semop"},
	} {
		p, err := Decode("loop.json", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		var l *Lowered
		var diags diag.List
		within(t, tc.name+": Lower", func() { l, diags = p.Lower(tc.h) })
		if !diags.HasErrors() || l == nil || !l.LibseccompHangs || !l.LibseccompFault {
			t.Fatalf("%s: want an error saying libseccomp hangs, got %v", tc.name, diags)
		}
		msg := diags.Errors()[0].Error()
		if !strings.Contains(msg, `"`+tc.call+`"`) || !strings.Contains(msg, "never returns") || !strings.Contains(msg, "runc would hang") {
			t.Errorf("%s: unclear diagnostic %q", tc.name, msg)
		}
		if last := l.Calls[len(l.Calls)-1]; last.Name != tc.call {
			t.Errorf("%s: last call %s, want the one that loops, on %s", tc.name, last.Name, tc.call)
		}
	}
}

func TestLibseccompLoopConverted(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		// want is the #error the semop block must have, and where.
		want string
	}{
		{"minimal", loopMinimal, "#ifdef ARCH_AMD64\n#error \"runc hangs on this profile here: semop on x86_64: libseccomp 2.5.4 links a node into its rule tree twice"},
		{"found", loopFound, "#error \"runc hangs on this profile here: semop on x86_64"},
	} {
		p, err := Decode("loop.json", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		var f *lang.File
		var diags diag.List
		within(t, tc.name+": Convert", func() { f, diags = p.Convert() })
		if diags.HasErrors() {
			t.Fatalf("%s: %v", tc.name, diags)
		}
		var buf bytes.Buffer
		if err := lang.Fprint(&buf, f); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), tc.want) {
			t.Errorf("%s: conversion lacks %q:\n%s", tc.name, tc.want, buf.String())
		}
	}
}

// TestModelBounded: a tree the model cannot make sense of (here a level
// that is its own predecessor without libseccomp's known cause) ends in an
// internal error, not an endless loop.
func TestModelBounded(t *testing.T) {
	db := newSDB(abi.X86_64, 1)
	conds := []scond{{arg: 0, op: OpEQ, mask: ^uint64(0), datum: 1}}
	sx, err := db.add(1, conds, 1)
	if err != nil {
		t.Fatal(err)
	}
	sx.chains.prv = sx.chains // not a list any more
	within(t, "add", func() {
		_, err = db.add(1, []scond{{arg: 1, op: OpEQ, mask: ^uint64(0), datum: 2}}, 1)
	})
	var de *divergedError
	if !errors.As(err, &de) {
		t.Fatalf("want an internal error, got %v", err)
	}
	if !strings.Contains(err.Error(), "internal error") || !strings.Contains(err.Error(), "please report") {
		t.Errorf("unclear error %q", err)
	}
}
