/* libFuzzer target: arbitrary bytes as `labctl run --json`'s object
 * (init/results/runjson.c) and as a command's output made XML text
 * (init/results/junit.c). A parsed run must have a known outcome, a status
 * of 0..255 and NUL-terminated strings; the XML text must hold no '<', no
 * control character XML 1.0 forbids, and only the escapes it writes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/results/junit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_xml(const char *x, size_t len, int quote)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)x[i];
		if (c == '<' || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (quote && (c == '"' || c < 0x20)))
			abort();
		if (c == '&' && strncmp(x + i, "&amp;", 5) && strncmp(x + i, "&lt;", 4) && strncmp(x + i, "&gt;", 4) &&
		    strncmp(x + i, "&#", 2))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct results_run r;
	char *x = NULL;
	size_t len = 0;

	if (results_parse_run((const char *)data, size, &r) == 0) {
		if ((unsigned)r.outcome >= RESULTS_NOUTCOMES || r.status < 0 || r.status > 255 ||
		    !memchr(r.guest, '\0', sizeof(r.guest)) || !memchr(r.error, '\0', sizeof(r.error)))
			abort();
		int code = results_exit_code(&r);
		if (code < 0 || code > 255)
			abort();
	}
	for (int quote = 0; quote < 2; quote++) {
		FILE *f = open_memstream(&x, &len);
		if (!f)
			return 0;
		results_xml_text(f, (const char *)data, size, quote);
		fclose(f);
		check_xml(x, len, quote);
		free(x);
		x = NULL;
	}
	return 0;
}
