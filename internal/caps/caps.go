// Package caps names Linux capabilities and the sets secc's command line
// accepts for --caps: a comma-separated list of names, or docker, none, all.
package caps

import (
	"fmt"
	"strings"
)

// All is every capability Linux defines, in number order.
var All = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// Docker is the capability set Docker gives a container by default.
var Docker = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// Known reports whether name (with its CAP_ prefix) is a capability.
func Known(name string) bool {
	for _, c := range All {
		if c == name {
			return true
		}
	}
	return false
}

// Parse reads a --caps value: "docker", "none", "all", or names separated
// by commas, with or without the CAP_ prefix, in any case.
func Parse(s string) ([]string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "docker", "default":
		return append([]string(nil), Docker...), nil
	case "none", "":
		return nil, nil
	case "all":
		return append([]string(nil), All...), nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		n := strings.ToUpper(strings.TrimSpace(f))
		if n == "" {
			continue
		}
		if !strings.HasPrefix(n, "CAP_") {
			n = "CAP_" + n
		}
		if !Known(n) {
			return nil, fmt.Errorf("unknown capability %q", strings.TrimSpace(f))
		}
		out = append(out, n)
	}
	return out, nil
}
