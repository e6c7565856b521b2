package abi_test

import (
	"fmt"

	"github.com/secc-lang/secc/compiler/abi"
)

func ExampleABI_Nr() {
	for _, a := range abi.All {
		if nr, ok := a.Nr("open"); ok {
			fmt.Printf("%s: open is %#x\n", a, nr)
		} else {
			fmt.Printf("%s: no open\n", a)
		}
	}
	// Output:
	// x86_64: open is 0x2
	// x86: open is 0x5
	// x32: open is 0x40000002
	// aarch64: no open
	// arm: open is 0x5
}

func ExampleSuggest() {
	if !abi.KnownAnywhere("opne") {
		s, _ := abi.Suggest("opne")
		fmt.Printf("unknown system call %q; did you mean %q?\n", "opne", s)
	}
	// Output: unknown system call "opne"; did you mean "open"?
}

func ExampleABI_Const() {
	for _, a := range []*abi.ABI{abi.X86_64, abi.Aarch64} {
		v, _ := a.Const("O_DIRECTORY")
		fmt.Printf("%s: O_DIRECTORY = %#o\n", a, v)
	}
	// Output:
	// x86_64: O_DIRECTORY = 0200000
	// aarch64: O_DIRECTORY = 040000
}

func ExampleFirstVersion() {
	v, _ := abi.FirstVersion("clone3")
	fmt.Println(v)
	// Output: 5.3
}
