package preprocessor_test

import (
	"errors"
	"fmt"

	"github.com/secc-lang/secc/diag"
	"github.com/secc-lang/secc/preprocessor"
)

func ExamplePreprocess() {
	src := []byte(`#define PER_QUERY 0xffffffff
#if KERNEL >= 5.8
$syscall == @faccessat2 => ALLOW();
#endif
#ifndef CAP_SYS_ADMIN
$syscall == @personality && $arg0 == PER_QUERY => ALLOW();
#endif
`)
	res, err := preprocessor.Preprocess("policy.sec", src, preprocessor.Options{
		Symbols: map[string]preprocessor.Symbol{"KERNEL": {Value: "6.18"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range res.Lines {
		sym, _ := l.Scope.Lookup("PER_QUERY")
		fmt.Printf("%s:%d: %s  [PER_QUERY=%s]\n", l.File, l.Num, l.Text, sym.Value)
	}
	// Output:
	// policy.sec:3: $syscall == @faccessat2 => ALLOW();  [PER_QUERY=0xffffffff]
	// policy.sec:6: $syscall == @personality && $arg0 == PER_QUERY => ALLOW();  [PER_QUERY=0xffffffff]
}

// Errors come back as a diag.List; the Result's Sources print them with
// their lines.
func ExamplePreprocess_errors() {
	src := []byte("#ifdef CAP_SYS_ADMIN\n#inclde \"admin.sec\"\n")
	res, err := preprocessor.Preprocess("policy.sec", src, preprocessor.Options{Symbols: map[string]preprocessor.Symbol{"CAP_SYS_ADMIN": {}}})
	var list diag.List
	if errors.As(err, &list) {
		fmt.Print(res.Sources.FormatAll(list))
	}
	// Output:
	// policy.sec:1:1: error: unterminated #ifdef
	//     #ifdef CAP_SYS_ADMIN
	//     ^
	//     add #endif at the end of the group
	// policy.sec:2:1: error: unknown directive #inclde
	//     #inclde "admin.sec"
	//     ^
	//     did you mean #include?
}
