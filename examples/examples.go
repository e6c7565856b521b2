// Package examples holds secc's example policies, embedded in the binary so
// that they work with no files around: `secc compile --builtin NAME`,
// `secc exec --builtin NAME -- CMD`, and secc.Builtin in Go.
//
// Built-ins, by name (the file is NAME.sec unless said otherwise):
//
//	container-default  docker-default.sec: Docker's default profile as .sec,
//	                   with its capability and kernel conditions kept as
//	                   #ifdef CAP_… and #if KERNEL
//	docker-default     the same file under its own name
//	podman-default     containers/common's default profile (Podman, CRI-O)
//	static             a small static C program that prints and exits
//	go-http            a Go HTTP service (CGO_ENABLED=0)
//	python             the Python 3 interpreter running a computation
//
// Each policy is tested by running its real program under `secc exec` and
// checking that a call the policy forbids fails with EPERM
// (examples_test.go).
package examples

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.sec
var files embed.FS

// aliases give built-ins a name that says what they are for. The default
// container policy is Docker's, the one most images are tested against.
var aliases = map[string]string{
	"container-default": "docker-default",
}

// FileName is the name of the file behind a built-in ("docker-default.sec"
// for container-default), for positions in diagnostics.
func FileName(name string) string {
	if f, ok := aliases[name]; ok {
		name = f
	}
	return name + ".sec"
}

// Builtin returns the text of the built-in policy name.
func Builtin(name string) ([]byte, bool) {
	if strings.ContainsAny(name, "/\\") || name == "" {
		return nil, false
	}
	b, err := files.ReadFile(FileName(name))
	if err != nil {
		return nil, false
	}
	return b, true
}

// Names lists the built-ins this build has, sorted. A name appears only
// when its file was embedded.
func Names() []string {
	var out []string
	entries, _ := fs.ReadDir(files, ".")
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".sec"))
	}
	for alias := range aliases {
		if _, ok := Builtin(alias); ok {
			out = append(out, alias)
		}
	}
	sort.Strings(out)
	return out
}
