/* libFuzzer target: arbitrary bytes as a guest's console output, cut into
 * reads of sizes the input chooses, through the console log's rotation and
 * crash keeping (guests/conlog/conlog.c) with a small bound (4 KiB). The files must
 * never pass their bounds, console.log.1 + console.log must end the output,
 * and console.oops must start at a line holding a marker. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guests/conlog/conlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The smallest bound whose report file (an eighth) holds a whole line
 * head as searched: the profile's smallest, 64 KiB, is far above it. */
#define BOUND (8 * 2 * CONLOG_LINE_MAX)

static struct mem {
	char log[BOUND], old[BOUND], oops[BOUND];
	size_t log_len, old_len, oops_len;
	size_t file_max, oops_max;
} m;

static int mem_log(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (m.log_len + len > m.file_max)
		abort();
	memcpy(m.log + m.log_len, buf, len);
	m.log_len += len;
	return 0;
}

static int mem_rotate(void *ctx)
{
	(void)ctx;
	memcpy(m.old, m.log, m.log_len);
	m.old_len = m.log_len;
	m.log_len = 0;
	return 0;
}

static int mem_oops(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (m.oops_len + len > m.oops_max)
		abort();
	memcpy(m.oops + m.oops_len, buf, len);
	m.oops_len += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct conlog_sink s = { mem_log, mem_rotate, mem_oops, NULL };
	size_t step, kept;
	struct conlog c;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	memset(&m, 0, sizeof(m));
	conlog_init(&c, BOUND, 0, 0);
	m.file_max = c.file_max;
	m.oops_max = c.oops_max;
	for (size_t off = 0; off < size; off += step)
		if (conlog_feed(&c, (const char *)data + off, size - off < step ? size - off : step, &s) < 0)
			abort();
	/* the newest output ends the log */
	kept = m.log_len + m.old_len;
	if (kept > size || memcmp(m.log, data + size - m.log_len, m.log_len) ||
	    memcmp(m.old, data + size - kept, m.old_len))
		abort();
	/* a kept report's first line holds a marker within its head */
	if (m.oops_len) {
		const char *nl = memchr(m.oops, '\n', m.oops_len);
		size_t head = nl ? (size_t)(nl - m.oops) + 1 : m.oops_len;

		if (!conlog_find_marker(m.oops, head < CONLOG_LINE_MAX ? head : CONLOG_LINE_MAX))
			abort();
	}
	return 0;
}
