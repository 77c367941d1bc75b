/* The flattened-kdump reassembler: a golden stream (header, records out of
 * order, a zero-length record, the end record) fed whole and byte by byte
 * gives the same file; each reject rule is hit. */
#include <errno.h>
#include <string.h>

#include "guests/qemu/kdump_flat.h"
#include "t.h"

static uint8_t out[64];
static size_t out_len;

static int put(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
	(void)ctx;
	if (off + n > sizeof(out))
		return -EFBIG;
	memcpy(out + off, p, n);
	if (off + n > out_len)
		out_len = (size_t)(off + n);
	return 0;
}

static size_t be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
	return 8;
}

static size_t record(uint8_t *p, uint64_t off, const char *data, uint64_t len)
{
	size_t n = be64(p, off);

	n += be64(p + n, len);
	if (data)
		memcpy(p + n, data, (size_t)len);
	return n + (data ? (size_t)len : 0);
}

static size_t stream(uint8_t *s)
{
	size_t n = 0;

	memset(s, 0, KFLAT_HEADER_SIZE);
	memcpy(s, "makedumpfile", 12);
	be64(s + 16, 1);
	be64(s + 24, 1);
	n = KFLAT_HEADER_SIZE;
	n += record(s + n, 8, "KDUMP   ", 8);    /* a later part first, as QEMU does */
	n += record(s + n, 0, "01234567", 8);
	n += record(s + n, 20, "", 0);
	n += record(s + n, 16, "tail", 4);
	n += record(s + n, UINT64_MAX, NULL, UINT64_MAX);
	return n;
}

static void test_golden(void)
{
	static uint8_t s[KFLAT_HEADER_SIZE + 256];
	size_t n = stream(s);
	struct qemu_kdump k;

	memset(&k, 0, sizeof(k));
	memset(out, 0, sizeof(out));
	out_len = 0;
	CHECK(qemu_kdump_feed(&k, s, n, put, NULL) == 0 && qemu_kdump_done(&k));
	CHECK(out_len == 20 && k.size == 20 && !memcmp(out, "01234567KDUMP   tail", 20));

	memset(&k, 0, sizeof(k));
	memset(out, 0, sizeof(out));
	out_len = 0;
	for (size_t i = 0; i < n; i++) {
		CHECK(!qemu_kdump_done(&k));
		CHECK(qemu_kdump_feed(&k, s + i, 1, put, NULL) == 0);
	}
	CHECK(qemu_kdump_done(&k) && out_len == 20 && !memcmp(out, "01234567KDUMP   tail", 20));
	CHECK(qemu_kdump_feed(&k, s, 1, put, NULL) == -EINVAL && strstr(k.why, "after the end"));
}

static void test_rejects(void)
{
	static uint8_t s[KFLAT_HEADER_SIZE + 256];
	size_t n = stream(s);
	struct qemu_kdump k;

	memset(&k, 0, sizeof(k));
	s[0] = 'M';
	CHECK(qemu_kdump_feed(&k, s, n, put, NULL) == -EINVAL && strstr(k.why, "signature"));
	CHECK(qemu_kdump_feed(&k, s, n, put, NULL) == -EINVAL);  /* stays refused */

	stream(s);
	be64(s + 24, 2);
	memset(&k, 0, sizeof(k));
	CHECK(qemu_kdump_feed(&k, s, n, put, NULL) == -EINVAL && strstr(k.why, "version"));

	stream(s);
	memset(&k, 0, sizeof(k));
	record(s + KFLAT_HEADER_SIZE, KFLAT_MAX_OFFSET, NULL, 8);
	CHECK(qemu_kdump_feed(&k, s, n, put, NULL) == -EINVAL && strstr(k.why, "caps"));

	stream(s);
	memset(&k, 0, sizeof(k));
	record(s + KFLAT_HEADER_SIZE, 0, NULL, (uint64_t)KFLAT_MAX_RECORD + 1);
	CHECK(qemu_kdump_feed(&k, s, n, put, NULL) == -EINVAL);

	stream(s);
	memset(&k, 0, sizeof(k));
	record(s + KFLAT_HEADER_SIZE, UINT64_MAX - 3, NULL, 8);   /* offset + size wraps */
	CHECK(qemu_kdump_feed(&k, s, n, put, NULL) == -EINVAL);

	stream(s);
	memset(&k, 0, sizeof(k));
	record(s + KFLAT_HEADER_SIZE, 60, NULL, 8);               /* the writer refuses */
	CHECK(qemu_kdump_feed(&k, s, n, put, NULL) == -EFBIG);

	stream(s);
	memset(&k, 0, sizeof(k));
	CHECK(qemu_kdump_feed(&k, s, n - 16, put, NULL) == 0 && !qemu_kdump_done(&k));  /* no end record */
}

int main(void)
{
	test_golden();
	test_rejects();
	return T_DONE();
}
