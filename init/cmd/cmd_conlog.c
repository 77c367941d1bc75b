/* `labinit conlog RUN_DIR [--size KIB]`: a guest's console logger, in the
 * foreground (PID 1 runs one per guest; guests/conlog/conlog.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/conlog/conlog.h"
#include "init/cmd/commands.h"

/* The range of CONFIG_CONSOLE_LOG_SIZE (lib/profile/profile_keys.h). */
#define SIZE_MIN_KIB 64
#define SIZE_MAX_KIB (1024 * 1024)

int cmd_conlog(int argc, char **argv)
{
	unsigned long kib = 1024;
	char *end = NULL;

	if (argc == 4 && !strcmp(argv[2], "--size"))
		kib = strtoul(argv[3], &end, 10);
	if ((argc != 2 && argc != 4) || (end && (*end || kib < SIZE_MIN_KIB || kib > SIZE_MAX_KIB))) {
		fprintf(stderr, "usage: labinit conlog RUN_DIR [--size KIB]  (KIB %u..%u)\n", SIZE_MIN_KIB,
			SIZE_MAX_KIB);
		return 2;
	}
	return conlog_run(argv[1], (size_t)kib * 1024);
}
