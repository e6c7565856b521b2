/* seccomp filter, 8 instructions, target x86_64, ABIs x86_64 */
#include <linux/filter.h>

struct sock_filter secc_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0x4),                   /* 0000: A = arch */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 0),     /* 0001: if (A == ARCH_X86_64) goto 0003 */
	BPF_STMT(BPF_RET | BPF_K, 0x80000000),                     /* 0002: return KILL_PROCESS */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0x0),                   /* 0003: A = sys_number */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x6e, 0, 1),           /* 0004: if (A != getppid) goto 0006 */
	BPF_STMT(BPF_RET | BPF_K, 0x50001),                        /* 0005: return ERRNO(EPERM) */
	BPF_STMT(BPF_RET | BPF_K, 0x7fff0000),                     /* 0006: return ALLOW */
	{ 0x06, 1, 0, 0x7fff0000 },                                /* 0007: return ALLOW */
};

struct sock_fprog secc_filter_prog = {
	.len = sizeof(secc_filter) / sizeof(secc_filter[0]),
	.filter = secc_filter,
};
