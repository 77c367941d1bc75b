/* Least privilege for the processes that parse what guests and networks
 * send (the DHCP/DNS worker, DNS on its own): once a process has opened
 * what needs root (its sockets on port 53 and 67, the packet socket), it
 * becomes an unprivileged user with no capabilities, can never regain any
 * (PR_SET_NO_NEW_PRIVS: no setuid binary, no file capability), and can make
 * only the system calls its event loop needs (a seccomp allow-list): a bug
 * in a packet parser then yields a process that can answer packets and
 * write its lease file, not the lab host. */
#ifndef LAB_SANDBOX_H
#define LAB_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Which system calls a sandboxed process keeps. */
enum sandbox_calls {
	SANDBOX_NET_DAEMON,  /* an event loop of sockets, timers and signals that writes files by rename */
	/* the same without opening sockets: the uplink client keeps
	 * CAP_NET_ADMIN, and with socket() it could reach nfnetlink and
	 * remove the firewall; every socket it uses is open before */
	SANDBOX_NO_NEW_SOCKETS,
};

struct sandbox {
	const char *who;           /* names the process in errors */
	uid_t uid;                 /* the user and group to become; 0: stay (not root, or a test) */
	gid_t gid;
	enum sandbox_calls calls;
	uint64_t keep_caps;        /* capabilities kept, 1 << CAP_* (the uplink client: CAP_NET_ADMIN) */
};

/* Drops supplementary groups, then becomes gid and uid (real, effective and
 * saved: no way back), checks that it took, sets NO_NEW_PRIVS and installs
 * the allow-list: a call outside it fails with EPERM (the caller logs the
 * error it gets; nothing dies of a path the list forgot), a call of another
 * ABI (x32, i386) kills the process. Not root: only NO_NEW_PRIVS and the
 * filter. 0, or -errno with the step logged. */
int sandbox_enter(const struct sandbox *s);

/* The user and group a process runs as, read back from the kernel: for
 * logs and tests. */
void sandbox_describe(char *buf, size_t size);

#endif
