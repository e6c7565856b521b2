package main

import (
	"fmt"
	"strings"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/examples"
)

// builtinUsage is the help text of --builtin, with the names this build
// carries.
func builtinUsage() string {
	return "use a built-in policy instead of a file: " + strings.Join(examples.Names(), ", ")
}

// builtinSource returns a built-in policy's text and the name its
// diagnostics carry ("builtin:docker-default.sec" for container-default).
func builtinSource(name string) (path string, text []byte, err error) {
	text, ok := examples.Builtin(name)
	if !ok {
		return "", nil, fmt.Errorf("no built-in policy %q (have: %s)", name, strings.Join(examples.Names(), ", "))
	}
	return "builtin:" + examples.FileName(name), text, nil
}

// compileBuiltin compiles a built-in policy as compileInput compiles a
// file: the command line's symbols, capabilities and options apply.
func compileBuiltin(name string, src compiler.Source, opts compiler.Options) (*compiler.Result, diag.Sources, error) {
	path, text, err := builtinSource(name)
	if err != nil {
		return nil, nil, err
	}
	src.Name, src.Text = path, text
	return compiler.CompileSource(src, opts)
}
