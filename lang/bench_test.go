package lang

import (
	"os"
	"testing"

	"github.com/secc-lang/secc/preprocessor"
)

func corpusResult(b *testing.B) (*preprocessor.Result, []byte) {
	src, err := os.ReadFile(corpusFile)
	if err != nil {
		b.Fatal(err)
	}
	opts := preprocessor.Options{Symbols: map[string]preprocessor.Symbol{"ARCH_AMD64": {}, "CAP_SYS_ADMIN": {}}}
	res, err := preprocessor.Preprocess("policy.sec", src, opts)
	if err != nil {
		b.Fatal(err)
	}
	return res, src
}

// BenchmarkParseCorpus is the parse of the preprocessed corpus, the
// compiler's hot path.
func BenchmarkParseCorpus(b *testing.B) {
	res, _ := corpusResult(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := ParsePreprocessed(res); errs.HasErrors() {
			b.Fatal(errs)
		}
	}
}

// BenchmarkParseFileCorpus parses the raw corpus, directives included.
func BenchmarkParseFileCorpus(b *testing.B) {
	_, src := corpusResult(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := ParseFile("policy.sec", src); errs.HasErrors() {
			b.Fatal(errs)
		}
	}
}

// BenchmarkPreprocessAndParse is what the 250 µs budget is about.
func BenchmarkPreprocessAndParse(b *testing.B) {
	_, src := corpusResult(b)
	opts := preprocessor.Options{Symbols: map[string]preprocessor.Symbol{"ARCH_AMD64": {}, "CAP_SYS_ADMIN": {}}}
	b.ReportAllocs()
	for b.Loop() {
		res, err := preprocessor.Preprocess("policy.sec", src, opts)
		if err != nil {
			b.Fatal(err)
		}
		if _, errs := ParsePreprocessed(res); errs.HasErrors() {
			b.Fatal(errs)
		}
	}
}

func BenchmarkFormatCorpus(b *testing.B) {
	_, src := corpusResult(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := Format("policy.sec", src); errs.HasErrors() {
			b.Fatal(errs)
		}
	}
}
