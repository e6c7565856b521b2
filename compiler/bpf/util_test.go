package bpf

import (
	"fmt"
	"strings"

	xbpf "golang.org/x/net/bpf"
)

// disasmString lists prog raw, for test failure messages.
func disasmString(prog []xbpf.RawInstruction) string {
	var b strings.Builder
	for i, ins := range prog {
		fmt.Fprintf(&b, "%4d: 0x%02x %3d %3d %#08x\n", i, ins.Op, ins.Jt, ins.Jf, ins.K)
	}
	return b.String()
}
