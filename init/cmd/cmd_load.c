/* The subcommands' common options (--config FILE, --cmdline STR, --boot):
 * the profile they run from, validated, every error printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/cmd/commands.h"
#include "lib/core/log.h"
#include "lib/core/readfile.h"
#include "lib/profile/profile.h"

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
		else if ((!strcmp(argv[i], "--net") || !strcmp(argv[i], "--dir")) && i + 1 < argc)
			i++; /* cmd_net_arg()'s, cmd_netboot's */
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

int cmd_net_arg(const struct profile *p, int argc, char **argv, const char *verb)
{
	int n = 0;

	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--net") && (n = profile_find_net(p, argv[i + 1])) < 0) {
			fprintf(stderr, "labinit %s: --net %s: no network has that number or name\n", verb, argv[i + 1]);
			return -1;
		}
	return n;
}
