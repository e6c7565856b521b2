package lang_test

import (
	"fmt"
	"os"

	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/lang"
)

func ExampleFormat() {
	src := []byte("$syscall==@read||$syscall==@write=>ALLOW; // io\n\n\n=> ERRNO(EPERM);\n")
	out, errs := lang.Format("policy.sec", src)
	if errs.HasErrors() {
		fmt.Print(diag.Sources{"policy.sec": src}.FormatAll(errs))
		return
	}
	os.Stdout.Write(out)
	// Output:
	// $syscall == @read || $syscall == @write => ALLOW(); // io
	//
	// => ERRNO(EPERM);
}

func ExampleParseFile() {
	src := []byte("$arg6 == 1 => ALOW;\n")
	_, errs := lang.ParseFile("policy.sec", src)
	fmt.Print(diag.Sources{"policy.sec": src}.FormatAll(errs))
	// Output:
	// policy.sec:1:1: error: unknown variable $arg6
	//     $arg6 == 1 => ALOW;
	//     ^
	//     system calls have six arguments, $arg0 … $arg5
	// policy.sec:1:15: error: unknown action ALOW
	//     $arg6 == 1 => ALOW;
	//                   ^
	//     did you mean ALLOW?
}

func ExampleExprString() {
	f, _ := lang.ParseFile("p.sec", []byte("$arg0 & 0x3 in (1, 2) && !($arg1.lo > 4) => LOG;"))
	r := f.Items[0].(*lang.Rule)
	fmt.Println(lang.ExprString(r.Cond))
	fmt.Println(r.Action)
	// Output:
	// $arg0 & 0x3 in (1, 2) && !($arg1.lo > 4)
	// LOG()
}
