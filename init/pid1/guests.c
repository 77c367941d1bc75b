/* Guests as PID 1 supervises them: one QEMU or UML kernel each, on the
 * tap the boot opened, stopped by ACPI power-down over QMP (QEMU) or
 * ctrl-alt-del over the mconsole (UML), restarted by its policy. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guests/guest.h"
#include "init/pid1/pid1.h"
#include "lib/core/log.h"

#define POLL_MS 100

/* In the stop child: whether pid is gone within ms. PID 1 reaps the
 * guest as soon as it exits, so a pid that is gone is ESRCH. */
static bool gone_within(pid_t pid, unsigned ms)
{
	struct timespec ts = { 0, POLL_MS * 1000000L };

	for (unsigned waited = 0; waited < ms; waited += POLL_MS) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* The guest's own shutdown, from a child: the conversation blocks and
 * PID 1 never does. If it fails the child sends SIGTERM (QEMU exits at
 * once; UML cleans up its processes and exits). A UML guest whose init
 * ignores ctrl-alt-del gets SIGTERM after half the stop timeout. A
 * machine without a power button (riscv64 virt in QEMU 7.2) would wait
 * out the whole stop timeout for nothing: its QEMU gets SIGTERM at once,
 * which to the guest is the plug pulled (its disks are snapshots unless
 * persistent). The stop timer's SIGKILL stays the last resort. */
static void stop_guest(struct service *s)
{
	const struct pid1_guest *g = s->data;
	pid_t guest = s->pid, pid;
	int r;

	if (!g->power_button) {
		log_info("guest %s: its machine has no power button; ending its QEMU (SIGTERM)", s->name);
		kill(guest, SIGTERM);
		return;
	}
	pid = fork();
	if (pid != 0) {
		if (pid < 0)
			kill(guest, SIGTERM);
		return;
	}
	if ((r = guest_powerdown(g->kind, s->name, g->run_dir)) < 0) {
		log_warn("guest %s: %s: %s; sending SIGTERM", s->name,
			 g->kind == GUEST_KIND_UML ? "mconsole cad" : "QMP power-down", strerror(-r));
		kill(guest, SIGTERM);
	} else if (g->kind == GUEST_KIND_UML && !gone_within(guest, s->stop_timeout_ms / 2)) {
		log_warn("guest %s: still running after ctrl-alt-del; sending SIGTERM", s->name);
		kill(guest, SIGTERM);
	}
	_exit(r < 0);
}

struct service *pid1_add_guest(struct pid1 *p, struct boot_service *r, char **argv, const int *tap_fds, unsigned ntaps,
			       int console_fd, int agent_fd)
{
	struct pid1_guest *g = calloc(1, sizeof(*g));
	struct service *s = g ? sv_add(&p->sup, r->name, argv, r->policy, r->stop_timeout_ms) : NULL;

	if (!s) {
		log_err("guest %s: cannot be supervised (a service has that name?)", r->name);
		for (unsigned i = 0; i < ntaps; i++)
			close(tap_fds[i]);
		if (console_fd >= 0)
			close(console_fd);
		if (agent_fd >= 0)
			close(agent_fd);
		free(g);
		return NULL;
	}
	g->kind = (enum guest_kind)r->guest_kind;
	snprintf(g->run_dir, sizeof(g->run_dir), "%s", r->run_dir);
	memcpy(g->mac, r->mac, sizeof(g->mac));
	g->ip = r->ip;
	g->gdb_port = r->gdb_port;
	g->power_button = r->power_button;
	s->kind = SV_KIND_GUEST;
	s->pass_fd = tap_fds[0];
	for (unsigned i = 1; i < ntaps && i <= SV_MAX_MORE_FDS; i++)
		s->more_fds[s->nmore++] = tap_fds[i];
	/* UML's agent line right after its taps (ssl1=fd:3+ntaps) */
	if (agent_fd >= 0 && s->nmore < SV_MAX_MORE_FDS)
		s->more_fds[s->nmore++] = agent_fd;
	/* UML's console socket on its fds 0-2 (con0=fd:0,fd:0) */
	if (console_fd >= 0)
		s->console_fd = console_fd;
	/* a UML kernel's helper processes outlive a SIGKILL of the kernel */
	s->kill_group_on_exit = g->kind == GUEST_KIND_UML;
	s->stop_fn = stop_guest;
	s->data = g;
	return s;
}
