package abi

import (
	"sort"
	"testing"
)

func TestConstPerABI(t *testing.T) {
	const none = ^uint64(0) // marks "not defined on this ABI"
	tests := []struct {
		name                       string
		x86_64, x86, x32, a64, arm uint64
	}{
		{"EPERM", 1, 1, 1, 1, 1},
		{"EWOULDBLOCK", 11, 11, 11, 11, 11},
		{"AF_INET", 2, 2, 2, 2, 2},
		{"AF_VSOCK", 40, 40, 40, 40, 40},
		{"AF_XDP", 44, 44, 44, 44, 44},
		{"AF_MCTP", 45, 45, 45, 45, 45},
		{"SOCK_CLOEXEC", 0x80000, 0x80000, 0x80000, 0x80000, 0x80000},
		{"SOCK_NONBLOCK", 0x800, 0x800, 0x800, 0x800, 0x800},
		{"CLONE_NEWUSER", 0x10000000, 0x10000000, 0x10000000, 0x10000000, 0x10000000},
		{"CLONE_NEWNS", 0x20000, 0x20000, 0x20000, 0x20000, 0x20000},
		{"CLONE_NEWTIME", 0x80, 0x80, 0x80, 0x80, 0x80},
		{"CLONE_INTO_CGROUP", 0x200000000, 0x200000000, 0x200000000, 0x200000000, 0x200000000},
		{"PROT_EXEC", 4, 4, 4, 4, 4},
		{"PROT_BTI", none, none, none, 0x10, none},
		{"MAP_ANONYMOUS", 0x20, 0x20, 0x20, 0x20, 0x20},
		{"MAP_32BIT", 0x40, 0x40, 0x40, none, none},
		{"O_CLOEXEC", 0x80000, 0x80000, 0x80000, 0x80000, 0x80000},
		{"O_DIRECTORY", 0x10000, 0x10000, 0x10000, 0x4000, 0x4000},
		{"O_NOFOLLOW", 0x20000, 0x20000, 0x20000, 0x8000, 0x8000},
		{"O_DIRECT", 0x4000, 0x4000, 0x4000, 0x10000, 0x10000},
		{"O_LARGEFILE", 0x8000, 0x8000, 0x8000, 0x20000, 0x20000},
		{"O_TMPFILE", 0x410000, 0x410000, 0x410000, 0x404000, 0x404000},
		{"O_SYNC", 0x101000, 0x101000, 0x101000, 0x101000, 0x101000},
		{"O_PATH", 0x200000, 0x200000, 0x200000, 0x200000, 0x200000},
		{"F_GETLK", 5, 5, 5, 5, 5},
		{"F_GETLK64", none, 12, none, none, 12},
		{"F_SETLKW64", none, 14, none, none, 14},
		{"F_DUPFD_CLOEXEC", 1030, 1030, 1030, 1030, 1030},
		{"F_ADD_SEALS", 1033, 1033, 1033, 1033, 1033},
		{"PR_SET_NO_NEW_PRIVS", 38, 38, 38, 38, 38},
		{"PR_SET_SECCOMP", 22, 22, 22, 22, 22},
		{"PR_CAPBSET_DROP", 24, 24, 24, 24, 24},
		{"TIOCSTI", 0x5412, 0x5412, 0x5412, 0x5412, 0x5412},
		{"TIOCLINUX", 0x541c, 0x541c, 0x541c, 0x541c, 0x541c},
		{"TCGETS", 0x5401, 0x5401, 0x5401, 0x5401, 0x5401},
		{"FIONREAD", 0x541b, 0x541b, 0x541b, 0x541b, 0x541b},
		{"PER_LINUX", 0, 0, 0, 0, 0},
		{"PER_LINUX32", 8, 8, 8, 8, 8},
		{"PER_SVR4", 0x4100001, 0x4100001, 0x4100001, 0x4100001, 0x4100001},
		{"ADDR_NO_RANDOMIZE", 0x40000, 0x40000, 0x40000, 0x40000, 0x40000},
		{"UNAME26", 0x20000, 0x20000, 0x20000, 0x20000, 0x20000},
		{"SECCOMP_SET_MODE_FILTER", 1, 1, 1, 1, 1},
		{"SECCOMP_RET_ALLOW", 0x7fff0000, 0x7fff0000, 0x7fff0000, 0x7fff0000, 0x7fff0000},
		{"PER_QUERY", none, none, none, none, none}, // a #define in policies, not built in
		{"CAP_SYS_ADMIN", none, none, none, none, none},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			abi  *ABI
			want uint64
		}{{X86_64, tt.x86_64}, {X86, tt.x86}, {X32, tt.x32}, {Aarch64, tt.a64}, {ARM, tt.arm}} {
			got, ok := c.abi.Const(tt.name)
			if c.want == none {
				if ok {
					t.Errorf("%s.Const(%s) = %#x, want undefined", c.abi, tt.name, got)
				}
				continue
			}
			if !ok || got != c.want {
				t.Errorf("%s.Const(%s) = %#x, %v; want %#x", c.abi, tt.name, got, ok, c.want)
			}
		}
	}
}

func TestErrno(t *testing.T) {
	for _, tt := range []struct {
		name string
		nr   uint32
	}{
		{"EPERM", 1}, {"ENOENT", 2}, {"EAGAIN", 11}, {"EWOULDBLOCK", 11}, {"EACCES", 13},
		{"EINVAL", 22}, {"ENOSYS", 38}, {"ELOOP", 40}, {"ENOMSG", 42}, {"EBADSLT", 57},
		{"EDEADLK", 35}, {"EDEADLOCK", 35}, {"EBFONT", 59}, {"EOPNOTSUPP", 95}, {"ENOTSUP", 95},
		{"EAFNOSUPPORT", 97}, {"ECONNREFUSED", 111}, {"EUCLEAN", 117}, {"ECANCELED", 125},
		{"EHWPOISON", 133},
	} {
		if nr, ok := Errno(tt.name); !ok || nr != tt.nr {
			t.Errorf("Errno(%s) = %d, %v; want %d", tt.name, nr, ok, tt.nr)
		}
		for _, a := range All {
			if v, _ := a.Const(tt.name); v != uint64(tt.nr) {
				t.Errorf("%s.Const(%s) = %d, want %d", a, tt.name, v, tt.nr)
			}
		}
	}
	for _, bad := range []string{"", "EFOO", "eperm", "AF_INET"} {
		if _, ok := Errno(bad); ok {
			t.Errorf("Errno(%q) found", bad)
		}
	}
	for nr, want := range map[uint32]string{1: "EPERM", 11: "EAGAIN", 35: "EDEADLK", 95: "EOPNOTSUPP", 133: "EHWPOISON", 0: "", 41: "", 58: "", 4095: ""} {
		if got, ok := ErrnoName(nr); got != want || ok != (want != "") {
			t.Errorf("ErrnoName(%d) = %q, %v; want %q", nr, got, ok, want)
		}
	}
	// Every number has one primary name, and it maps back.
	for nr := uint32(0); nr < 200; nr++ {
		if name, ok := ErrnoName(nr); ok {
			if back, _ := Errno(name); back != nr {
				t.Errorf("Errno(ErrnoName(%d) = %s) = %d", nr, name, back)
			}
		}
	}
}

func TestConstNames(t *testing.T) {
	names := ConstNames()
	if !sort.StringsAreSorted(names) {
		t.Error("ConstNames not sorted")
	}
	seen := make(map[string]bool)
	for _, n := range names {
		if seen[n] {
			t.Errorf("%s listed twice", n)
		}
		seen[n] = true
		found := false
		for _, a := range All {
			_, ok := a.Const(n)
			found = found || ok
		}
		if !found {
			t.Errorf("%s listed but defined on no ABI", n)
		}
	}
	for _, n := range []string{"EPERM", "AF_INET", "O_TMPFILE", "F_GETLK64", "PROT_MTE", "MAP_32BIT"} {
		if !seen[n] {
			t.Errorf("ConstNames lacks %s", n)
		}
	}
}
