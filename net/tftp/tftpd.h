/* The lab's read-only TFTP server: requests on UDP 69 bound to a bridge,
 * each transfer on a socket of its own with an ephemeral port (RFC 1350
 * §4, the transfer identifier), all in one event loop (lib/core/loop.h) so
 * the DHCP worker embeds it beside DHCP and DNS, and `labinit tftpd` runs
 * it alone. Write requests are refused (access violation); netascii is
 * refused (illegal operation: loaders use octet; a netascii reader cannot
 * seek to a block, and a window needs to). Sessions and retransmissions
 * are bounded; every transfer is logged once, at its end.
 *
 * A name resolves, in this order (the netboot design's namespace):
 * 1. an export: the exact cleaned name (e.g. "labinit/guests/vm1/kernel")
 *    names a host file, opened at tftpd_open (as root, before the sandbox)
 *    and read through that fd: a file replaced by rename is seen after a
 *    restart, one rewritten in place at once;
 * 2. the generated directory (boot menus), overlaid on the root: a file
 *    there hides the root's;
 * 3. the root (CONFIG_TFTP_ROOT).
 * 2 and 3 go through net/tftp/path.h: nothing outside them is opened. */
#ifndef LAB_TFTPD_H
#define LAB_TFTPD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/core/loop.h"
#include "net/tftp/session.h"

#define TFTPD_MAX_EXPORTS 64
#define TFTPD_DEFAULT_SESSIONS 64     /* CONFIG_TFTP_MAX_SESSIONS's default */
#define TFTPD_MAX_SESSIONS 1024       /* and its maximum */
#define TFTPD_MAX_RETRIES 5           /* retransmissions of one window before the session ends */
#define TFTPD_LOG_PER_S 20            /* transfer lines a second; the rest counted */

struct tftpd_export {
	char path[128];                  /* the TFTP name, cleaned (no leading '/') */
	const char *file;                /* the host file it serves */
};

struct tftpd_config {
	const char *root;                /* absolute; the served tree */
	const char *generated;           /* overlaid on the root; NULL or "": none */
	struct tftpd_export exports[TFTPD_MAX_EXPORTS];
	unsigned nexports;
	unsigned max_sessions;           /* 0: TFTPD_DEFAULT_SESSIONS */
	const char *bridge;              /* UDP 69 bound to it; blksize capped at its MTU - 32 */
	uint16_t port;                   /* 0: 69 */
};

struct tftpd_stats {
	unsigned long requests, done, failed, refused, busy, dropped;
};

struct tftpd_session;

struct tftpd {
	const struct tftpd_config *cfg;
	struct loop *loop;
	int udp, rootfd, genfd;
	int export_fd[TFTPD_MAX_EXPORTS];
	struct tftp_limits lim;
	unsigned mtu;                    /* the bridge's, 0: unknown */
	struct tftpd_session *sessions;
	unsigned max_sessions, active;
	struct loop_timer timer;         /* one for every session: the earliest deadline */
	uint8_t *buf;                    /* one packet, shared: the loop runs one handler at a time */
	uint64_t log_since;
	unsigned log_used;
	unsigned long log_suppressed;
	struct tftpd_stats st;
};

/* Opens what needs root: the socket on the bridge, the root's and the
 * generated directory's fds, the exports. 0 or -errno, logged with what
 * failed. The root must exist; a missing generated dir or export is
 * logged and left out. */
int tftpd_open(struct tftpd *t, const struct tftpd_config *c);
/* Serves in l from now on. */
int tftpd_start(struct tftpd *t, struct loop *l);
/* Ends every transfer (logged as stopped) and closes everything. */
void tftpd_close(struct tftpd *t);
/* `labinit tftpd`: serves c until SIGTERM/SIGINT as uid/gid (0: stays)
 * behind the seccomp list; an exit status. */
int tftpd_main(const struct tftpd_config *c, uid_t uid, gid_t gid);

#endif
