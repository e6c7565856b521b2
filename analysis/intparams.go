package analysis

// intParams lists, for system calls people filter on their arguments, the
// parameters the kernel declares 32 bits wide (int, unsigned int, pid_t,
// uid_t, gid_t). The SYSCALL_DEFINE wrapper truncates the 64-bit register
// to that type, so on 64-bit ABIs the high half of seccomp_data.args[i] is
// ignored by the call but seen by the filter: a rule comparing all 64 bits
// can be dodged by setting high bits.
//
// Each entry was checked against the kernel's SYSCALL_DEFINE line (quoted).
// Parameters declared unsigned long are left out on purpose, even where
// people think of them as flags: unshare (unsigned long unshare_flags),
// clone, mmap's prot and flags and mprotect's prot on x86_64 and arm64 are
// all unsigned long, so every bit counts there.
var intParams = map[string][]int{
	// SYSCALL_DEFINE3(socket, int, family, int, type, int, protocol)
	"socket": {0, 1, 2},
	// SYSCALL_DEFINE4(socketpair, int, family, int, type, int, protocol, int __user *, usockvec)
	"socketpair": {0, 1, 2},
	// SYSCALL_DEFINE1(personality, unsigned int, personality)
	"personality": {0},
	// SYSCALL_DEFINE5(prctl, int, option, unsigned long, arg2, ...)
	"prctl": {0},
	// SYSCALL_DEFINE2(arch_prctl, int, option, unsigned long, arg2)
	"arch_prctl": {0},
	// SYSCALL_DEFINE3(fcntl, unsigned int, fd, unsigned int, cmd, unsigned long, arg)
	"fcntl": {0, 1},
	// SYSCALL_DEFINE3(ioctl, unsigned int, fd, unsigned int, cmd, unsigned long, arg)
	"ioctl": {0, 1},
	// SYSCALL_DEFINE2(kill, pid_t, pid, int, sig)
	"kill": {0, 1},
	// SYSCALL_DEFINE3(tgkill, pid_t, tgid, pid_t, pid, int, sig)
	"tgkill": {0, 1, 2},
	// SYSCALL_DEFINE2(tkill, pid_t, pid, int, sig)
	"tkill": {0, 1},
	// SYSCALL_DEFINE5(setsockopt, int, fd, int, level, int, optname, char __user *, optval, int, optlen)
	"setsockopt": {0, 1, 2, 4},
	// SYSCALL_DEFINE5(getsockopt, int, fd, int, level, int, optname, ...)
	"getsockopt": {0, 1, 2},
	// SYSCALL_DEFINE2(setns, int, fd, int, flags)
	"setns": {0, 1},
	// SYSCALL_DEFINE4(openat, int, dfd, const char __user *, filename, int, flags, umode_t, mode)
	"openat": {0, 2},
	// SYSCALL_DEFINE3(madvise, unsigned long, start, size_t, len_in, int, behavior)
	"madvise": {2},
	// SYSCALL_DEFINE1(setuid, uid_t, uid)
	"setuid": {0},
	// SYSCALL_DEFINE1(setgid, gid_t, gid)
	"setgid": {0},
}
