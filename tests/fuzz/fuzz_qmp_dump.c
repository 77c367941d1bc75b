/* libFuzzer target: what QEMU sends during a dump. The input's first byte
 * chooses a chunk size; the rest goes to the flattened-kdump reassembler
 * in chunks (its writer checks every write against the caps), and, as a
 * NUL-terminated line, through the QMP answer and event parsers (and
 * snapshot reset's, guests/qemu/qmp_snap.c). */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guests/qemu/kdump_flat.h"
#include "guests/qemu/qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int put(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
	(void)ctx;
	(void)p;
	assert(off < KFLAT_MAX_OFFSET && n <= KFLAT_MAX_RECORD && off + n <= KFLAT_MAX_OFFSET);
	return 0;
}

static void parse_line(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), desc[64] = "", err[64] = ""; /* written only for some lines */
	unsigned long long b;

	if (!line)
		return;
	memcpy(line, data, size);
	line[size] = '\0';
	(void)qmp_dump_pick_format(line);
	(void)qmp_base_memory(line, &b);
	(void)qmp_classify(line, desc, sizeof(desc));
	(void)qmp_dump_event(line, err, sizeof(err));
	assert(strlen(desc) < sizeof(desc) && strlen(err) < sizeof(err));
	/* snapshot reset's readers (qmp_snap.c): query-jobs, the block nodes */
	(void)qmp_snap_job_state(line, "labsnap-save", err, sizeof(err));
	assert(strlen(err) < sizeof(err));
	(void)qmp_snap_taken(line);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qemu_kdump k;
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] + 1;
	data++;
	size--;
	memset(&k, 0, sizeof(k));
	for (size_t i = 0; i < size; i += chunk)
		if (qemu_kdump_feed(&k, data + i, size - i < chunk ? size - i : chunk, put, NULL) < 0)
			break;
	parse_line(data, size);
	return 0;
}
