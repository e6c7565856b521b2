package analysis

import (
	"fmt"
	"strings"

	"github.com/secc-lang/secc/compiler/abi"
	"github.com/secc-lang/secc/compiler/bpf"
	"github.com/secc-lang/secc/compiler/resolve"
	"github.com/secc-lang/secc/diag"
)

// A sibling group is system calls that do the same harm by other means: a
// filter that denies one of them and allows another has denied nothing.
// A multiplexer is one call that makes any of a group's calls: denying a
// member and allowing the multiplexer is the same hole, one way round.
type sibling struct {
	names []string
	does  string // what each can do, after "which also can"
}

type multiplexer struct {
	name    string
	does    string // after "the default allows NAME, "
	suggest string
	members []string
}

// Kernel facts; the 32-bit ABIs' variants sit with their calls.
var siblings = []sibling{
	{[]string{"execve", "execveat"}, "run a program"},
	{[]string{"open", "openat", "openat2", "creat"}, "open or create files"},
	{[]string{"fork", "vfork", "clone", "clone3"}, "create a process"},
	{[]string{"kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal"}, "send a signal"},
	{[]string{"ptrace", "process_vm_writev"}, "write another process's memory"},
	{[]string{"ptrace", "process_vm_readv"}, "read another process's memory"},
	{[]string{"mount", "move_mount"}, "mount a file system"},
	{[]string{"umount", "umount2"}, "unmount a file system"},
	{[]string{"init_module", "finit_module"}, "load a kernel module"},
	{[]string{"kexec_load", "kexec_file_load"}, "load a new kernel"},
	{[]string{"mmap", "mmap2"}, "map memory"},
	{[]string{"mprotect", "pkey_mprotect"}, "change memory protection"},
	{[]string{"setuid", "setreuid", "setresuid", "setfsuid", "setuid32", "setreuid32", "setresuid32", "setfsuid32"}, "change user ids"},
	{[]string{"setgid", "setregid", "setresgid", "setfsgid", "setgid32", "setregid32", "setresgid32", "setfsgid32"}, "change group ids"},
	{[]string{"rename", "renameat", "renameat2"}, "rename files"},
	{[]string{"unlink", "unlinkat"}, "remove files"},
	{[]string{"rmdir", "unlinkat"}, "remove directories"},
	{[]string{"mkdir", "mkdirat"}, "create directories"},
	{[]string{"mknod", "mknodat"}, "create device nodes"},
	{[]string{"link", "linkat"}, "create hard links"},
	{[]string{"symlink", "symlinkat"}, "create symbolic links"},
	{[]string{"chmod", "fchmod", "fchmodat", "fchmodat2"}, "change file modes"},
	{[]string{"chown", "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32"}, "change file owners"},
	{[]string{"truncate", "ftruncate", "truncate64", "ftruncate64"}, "truncate files"},
	{[]string{"setxattr", "lsetxattr", "fsetxattr", "setxattrat"}, "set extended attributes"},
	{[]string{"removexattr", "lremovexattr", "fremovexattr", "removexattrat"}, "remove extended attributes"},
	{[]string{"write", "pwrite64", "writev", "pwritev", "pwritev2"}, "write to files"},
	{[]string{"settimeofday", "stime", "clock_settime", "clock_settime64", "adjtimex", "clock_adjtime", "clock_adjtime64"}, "set the clock"},
	{[]string{"ioperm", "iopl"}, "reach I/O ports"},
}

var multiplexers = []multiplexer{
	{
		name:    "socketcall",
		does:    "which makes any socket call",
		suggest: "deny socketcall, or restrict it by its first argument (the socket call's number)",
		members: []string{"socket", "socketpair", "bind", "connect", "listen", "accept", "accept4", "getsockname",
			"getpeername", "send", "recv", "sendto", "recvfrom", "shutdown", "setsockopt", "getsockopt", "sendmsg",
			"recvmsg", "sendmmsg", "recvmmsg"},
	},
	{
		name:    "ipc",
		does:    "which makes any System V IPC call",
		suggest: "deny ipc, or restrict it by its first argument (the IPC call's number)",
		members: []string{"semop", "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget", "msgctl", "shmat",
			"shmdt", "shmget", "shmctl"},
	},
	{
		// io_uring's operations run in the kernel without a system call,
		// so no filter sees them.
		name:    "io_uring_setup",
		does:    "whose io_uring requests do the same without a system call the filter sees",
		suggest: "deny io_uring_setup (and io_uring_enter, io_uring_register): io_uring cannot be filtered",
		members: []string{"open", "openat", "openat2", "close", "read", "readv", "pread64", "preadv", "preadv2", "write",
			"writev", "pwrite64", "pwritev", "pwritev2", "socket", "bind", "listen", "connect", "accept", "accept4",
			"sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown", "fsync", "fdatasync", "sync_file_range",
			"fallocate", "ftruncate", "fadvise64", "madvise", "statx", "renameat", "renameat2", "unlinkat", "mkdirat",
			"symlinkat", "linkat", "splice", "tee", "setxattr", "fsetxattr", "getxattr", "fgetxattr", "epoll_ctl",
			"waitid"},
	},
}

// lintEquivalents reports, per ABI the filter accepts, calls a filter
// restricts while a call that does the same gets the default ALLOW: the
// hole of deny lists. Restricted means denied outright; for a multiplexer,
// which passes the arguments on, also denied for some arguments (a
// sibling denied for some arguments, clone for its namespace flags, says
// nothing of fork). ERRNO(ENOSYS) is no denial here, as it asks the
// program to fall back to an older call (clone3 → clone). An allow list,
// whose default denies, grants what it names on purpose: a call left to
// its default denial next to an allowed sibling is no finding.
func lintEquivalents(in *Input, rep *Report) {
	type finding struct {
		abis    []string
		denied  []string // with their actions
		allowed string
		pos     diag.Pos
		message func(denied, allowed string) string
		suggest string
	}
	if in.Explored == nil {
		return // a policy only resolved, not compiled: nothing to read decisions from
	}
	var order []string
	found := map[string]*finding{}
	for _, a := range in.ABIs {
		def, ok := in.defaultAction(a)
		if !ok || !permissive(def) {
			continue
		}
		// restricted is the text for a call the filter restricts, or "":
		// denied outright, or with some arguments when partly counts.
		restricted := func(name string, partly bool) string {
			nr, ok := a.Nr(name)
			if !ok {
				return ""
			}
			node := in.Explored.Lookup(a.AuditArch, nr).Node
			if act, ok := node.Constant(); ok {
				if act == def || permissive(act) || isENOSYS(act) {
					return ""
				}
				return name + " (" + ActionName(act) + ")"
			}
			if !partly {
				return ""
			}
			for _, act := range leafActions(node) {
				if !permissive(act) && !isENOSYS(act) {
					return name + " (" + ActionName(act) + " for some arguments)"
				}
			}
			return ""
		}
		byDefault := func(name string) bool {
			nr, ok := a.Nr(name)
			if !ok {
				return false
			}
			act, ok := in.Explored.Lookup(a.AuditArch, nr).Node.Constant()
			return ok && act == def
		}
		report := func(key string, denied []string, allowed string, message func(string, string) string, suggest string) {
			key = fmt.Sprintf("%s|%v|%s", key, denied, allowed)
			f := found[key]
			if f == nil {
				f = &finding{denied: denied, allowed: allowed, message: message, suggest: suggest, pos: in.rulePos(a, allowed)}
				found[key] = f
				order = append(order, key)
			}
			f.abis = append(f.abis, a.Name)
		}
		for gi, g := range siblings {
			var denied, deniedNames, allowed []string
			for _, n := range g.names {
				if d := restricted(n, false); d != "" {
					denied, deniedNames = append(denied, d), append(deniedNames, n)
				} else if byDefault(n) {
					allowed = append(allowed, n)
				}
			}
			if len(denied) == 0 || len(allowed) == 0 {
				continue
			}
			does := g.does
			report(fmt.Sprint("s", gi), denied, allowed[0], func(d, al string) string {
				return fmt.Sprintf("%s, but the default allows %s, which can also %s", d, al, does)
			}, "restrict "+strings.Join(allowed, ", ")+" as "+strings.Join(deniedNames, ", ")+
				plural(len(deniedNames), " is", " are"))
		}
		for _, m := range multiplexers {
			if !byDefault(m.name) {
				continue
			}
			var denied []string
			for _, n := range m.members {
				if d := restricted(n, true); d != "" {
					denied = append(denied, d)
				}
			}
			if len(denied) == 0 {
				continue
			}
			does := m.does
			report("m"+m.name, denied, m.name, func(d, al string) string {
				return fmt.Sprintf("%s, but the default allows %s, %s", d, al, does)
			}, m.suggest)
		}
	}
	for _, key := range order {
		f := found[key]
		rep.add(Finding{Pos: f.pos, PC: -1, Severity: SevWarning, Code: "equivalent-call",
			Message:    "on " + strings.Join(f.abis, ", ") + ", the filter restricts " + f.message(andList(f.denied, 4), f.allowed),
			Suggestion: f.suggest})
	}
}

// andList joins items as "a, b and c", naming at most max of them.
func andList(items []string, max int) string {
	if len(items) > max {
		return strings.Join(items[:max], ", ") + fmt.Sprintf(" and %d more", len(items)-max)
	}
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// leafActions lists the actions n can return.
func leafActions(n *Node) []uint32 {
	seen := map[*Node]bool{}
	var out []uint32
	var walk func(*Node)
	walk = func(n *Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		switch n.Kind {
		case Leaf:
			out = append(out, n.Action)
		case Branch:
			walk(n.True)
			walk(n.False)
		}
	}
	walk(n)
	return out
}

func isENOSYS(act uint32) bool {
	return act&bpf.RetActionFull == bpf.RetErrno && act&bpf.RetData == errnoENOSYS
}

// defaultAction is what ABI a gives calls its rules do not name: a
// policy's final rule, or for a raw filter what it returns for the number
// after the ABI's last system call, which no rule can have named.
func (in *Input) defaultAction(a *abi.ABI) (uint32, bool) {
	for _, p := range in.Policies {
		if p.ABI == a && len(p.Rules) > 0 {
			return p.Rules[len(p.Rules)-1].Action, true
		}
	}
	calls := a.Syscalls()
	if len(calls) == 0 {
		return 0, false
	}
	last := calls[0].Nr
	for _, sc := range calls {
		last = max(last, sc.Nr)
	}
	return in.Explored.Lookup(a.AuditArch, last+1).Node.Constant()
}

// errnoENOSYS is ENOSYS, the same on every ABI secc compiles for.
const errnoENOSYS = 38

// rulePos is the position of the rule that decides name with zero
// arguments on ABI a, when the input is a policy or profile.
func (in *Input) rulePos(a *abi.ABI, name string) diag.Pos {
	nr, ok := a.Nr(name)
	if !ok {
		return diag.Pos{}
	}
	for _, p := range in.Policies {
		if p.ABI != a {
			continue
		}
		var zero [6]uint64
		for _, r := range p.Rules {
			if resolve.Eval(r.Cond, nr, &zero) {
				if r.Source < 0 {
					break // a rule the compiler added, with no place in the file
				}
				return r.Pos
			}
		}
	}
	return diag.Pos{}
}
