package abi

import (
	"fmt"

	seccomparch "github.com/elastic/go-seccomp-bpf/arch"
)

// The tables are go-seccomp-bpf v1.6.0's, read by number (its SyscallNames
// maps are inverted from SyscallNumbers, so where a name has two numbers, as
// on x32, which one survives depends on map order), then corrected by the
// edits below. TestTablesMatchCSV checks the result against
// ../shared/data/syscalls.csv; TestEditsApply checks that every edit still
// changes something, so an upstream fix shows up as a stale edit.

// edit changes one slot of an upstream table. From "" adds a call at Nr; To
// "" removes the call From; both set renames.
type edit struct {
	Nr       uint32
	From, To string
}

func add(nr uint32, name string) edit    { return edit{Nr: nr, To: name} }
func remove(nr uint32, name string) edit { return edit{Nr: nr, From: name} }
func rename(nr uint32, from, to string) edit {
	return edit{Nr: nr, From: from, To: to}
}

// newerCalls are in the kernel's unified numbering (same number on every ABI
// secc knows) but newer than go-seccomp-bpf v1.6.0's tables.
var newerCalls = []edit{
	add(468, "file_getattr"),
	add(469, "file_setattr"),
	add(470, "listns"),
	add(471, "rseq_slice_yield"),
}

var editsX86_64 = concat(newerCalls, []edit{
	// The uprobe trampoline's syscall (6.16), next to uretprobe at 335.
	add(336, "uprobe"),
})

var editsX86 = newerCalls

var editsX32 = concat(newerCalls, []edit{
	add(336, "uprobe"),

	// Upstream copies x86_64's table, but x86_64 entries marked "64" in
	// syscall_64.tbl are not x32 calls: those whose arguments differ in
	// layout have x32 versions at 512-547 (which upstream also lists, so
	// these names had two numbers) ...
	remove(13, "rt_sigaction"),
	remove(15, "rt_sigreturn"),
	remove(16, "ioctl"),
	remove(19, "readv"),
	remove(20, "writev"),
	remove(45, "recvfrom"),
	remove(46, "sendmsg"),
	remove(47, "recvmsg"),
	remove(54, "setsockopt"),
	remove(55, "getsockopt"),
	remove(59, "execve"),
	remove(101, "ptrace"),
	remove(127, "rt_sigpending"),
	remove(128, "rt_sigtimedwait"),
	remove(129, "rt_sigqueueinfo"),
	remove(131, "sigaltstack"),
	remove(206, "io_setup"),
	remove(209, "io_submit"),
	remove(222, "timer_create"),
	remove(244, "mq_notify"),
	remove(246, "kexec_load"),
	remove(247, "waitid"),
	remove(273, "set_robust_list"),
	remove(274, "get_robust_list"),
	remove(278, "vmsplice"),
	remove(279, "move_pages"),
	remove(295, "preadv"),
	remove(296, "pwritev"),
	remove(297, "rt_tgsigqueueinfo"),
	remove(299, "recvmmsg"),
	remove(307, "sendmmsg"),
	remove(310, "process_vm_readv"),
	remove(311, "process_vm_writev"),
	remove(322, "execveat"),
	remove(327, "preadv2"),
	remove(328, "pwritev2"),
	// ... and the rest have no x32 version at all.
	remove(134, "uselib"),
	remove(156, "_sysctl"),
	remove(174, "create_module"),
	remove(177, "get_kernel_syms"),
	remove(178, "query_module"),
	remove(180, "nfsservctl"),
	remove(205, "set_thread_area"),
	remove(211, "get_thread_area"),
	remove(214, "epoll_ctl_old"),
	remove(215, "epoll_wait_old"),
	remove(236, "vserver"),
})

var editsAarch64 = concat(newerCalls, []edit{
	// The generic table's name for 79 is newfstatat on 64-bit ABIs
	// (fstatat64 on 32-bit ones); "fstatat" is no syscall name anywhere.
	rename(79, "fstatat", "newfstatat"),
	// __NR_arch_specific_syscall is the base of a reserved range in
	// asm-generic/unistd.h, not a call.
	remove(244, "arch_specific_syscall"),
	// The time64 calls (403-423) exist only on 32-bit ABIs, whose old calls
	// take a 32-bit time_t; 64-bit aarch64 never had them.
	remove(403, "clock_gettime64"),
	remove(404, "clock_settime64"),
	remove(405, "clock_adjtime64"),
	remove(406, "clock_getres_time64"),
	remove(407, "clock_nanosleep_time64"),
	remove(408, "timer_gettime64"),
	remove(409, "timer_settime64"),
	remove(410, "timerfd_gettime64"),
	remove(411, "timerfd_settime64"),
	remove(412, "utimensat_time64"),
	remove(413, "pselect6_time64"),
	remove(414, "ppoll_time64"),
	remove(416, "io_pgetevents_time64"),
	remove(417, "recvmmsg_time64"),
	remove(418, "mq_timedsend_time64"),
	remove(419, "mq_timedreceive_time64"),
	remove(420, "semtimedop_time64"),
	remove(421, "rt_sigtimedwait_time64"),
	remove(422, "futex_time64"),
	remove(423, "sched_rr_get_interval_time64"),
})

// Upstream's arm table already has the private calls at 0x0f0001 and up
// (breakpoint, cacheflush, usr26, usr32, set_tls, get_tls).
var editsARM = newerCalls

func concat(a, b []edit) []edit { return append(append([]edit(nil), a...), b...) }

// upstream is the number → name table of an ABI as go-seccomp-bpf has it,
// numbers without the x32 bit.
func upstream(info *seccomparch.Info) map[uint32]string {
	out := make(map[uint32]string, len(info.SyscallNumbers))
	for nr, name := range info.SyscallNumbers {
		out[uint32(nr)&^X32Bit] = name
	}
	return out
}

// applyEdits returns table with edits applied, and a description of each edit
// that found the table other than it expected (nothing to remove, a slot
// already taken); such an edit is still applied.
func applyEdits(table map[uint32]string, edits []edit) (map[string]uint32, []string) {
	byNr := make(map[uint32]string, len(table))
	for nr, n := range table {
		byNr[nr] = n
	}
	var stale []string
	for _, e := range edits {
		if got := byNr[e.Nr]; got != e.From {
			stale = append(stale, fmt.Sprintf("%d: want %q upstream, have %q (edit %+v)", e.Nr, e.From, got, e))
		}
		if e.To == "" {
			delete(byNr, e.Nr)
		} else {
			byNr[e.Nr] = e.To
		}
	}
	out := make(map[string]uint32, len(byNr))
	for nr, n := range byNr {
		if old, dup := out[n]; dup {
			stale = append(stale, fmt.Sprintf("%s has two numbers, %d and %d", n, old, nr))
		}
		out[n] = nr
	}
	return out, stale
}

// The sources and edits of each ABI, for newABI and the tests.
var tableSources = map[string]struct {
	info  *seccomparch.Info
	edits []edit
}{
	"x86_64":  {seccomparch.X86_64, editsX86_64},
	"x86":     {seccomparch.I386, editsX86},
	"x32":     {seccomparch.X32, editsX32},
	"aarch64": {seccomparch.AARCH64, editsAarch64},
	"arm":     {seccomparch.ARM, editsARM},
}

func correctedTable(abi string) map[string]uint32 {
	s := tableSources[abi]
	t, _ := applyEdits(upstream(s.info), s.edits)
	return t
}

func tableX86_64() map[string]uint32  { return correctedTable("x86_64") }
func tableX86() map[string]uint32     { return correctedTable("x86") }
func tableX32() map[string]uint32     { return correctedTable("x32") }
func tableAarch64() map[string]uint32 { return correctedTable("aarch64") }
func tableARM() map[string]uint32     { return correctedTable("arm") }
