/* `labinit modules`: the arguments of the modules subcommand (the work is
 * in init/modules/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/cmd/commands.h"
#include "init/modules/modules.h"

static int usage(void)
{
	fprintf(stderr, "usage: labinit modules [--boot] [--jobs N] | --list | --order [--root DIR] [--kver RELEASE] [NAME...]\n");
	return 2;
}

int cmd_modules(int argc, char **argv)
{
	const char *root = "/", *kver = NULL;
	int i;

	/* --jobs N, last: how many feature modules load at once. */
	if (argc >= 3 && !strcmp(argv[argc - 2], "--jobs")) {
		char *end;
		unsigned long n = strtoul(argv[argc - 1], &end, 10);

		if (*end || n < 1 || n > 8)
			return usage();
		modules_set_jobs((unsigned)n);
		argc -= 2;
	}
	if (argc == 1)
		return modules_load_running();
	if (argc == 2 && !strcmp(argv[1], "--boot"))
		return modules_boot_service();
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		modules_list_features();
		return 0;
	}
	if (strcmp(argv[1], "--order"))
		return usage();
	for (i = 2; i < argc && argv[i][0] == '-'; i += 2) {
		if (i + 1 == argc || argv[i + 1][0] == '\0')
			return usage();
		if (!strcmp(argv[i], "--root"))
			root = argv[i + 1];
		else if (!strcmp(argv[i], "--kver"))
			kver = argv[i + 1];
		else
			return usage();
	}
	return modules_print_order(root, kver, argv + i, argc - i);
}
