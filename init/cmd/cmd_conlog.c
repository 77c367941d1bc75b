/* `labinit conlog RUN_DIR [--size KIB] [--crashes DIR [--vmlinux PATH]]
 * [--serve]`: a guest's console logger, in the foreground (PID 1 runs one
 * per guest; guests/conlog/conlog.h). --crashes: file the crash reports
 * found in its output there (guests/triage/), their frames decoded with
 * --vmlinux. --serve: fd 3 is the guest's console, to log and to serve on
 * RUN_DIR/console.sock (UML guests). */
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

static int usage(void)
{
	fprintf(stderr, "usage: labinit conlog RUN_DIR [--size KIB] [--crashes DIR [--vmlinux PATH]] [--serve]  (KIB %u..%u)\n",
		SIZE_MIN_KIB, SIZE_MAX_KIB);
	return 2;
}

int cmd_conlog(int argc, char **argv)
{
	unsigned long kib = 1024;
	int console_fd = -1;
	const char *crash_dir = NULL, *vmlinux = NULL;

	if (argc < 2 || argv[1][0] == '-')
		return usage();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--serve") && i == argc - 1)
			console_fd = SERVE_FD;
		else if (i + 1 == argc)
			return usage();
		else if (!strcmp(argv[i], "--size")) {
			if (!(kib = parse_kib(argv[++i])))
				return usage();
		} else if (!strcmp(argv[i], "--crashes"))
			crash_dir = argv[++i];
		else if (!strcmp(argv[i], "--vmlinux"))
			vmlinux = argv[++i];
		else
			return usage();
	}
	return conlog_run(argv[1], (size_t)kib * 1024, console_fd, crash_dir, vmlinux);
}
