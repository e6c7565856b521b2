package secc_test

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime"

	"github.com/secc-lang/secc"
)

// Compile a policy and ask the filter what it does with a few calls.
func Example() {
	prog, err := secc.Compile("app.sec", []byte(`
$syscall in (@read, @write, @exit_group) => ALLOW;
$syscall == @socket && $arg0.lo in (AF_INET, AF_INET6) => ALLOW;
=> ERRNO(EPERM);
`), secc.Options{Target: "x86_64"})
	if err != nil {
		log.Fatal(err)
	}
	for _, call := range []struct {
		name string
		args []uint64
	}{
		{"write", nil},
		{"socket", []uint64{2}},  // AF_INET
		{"socket", []uint64{17}}, // AF_PACKET
		{"mount", nil},
	} {
		action, err := prog.Simulate("x86_64", call.name, call.args...)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(call.name, call.args, "→", action)
	}
	// Output:
	// write [] → ALLOW
	// socket [2] → ALLOW
	// socket [17] → ERRNO(EPERM)
	// mount [] → ERRNO(EPERM)
}

// A policy error reports every problem with its position, the line and a
// hint.
func ExampleCompile_error() {
	_, err := secc.Compile("bad.sec", []byte("$syscall == @opne => ALLOW;\n=> KILL_PROCESS;\n"), secc.Options{Target: "x86_64"})
	fmt.Println(err)
	// Output:
	// bad.sec:1:13: error: unknown system call "opne"
	//     $syscall == @opne => ALLOW;
	//                 ^
	//     did you mean "open"?
}

// Capabilities are symbols for the preprocessor, so one policy serves
// containers with different privileges.
func ExampleOptions_caps() {
	policy := []byte(`
#ifdef CAP_SYS_ADMIN
$syscall in (@mount, @umount2) => ALLOW;
#endif
$syscall in (@mount, @umount2) => ERRNO(EPERM);
=> ALLOW;
`)
	for _, caps := range [][]string{nil, {"SYS_ADMIN"}} {
		prog, err := secc.Compile("mount.sec", policy, secc.Options{Target: "x86_64", Caps: caps})
		if err != nil {
			log.Fatal(err)
		}
		action, _ := prog.Simulate("x86_64", "mount")
		fmt.Printf("caps %v: mount → %s\n", caps, action)
	}
	// Output:
	// caps []: mount → ERRNO(EPERM)
	// caps [SYS_ADMIN]: mount → ALLOW
}

// ForSpec takes the capabilities from an OCI runtime spec and returns
// crun's annotation; Apply writes it into the spec.
func ExampleForSpec() {
	spec := []byte(`{
	"ociVersion": "1.0.2",
	"process": {"args": ["/bin/sh"], "capabilities": {"bounding": ["CAP_KILL", "CAP_SYS_ADMIN"]}},
	"linux": {"seccomp": {"flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}}
}`)
	policy := []byte(`
#ifndef CAP_SYS_ADMIN
$syscall == @mount => ERRNO(EPERM);
#endif
=> ALLOW;
`)
	f, err := secc.ForSpec("container.sec", policy, spec, secc.Options{Target: "x86_64"})
	if err != nil {
		log.Fatal(err)
	}
	action, _ := f.Program.Simulate("x86_64", "mount")
	fmt.Println("caps:", f.Caps)
	fmt.Println("flags:", f.Flags)
	fmt.Println("mount →", action)
	fmt.Println("annotation is the filter:", f.Annotation == f.Program.Base64())

	newSpec, err := f.Apply(spec)
	if err != nil {
		log.Fatal(err)
	}
	// Write newSpec to the bundle's config.json, then `crun run`.
	_ = newSpec
	// Output:
	// caps: [CAP_KILL CAP_SYS_ADMIN]
	// flags: [SECCOMP_FILTER_FLAG_SPEC_ALLOW]
	// mount → ALLOW
	// annotation is the filter: true
}

// Built-in policies need no files.
func ExampleCompileBuiltin() {
	prog, err := secc.CompileBuiltin("go-http", secc.Options{Target: "x86_64"})
	if err != nil {
		log.Fatal(err)
	}
	const protExec = 4
	inet, _ := prog.Simulate("x86_64", "socket", 2)
	packet, _ := prog.Simulate("x86_64", "socket", 17)
	execMap, _ := prog.Simulate("x86_64", "mmap", 0, 4096, protExec)
	fmt.Println("socket(AF_INET) →", inet)
	fmt.Println("socket(AF_PACKET) →", packet)
	fmt.Println("mmap(PROT_EXEC) →", execMap)
	// Output:
	// socket(AF_INET) → ALLOW
	// socket(AF_PACKET) → ERRNO(EPERM)
	// mmap(PROT_EXEC) → ERRNO(EPERM)
}

// A JSON profile compiles the same way; its flags are what it asks to be
// loaded with.
func ExampleCompile_jsonProfile() {
	profile := []byte(`{
	"defaultAction": "SCMP_ACT_ALLOW",
	"architectures": ["SCMP_ARCH_X86_64"],
	"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22}]
}`)
	prog, err := secc.Compile("profile.json", profile, secc.Options{Target: "x86_64"})
	if err != nil {
		log.Fatal(err)
	}
	action, _ := prog.Simulate("x86_64", "mkdir")
	fmt.Println("mkdir →", action)
	fmt.Println("flags:", prog.Flags())
	// Output:
	// mkdir → ERRNO(EINVAL)
	// flags: [SECCOMP_FILTER_FLAG_SPEC_ALLOW]
}

// Load a filter into this process and start a program under it. (This
// example is not run: it would confine the test binary.)
func ExampleProgram_Load() {
	prog, err := secc.CompileFile("policy.sec", secc.Options{})
	if err != nil {
		log.Fatal(err)
	}
	// Without TSync the filter covers the calling thread only; keep this
	// goroutine on it until the exec.
	runtime.LockOSThread()
	if _, err := prog.Load(secc.LoadFlags{SpecAllow: true}); err != nil {
		log.Fatal(err)
	}
	// Children inherit the filter.
	cmd := exec.Command("/bin/true")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatal(err)
	}
}

// OCI specs and JSON profiles name load flags the kernel's way.
func ExampleParseLoadFlags() {
	f, err := secc.ParseLoadFlags([]string{"SECCOMP_FILTER_FLAG_TSYNC", "SPEC_ALLOW"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", f)
	// Output:
	// {TSync:true Log:false SpecAllow:true NewListener:false}
}
