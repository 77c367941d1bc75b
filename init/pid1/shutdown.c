/* Shutdown: stop services one at a time in reverse start order, within
 * CONFIG_SHUTDOWN_TIMEOUT; then SIGTERM and SIGKILL to what is left; then
 * a forked child syncs, unmounts in reverse order and calls reboot(), so
 * PID 1 itself never blocks on the disks and never exits (in a PID
 * namespace the kernel then ends it for us). */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "init/pid1/mounts.h"
#include "init/pid1/pid1.h"

#define KILL_GRACE_MS 2000
#define DEFAULT_SHUTDOWN_S 30

static struct pid1 *from_sup(struct supervisor *sup)
{
	return (struct pid1 *)((char *)sup - offsetof(struct pid1, sup));
}

/* CONFIG_SHUTDOWN_TIMEOUT once the boot sent it; the default before. */
static unsigned shutdown_bound(const struct pid1 *p)
{
	return p->have_settings && !p->rescue ? p->settings.shutdown_timeout_s : DEFAULT_SHUTDOWN_S;
}

/* The lab's files (a LABDATA disk holds persistent guest disks, read-write)
 * once every guest has stopped: unmounted, or at least read-only. */
static void unmount_lab_files(const char *dir)
{
	if (umount2(dir, 0) == 0)
		log_info("shutdown: %s (the lab's files): unmounted", dir);
	else if (mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0)
		log_warn("shutdown: %s (the lab's files): busy, remounted read-only", dir);
	else
		log_err("shutdown: %s (the lab's files): %s", dir, strerror(errno));
}

/* The last steps run in a child: sync() can take as long as the disks
 * need, and PID 1's loop never waits on anything. */
static void finalize(struct pid1 *p)
{
	pid_t pid;

	p->phase = PHASE_FINAL;
	loop_timer_cancel(&p->loop, &p->shutdown_timer);
	log_info("shutdown: sync and unmount");
	pid = fork();
	if (pid == 0) {
		sync();
		if (p->have_settings && p->settings.lab_mount[0])
			unmount_lab_files(p->settings.lab_mount);
		mounts_unmount_all();
		log_info("shutdown: %s now", p->reboot_cmd == (int)RB_POWER_OFF ? "power off" : "reboot");
		reboot(p->reboot_cmd);
		_exit(1);
	}
	if (pid < 0)
		log_err("shutdown: fork for reboot(): %s; the lab host stays up", strerror(errno));
	p->reboot_pid = pid;
}

static void on_kill_timer(struct loop *l, struct loop_timer *t)
{
	struct pid1 *p = t->data;

	(void)l;
	if (p->kill_stage++ == 0) {
		log_warn("shutdown: processes left after SIGTERM; sending SIGKILL");
		kill(-1, SIGKILL);
		loop_timer_arm(&p->loop, &p->shutdown_timer, loop_now_ms() + KILL_GRACE_MS);
	} else {
		finalize(p);
	}
}

static void kill_rest(struct pid1 *p)
{
	p->phase = PHASE_KILLING;
	p->kill_stage = 0;
	kill(-1, SIGTERM);
	p->shutdown_timer.fn = on_kill_timer;
	p->shutdown_timer.data = p;
	loop_timer_arm(&p->loop, &p->shutdown_timer, loop_now_ms() + KILL_GRACE_MS);
	pid1_reap(p); /* through the supervisor, and on to finalize if none are left */
}

static void stop_next(struct pid1 *p)
{
	struct service *s = sv_last_up(&p->sup);

	if (!s) {
		log_info("shutdown: all services stopped");
		kill_rest(p);
		return;
	}
	if (s->state != SV_STOPPING) {
		log_info("shutdown: stopping %s", s->name);
		sv_stop(s);
	}
}

static void on_deadline(struct loop *l, struct loop_timer *t)
{
	struct pid1 *p = t->data;

	(void)l;
	log_warn("shutdown: services still up at the %u s bound; killing them", shutdown_bound(p));
	sv_kill_all(&p->sup);
	kill_rest(p);
}

void shutdown_begin(struct pid1 *p, int reboot_cmd, const char *why)
{
	unsigned bound = shutdown_bound(p);

	if (p->phase != PHASE_UP) {
		log_info("shutdown already under way (%s ignored)", why);
		return;
	}
	p->reboot_cmd = reboot_cmd;
	p->phase = PHASE_STOPPING;
	for (unsigned i = 0; i < p->sup.n; i++)
		p->sup.sv[i].restart_pending = false; /* a pending labctl restart must not respawn */
	log_info("shutdown: %s", why);
	p->shutdown_timer.fn = on_deadline;
	p->shutdown_timer.data = p;
	loop_timer_arm(&p->loop, &p->shutdown_timer, loop_now_ms() + bound * 1000u);
	stop_next(p);
}

void shutdown_on_change(struct supervisor *sup, struct service *s)
{
	struct pid1 *p = from_sup(sup);

	if (p->phase == PHASE_STOPPING && (s->state == SV_DOWN || s->state == SV_FAILED))
		stop_next(p);
}

void shutdown_on_no_children(struct pid1 *p)
{
	if (p->phase == PHASE_KILLING)
		finalize(p);
}
