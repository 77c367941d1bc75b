/* PID 1's answers to labctl: status, service start/stop/restart, power. */
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>

#include "init/pid1/pid1.h"

static const char *phase_name(const struct pid1 *p)
{
	static const char *const names[] = { "up", "stopping services", "killing", "final" };

	if (p->rescue && p->phase == PHASE_UP)
		return "rescue (profile errors; see the console)";
	return names[p->phase];
}

static void status(struct pid1 *p, char *reply, size_t size)
{
	const char *name = p->profile && p->profile->name ? p->profile->name : "?";
	int n = snprintf(reply, size, "ok\nprofile: %s\nstate:   %s\nuptime:  %.1f s\n\n", name,
			 phase_name(p), (double)(loop_now_ms() - p->boot_ms) / 1000.0);

	if (n > 0 && (size_t)n < size)
		sv_format_status(&p->sup, reply + n, size - (size_t)n);
}

static void service_cmd(struct pid1 *p, const char *verb, const char *name, char *reply, size_t size)
{
	struct service *s = sv_find(&p->sup, name);

	if (!s) {
		snprintf(reply, size, "error: no service named \"%s\"\n", name);
		return;
	}
	if (p->phase != PHASE_UP) {
		snprintf(reply, size, "error: shutting down\n");
		return;
	}
	if (!strcmp(verb, "start"))
		sv_start(s);
	else if (!strcmp(verb, "stop"))
		sv_stop(s);
	else
		sv_restart(s);
	snprintf(reply, size, "ok\n%s: %s\n", s->name, sv_state_name(s->state));
}

void pid1_control(void *data, int argc, char **argv, char *reply, size_t size)
{
	struct pid1 *p = data;

	if (!strcmp(argv[0], "status") && argc == 1) {
		status(p, reply, size);
	} else if ((!strcmp(argv[0], "start") || !strcmp(argv[0], "stop") || !strcmp(argv[0], "restart")) &&
		   argc == 2) {
		service_cmd(p, argv[0], argv[1], reply, size);
	} else if (!strcmp(argv[0], "guests") && (argc == 1 || (argc == 2 && !strcmp(argv[1], "--json")))) {
		pid1_guests_status(p, argc == 2, reply, size);
	} else if (!strcmp(argv[0], "leases") && (argc == 1 || (argc == 2 && !strcmp(argv[1], "--json")))) {
		pid1_leases(p, argc == 2, reply, size);
	} else if ((!strcmp(argv[0], "poweroff") || !strcmp(argv[0], "reboot")) && argc == 1) {
		snprintf(reply, size, "ok\n%s\n", argv[0][0] == 'p' ? "powering off" : "rebooting");
		shutdown_begin(p, argv[0][0] == 'p' ? (int)RB_POWER_OFF : (int)RB_AUTOBOOT,
			       argv[0][0] == 'p' ? "labctl poweroff" : "labctl reboot");
	} else {
		snprintf(reply, size, "error: unknown request \"%s\" (labctl help)\n", argv[0]);
	}
}
