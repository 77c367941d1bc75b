/* The flattened-kdump reassembler (kdump_flat.h): a state machine over
 * header, record head and record data that never steps past what it has. */
#include "guests/qemu/kdump_flat.h"

#include <errno.h>
#include <string.h>

#define SIGNATURE "makedumpfile"  /* in 16 bytes, NUL-padded */

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int bad(struct qemu_kdump *k, const char *why)
{
	k->state = KFLAT_BAD;
	k->why = why;
	return -EINVAL;
}

/* Takes up to want - k->have bytes into k->head; true once it has want. */
static bool collect(struct qemu_kdump *k, size_t want, const uint8_t **p, size_t *n)
{
	size_t take = want - k->have < *n ? want - k->have : *n;

	memcpy(k->head + k->have, *p, take);
	k->have += take;
	*p += take;
	*n -= take;
	return k->have == want;
}

static int header_done(struct qemu_kdump *k)
{
	static const uint8_t sig[16] = SIGNATURE;

	if (memcmp(k->head, sig, sizeof(sig)))
		return bad(k, "no \"makedumpfile\" signature: not a flattened dump");
	if (be64(k->head + 16) != 1 || be64(k->head + 24) != 1)
		return bad(k, "flattened header of an unknown type or version (not 1, 1)");
	k->left = KFLAT_HEADER_SIZE - sizeof(k->head);
	k->state = KFLAT_DATA;     /* the header's padding: skipped, not written */
	k->off = UINT64_MAX;
	return 0;
}

static int record_done(struct qemu_kdump *k)
{
	uint64_t off = be64(k->head), len = be64(k->head + 8);

	k->have = 0;
	if (off == UINT64_MAX && len == UINT64_MAX) {
		k->state = KFLAT_END;
		return 0;
	}
	if (off >= KFLAT_MAX_OFFSET || len > KFLAT_MAX_RECORD || off + len > KFLAT_MAX_OFFSET)
		return bad(k, "a record past the caps (offset 1 TiB, size 64 MiB)");
	k->off = off;
	k->left = len;
	k->state = len ? KFLAT_DATA : KFLAT_RECORD;
	if (off + len > k->size)
		k->size = off + len;
	return 0;
}

static int data(struct qemu_kdump *k, const uint8_t **p, size_t *n, qemu_kdump_write_fn w, void *ctx)
{
	size_t take = k->left < *n ? (size_t)k->left : *n;
	int r = 0;

	if (k->off != UINT64_MAX) {
		if ((r = w(ctx, k->off, *p, take)) < 0)
			return r;
		k->off += take;
	}
	*p += take;
	*n -= take;
	if ((k->left -= take) == 0) {
		k->state = KFLAT_RECORD;
		k->have = 0;
	}
	return 0;
}

int qemu_kdump_feed(struct qemu_kdump *k, const uint8_t *p, size_t n, qemu_kdump_write_fn w, void *ctx)
{
	int r = 0;

	while (n && r == 0) {
		switch (k->state) {
		case KFLAT_HEADER:
			if (collect(k, sizeof(k->head), &p, &n))
				r = header_done(k);
			break;
		case KFLAT_RECORD:
			if (collect(k, 16, &p, &n))
				r = record_done(k);
			break;
		case KFLAT_DATA:
			r = data(k, &p, &n, w, ctx);
			break;
		case KFLAT_END:
			return bad(k, "bytes after the end record");
		case KFLAT_BAD:
			return -EINVAL;
		}
	}
	return r;
}

bool qemu_kdump_done(const struct qemu_kdump *k)
{
	return k->state == KFLAT_END;
}
