package compiler_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/internal/kver"
)

// FuzzCompile compiles arbitrary policy text for x86_64 and x32 with
// verification on. Policy errors are fine; a panic, or an internal error
// (a filter that disagrees with its policy, or one the kernel would
// refuse), is a bug.
func FuzzCompile(f *testing.F) {
	for _, pattern := range []string{corpusDir + "/*.sec", "../lang/testdata/forms.sec", "../examples/*.sec",
		"../analysis/testdata/*.sec", "testdata/errors/*.sec"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("$syscall == @personality && ($arg0 & 0xff) in (1..3, 8) => ALLOW;\n$arg1.hi > 2 || !($arg2 < -1) => TRAP(3);\n=> ERRNO(EPERM);\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		if len(text) > 2048 {
			return
		}
		// x86_64 and x32 share an arch and split nr: the richest case
		// that stays fast enough to fuzz.
		opts := compiler.Options{Target: abi.TargetX86_64, ABIs: []*abi.ABI{abi.X86_64, abi.X32}, Kernel: kver.MustParse("6.18")}
		// A compile that runs away crashes the worker, which makes the
		// fuzzer keep the input.
		timer := time.AfterFunc(5*time.Second, func() { panic("compiling took over 5 s:\n" + string(text)) })
		_, _, err := compiler.CompileSource(compiler.Source{Name: "fuzz.sec", Text: text}, opts)
		timer.Stop()
		var ie *compiler.InternalError
		if errors.As(err, &ie) {
			t.Fatalf("internal error on\n%s\n%v", text, err)
		}
	})
}
