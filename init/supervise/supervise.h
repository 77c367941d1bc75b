/* The supervisor: services as child processes driven by the sv_table state
 * machine — throttled respawn, exec failure detected through a close-on-exec
 * pipe, stop = SIGTERM → timeout → SIGKILL. */
#ifndef LAB_SUPERVISE_H
#define LAB_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/core/loop.h"
#include "init/supervise/sv_table.h"

/* labinit's own six (modules, boot, uplink-dhcp, dhcpd, smbd, console or
 * rescue), each guest and its console logger, the extra services: 38 with
 * every slot used (init/labcfg/labcfg.c checks it). */
#define SV_MAX 64
#define SV_MAX_ARGS 96 /* QEMU's command line is the longest */

struct supervisor;

#define SV_MAX_GROUPS 4
#define SV_MAX_MORE_FDS 4 /* fds 4.. a child gets besides 3: a guest's other NICs' taps, UML's agent line */

/* Who a service runs as. uid 0: root, as PID 1 (the boot, the modules
 * loader, what the profile's EXTRA_SERVICES asks for). Otherwise the child
 * takes these groups and ids before exec, can never gain privileges again
 * (PR_SET_NO_NEW_PRIVS), and keeps only the capabilities in ambient (bits
 * 1 << CAP_*): smbd keeps CAP_NET_BIND_SERVICE for port 445, nothing more. */
struct sv_creds {
	uid_t uid;
	gid_t gid;
	gid_t groups[SV_MAX_GROUPS];
	unsigned ngroups;
	uint64_t ambient;
};

/* What a service is, for those who list or stop it (labctl guests). */
enum sv_kind { SV_KIND_SERVICE, SV_KIND_GUEST };

struct service {
	char name[32];
	char *argv[SV_MAX_ARGS + 1];  /* owned copies */
	enum sv_kind kind;
	enum sv_policy policy;
	enum sv_state state;
	pid_t pid;
	int exec_fd;                  /* read end of the exec-report pipe, or -1 */
	unsigned restarts, streak;
	uint64_t started_ms;          /* when the current/last run began */
	int last_status;              /* wait status of the last exit, -1: none */
	int exec_errno;
	unsigned stop_timeout_ms;
	int console_fd;               /* 0: fd 0 becomes the controlling terminal; > 0: also 0..2 (a UML guest's console socket) */
	char tty[64];                 /* or this device, opened in the child on 0..2 */
	int stop_signal;              /* SIGTERM unless the service needs another */
	bool restart_pending;         /* start again once down (labctl restart) */
	int pass_fd;                  /* >= 0: the child gets it as fd 3 (a guest's tap, a UML console's logger end) */
	int more_fds[SV_MAX_MORE_FDS]; /* and these as fds 4, 5, ... (a guest's other taps) */
	unsigned nmore;
	/* When the main process is gone, SIGKILL what is left of its process
	 * group (a UML kernel killed outright leaves its helper processes). */
	bool kill_group_on_exit;
	struct sv_creds creds;
	/* Instead of the stop signal (a guest: QMP system_powerdown); SIGKILL
	 * still follows after stop_timeout_ms. */
	void (*stop_fn)(struct service *s);
	void *data;
	struct loop_timer timer;
	struct supervisor *sup;
};

struct supervisor {
	struct loop *loop;
	struct service sv[SV_MAX];
	unsigned n;
	/* Called after any service changes state (shutdown uses it to step). */
	void (*on_change)(struct supervisor *sup, struct service *s);
};

void sv_init(struct supervisor *sup, struct loop *loop);
struct service *sv_add(struct supervisor *sup, const char *name, char *const argv[],
		       enum sv_policy policy, unsigned stop_timeout_ms);
struct service *sv_find(struct supervisor *sup, const char *name);
void sv_start(struct service *s);
void sv_stop(struct service *s);
void sv_restart(struct service *s);
/* A reaped child: returns 1 if it was a service's main process. */
int sv_child_exited(struct supervisor *sup, pid_t pid, int status);
/* The most recently added service still up (not down/failed), or NULL. */
struct service *sv_last_up(struct supervisor *sup);
/* SIGKILL to every service, each then wanted down for good (shutdown). */
void sv_kill_all(struct supervisor *sup);
size_t sv_format_status(struct supervisor *sup, char *buf, size_t size);

#endif
