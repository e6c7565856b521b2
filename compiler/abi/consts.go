package abi

import "sort"

// The built-in constants of the language are the kernel's UAPI values as a
// filter sees them in the arguments, per ABI. Most are the same on all five
// ABIs; the lists below say where they differ. golang.org/x/sys/unix could
// only give the host's values (and glibc's, which differ from the kernel's
// for O_LARGEFILE on x86_64), so the values are tabulated here and a test
// checks the x86_64 ones against it.

// errnoNames are the generic Linux errno numbers (asm-generic/errno*.h),
// shared by x86, x86_64, x32, arm and aarch64; index = number.
var errnoNames = [...]string{
	1: "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
	"EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR",
	"EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS",
	"EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
	42: "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH", "ENOCSI",
	"EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC", "EBADSLT",
	59: "EBFONT", "ENOSTR", "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV",
	"ESRMNT", "ECOMM", "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG",
	"ELIBACC", "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS", "ENOTSOCK",
	"EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT", "EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT", "EAFNOSUPPORT", "EADDRINUSE",
	"EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH", "ENETRESET", "ECONNABORTED", "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN",
	"ETOOMANYREFS", "ETIMEDOUT", "ECONNREFUSED", "EHOSTDOWN", "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN", "ENOTNAM",
	"ENAVAIL", "EISNAM", "EREMOTEIO", "EDQUOT", "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED",
	"EKEYREJECTED", "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON", "EFTYPE",
}

// errnoAliases are second names of errno numbers (41 and 58 are unused).
var errnoAliases = map[string]uint32{
	"EWOULDBLOCK": 11, // EAGAIN
	"EDEADLOCK":   35, // EDEADLK
	"ENOTSUP":     95, // EOPNOTSUPP
	// The kernel's name for EUCLEAN in file systems, now in the UAPI.
	"EFSCORRUPTED": 117,
}

var errnoByName = func() map[string]uint32 {
	m := make(map[string]uint32, len(errnoNames)+len(errnoAliases))
	for nr, n := range errnoNames {
		if n != "" {
			m[n] = uint32(nr)
		}
	}
	for n, nr := range errnoAliases {
		m[n] = nr
	}
	return m
}()

// Errno returns the number of an errno name (EPERM → 1), the same on every
// ABI secc compiles for.
func Errno(name string) (uint32, bool) {
	n, ok := errnoByName[name]
	return n, ok
}

// ErrnoName returns the name of errno n, for disassembly; aliases give way to
// the primary name (EAGAIN, EDEADLK, EOPNOTSUPP).
func ErrnoName(n uint32) (string, bool) {
	if n < uint32(len(errnoNames)) && errnoNames[n] != "" {
		return errnoNames[n], true
	}
	return "", false
}

// Personality flags that the PER_* personas are built from.
const (
	perUname26        = 0x20000
	perFdpicFuncptrs  = 0x80000
	perMmapPageZero   = 0x100000
	perAddrLimit32bit = 0x800000
	perShortInode     = 0x1000000
	perWholeSeconds   = 0x2000000
	perStickyTimeouts = 0x4000000
	perAddrLimit3gb   = 0x8000000
)

type constant struct {
	name string
	val  uint64
}

// commonConsts have one value on all five ABIs.
var commonConsts = []constant{
	// Address families (linux/socket.h).
	{"AF_UNSPEC", 0}, {"AF_UNIX", 1}, {"AF_LOCAL", 1}, {"AF_INET", 2}, {"AF_AX25", 3},
	{"AF_IPX", 4}, {"AF_APPLETALK", 5}, {"AF_NETROM", 6}, {"AF_BRIDGE", 7}, {"AF_ATMPVC", 8},
	{"AF_X25", 9}, {"AF_INET6", 10}, {"AF_ROSE", 11}, {"AF_DECnet", 12}, {"AF_NETBEUI", 13},
	{"AF_SECURITY", 14}, {"AF_KEY", 15}, {"AF_NETLINK", 16}, {"AF_ROUTE", 16}, {"AF_PACKET", 17},
	{"AF_ASH", 18}, {"AF_ECONET", 19}, {"AF_ATMSVC", 20}, {"AF_RDS", 21}, {"AF_SNA", 22},
	{"AF_IRDA", 23}, {"AF_PPPOX", 24}, {"AF_WANPIPE", 25}, {"AF_LLC", 26}, {"AF_IB", 27},
	{"AF_MPLS", 28}, {"AF_CAN", 29}, {"AF_TIPC", 30}, {"AF_BLUETOOTH", 31}, {"AF_IUCV", 32},
	{"AF_RXRPC", 33}, {"AF_ISDN", 34}, {"AF_PHONET", 35}, {"AF_IEEE802154", 36}, {"AF_CAIF", 37},
	{"AF_ALG", 38}, {"AF_NFC", 39}, {"AF_VSOCK", 40}, {"AF_KCM", 41}, {"AF_QIPCRTR", 42},
	{"AF_SMC", 43}, {"AF_XDP", 44}, {"AF_MCTP", 45}, {"AF_MAX", 46},

	// Socket types (asm-generic; only mips differs). The flags are O_NONBLOCK
	// and O_CLOEXEC, whose values x86 and arm share.
	{"SOCK_STREAM", 1}, {"SOCK_DGRAM", 2}, {"SOCK_RAW", 3}, {"SOCK_RDM", 4},
	{"SOCK_SEQPACKET", 5}, {"SOCK_DCCP", 6}, {"SOCK_PACKET", 10},
	{"SOCK_NONBLOCK", 0o4000}, {"SOCK_CLOEXEC", 0o2000000},

	// clone/clone3/unshare flags (linux/sched.h). The last two fit only
	// clone3's 64-bit flags; CLONE_NEWTIME reuses a CSIGNAL bit, so only
	// unshare and clone3 take it.
	{"CSIGNAL", 0xff}, {"CLONE_NEWTIME", 0x80},
	{"CLONE_VM", 0x100}, {"CLONE_FS", 0x200}, {"CLONE_FILES", 0x400}, {"CLONE_SIGHAND", 0x800},
	{"CLONE_PIDFD", 0x1000}, {"CLONE_PTRACE", 0x2000}, {"CLONE_VFORK", 0x4000}, {"CLONE_PARENT", 0x8000},
	{"CLONE_THREAD", 0x10000}, {"CLONE_NEWNS", 0x20000}, {"CLONE_SYSVSEM", 0x40000}, {"CLONE_SETTLS", 0x80000},
	{"CLONE_PARENT_SETTID", 0x100000}, {"CLONE_CHILD_CLEARTID", 0x200000}, {"CLONE_DETACHED", 0x400000},
	{"CLONE_UNTRACED", 0x800000}, {"CLONE_CHILD_SETTID", 0x1000000}, {"CLONE_NEWCGROUP", 0x2000000},
	{"CLONE_NEWUTS", 0x4000000}, {"CLONE_NEWIPC", 0x8000000}, {"CLONE_NEWUSER", 0x10000000},
	{"CLONE_NEWPID", 0x20000000}, {"CLONE_NEWNET", 0x40000000}, {"CLONE_IO", 0x80000000},
	{"CLONE_CLEAR_SIGHAND", 0x100000000}, {"CLONE_INTO_CGROUP", 0x200000000},

	// mmap/mprotect protections (asm-generic/mman-common.h).
	{"PROT_NONE", 0}, {"PROT_READ", 1}, {"PROT_WRITE", 2}, {"PROT_EXEC", 4}, {"PROT_SEM", 8},
	{"PROT_GROWSDOWN", 0x1000000}, {"PROT_GROWSUP", 0x2000000},

	// mmap flags (asm-generic/mman*.h, used by x86 and arm alike).
	{"MAP_SHARED", 1}, {"MAP_PRIVATE", 2}, {"MAP_SHARED_VALIDATE", 3}, {"MAP_DROPPABLE", 8},
	{"MAP_TYPE", 0xf}, {"MAP_FIXED", 0x10}, {"MAP_ANONYMOUS", 0x20}, {"MAP_ANON", 0x20},
	{"MAP_GROWSDOWN", 0x100}, {"MAP_DENYWRITE", 0x800}, {"MAP_EXECUTABLE", 0x1000},
	{"MAP_LOCKED", 0x2000}, {"MAP_NORESERVE", 0x4000}, {"MAP_POPULATE", 0x8000},
	{"MAP_NONBLOCK", 0x10000}, {"MAP_STACK", 0x20000}, {"MAP_HUGETLB", 0x40000},
	{"MAP_SYNC", 0x80000}, {"MAP_FIXED_NOREPLACE", 0x100000}, {"MAP_UNINITIALIZED", 0x4000000},

	// open flags that x86 and arm share (asm-generic/fcntl.h).
	{"O_ACCMODE", 0o3}, {"O_RDONLY", 0}, {"O_WRONLY", 1}, {"O_RDWR", 2},
	{"O_CREAT", 0o100}, {"O_EXCL", 0o200}, {"O_NOCTTY", 0o400}, {"O_TRUNC", 0o1000},
	{"O_APPEND", 0o2000}, {"O_NONBLOCK", 0o4000}, {"O_NDELAY", 0o4000}, {"O_DSYNC", 0o10000},
	{"O_ASYNC", 0o20000}, {"FASYNC", 0o20000}, {"O_NOATIME", 0o1000000}, {"O_CLOEXEC", 0o2000000},
	{"O_SYNC", 0o4010000}, {"O_RSYNC", 0o4010000}, {"O_PATH", 0o10000000},

	// fcntl commands and arguments (asm-generic/fcntl.h, linux/fcntl.h).
	{"F_DUPFD", 0}, {"F_GETFD", 1}, {"F_SETFD", 2}, {"F_GETFL", 3}, {"F_SETFL", 4},
	{"F_GETLK", 5}, {"F_SETLK", 6}, {"F_SETLKW", 7}, {"F_SETOWN", 8}, {"F_GETOWN", 9},
	{"F_SETSIG", 10}, {"F_GETSIG", 11}, {"F_SETOWN_EX", 15}, {"F_GETOWN_EX", 16},
	{"F_GETOWNER_UIDS", 17}, {"F_OFD_GETLK", 36}, {"F_OFD_SETLK", 37}, {"F_OFD_SETLKW", 38},
	{"F_SETLEASE", 1024}, {"F_GETLEASE", 1025}, {"F_NOTIFY", 1026}, {"F_DUPFD_QUERY", 1027},
	{"F_CREATED_QUERY", 1028}, {"F_CANCELLK", 1029}, {"F_DUPFD_CLOEXEC", 1030},
	{"F_SETPIPE_SZ", 1031}, {"F_GETPIPE_SZ", 1032}, {"F_ADD_SEALS", 1033}, {"F_GET_SEALS", 1034},
	{"F_GET_RW_HINT", 1035}, {"F_SET_RW_HINT", 1036}, {"F_GET_FILE_RW_HINT", 1037},
	{"F_SET_FILE_RW_HINT", 1038},
	{"F_SEAL_SEAL", 1}, {"F_SEAL_SHRINK", 2}, {"F_SEAL_GROW", 4}, {"F_SEAL_WRITE", 8},
	{"F_SEAL_FUTURE_WRITE", 0x10}, {"F_SEAL_EXEC", 0x20},
	{"F_RDLCK", 0}, {"F_WRLCK", 1}, {"F_UNLCK", 2},
	{"F_OWNER_TID", 0}, {"F_OWNER_PID", 1}, {"F_OWNER_PGRP", 2}, {"FD_CLOEXEC", 1},

	// prctl options (linux/prctl.h).
	{"PR_SET_PDEATHSIG", 1}, {"PR_GET_PDEATHSIG", 2}, {"PR_GET_DUMPABLE", 3}, {"PR_SET_DUMPABLE", 4},
	{"PR_GET_UNALIGN", 5}, {"PR_SET_UNALIGN", 6}, {"PR_GET_KEEPCAPS", 7}, {"PR_SET_KEEPCAPS", 8},
	{"PR_GET_FPEMU", 9}, {"PR_SET_FPEMU", 10}, {"PR_GET_FPEXC", 11}, {"PR_SET_FPEXC", 12},
	{"PR_GET_TIMING", 13}, {"PR_SET_TIMING", 14}, {"PR_SET_NAME", 15}, {"PR_GET_NAME", 16},
	{"PR_GET_ENDIAN", 19}, {"PR_SET_ENDIAN", 20}, {"PR_GET_SECCOMP", 21}, {"PR_SET_SECCOMP", 22},
	{"PR_CAPBSET_READ", 23}, {"PR_CAPBSET_DROP", 24}, {"PR_GET_TSC", 25}, {"PR_SET_TSC", 26},
	{"PR_GET_SECUREBITS", 27}, {"PR_SET_SECUREBITS", 28}, {"PR_SET_TIMERSLACK", 29},
	{"PR_GET_TIMERSLACK", 30}, {"PR_TASK_PERF_EVENTS_DISABLE", 31}, {"PR_TASK_PERF_EVENTS_ENABLE", 32},
	{"PR_MCE_KILL", 33}, {"PR_MCE_KILL_GET", 34}, {"PR_SET_MM", 35}, {"PR_SET_CHILD_SUBREAPER", 36},
	{"PR_GET_CHILD_SUBREAPER", 37}, {"PR_SET_NO_NEW_PRIVS", 38}, {"PR_GET_NO_NEW_PRIVS", 39},
	{"PR_GET_TID_ADDRESS", 40}, {"PR_SET_THP_DISABLE", 41}, {"PR_GET_THP_DISABLE", 42},
	{"PR_MPX_ENABLE_MANAGEMENT", 43}, {"PR_MPX_DISABLE_MANAGEMENT", 44}, {"PR_SET_FP_MODE", 45},
	{"PR_GET_FP_MODE", 46}, {"PR_CAP_AMBIENT", 47}, {"PR_SVE_SET_VL", 50}, {"PR_SVE_GET_VL", 51},
	{"PR_GET_SPECULATION_CTRL", 52}, {"PR_SET_SPECULATION_CTRL", 53}, {"PR_PAC_RESET_KEYS", 54},
	{"PR_SET_TAGGED_ADDR_CTRL", 55}, {"PR_GET_TAGGED_ADDR_CTRL", 56}, {"PR_SET_IO_FLUSHER", 57},
	{"PR_GET_IO_FLUSHER", 58}, {"PR_SET_SYSCALL_USER_DISPATCH", 59}, {"PR_PAC_SET_ENABLED_KEYS", 60},
	{"PR_PAC_GET_ENABLED_KEYS", 61}, {"PR_SCHED_CORE", 62}, {"PR_SME_SET_VL", 63}, {"PR_SME_GET_VL", 64},
	{"PR_SET_MDWE", 65}, {"PR_GET_MDWE", 66}, {"PR_SET_MEMORY_MERGE", 67}, {"PR_GET_MEMORY_MERGE", 68},
	{"PR_RISCV_V_SET_CONTROL", 69}, {"PR_RISCV_V_GET_CONTROL", 70}, {"PR_RISCV_SET_ICACHE_FLUSH_CTX", 71},
	{"PR_PPC_GET_DEXCR", 72}, {"PR_PPC_SET_DEXCR", 73}, {"PR_GET_SHADOW_STACK_STATUS", 74},
	{"PR_SET_SHADOW_STACK_STATUS", 75}, {"PR_LOCK_SHADOW_STACK_STATUS", 76},
	{"PR_TIMER_CREATE_RESTORE_IDS", 77}, {"PR_FUTEX_HASH", 78},
	{"PR_SET_PTRACER", 0x59616d61}, {"PR_SET_VMA", 0x53564d41},

	// Terminal and file ioctls (asm-generic/ioctls.h; x86 and arm use it).
	{"TCGETS", 0x5401}, {"TCSETS", 0x5402}, {"TCSETSW", 0x5403}, {"TCSETSF", 0x5404},
	{"TIOCEXCL", 0x540c}, {"TIOCNXCL", 0x540d}, {"TIOCSCTTY", 0x540e}, {"TIOCGPGRP", 0x540f},
	{"TIOCSPGRP", 0x5410}, {"TIOCOUTQ", 0x5411}, {"TIOCSTI", 0x5412}, {"TIOCGWINSZ", 0x5413},
	{"TIOCSWINSZ", 0x5414}, {"FIONREAD", 0x541b}, {"TIOCINQ", 0x541b}, {"TIOCLINUX", 0x541c},
	{"TIOCCONS", 0x541d}, {"FIONBIO", 0x5421}, {"TIOCNOTTY", 0x5422}, {"TIOCSETD", 0x5423},
	{"TIOCGETD", 0x5424}, {"TIOCGPTN", 0x80045430}, {"TIOCSPTLCK", 0x40045431},
	{"TIOCSIG", 0x40045436}, {"TIOCGPTPEER", 0x5441},
	{"FIONCLEX", 0x5450}, {"FIOCLEX", 0x5451}, {"FIOASYNC", 0x5452},

	// personality (linux/personality.h): a persona in the low byte plus
	// flags.
	{"UNAME26", perUname26}, {"ADDR_NO_RANDOMIZE", 0x40000}, {"FDPIC_FUNCPTRS", perFdpicFuncptrs},
	{"MMAP_PAGE_ZERO", perMmapPageZero}, {"ADDR_COMPAT_LAYOUT", 0x200000}, {"READ_IMPLIES_EXEC", 0x400000},
	{"ADDR_LIMIT_32BIT", perAddrLimit32bit}, {"SHORT_INODE", perShortInode},
	{"WHOLE_SECONDS", perWholeSeconds}, {"STICKY_TIMEOUTS", perStickyTimeouts},
	{"ADDR_LIMIT_3GB", perAddrLimit3gb},
	{"PER_LINUX", 0}, {"PER_LINUX_32BIT", perAddrLimit32bit}, {"PER_LINUX_FDPIC", perFdpicFuncptrs},
	{"PER_SVR4", 1 | perStickyTimeouts | perMmapPageZero},
	{"PER_SVR3", 2 | perStickyTimeouts | perShortInode},
	{"PER_SCOSVR3", 3 | perStickyTimeouts | perWholeSeconds | perShortInode},
	{"PER_OSR5", 3 | perStickyTimeouts | perWholeSeconds},
	{"PER_WYSEV386", 4 | perStickyTimeouts | perShortInode},
	{"PER_ISCR4", 5 | perStickyTimeouts}, {"PER_BSD", 6}, {"PER_SUNOS", 6 | perStickyTimeouts},
	{"PER_XENIX", 7 | perStickyTimeouts | perShortInode},
	{"PER_LINUX32", 8}, {"PER_LINUX32_3GB", 8 | perAddrLimit3gb},
	{"PER_IRIX32", 9 | perStickyTimeouts}, {"PER_IRIXN32", 0xa | perStickyTimeouts},
	{"PER_IRIX64", 0xb | perStickyTimeouts}, {"PER_RISCOS", 0xc},
	{"PER_SOLARIS", 0xd | perStickyTimeouts}, {"PER_UW7", 0xe | perStickyTimeouts | perMmapPageZero},
	{"PER_OSF4", 0xf}, {"PER_HPUX", 0x10}, {"PER_MASK", 0xff},

	// seccomp(2) operations, flags and modes (linux/seccomp.h).
	{"SECCOMP_SET_MODE_STRICT", 0}, {"SECCOMP_SET_MODE_FILTER", 1},
	{"SECCOMP_GET_ACTION_AVAIL", 2}, {"SECCOMP_GET_NOTIF_SIZES", 3},
	{"SECCOMP_MODE_DISABLED", 0}, {"SECCOMP_MODE_STRICT", 1}, {"SECCOMP_MODE_FILTER", 2},
	{"SECCOMP_FILTER_FLAG_TSYNC", 1}, {"SECCOMP_FILTER_FLAG_LOG", 2},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4}, {"SECCOMP_FILTER_FLAG_NEW_LISTENER", 8},
	{"SECCOMP_FILTER_FLAG_TSYNC_ESRCH", 16}, {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32},
	{"SECCOMP_RET_KILL_PROCESS", 0x80000000}, {"SECCOMP_RET_KILL_THREAD", 0},
	{"SECCOMP_RET_KILL", 0}, {"SECCOMP_RET_TRAP", 0x30000}, {"SECCOMP_RET_ERRNO", 0x50000},
	{"SECCOMP_RET_USER_NOTIF", 0x7fc00000}, {"SECCOMP_RET_TRACE", 0x7ff00000},
	{"SECCOMP_RET_LOG", 0x7ffc0000}, {"SECCOMP_RET_ALLOW", 0x7fff0000},
}

// x86Consts hold on x86_64, x86 and x32 (arch/x86/include/uapi: the generic
// open flags).
var x86Consts = []constant{
	{"O_DIRECT", 0o40000}, {"O_LARGEFILE", 0o100000}, {"O_DIRECTORY", 0o200000},
	{"O_NOFOLLOW", 0o400000}, {"O_TMPFILE", 0o20200000}, // __O_TMPFILE|O_DIRECTORY
	// Honoured only for 64-bit callers, but defined by the x86 header for all.
	{"MAP_32BIT", 0x40},
}

// armConsts hold on arm and aarch64, whose fcntl.h moves four open flags.
var armConsts = []constant{
	{"O_DIRECTORY", 0o40000}, {"O_NOFOLLOW", 0o100000}, {"O_DIRECT", 0o200000},
	{"O_LARGEFILE", 0o400000}, {"O_TMPFILE", 0o20040000}, // __O_TMPFILE|O_DIRECTORY
}

// flock64Consts are the fcntl commands taking struct flock64, which only
// 32-bit ABIs with a 32-bit off_t have (x32 has a 64-bit off_t and its fcntl
// is the 64-bit one, which rejects them).
var flock64Consts = []constant{
	{"F_GETLK64", 12}, {"F_SETLK64", 13}, {"F_SETLKW64", 14},
}

// aarch64Consts are protections only arm64 defines (asm/mman.h).
var aarch64Consts = []constant{
	{"PROT_BTI", 0x10}, {"PROT_MTE", 0x20},
}

func buildConsts(lists ...[]constant) map[string]uint64 {
	m := make(map[string]uint64, len(commonConsts)+len(errnoByName)+32)
	for n, v := range errnoByName {
		m[n] = uint64(v)
	}
	for _, l := range append([][]constant{commonConsts}, lists...) {
		for _, c := range l {
			m[c.name] = c.val
		}
	}
	return m
}

var constsByABI = map[string]map[string]uint64{
	"x86_64":  buildConsts(x86Consts),
	"x32":     buildConsts(x86Consts),
	"x86":     buildConsts(x86Consts, flock64Consts),
	"aarch64": buildConsts(armConsts, aarch64Consts),
	"arm":     buildConsts(armConsts, flock64Consts),
}

// Const returns the value of a built-in constant (errno names, AF_*, SOCK_*,
// CLONE_*, PROT_*, MAP_*, O_*, F_*, PR_*, PER_*, SECCOMP_*, a few ioctls) on
// the ABI, as the kernel reads it from the argument.
func (a *ABI) Const(name string) (uint64, bool) {
	v, ok := constsByABI[a.Name][name]
	return v, ok
}

var constNames = func() []string {
	seen := make(map[string]bool)
	var out []string
	for _, m := range constsByABI {
		for n := range m {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}()

// ConstNames lists the built-in constant names of any ABI, sorted, for
// suggestions. The slice is shared: do not modify it.
func ConstNames() []string { return constNames }
