/* See sandbox.h. The filter is classic BPF over struct seccomp_data
 * (<linux/seccomp.h>, <linux/filter.h>), the way libseccomp and systemd's
 * SystemCallFilter= build theirs: check the architecture, refuse the x32
 * numbers, then one comparison per allowed call. */
#include "lib/core/sandbox.h"

#include <errno.h>
#include <stdbool.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/core/log.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define SANDBOX_ARCH AUDIT_ARCH_RISCV64
#endif

/* x86_64's x32 ABI shares the architecture value and sets this bit in the
 * call number: a filter that forgets it allows every x32 call. */
#define X32_SYSCALL_BIT 0x40000000u

/* An event loop over sockets, timers and a signalfd, plus what musl's
 * stdio, malloc and abort() make, plus the lease file's write-and-rename.
 * Not here: execve, fork/clone, ptrace, mount, setuid and the rest of
 * what a process taken over would want. */
static const int net_daemon_calls[] = {
	SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64, SYS_pwrite64, SYS_close, SYS_lseek,
	SYS_fstat, SYS_newfstatat, SYS_statx, SYS_openat, SYS_unlinkat, SYS_renameat2,
#ifdef SYS_renameat
	SYS_renameat,
#endif
	SYS_fsync, SYS_fdatasync, SYS_ftruncate, SYS_fcntl, SYS_ioctl,
#ifdef SYS_open
	SYS_open, SYS_unlink, SYS_rename, SYS_stat, SYS_lstat, SYS_poll,
#endif
	SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_brk, SYS_madvise,
	SYS_epoll_pwait, SYS_epoll_ctl,
#ifdef SYS_epoll_wait
	SYS_epoll_wait,
#endif
	SYS_ppoll, SYS_timerfd_settime, SYS_timerfd_gettime, SYS_clock_gettime, SYS_clock_nanosleep,
	SYS_nanosleep, SYS_gettimeofday, SYS_getrandom,
	SYS_socket, SYS_connect, SYS_accept4, SYS_accept, SYS_sendto, SYS_sendmsg, SYS_sendmmsg, SYS_recvfrom,
	SYS_recvmsg, SYS_recvmmsg, SYS_setsockopt, SYS_getsockopt, SYS_getsockname, SYS_getpeername,
	SYS_shutdown,
	/* TFTP (net/tftp): each transfer binds a socket of its own (RFC 1350
	 * §4), and opens files beneath its root with openat2, or by a walk
	 * that reads symlinks where openat2 is missing */
	SYS_bind, SYS_readlinkat,
#ifdef SYS_openat2
	SYS_openat2,
#endif
	SYS_rt_sigprocmask, SYS_rt_sigaction, SYS_rt_sigreturn, SYS_sigaltstack, SYS_restart_syscall,
	SYS_getpid, SYS_gettid, SYS_tkill, SYS_tgkill, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid,
	SYS_getresuid, SYS_getresgid, SYS_sched_yield, SYS_futex, SYS_exit, SYS_exit_group,
};

/* Left out of SANDBOX_NO_NEW_SOCKETS. */
static bool opens_socket(int nr)
{
	return nr == SYS_socket || nr == SYS_socketpair || nr == SYS_connect || nr == SYS_accept ||
	       nr == SYS_accept4;
}

static int install_filter(const int *calls, size_t n, bool no_sockets)
{
#ifdef SANDBOX_ARCH
	struct sock_filter f[8 + 2 * (sizeof(net_daemon_calls) / sizeof(net_daemon_calls[0]))];
	struct sock_fprog prog = { 0, f };
	unsigned k = 0;

	if (n > (sizeof(f) / sizeof(f[0]) - 8) / 2)
		return -E2BIG;
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	for (size_t i = 0; i < n; i++) {
		if (no_sockets && opens_socket(calls[i]))
			continue;
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)calls[i], 0, 1);
		f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	prog.len = (unsigned short)k;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
#else
	(void)calls;
	(void)n;
	(void)no_sockets;
	return -ENOSYS;
#endif
}

static int fail(const struct sandbox *s, const char *step, int err)
{
	log_err("%s: %s: %s; not starting without it", s->who, step, strerror(err));
	return -err;
}

static int become(const struct sandbox *s)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	/* Groups first: once the uid is not 0, setgroups and setresgid fail. */
	if (setgroups(0, NULL) < 0)
		return fail(s, "setgroups", errno);
	if (setresgid(s->gid, s->gid, s->gid) < 0)
		return fail(s, "setresgid", errno);
	/* Leaving uid 0 clears the permitted and effective capabilities (no
	 * SECBIT_KEEP_CAPS is set), and the ambient set with them; with
	 * keep_caps, PR_SET_KEEPCAPS holds the permitted set for the capset
	 * below, which keeps just those. */
	if (s->keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return fail(s, "PR_SET_KEEPCAPS", errno);
	if (setresuid(s->uid, s->uid, s->uid) < 0)
		return fail(s, "setresuid", errno);
	if (s->keep_caps) {
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2] = { { 0 } };

		d[0].permitted = d[0].effective = (uint32_t)s->keep_caps;
		d[1].permitted = d[1].effective = (uint32_t)(s->keep_caps >> 32);
		if (syscall(SYS_capset, &h, d) < 0)
			return fail(s, "capset", errno);
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || ru != s->uid || eu != s->uid ||
	    su != s->uid || rg != s->gid || eg != s->gid || sg != s->gid)
		return fail(s, "checking the new user", EPERM);
	if (setresuid(0, 0, 0) == 0)
		return fail(s, "checking that root cannot come back", EPERM);
	return 0;
}

int sandbox_enter(const struct sandbox *s)
{
	int r;

	if (s->uid && geteuid() == 0 && (r = become(s)) < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(s, "PR_SET_NO_NEW_PRIVS", errno);
	switch (s->calls) {
	case SANDBOX_NET_DAEMON:
	case SANDBOX_NO_NEW_SOCKETS:
		r = install_filter(net_daemon_calls, sizeof(net_daemon_calls) / sizeof(net_daemon_calls[0]),
				   s->calls == SANDBOX_NO_NEW_SOCKETS);
		break;
	default:
		r = -EINVAL;
	}
	if (r < 0)
		return fail(s, "installing the seccomp filter", -r);
	return 0;
}

void sandbox_describe(char *buf, size_t size)
{
	snprintf(buf, size, "uid %u gid %u", (unsigned)geteuid(), (unsigned)getegid());
}
