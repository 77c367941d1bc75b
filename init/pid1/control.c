/* PID 1's answers to labctl, as a request table (init/control/dispatch.h):
 * status, service start/stop/restart, power, and "lab": what only PID 1
 * knows of the guests (state, times, where their files are) and where the
 * lease file is. labctl reads those files itself: PID 1 never parses what
 * guests write. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>

#include "init/control/dispatch.h"
#include "init/pid1/pid1.h"
#include "lib/core/addr.h"
#include "lib/core/strbuf.h"

static const char *phase_name(const struct pid1 *p)
{
	static const char *const names[] = { "up", "stopping services", "killing", "final" };

	if (p->rescue && p->phase == PHASE_UP)
		return "rescue (profile errors; see the console)";
	if (!p->booted && p->phase == PHASE_UP)
		return "booting";
	return names[p->phase];
}

static void status(void *data, const struct ctl_command *c, int argc, char **argv, char *reply, size_t size)
{
	struct pid1 *p = data;
	const char *name = p->settings.profile_name[0] ? p->settings.profile_name : "?";
	int n = snprintf(reply, size, "ok\nprofile: %s\nstate:   %s\nuptime:  %.1f s\n\n", name, phase_name(p),
			 (double)(loop_now_ms() - p->boot_ms) / 1000.0);

	(void)c;
	(void)argc;
	(void)argv;
	if (n > 0 && (size_t)n < size)
		sv_format_status(&p->sup, reply + n, size - (size_t)n);
}

enum service_verb { VERB_START, VERB_STOP, VERB_RESTART };

static void service(void *data, const struct ctl_command *c, int argc, char **argv, char *reply, size_t size)
{
	struct pid1 *p = data;
	struct service *s = sv_find(&p->sup, argv[1]);

	(void)argc;
	if (!s) {
		snprintf(reply, size, "error: no service named \"%s\"\n", argv[1]);
		return;
	}
	if (p->phase != PHASE_UP) {
		snprintf(reply, size, "error: shutting down\n");
		return;
	}
	if (c->arg == VERB_START)
		sv_start(s);
	else if (c->arg == VERB_STOP)
		sv_stop(s);
	else
		sv_restart(s);
	snprintf(reply, size, "ok\n%s: %s\n", s->name, sv_state_name(s->state));
}

static void power(void *data, const struct ctl_command *c, int argc, char **argv, char *reply, size_t size)
{
	char why[32];

	(void)argc;
	snprintf(reply, size, "ok\n%s\n", c->arg == (int)RB_POWER_OFF ? "powering off" : "rebooting");
	snprintf(why, sizeof(why), "labctl %s", argv[0]);
	shutdown_begin(data, c->arg, why);
}

/* One line per fact, tab-separated, the free-form text last:
 *   leases PREFIX_LEN LEASE_FILE
 *   share SHARE_DIR
 *   net NUM NAME MODE BRIDGE GATEWAY/LEN|- PREFIX6/64|- LEASE_FILE|-
 *   guest NAME STATE UPTIME_S RESTARTS GDB_PORT MAC IP KIND PID RUN_DIR
 * (KIND qemu or uml; PID the running guest's, 0 when not running: a UML
 * kernel is debugged with gdb -p PID) */
static void lab(void *data, const struct ctl_command *c, int argc, char **argv, char *reply, size_t size)
{
	struct pid1 *p = data;
	struct strbuf o = { reply, size, 0 };

	(void)c;
	(void)argc;
	(void)argv;
	strbuf_put(&o, "ok\n");
	if (p->have_settings && !p->rescue && p->settings.lease_file[0])
		strbuf_put(&o, "leases\t%u\t%s\n", p->settings.prefix_len, p->settings.lease_file);
	if (p->have_settings && !p->rescue && p->settings.share_dir[0])
		strbuf_put(&o, "share\t%s\n", p->settings.share_dir);
	for (unsigned i = 0; p->have_settings && !p->rescue && i < p->settings.nnets; i++) {
		const struct boot_net *n = &p->settings.nets[i];
		char gw[24] = "-", p6[INET6_ADDRSTRLEN + 3] = "-";

		if (n->prefix_len) {
			addr_format_ip4(n->gateway, gw);
			snprintf(gw + strlen(gw), sizeof(gw) - strlen(gw), "/%u", n->prefix_len);
		}
		if (n->ipv6 && inet_ntop(AF_INET6, n->prefix6, p6, sizeof(p6)))
			strcat(p6, "/64");
		strbuf_put(&o, "net\t%u\t%s\t%s\t%s\t%s\t%s\t%s\n", n->num, n->name, n->mode, n->bridge, gw, p6,
			   n->lease_file[0] ? n->lease_file : "-");
	}
	for (unsigned i = 0; i < p->sup.n; i++) {
		const struct service *s = &p->sup.sv[i];
		const struct pid1_guest *g = s->data;
		char mac[18], ip[16] = "-";
		double up = s->state == SV_RUNNING ? (double)(loop_now_ms() - s->started_ms) / 1000.0 : -1;

		if (s->kind != SV_KIND_GUEST)
			continue;
		addr_format_mac(g->mac, mac);
		if (g->ip)
			addr_format_ip4(g->ip, ip);
		strbuf_put(&o, "guest\t%s\t%s\t%.0f\t%u\t%u\t%s\t%s\t%s\t%d\t%s\n", s->name, sv_state_name(s->state),
			   up, s->restarts, g->gdb_port, mac, ip, g->kind == GUEST_KIND_UML ? "uml" : "qemu",
			   s->state == SV_RUNNING ? (int)s->pid : 0, g->run_dir);
	}
}

static const struct ctl_command commands[] = {
	{ "status", 0, 0, status, 0 },
	{ "start", 1, 1, service, VERB_START },
	{ "stop", 1, 1, service, VERB_STOP },
	{ "restart", 1, 1, service, VERB_RESTART },
	{ "lab", 0, 0, lab, 0 },
	{ "poweroff", 0, 0, power, (int)RB_POWER_OFF },
	{ "reboot", 0, 0, power, (int)RB_AUTOBOOT },
};

void pid1_control(void *data, int argc, char **argv, char *reply, size_t size)
{
	ctl_dispatch(commands, sizeof(commands) / sizeof(commands[0]), data, argc, argv, reply, size);
}
