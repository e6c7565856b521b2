package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/filter"
)

func init() {
	register("disasm", "disassemble a raw filter (or a compiled policy)", cmdDisasm)
	register("sim", "run a filter or policy on one system call", cmdSim)
}

// isRawFilter tells a raw sock_filter array from policy text: binary
// content (or a .bpf name) and a whole number of 8-byte instructions.
func isRawFilter(path string, data []byte) bool {
	if strings.HasSuffix(path, ".bpf") {
		return true
	}
	return len(data)%8 == 0 && len(data) > 0 && (bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data))
}

// loadProgram reads a raw filter, or compiles a policy or JSON profile.
func loadProgram(path string, pf *policyFlags) (*filter.Program, int) {
	data, err := readInput(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc: %v\n", err)
		return nil, exitInput
	}
	if isRawFilter(path, data) {
		p, err := filter.Read(data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "secc: %s: %v\n", path, err)
			return nil, exitInput
		}
		return p, exitOK
	}
	opts, src, err := pf.options()
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc: %v\n", err)
		return nil, exitUsage
	}
	res, sources, err := compileText(path, data, src, opts)
	if err != nil {
		return nil, reportError(sources, err)
	}
	printDiags(sources, res.Diags.Errors())
	return res.Program, exitOK
}

func cmdDisasm(args []string) int {
	fs := newFlags("disasm", "secc disasm [flags] FILTER.bpf|POLICY.sec|PROFILE.json",
		"secc disasm /tmp/policy.bpf")
	var pf policyFlags
	pf.register(fs)
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	p, code := loadProgram(pos[0], &pf)
	if p == nil {
		return code
	}
	fmt.Print(p.Disasm())
	return exitOK
}

func cmdSim(args []string) int {
	fs := newFlags("sim", "secc sim [flags] FILTER|POLICY --arch ABI NAME|NR [ARG...]",
		"secc sim policy.sec --arch x86_64 personality 0xffffffff")
	var pf policyFlags
	pf.registerCommon(fs)
	// Here --arch names the ABI of the simulated call; the target follows.
	var callABI string
	fs.StringVar(&callABI, "arch", "", "ABI of the call: x86_64, x86, x32, aarch64, arm (default: the host's native ABI)")
	fs.StringVar(&callABI, "target", "", "same as --arch")
	var ip uint64
	fs.Func("ip", "instruction pointer of the call", func(s string) (err error) {
		ip, err = strconv.ParseUint(s, 0, 64)
		return err
	})
	pos, code, ok := parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) < 2 || len(pos) > 8 {
		fs.Usage()
		return exitUsage
	}
	a := abi.TargetX86_64.Native
	if callABI != "" {
		var ok bool
		if a, ok = abi.Lookup(callABI); !ok {
			fmt.Fprintf(os.Stderr, "secc sim: unknown ABI %q\n", callABI)
			return exitUsage
		}
	} else if t := hostTargetName(); t != "" {
		a, _ = abi.Lookup(t)
	}
	pf.target = a.Target
	prog, code := loadProgram(pos[0], &pf)
	if prog == nil {
		return code
	}
	nr, err := parseNr(a, pos[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc sim: %v\n", err)
		return exitUsage
	}
	d := bpf.SeccompData{Nr: int32(nr), Arch: a.AuditArch, InstructionPointer: ip}
	for i, s := range pos[2:] {
		v, err := parseArg(s)
		if err != nil {
			fmt.Fprintf(os.Stderr, "secc sim: argument %d: %v\n", i, err)
			return exitUsage
		}
		d.Args[i] = v
	}
	ret, steps, err := bpf.Run(prog.Insns, &d)
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc sim: the filter fails: %v\n", err)
		return exitInput
	}
	fmt.Printf("%s (%d instructions executed)\n", actionName(ret), steps)
	return exitOK
}

// actionName renders a return value with the errno's name when known.
func actionName(ret uint32) string {
	if ret&bpf.RetActionFull == bpf.RetErrno {
		if n, ok := abi.ErrnoName(ret & bpf.RetData); ok {
			return "ERRNO(" + n + ")"
		}
	}
	return bpf.ActionString(ret)
}

func hostTargetName() string { return compiler.HostTarget().Native.Name }

// parseNr reads a system call name of the ABI or a number.
func parseNr(a *abi.ABI, s string) (uint32, error) {
	if n, err := strconv.ParseUint(s, 0, 32); err == nil {
		return uint32(n), nil
	}
	if n, err := strconv.ParseInt(s, 0, 32); err == nil && n < 0 {
		return uint32(int32(n)), nil
	}
	nr, ok := a.Nr(s)
	if !ok {
		if abi.KnownAnywhere(s) {
			return 0, fmt.Errorf("system call %s does not exist on %s", s, a.Name)
		}
		msg := fmt.Sprintf("unknown system call %q", s)
		if sug, ok := abi.Suggest(s); ok {
			msg += fmt.Sprintf(" (did you mean %q?)", sug)
		}
		return 0, fmt.Errorf("%s", msg)
	}
	return nr, nil
}

// parseArg reads an argument: a number in any base, or negative.
func parseArg(s string) (uint64, error) {
	if v, err := strconv.ParseUint(s, 0, 64); err == nil {
		return v, nil
	}
	if v, err := strconv.ParseInt(s, 0, 64); err == nil {
		return uint64(v), nil
	}
	if v, ok := abi.Errno(s); ok {
		return uint64(v), nil
	}
	return 0, fmt.Errorf("bad number %q", s)
}
