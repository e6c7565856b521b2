package compiler

import (
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/lang"
	"github.com/secc-lang/secc/preprocessor"
)

// Source is a policy file and the preprocessor inputs of a compilation.
type Source struct {
	Name string // file name for positions; "-" for stdin
	Text []byte
	// Symbols from the command line: -d NAME (value "") and -D NAME=VALUE.
	Symbols map[string]string
	// Caps are capability names (CAP_SYS_ADMIN); each is defined.
	Caps        []string
	IncludeDirs []string
	// ReadFile reads included files; nil: os.ReadFile.
	ReadFile func(string) ([]byte, error)
}

// Parse preprocesses and parses src for the target and kernel of opts
// (which it fills in). Sources holds every file read, for diagnostics.
func Parse(src Source, opts *Options) (*lang.File, diag.Sources, diag.List, error) {
	if err := opts.fill(); err != nil {
		return nil, nil, nil, err
	}
	syms := map[string]preprocessor.Symbol{
		"KERNEL": {Value: opts.Kernel.String(), HasValue: true},
	}
	for _, s := range opts.Target.Symbols {
		syms[s] = preprocessor.Symbol{}
	}
	for _, c := range src.Caps {
		syms[c] = preprocessor.Symbol{}
	}
	for k, v := range src.Symbols {
		syms[k] = preprocessor.Symbol{Value: v, HasValue: v != ""}
	}
	res, err := preprocessor.Preprocess(src.Name, src.Text, preprocessor.Options{
		Symbols:     syms,
		IncludeDirs: src.IncludeDirs,
		ReadFile:    src.ReadFile,
	})
	sources := diag.Sources{src.Name: src.Text}
	if res != nil {
		for k, v := range res.Sources {
			sources[k] = v
		}
	}
	if err != nil {
		var l diag.List
		if dl, ok := err.(diag.List); ok {
			l = dl
		} else {
			l = diag.List{{Pos: diag.Pos{File: src.Name}, Msg: err.Error()}}
		}
		return nil, sources, l, nil
	}
	warnings := res.Diags
	f, ds := lang.ParsePreprocessed(res)
	warnings.Append(ds)
	warnings.Sort()
	if warnings.HasErrors() {
		return nil, sources, warnings, nil
	}
	return f, sources, warnings, nil
}

// CompileSource preprocesses, parses and compiles. On a policy error the
// returned error is a diag.List; print it with the returned Sources.
func CompileSource(src Source, opts Options) (*Result, diag.Sources, error) {
	f, sources, diags, err := Parse(src, &opts)
	if err != nil {
		return nil, sources, err
	}
	if diags.HasErrors() {
		return nil, sources, diags
	}
	res, err := Compile(f, opts)
	if res != nil {
		res.Diags = append(diags, res.Diags...)
		placeIn(res.Diags, src.Name)
		res.Diags.Sort()
	} else if dl, ok := err.(diag.List); ok {
		dl = append(append(diag.List{}, diags...), dl...)
		placeIn(dl, src.Name)
		dl.Sort()
		err = dl
	}
	return res, sources, err
}

// placeIn names file in diagnostics about the whole filter (its size),
// which Compile, given only the AST, leaves without a place.
func placeIn(l diag.List, file string) {
	for _, d := range l {
		if d.Pos.File == "" {
			d.Pos.File = file
		}
	}
}
