package bpf

import "fmt"

// Seccomp return values (SECCOMP_RET_*). An action is the full 32-bit value a
// filter returns: the action in the high 16 bits, its data in the low 16.
const (
	RetKillProcess uint32 = 0x80000000
	RetKillThread  uint32 = 0x00000000
	RetTrap        uint32 = 0x00030000
	RetErrno       uint32 = 0x00050000
	RetUserNotif   uint32 = 0x7fc00000
	RetTrace       uint32 = 0x7ff00000
	RetLog         uint32 = 0x7ffc0000
	RetAllow       uint32 = 0x7fff0000

	RetActionFull uint32 = 0xffff0000 // SECCOMP_RET_ACTION_FULL
	RetData       uint32 = 0x0000ffff // SECCOMP_RET_DATA
)

// ActionString renders a return value the way policies write it:
// ALLOW, ERRNO(1), KILL_PROCESS, TRAP(3), TRACE(7), LOG, NOTIFY.
// Values the kernel does not know print as hex.
func ActionString(ret uint32) string {
	data := ret & RetData
	switch ret & RetActionFull {
	case RetKillProcess:
		return "KILL_PROCESS"
	case RetKillThread:
		return "KILL_THREAD"
	case RetTrap:
		if data != 0 {
			return fmt.Sprintf("TRAP(%d)", data)
		}
		return "TRAP"
	case RetErrno:
		return fmt.Sprintf("ERRNO(%d)", data)
	case RetUserNotif:
		return "NOTIFY"
	case RetTrace:
		return fmt.Sprintf("TRACE(%d)", data)
	case RetLog:
		return "LOG"
	case RetAllow:
		return "ALLOW"
	}
	return fmt.Sprintf("0x%08x", ret)
}

// Precedence orders actions as the kernel does when several filters are
// stacked: a lower value wins (KILL_PROCESS first, ALLOW last).
func Precedence(ret uint32) int {
	switch ret & RetActionFull {
	case RetKillProcess:
		return 0
	case RetKillThread:
		return 1
	case RetTrap:
		return 2
	case RetErrno:
		return 3
	case RetUserNotif:
		return 4
	case RetTrace:
		return 5
	case RetLog:
		return 6
	case RetAllow:
		return 7
	}
	return 0 // unknown actions act as KILL_PROCESS
}
