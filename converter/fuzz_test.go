package converter

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/secc-lang/secc/diag"
)

// FuzzDecode: decoding never panics, every error has a position, and a
// profile that decodes can be lowered and converted.
func FuzzDecode(f *testing.F) {
	for _, dir := range []string{"testdata", "testdata/bad", "testdata/loops", "../../shared/corpus"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode("f.json", data)
		if err != nil {
			for _, d := range err.(diag.List) {
				if !d.Pos.IsValid() {
					t.Fatalf("error without position: %v", d)
				}
			}
			return
		}
		p.Lower(Host{})
		p.Convert()
	})
}
