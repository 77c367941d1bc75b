/* labinit up / labinit down: the lab network on an ordinary host or inside
 * a network namespace, from a profile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/log.h"
#include "lib/profile/profile.h"
#include "net/dhcpc/dhcpc.h"
#include "net/dhcpd/worker.h"
#include "net/labnet/labnet.h"
#include "init/cmd/commands.h"
#include "lib/core/readfile.h"

struct profile *cmd_load_profile(int argc, char **argv, const char *verb)
{
	static char kcmdline[4096];
	const char *path = NULL, *cmdline = NULL;
	struct profile *p;
	struct diag d;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			path = argv[++i];
		else if (!strcmp(argv[i], "--cmdline") && i + 1 < argc)
			cmdline = argv[++i];
		else if (!strcmp(argv[i], "--boot"))
			cmdline = read_kernel_cmdline(kcmdline, sizeof(kcmdline));
		else
			path = NULL, i = argc;
	}
	if (!path) {
		fprintf(stderr, "usage: labinit %s --config FILE [--cmdline STR]\n", verb);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	diag_init(&d);
	if (p && profile_load(p, path, cmdline, &d) < 0 && d.count == p->guest_errors) {
		/* As PID 1 does: guests whose own keys are wrong are left out. */
		fprintf(stderr, "%s%s: going on without the guests named above\n", diag_text(&d), path);
		profile_drop_broken_guests(p);
	} else if (!p || d.count) {
		fprintf(stderr, "%s%s: %u error%s; nothing changed\n", diag_text(&d), path, d.count,
			d.count == 1 ? "" : "s");
		diag_free(&d);
		if (p)
			profile_free(p);
		free(p);
		return NULL;
	}
	diag_free(&d);
	log_set_level(p->log_level);
	return p;
}

static int run(int argc, char **argv, const char *verb, int (*fn)(const struct profile *))
{
	struct profile *p = cmd_load_profile(argc, argv, verb);
	int r;

	if (!p)
		return 2;
	r = fn(p);
	if (r == 0)
		log_info("%s: lab \"%s\" %s", verb, p->name, !strcmp(verb, "up") ? "is up" : "is down");
	profile_free(p);
	free(p);
	return r < 0 ? 1 : 0;
}

static int up_here(const struct profile *p)
{
	return labnet_up(p, true);
}

int cmd_up(int argc, char **argv)
{
	return run(argc, argv, "up", up_here);
}

int cmd_dhcpc(int argc, char **argv)
{
	struct dhcpc_opts o = { NULL, "", -1 };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hostname") && i + 1 < argc)
			o.hostname = argv[++i];
		else if (!strcmp(argv[i], "--ready-fd") && i + 1 < argc)
			o.ready_fd = atoi(argv[++i]);
		else if (argv[i][0] != '-' && !o.ifname)
			o.ifname = argv[i];
		else
			o.ifname = NULL, i = argc;
	}
	if (!o.ifname) {
		fprintf(stderr, "usage: labinit dhcpc IFNAME [--hostname NAME] [--ready-fd FD]\n");
		return 2;
	}
	return dhcpc_main(&o);
}

int cmd_down(int argc, char **argv)
{
	return run(argc, argv, "down", labnet_down);
}

/* labinit dhcpd --config FILE [--cmdline STR | --boot]: the DHCP worker.
 * --boot reads the overrides from /proc/cmdline, as PID 1 did. */
int cmd_dhcpd(int argc, char **argv)
{
	struct profile *p = cmd_load_profile(argc, argv, "dhcpd");
	int r;

	if (!p)
		return 2;
	r = dhcpd_worker_main(p);
	profile_free(p);
	free(p);
	return r;
}
