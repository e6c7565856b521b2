package bpf_test

import (
	"fmt"
	"os"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
)

func Example() {
	prog := bpf.Program{
		bpf.Stmt(bpf.OpLdAbsW, bpf.OffArch),
		bpf.Jump(bpf.OpJeqK, abi.AuditArchX86_64, 1, 0),
		bpf.Stmt(bpf.OpRetK, bpf.RetKillProcess),
		bpf.Stmt(bpf.OpLdAbsW, bpf.OffNr),
		bpf.Jump(bpf.OpJeqK, 39, 0, 1), // getpid
		bpf.Stmt(bpf.OpRetK, bpf.RetErrno|1),
		bpf.Stmt(bpf.OpRetK, bpf.RetAllow),
	}
	if err := bpf.Check(prog); err != nil {
		fmt.Println(err)
		return
	}
	ret, steps, _ := bpf.Run(prog, &bpf.SeccompData{Nr: 39, Arch: abi.AuditArchX86_64})
	fmt.Println(bpf.ActionString(ret), steps)
	bpf.Disassemble(os.Stdout, prog, bpf.DisasmOptions{NoHeader: true})
	// Output:
	// ERRNO(1) 5
	//  0000: 0x20 0x00 0x00 0x00000004  A = arch
	//  0001: 0x15 0x01 0x00 0xc000003e  if (A == ARCH_X86_64) goto 0003
	//  0002: 0x06 0x00 0x00 0x80000000  return KILL_PROCESS
	//  0003: 0x20 0x00 0x00 0x00000000  A = sys_number
	//  0004: 0x15 0x00 0x01 0x00000027  if (A != getpid) goto 0006
	//  0005: 0x06 0x00 0x00 0x00050001  return ERRNO(EPERM)
	//  0006: 0x06 0x00 0x00 0x7fff0000  return ALLOW
}
