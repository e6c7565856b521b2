// Package secc compiles seccomp policies into classic-BPF filters for the
// Linux kernel, and loads them.
//
// A policy is either a .sec file (a first-match rule list, see
// docs/LANGUAGE.md) or a JSON profile as Docker, Podman and OCI runtimes
// use them. The compiler checks the filter it makes against the policy
// before returning it, so a Program means exactly what its policy says.
//
// # Quick start
//
// Compile a policy and run a system call through the filter without
// loading it:
//
//	prog, err := secc.Compile("app.sec", []byte(`
//	    $syscall in (@read, @write, @exit_group) => ALLOW;
//	    => ERRNO(EPERM);
//	`), secc.Options{Target: "x86_64"})
//	if err != nil {
//	    log.Fatal(err) // policy errors print with file:line:column and a caret
//	}
//	action, _ := prog.Simulate("x86_64", "socket") // "ERRNO(EPERM)"
//
// Load it into the calling process: it sets no_new_privs, and the filter
// stays for the life of the process and passes to every program it starts.
// With TSync every thread gets it:
//
//	if _, err := prog.Load(secc.LoadFlags{TSync: true}); err != nil { … }
//
// To confine only a program you exec, do as `secc exec` does: lock the
// goroutine to its thread (runtime.LockOSThread), Load without TSync, and
// exec on that thread. The Go runtime's other threads stay unfiltered, so
// a strict policy (one that denies futex, say) cannot crash them in the
// moment before the exec.
//
// Or hand it to a tool: prog.Raw() is the struct sock_filter array,
// prog.Base64() the form of crun's run.oci.seccomp_bpf_data annotation,
// prog.CArray and prog.GoSource source code, prog.Disasm a listing.
//
// # Options
//
// Options use plain strings: Target "x86_64" or "aarch64" (default: the
// host's), ABIs such as "x86_64", "x86", "x32" (default: the native ABI),
// Kernel "5.10" for `#if KERNEL` (default: the running kernel), actions
// written as in a policy ("ERRNO(EPERM)", "KILL_PROCESS"), capabilities as
// "CAP_SYS_ADMIN" or "SYS_ADMIN". Every capability given is defined for
// the preprocessor, so `#ifdef CAP_SYS_ADMIN` sections apply.
//
// # Containers
//
// ForSpec compiles a policy for the container an OCI runtime spec
// (config.json) describes: the capability symbols come from the spec's
// bounding set, and the result is the run.oci.seccomp_bpf_data annotation
// that crun loads as is. With Options.CacheDir, compiled filters are kept
// on disk keyed by everything that decides them, so starting the next
// container with the same policy costs a hash and a file read.
//
// # Built-in policies
//
// Builtins lists the example policies compiled into secc
// ("container-default", "static", "go-http", "python", …); CompileBuiltin
// compiles one.
package secc
