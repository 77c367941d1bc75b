/* libFuzzer target: arbitrary bytes as a .config and, NUL-terminated, as a
 * kernel command line, through the parser and the whole validator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/profile/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct profile p;
	struct diag d;
	char *cmdline = malloc(size + 1);

	if (!cmdline)
		return 0;
	memcpy(cmdline, data, size);
	cmdline[size] = '\0';
	diag_init(&d);
	profile_load_buf(&p, (const char *)data, size, "fuzz", size & 1 ? cmdline : NULL, &d);
	(void)diag_text(&d);
	diag_free(&d);
	profile_free(&p);
	free(cmdline);
	return 0;
}
