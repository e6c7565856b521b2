package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"unsafe"

	"github.com/secc-lang/secc"
	"github.com/secc-lang/secc/compiler"
	"github.com/secc-lang/secc/compiler/filter"
	"github.com/secc-lang/secc/diag"
)

func init() {
	register("exec", "run a command under a seccomp filter", cmdExec)
}

func cmdExec(args []string) int {
	fs := newFlags("exec",
		"secc exec [--policy P.sec | --profile P.json | --filter F.bpf | --builtin NAME] [flags] -- CMD [ARG...]\n"+
			"       secc exec FILTER.bpf|POLICY.sec|PROFILE.json [flags] -- CMD [ARG...]",
		"secc exec --builtin python -- python3 -c 'print(2**64)'")
	var pf policyFlags
	pf.register(fs)
	var policy, profile, filterPath, builtin string
	var flags secc.LoadFlags
	fs.StringVar(&policy, "policy", "", "compile and use this .sec policy")
	fs.StringVar(&profile, "profile", "", "compile and use this JSON profile")
	fs.StringVar(&filterPath, "filter", "", "use this raw compiled filter (secc compile -o F.bpf)")
	fs.StringVar(&builtin, "builtin", "", builtinUsage())
	fs.BoolVar(&flags.SpecAllow, "spec-allow", false, "load with SECCOMP_FILTER_FLAG_SPEC_ALLOW: keep the kernel from forcing the speculative store bypass mitigation (Linux 4.17+)")
	fs.BoolVar(&flags.Log, "log", false, "load with SECCOMP_FILTER_FLAG_LOG: log every action but ALLOW (Linux 4.14+)")
	fs.BoolVar(&flags.TSync, "tsync", false, "load with SECCOMP_FILTER_FLAG_TSYNC: filter secc's other threads too (the command gets the filter either way; under a policy that denies futex, the Go runtime of secc may crash before the exec)")
	// Flags end at the command: `secc exec --policy p.sec ls -l` must not
	// read -l as a flag of exec, so parseFlags' interleaving is not wanted.
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	argv := fs.Args()
	given := 0
	for _, s := range []string{policy, profile, filterPath, builtin} {
		if s != "" {
			given++
		}
	}
	// `secc exec INPUT [flags] -- CMD`: the input's kind is read from it,
	// as disasm and sim read theirs, and the flags after it still count.
	input := ""
	if given == 0 && len(argv) > 0 {
		dash := slices.Index(argv, "--")
		if dash < 1 {
			fmt.Fprintln(os.Stderr, "secc exec: name the filter and end the flags with --: secc exec POLICY.sec -- CMD, or give --policy, --profile, --filter or --builtin")
			return exitUsage
		}
		input = argv[0]
		if err := fs.Parse(argv[1:dash]); err != nil {
			return exitUsage
		}
		if len(fs.Args()) > 0 {
			fmt.Fprintf(os.Stderr, "secc exec: unexpected %q before --\n", fs.Args()[0])
			return exitUsage
		}
		argv, given = argv[dash+1:], 1
	}
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "secc exec: no command given")
		fs.Usage()
		return exitUsage
	}
	if given != 1 {
		fmt.Fprintln(os.Stderr, "secc exec: give exactly one of --policy, --profile, --filter, --builtin")
		return exitUsage
	}
	var prog *filter.Program
	var code int
	if input != "" {
		prog, code = loadProgram(input, &pf)
	} else {
		prog, code = execProgram(policy, profile, filterPath, builtin, &pf)
	}
	if prog == nil {
		return code
	}
	if prog.Target != "" && prog.Target != compiler.HostTarget().Name {
		fmt.Fprintf(os.Stderr, "secc exec: the filter is for %s, but this machine is %s: every call would be a bad ABI\n",
			prog.Target, compiler.HostTarget().Name)
		return exitUsage
	}
	// Find the command before the filter is in place: the lookup's stat
	// calls are secc's, not the command's, and must not be denied.
	path, err := exec.LookPath(argv[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc exec: %v\n", err)
		return exitInput
	}
	return execFiltered(prog, flags, path, argv)
}

// execProgram compiles or reads the filter the flags name.
func execProgram(policy, profile, filterPath, builtin string, pf *policyFlags) (*filter.Program, int) {
	if filterPath != "" {
		data, err := readInput(filterPath)
		if err != nil {
			fmt.Fprintf(os.Stderr, "secc exec: %v\n", err)
			return nil, exitInput
		}
		p, err := filter.Read(data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "secc exec: %s: %v\n", filterPath, err)
			return nil, exitInput
		}
		return p, exitOK
	}
	opts, src, err := pf.options()
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc exec: %v\n", err)
		return nil, exitUsage
	}
	var res *compiler.Result
	var sources diag.Sources
	switch {
	case builtin != "":
		res, sources, err = compileBuiltin(builtin, src, opts)
	case policy != "":
		res, sources, err = compileInput(policy, src, opts)
	default:
		res, sources, err = compileInput(profile, src, opts)
	}
	if err != nil {
		return nil, reportError(sources, err)
	}
	if pf.verbose {
		printDiags(sources, res.Diags)
		printStats(res, opts)
	}
	return res.Program, exitOK
}

// execFiltered installs the filter and execs path; it returns only on
// failure.
//
// The filter goes on this thread only, unless --tsync: execve keeps the
// calling thread's filter and ends every other thread, so the command is
// filtered either way, while the Go runtime's other threads (which may
// still run for a moment) would crash under a policy that denies what
// they need, such as futex. The thread is locked from the install to the
// exec so that the exec happens on the filtered thread.
func execFiltered(prog *filter.Program, flags secc.LoadFlags, path string, argv []string) int {
	runtime.LockOSThread()
	// execve's arguments are built before the filter goes in: after it,
	// nothing may allocate, since growing the heap needs mmap, which the
	// policy may deny on this thread.
	pathp, err := syscall.BytePtrFromString(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc exec: %v\n", err)
		return exitUsage
	}
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc exec: %v\n", err)
		return exitUsage
	}
	envp, err := syscall.SlicePtrFromStrings(os.Environ())
	if err != nil {
		fmt.Fprintf(os.Stderr, "secc exec: %v\n", err)
		return exitUsage
	}
	// With the collector off no GC cycle starts between the install and
	// the exec; its work would need calls (futex, madvise) the policy may
	// deny.
	debug.SetGCPercent(-1)
	if _, err := secc.NewProgram(prog).Load(flags); err != nil {
		fmt.Fprintf(os.Stderr, "secc exec: %v\n", err)
		// The error names the kernel's flag; name the option that asked
		// for it.
		for _, f := range []struct{ kernel, option string }{
			{"SECCOMP_FILTER_FLAG_TSYNC", "--tsync"},
			{"SECCOMP_FILTER_FLAG_LOG", "--log"},
			{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "--spec-allow"},
		} {
			if strings.Contains(err.Error(), f.kernel+"]") || strings.Contains(err.Error(), f.kernel+" ") {
				fmt.Fprintf(os.Stderr, "secc exec: this kernel does not know %s: run without %s\n", f.kernel, f.option)
			}
		}
		return exitInput
	}
	_, _, errno := syscall.RawSyscall(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(pathp)),
		uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])))
	runtime.KeepAlive(argvp)
	runtime.KeepAlive(envp)
	// Still here: execve failed, and the filter is in place, so even this
	// message may be denied.
	msg := fmt.Sprintf("secc exec: %s: %v\n", path, errno)
	if errno == syscall.EPERM {
		msg += "secc exec: the policy must allow execve: the command is started under the filter (`$syscall == @execve => ALLOW;`)\n"
	}
	os.Stderr.WriteString(msg)
	return exitInput
}
