/* Guests as PID 1 supervises them: one QEMU each, on the tap the boot
 * opened, stopped by ACPI power-down over QMP, restarted by its policy. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guests/guest.h"
#include "init/pid1/pid1.h"
#include "lib/core/log.h"

/* The power button over QMP, from a child: the QMP conversation blocks and
 * PID 1 never does. If it fails the child sends QEMU SIGTERM (QEMU then
 * exits at once); the stop timer's SIGKILL stays the last resort. A
 * machine without a power button (riscv64 virt in QEMU 7.2) would wait
 * out the whole stop timeout for nothing: its QEMU gets SIGTERM at once,
 * which to the guest is the plug pulled (its disks are snapshots unless
 * persistent). */
static void stop_guest(struct service *s)
{
	const struct pid1_guest *g = s->data;
	pid_t qemu = s->pid, pid;
	int r;

	if (!g->power_button) {
		log_info("guest %s: its machine has no power button; ending its QEMU (SIGTERM)", s->name);
		kill(qemu, SIGTERM);
		return;
	}
	pid = fork();
	if (pid != 0) {
		if (pid < 0)
			kill(qemu, SIGTERM);
		return;
	}
	if ((r = guest_powerdown(g->run_dir)) < 0) {
		log_warn("guest %s: QMP power-down: %s; sending SIGTERM", s->name, strerror(-r));
		kill(qemu, SIGTERM);
	}
	_exit(r < 0);
}

struct service *pid1_add_guest(struct pid1 *p, struct boot_service *r, char **argv, int tap_fd)
{
	struct pid1_guest *g = calloc(1, sizeof(*g));
	struct service *s = g ? sv_add(&p->sup, r->name, argv, r->policy, r->stop_timeout_ms) : NULL;

	if (!s) {
		log_err("guest %s: cannot be supervised (a service has that name?)", r->name);
		if (tap_fd >= 0)
			close(tap_fd);
		free(g);
		return NULL;
	}
	snprintf(g->run_dir, sizeof(g->run_dir), "%s", r->run_dir);
	memcpy(g->mac, r->mac, sizeof(g->mac));
	g->ip = r->ip;
	g->gdb_port = r->gdb_port;
	g->power_button = r->power_button;
	s->kind = SV_KIND_GUEST;
	s->pass_fd = tap_fd;
	s->stop_fn = stop_guest;
	s->data = g;
	return s;
}
