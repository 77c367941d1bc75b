/* `labctl reset GUEST [--boot-timeout S]`: a clean guest for the next
 * test, ready (its agent answers) when labctl returns 0.
 * CONFIG_GUESTn_RESET=snapshot: QEMU loads back the state it saved the
 * first time the guest's agent answered a labctl (guests/qemu/qmp_snap.c),
 * in the same process: no boot. A guest whose QEMU holds no snapshot yet
 * (just started or restarted) is waited for like `labctl run` waits, and
 * its snapshot taken then: that state is what later resets return to.
 * Otherwise (reboot, the default, and UML guests): the guest is
 * restarted through PID 1 and waited for, which is what a user who asks
 * for a clean guest of a lab without snapshots expects.
 * labctl speaks QMP itself, as `labctl dump` does and for its reasons:
 * PID 1 must not wait on a job, and holds no policy. The guest's run lock
 * keeps a reset from landing in the middle of a `labctl run`. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guests/guest.h"
#include "guests/qemu/qmp.h"
#include "init/cmd/commands.h"
#include "init/labctl/labctl_priv.h"
#include "lib/core/loop.h"
#include "lib/core/readfile.h"

#define RESET_BOOT_TIMEOUT "120"  /* as labctl run's default */

static int usage(void)
{
	fprintf(stderr, "usage: labctl reset GUEST [--boot-timeout S]\n"
			"  CONFIG_GUESTn_RESET=snapshot: loads back the state saved when GUEST was first ready\n"
			"  (the first time its agent answered labctl run or reset); else restarts GUEST.\n"
			"  Either way returns once GUEST's agent answers (up to --boot-timeout S, default %s).\n"
			"  Exits 0 (ready), 1 (lab error: not running, QMP, the restart), 2 (usage), or with\n"
			"  labctl run's code when the wait for the agent failed (126: it did not boot).\n",
		RESET_BOOT_TIMEOUT);
	return 2;
}

static bool snapshot_mode(const char *run_dir)
{
	char path[192], mode[16];

	snprintf(path, sizeof(path), "%s/" GUEST_RESET_FILE, run_dir);
	return read_first_line(path, mode, sizeof(mode)) > 0 && !strcmp(mode, "snapshot");
}

bool labctl_snapshot_wanted(const char *run_dir)
{
	char why[320];

	/* a failed query: wanted, and the save says why */
	return snapshot_mode(run_dir) && qmp_snapshot_state(run_dir, why, sizeof(why)) != 2;
}

void labctl_snapshot_take(const char *run_dir, const char *guest)
{
	char why[320];

	if (qmp_snapshot_save(run_dir, why, sizeof(why)) < 0)
		fprintf(stderr, "labctl: %s: no snapshot for labctl reset: %s\n", guest, why);
}

/* labctl run GUEST --boot-timeout S -- true: waits for the agent (and,
 * as every run, takes a missing snapshot: run.c's snapshot_first). */
static int wait_ready(const char *path, const char *guest, const char *timeout)
{
	char *argv[] = { "run", (char *)guest, "--boot-timeout", (char *)timeout, "--", "true", NULL };

	return labctl_run(path, 6, argv);
}

static int load(const char *run_dir, const char *guest, unsigned timeout_s)
{
	uint64_t t0 = loop_now_ms();
	char why[320];
	int lock = labctl_lock_guest(guest, t0 + (uint64_t)timeout_s * 1000), r;

	if (lock < 0) {
		fprintf(stderr, "labctl reset: cannot take %s's run lock: %s\n", guest, strerror(-lock));
		return 1;
	}
	r = qmp_snapshot_load(run_dir, why, sizeof(why));
	close(lock);
	if (r < 0) {
		fprintf(stderr, "labctl reset: %s: %s\n", guest, why);
		return 1;
	}
	printf("%s: snapshot loaded in %llu ms\n", guest, (unsigned long long)(loop_now_ms() - t0));
	return 0;
}

/* After a restart request PID 1 stops the old QEMU (a power-down: the
 * guest's own shutdown) and starts a new one, whose agent is the one to
 * wait for: the old one answers until its QEMU ends. */
static int wait_new_qemu(const char *path, const char *name, int old_pid, unsigned timeout_s)
{
	static struct labctl_lab lab;
	uint64_t end = loop_now_ms() + (uint64_t)timeout_s * 1000;

	while (loop_now_ms() < end) {
		if (labctl_lab(path, &lab))
			return -EIO;
		for (unsigned i = 0; i < lab.nguests; i++)
			if (!strcmp(lab.guests[i].name, name) && lab.guests[i].pid && lab.guests[i].pid != old_pid)
				return 0;
		poll(NULL, 0, 250);
	}
	fprintf(stderr, "labctl reset: %s: no new QEMU within %u s of the restart\n", name, timeout_s);
	return -ETIMEDOUT;
}

static int reset(const char *path, const struct labctl_guest *g, const char *timeout)
{
	char why[320], req[64], *reply;
	int r;

	if (!g->uml && snapshot_mode(g->run_dir) && !g->pid) {
		fprintf(stderr, "labctl reset: %s is %s, not running: labctl start %s (or wait for its restart)\n",
			g->name, g->state, g->name);
		return 1;
	}
	if (!g->uml && snapshot_mode(g->run_dir)) {
		if ((r = qmp_snapshot_state(g->run_dir, why, sizeof(why))) == 2)
			return load(g->run_dir, g->name, (unsigned)atoi(timeout));
		/* a QEMU just started has no QMP socket yet: like no snapshot */
		if (r < 0 && r != -ENOENT && r != -ECONNREFUSED) {
			fprintf(stderr, "labctl reset: %s: %s\n", g->name, why);
			return 1;
		}
		/* no snapshot in this QEMU yet: taken once the agent answers */
		if ((r = wait_ready(path, g->name, timeout)) != 0)
			return r;
		if ((r = qmp_snapshot_state(g->run_dir, why, sizeof(why))) != 2) {
			fprintf(stderr, "labctl reset: %s: no snapshot after its agent answered%s%s\n", g->name,
				r < 0 ? ": " : "", r < 0 ? why : "");
			return 1;
		}
		printf("%s: first ready now; snapshot taken (later resets return here)\n", g->name);
		return 0;
	}
	snprintf(req, sizeof(req), "restart %s", g->name);
	if (labctl_call(path, req, &reply))
		return 1;
	free(reply);
	if (wait_new_qemu(path, g->name, g->pid, (unsigned)atoi(timeout)) < 0)
		return 1;
	if ((r = wait_ready(path, g->name, timeout)) != 0)
		return r;
	printf("%s: restarted\n", g->name);
	return 0;
}

int labctl_reset(const char *path, int argc, char **argv)
{
	static struct labctl_lab lab;
	const char *timeout = RESET_BOOT_TIMEOUT;

	if (argc == 4 && !strcmp(argv[2], "--boot-timeout") && strspn(argv[3], "0123456789") == strlen(argv[3]) &&
	    argv[3][0])
		timeout = argv[3];
	else if (argc != 2)
		return usage();
	if (argv[1][0] == '-')
		return usage();
	if (labctl_lab(path, &lab))
		return 1;
	for (unsigned i = 0; i < lab.nguests; i++)
		if (!strcmp(lab.guests[i].name, argv[1]))
			return reset(path, &lab.guests[i], timeout);
	fprintf(stderr, "labctl reset: no guest named \"%s\" in this lab\n", argv[1]);
	return 1;
}
