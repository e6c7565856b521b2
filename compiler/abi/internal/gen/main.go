// Command gen writes package abi's zdata.go from the reference data:
//
//	go run ./internal/gen -csv ../../../shared/data/syscalls.csv \
//		-versions ../../../shared/data/syscall-versions.txt -o zdata.go
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/secc-lang/secc/compiler/abi/internal/syscalldata"
)

func main() {
	csvPath := flag.String("csv", "../../../shared/data/syscalls.csv", "the syscall table")
	verPath := flag.String("versions", "../../../shared/data/syscall-versions.txt", "first kernel release per syscall")
	out := flag.String("o", "zdata.go", "output file")
	flag.Parse()
	if err := run(*csvPath, *verPath, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(csvPath, verPath, out string) error {
	cf, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer cf.Close()
	t, err := syscalldata.ParseTable(cf)
	if err != nil {
		return err
	}
	vf, err := os.Open(verPath)
	if err != nil {
		return err
	}
	defer vf.Close()
	vs, err := syscalldata.ParseVersions(vf)
	if err != nil {
		return err
	}
	src, err := syscalldata.Generate(t, vs)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
