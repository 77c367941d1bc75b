/* labinit check-config and print-config: the profile validator on the
 * command line, for users and for the tests. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/cmd/commands.h"
#include "lib/profile/profile.h"

struct config_args {
	const char *file, *cmdline;
	bool defaults;
};

static int parse_args(int argc, char **argv, struct config_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cmdline") && i + 1 < argc)
			a->cmdline = argv[++i];
		else if (!strcmp(argv[i], "--defaults"))
			a->defaults = true;
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			a->file = argv[++i];
		else if (argv[i][0] != '-' && !a->file)
			a->file = argv[i];
		else
			return -1;
	}
	return 0;
}

int cmd_check_config(int argc, char **argv)
{
	struct config_args a;
	struct profile *p = calloc(1, sizeof(*p));
	struct diag d;
	int r;

	if (parse_args(argc, argv, &a) < 0 || !a.file || !p) {
		fprintf(stderr, "usage: labinit check-config [--cmdline STR] FILE\n");
		free(p);
		return 2;
	}
	diag_init(&d);
	r = profile_load(p, a.file, a.cmdline, &d);
	if (r < 0)
		fprintf(stderr, "%s%s: %u error%s\n", diag_text(&d), a.file, d.count, d.count == 1 ? "" : "s");
	else
		printf("%s: ok (profile \"%s\", %u guest%s)\n", a.file, p->name, p->nguests,
		       p->nguests == 1 ? "" : "s");
	diag_free(&d);
	profile_free(p);
	free(p);
	return r < 0 ? 1 : 0;
}

int cmd_print_config(int argc, char **argv)
{
	struct config_args a;
	struct profile *p = calloc(1, sizeof(*p));
	struct diag d;
	int r = 0;

	if (parse_args(argc, argv, &a) < 0 || !p) {
		fprintf(stderr, "usage: labinit print-config [--defaults] [--cmdline STR] [FILE]\n");
		free(p);
		return 2;
	}
	diag_init(&d);
	if (!a.defaults)
		r = profile_load(p, a.file, a.cmdline, &d);
	if (r < 0)
		fprintf(stderr, "%s", diag_text(&d));
	else
		profile_write_config(p, STDOUT_FILENO, a.defaults);
	diag_free(&d);
	profile_free(p);
	free(p);
	return r < 0 ? 1 : 0;
}
