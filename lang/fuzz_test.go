package lang

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes the parser or the printer panic,
// and that whatever parses prints to text that parses to the same tree
// and prints the same again. Interesting inputs live in testdata/fuzz.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.sec")
	errs, _ := filepath.Glob("testdata/errors/*.sec")
	seeds = append(append(seeds, corpusFile), errs...)
	for _, name := range seeds {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, r := range docRules {
		f.Add([]byte(r))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, errs := ParseFile("fuzz.sec", src)
		if file == nil && !errs.HasErrors() {
			t.Fatal("nil file without an error")
		}
		for _, d := range errs {
			if !d.Pos.IsValid() {
				t.Fatalf("error without a position: %v", d)
			}
		}
		if errs.HasErrors() {
			return
		}
		roundTrip(t, "fuzz.sec", src)
	})
}
