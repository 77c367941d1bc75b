/* Shared by labctl's files: the request to PID 1 and what its "lab" reply
 * says of the guests and the lease file. */
#ifndef LAB_LABCTL_PRIV_H
#define LAB_LABCTL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guests/agent/proto.h"
#include "init/supervise/supervise.h"

/* Sends req to PID 1 at path; *out (malloc'd) is the reply after "ok\n".
 * 0, or 1 after printing what went wrong. */
int labctl_call(const char *path, const char *req, char **out);

struct labctl_guest {
	char name[32], state[16], run_dir[128];
	long uptime_s;                 /* -1: not running */
	unsigned restarts, gdb_port;
	bool uml;                      /* a UML kernel, not QEMU */
	int pid;                       /* the running guest's host pid, or 0 */
	uint8_t mac[6];
	uint32_t ip;                   /* a fixed address, or 0 */
};

struct labctl_net {
	unsigned num;
	char name[16], mode[12], bridge[16];
	char addr[24], prefix6[48];    /* "10.77.0.1/24", "fd..::/64", or "-" */
	char lease_file[256];          /* or "-" */
};

#define LABCTL_MAX_NETS 4

struct labctl_lab {
	char share_dir[256];           /* "" when PID 1 did not say */
	struct labctl_net nets[LABCTL_MAX_NETS];
	unsigned nnets;
	bool have_leases;              /* a DHCP server, a valid profile */
	unsigned prefix_len;
	char lease_file[256];
	struct labctl_guest guests[SV_MAX];
	unsigned nguests;
};

/* PID 1's "lab" facts: 0, or 1 after printing what went wrong. */
int labctl_lab(const char *path, struct labctl_lab *lab);

/* `labctl leases [--json]` and `labctl guests [--json]`: exit statuses. */
int labctl_leases(const char *path, bool json);
/* `labctl networks [--json]`, `labctl impair GUEST[:NIC] [SPEC|off]`,
 * `labctl capture NET|GUEST[:NIC] [--count N] [--seconds S]`
 * (init/labctl/networks.c): exit statuses. */
int labctl_networks(const char *path, int argc, char **argv);
int labctl_impair(const char *path, int argc, char **argv);
int labctl_capture(const char *path, int argc, char **argv);
int labctl_guests(const char *path, bool json);
/* `labctl crashes [GUEST] [--json]` (init/labctl/crashes.c): exit status;
 * and a guest's filed crash reports, duplicates included, for `guests`. */
int labctl_crashes(const char *path, int argc, char **argv);
/* `labctl dump GUEST [--out FILE] [--timeout S]` (init/labctl/dump.c). */
int labctl_dump(const char *path, int argc, char **argv);
/* The guest's run lock, shared by `run` and `reset` (one at a time per
 * guest), waited for until deadline (ms, loop_now_ms): an fd or -errno. */
int labctl_lock_guest(const char *name, uint64_t deadline);
/* `labctl reset GUEST [--boot-timeout S]` (init/labctl/reset.c); and
 * what `run` does once the agent answered: a CONFIG_GUESTn_RESET=snapshot
 * guest whose QEMU has no snapshot yet (wanted) gets it then (take: what
 * fails is said on stderr, the run goes on). */
int labctl_reset(const char *path, int argc, char **argv);
bool labctl_snapshot_wanted(const char *run_dir);
void labctl_snapshot_take(const char *run_dir, const char *guest);
unsigned long labctl_crash_count(const struct labctl_lab *lab, const struct labctl_guest *g);

/* `labctl --lab SOCKET [--lab-timeout S] [--lab-wait S] COMMAND [ARGS...]`
 * (init/labctl/remote.c): labctl on the appliance that `make run` serves
 * on SOCKET. Its pure pieces are below for the unit test. */
#define REMOTE_TIMEOUT_S 10    /* connect and hello */
#define REMOTE_WAIT_S 120      /* the lock: another client's command */
#define REMOTE_LAB_ERROR 125

struct labctl_remote_opts {
	const char *sock;
	unsigned timeout_s, wait_s;
	char **argv;               /* COMMAND ARGS..., argc of them */
	int argc;
	bool console;              /* COMMAND is console: a terminal goes raw */
};

int labctl_remote(int argc, char **argv);
/* argv as labctl's main has it ("labctl", "--lab", ...): 0 or -EINVAL. */
int labctl_remote_parse(int argc, char **argv, struct labctl_remote_opts *o);
/* The lock file beside the socket: 0 or -ENAMETOOLONG. */
int labctl_remote_lock_path(const char *sock, char *buf, size_t size);
/* The exit status an EXIT frame stands for (REMOTE_LAB_ERROR when labctl
 * did not run). */
int labctl_remote_exit_code(const struct agent_msg *m);

#endif
