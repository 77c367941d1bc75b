/* PID 1 starts the profile's guests as services: one QEMU each, on its own
 * tap, stopped by ACPI power-down over QMP, restarted by its policy. A guest
 * that cannot start (missing kernel, no QEMU, a taken tap) is reported and
 * the others still start. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guests/guest.h"
#include "guests/qemu/kvm.h"
#include "lib/core/log.h"
#include "init/pid1/pid1.h"

/* ACPI power-down over QMP, from a child: the QMP conversation blocks and
 * PID 1 never does. If it fails the child sends QEMU SIGTERM (QEMU then
 * exits at once); the stop timer's SIGKILL stays the last resort. */
static void stop_guest(struct service *s)
{
	const struct guest_service *gs = s->data;
	pid_t qemu = s->pid, pid = fork();
	int r;

	if (pid != 0) {
		if (pid < 0)
			kill(qemu, SIGTERM);
		return;
	}
	if ((r = guest_powerdown(gs->run_dir)) < 0) {
		log_warn("guest %s: QMP power-down: %s; sending SIGTERM", s->name, strerror(-r));
		kill(qemu, SIGTERM);
	}
	_exit(r < 0);
}

static enum sv_policy policy_of(enum restart_policy r)
{
	return r == RESTART_ALWAYS ? SV_RESTART_ALWAYS : r == RESTART_NEVER ? SV_RESTART_NEVER : SV_RESTART_ON_FAILURE;
}

static enum qemu_accel pick_accel(void)
{
	char why[160];

	if (kvm_check_within(KVM_CHECK_MS, why, sizeof(why)) == 0) {
		log_info("guests: accelerator kvm (%s)", why);
		return QEMU_KVM;
	}
	log_info("guests: accelerator tcg (KVM unusable: %s)", why);
	return QEMU_TCG;
}

static void start_guest(struct pid1 *p, const struct guest_cfg *g, enum qemu_accel accel)
{
	struct guest_service *gs = calloc(1, sizeof(*gs));
	struct service *s;
	char why[256], gdb[40] = "";

	if (!gs || guest_prepare(p->profile, g, accel, gs, why, sizeof(why)) < 0) {
		log_err("guest %s: %s; not started", g->name, gs ? why : "out of memory");
		if (gs && gs->tap_fd >= 0)
			close(gs->tap_fd);
		free(gs);
		return;
	}
	s = sv_add(&p->sup, g->name, gs->argv.argv, policy_of(g->restart), p->profile->stop_timeout * 1000);
	if (!s) {
		log_err("guest %s: cannot be supervised (a service has that name?)", g->name);
		close(gs->tap_fd);
		free(gs);
		return;
	}
	s->pass_fd = gs->tap_fd;
	s->stop_fn = stop_guest;
	s->data = gs;
	if (g->gdb_port)
		snprintf(gdb, sizeof(gdb), ", gdb stub on port %u%s", g->gdb_port, g->gdb_wait ? " (halted)" : "");
	log_info("guest %s: %s, %u MiB, %u CPU%s, %s%s", g->name, g->kernel, g->memory_mib, g->cpus,
		 g->cpus == 1 ? "" : "s", qemu_nic_device(g->nic), gdb);
	if (g->autostart)
		sv_start(s);
}

void pid1_start_guests(struct pid1 *p)
{
	enum qemu_accel accel;

	if (!p->profile->nguests)
		return;
	accel = pick_accel();
	for (unsigned i = 0; i < p->profile->nguests; i++)
		start_guest(p, &p->profile->guests[i], accel);
}
