/* `labinit conlog RUN_DIR [--size KIB] [--serve]`: a guest's console
 * logger, in the foreground (PID 1 runs one per guest;
 * guests/conlog/conlog.h). --serve: fd 3 is the guest's console, to log
 * and to serve on RUN_DIR/console.sock (UML guests). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/conlog/conlog.h"
#include "init/cmd/commands.h"

/* The range of CONFIG_CONSOLE_LOG_SIZE (lib/profile/profile_keys.h). */
#define SIZE_MIN_KIB 64
#define SIZE_MAX_KIB (1024 * 1024)
#define SERVE_FD 3

/* KIB in the key's range, or 0. */
static unsigned long parse_kib(const char *s)
{
	char *end;
	unsigned long kib;

	if (*s < '0' || *s > '9')
		return 0;
	kib = strtoul(s, &end, 10);
	return *end || kib < SIZE_MIN_KIB || kib > SIZE_MAX_KIB ? 0 : kib;
}

int cmd_conlog(int argc, char **argv)
{
	unsigned long kib = 1024;
	int console_fd = -1;

	if (argc > 2 && !strcmp(argv[argc - 1], "--serve")) {
		console_fd = SERVE_FD;
		argc--;
	}
	if (argc == 4 && !strcmp(argv[2], "--size"))
		kib = parse_kib(argv[3]);
	if ((argc != 2 && !(argc == 4 && !strcmp(argv[2], "--size"))) || !kib) {
		fprintf(stderr, "usage: labinit conlog RUN_DIR [--size KIB] [--serve]  (KIB %u..%u)\n", SIZE_MIN_KIB,
			SIZE_MAX_KIB);
		return 2;
	}
	return conlog_run(argv[1], (size_t)kib * 1024, console_fd);
}
