/* The console log's rotation and crash keeping (guests/conlog/conlog.c,
 * issue 12, defect 5), through an in-memory sink: the files never pass
 * their bound, console.log.1 + console.log end with the newest output, and
 * the first crash report is kept from its first line however much follows
 * and however the output is cut into reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/conlog/conlog.h"
#include "t.h"

#define FILE_CAP (1 << 20)

struct mem {
	char log[FILE_CAP], old[FILE_CAP], oops[FILE_CAP];
	size_t log_len, old_len, oops_len;
	size_t log_peak, oops_peak;
	unsigned rotations;
	int fail_oops, fail_rotate, fail_log;  /* -errno to return, or 0 */
};

static int mem_log(void *ctx, const char *buf, size_t len)
{
	struct mem *m = ctx;

	if (m->fail_log)
		return m->fail_log;
	if (m->log_len + len > FILE_CAP)
		return -EFBIG;
	memcpy(m->log + m->log_len, buf, len);
	m->log_len += len;
	if (m->log_len > m->log_peak)
		m->log_peak = m->log_len;
	return 0;
}

static int mem_rotate(void *ctx)
{
	struct mem *m = ctx;

	if (m->fail_rotate)
		return m->fail_rotate;
	memcpy(m->old, m->log, m->log_len);
	m->old_len = m->log_len;
	m->log_len = 0;
	m->rotations++;
	return 0;
}

static int mem_oops(void *ctx, const char *buf, size_t len)
{
	struct mem *m = ctx;

	if (m->fail_oops)
		return m->fail_oops;
	memcpy(m->oops + m->oops_len, buf, len);
	m->oops_len += len;
	return 0;
}

static struct mem *M;
static struct conlog_sink S;

static void reset(void)
{
	memset(M, 0, sizeof(*M));
	S = (struct conlog_sink){ mem_log, mem_rotate, mem_oops, M };
}

/* What a guest in a printk loop prints: numbered lines, one oops report
 * at line oops_at and another one later, `total` bytes in all. */
static size_t flood(char *out, size_t total, unsigned oops_at)
{
	size_t n = 0;

	for (unsigned i = 0; n < total; i++) {
		char line[160];
		int k;

		if (i == oops_at)
			k = snprintf(line, sizeof(line), "[%6u.000] BUG: kernel NULL pointer dereference, address: 0\n", i);
		else if (i == oops_at + 1)
			k = snprintf(line, sizeof(line), "[%6u.000] Oops: 0002 [#1] SMP first-report-body\n", i);
		else if (i == oops_at + 5000)
			k = snprintf(line, sizeof(line), "[%6u.000] Kernel panic - not syncing: second\n", i);
		else
			k = snprintf(line, sizeof(line), "[%6u.000] looping printk %u\n", i, i);
		if (n + (size_t)k > total)
			k = (int)(total - n);
		memcpy(out + n, line, (size_t)k);
		n += (size_t)k;
	}
	return n;
}

/* Feeds text cut into pieces of `step` bytes (1: byte by byte). */
static void feed(struct conlog *c, const char *text, size_t len, size_t step)
{
	unsigned errors = 0;

	for (size_t off = 0; off < len; off += step)
		errors += conlog_feed(c, text + off, len - off < step ? len - off : step, &S) < 0;
	CHECK(errors == 0);
}

static bool ends_with(const char *hay, size_t hlen, const char *tail, size_t tlen)
{
	return hlen >= tlen && !memcmp(hay + hlen - tlen, tail, tlen);
}

/* 8 MiB through a 64 KiB bound, in several read sizes. */
static void test_flood_stays_bounded(size_t step)
{
	const size_t bound = 64 * 1024, total = 8u << 20;
	char *text = malloc(total);
	const char *first = "[   100.000] BUG: kernel NULL pointer dereference";
	struct conlog c;
	size_t len = flood(text, total, 100);

	reset();
	conlog_init(&c, bound, 0, 0);
	CHECK(c.oops_max == 8192 && c.file_max == 28672);
	feed(&c, text, len, step);
	CHECK_MSG(M->log_peak <= c.file_max && M->old_len <= c.file_max && M->oops_len <= c.oops_max,
		  "step %zu: peak %zu old %zu oops %zu", step, M->log_peak, M->old_len, M->oops_len);
	CHECK(M->log_len + M->old_len + M->oops_len <= bound);
	CHECK(M->rotations >= total / c.file_max - 1);
	/* the tail is current: console.log.1 + console.log end the output */
	CHECK(ends_with(text, len, M->log, M->log_len));
	CHECK(M->old_len == c.file_max && ends_with(text, len - M->log_len, M->old, M->old_len));
	/* the first report is kept from its first line, and only it */
	CHECK_MSG(M->oops_len == c.oops_max && !memcmp(M->oops, first, strlen(first)), "step %zu: oops \"%.60s\"",
		  step, M->oops);
	CHECK(memmem(M->oops, M->oops_len, "first-report-body", 17));
	CHECK(!memmem(M->oops, M->oops_len, "second", 6));
	CHECK(!memmem(M->log, M->log_len, "BUG:", 4) && c.oops == CONLOG_OOPS_KEPT && c.dropped == 0);
	free(text);
}

/* A marker that the read cut in two is still found; the line is kept
 * from its start, which came in an earlier read. */
static void test_marker_across_reads(void)
{
	const char *a = "boot ok\n[    1.5] WARN", *b = "ING: CPU: 0 PID: 1 at foo.c:1\nmore\n";
	struct conlog c;

	reset();
	conlog_init(&c, 1024 * 1024, 0, 0);
	CHECK(conlog_feed(&c, a, strlen(a), &S) == 0 && M->oops_len == 0);
	CHECK(conlog_feed(&c, b, strlen(b), &S) == 0);
	CHECK_MSG(M->oops_len == strlen(b) + 14 && !memcmp(M->oops, "[    1.5] WARNING: CPU", 22), "%.*s",
		  (int)M->oops_len, M->oops);
	CHECK(c.oops == CONLOG_OOPS_KEEPING);
}

/* Only a line's head is searched: a marker past CONLOG_LINE_MAX bytes of
 * a long line is no report (the kernel prints it at the start). */
static void test_long_lines(void)
{
	char text[3 * CONLOG_LINE_MAX];
	struct conlog c;

	reset();
	conlog_init(&c, 1024 * 1024, 0, 0);
	memset(text, 'x', sizeof(text));
	memcpy(text + CONLOG_LINE_MAX + 10, "Oops", 4);
	text[sizeof(text) - 1] = '\n';
	CHECK(conlog_feed(&c, text, sizeof(text), &S) == 0 && M->oops_len == 0);
	CHECK(conlog_feed(&c, "Kernel panic - x\n", 17, &S) == 0 && M->oops_len == 17);
	CHECK(M->log_len == sizeof(text) + 17);
}

/* A restarted logger: a report already kept stays; a full console.log
 * is rotated before anything is added. */
static void test_resume(void)
{
	struct conlog c;

	reset();
	conlog_init(&c, 64 * 1024, 28672, 100);
	CHECK(c.oops == CONLOG_OOPS_KEPT);
	CHECK(conlog_feed(&c, "BUG: again\n", 11, &S) == 0);
	CHECK(M->oops_len == 0 && M->rotations == 1 && M->log_len == 11);
}

/* A full /run: what a sink refuses is dropped and counted, never lets a
 * file grow past its bound, and the next rotation is tried again. */
static void test_sink_errors(void)
{
	char line[1024];
	struct conlog c;

	memset(line, 'y', sizeof(line));
	reset();
	conlog_init(&c, 64 * 1024, 0, 0);
	M->fail_oops = -ENOSPC;
	CHECK(conlog_feed(&c, "Oops: 1\n", 8, &S) == -ENOSPC && c.oops == CONLOG_OOPS_KEPT && c.dropped == 8);
	M->fail_rotate = -ENOSPC;
	for (int i = 0; i < 64; i++)
		conlog_feed(&c, line, sizeof(line), &S);
	CHECK(M->log_peak <= c.file_max && M->rotations == 0 && c.dropped > 30000);
	M->fail_rotate = 0;
	CHECK(conlog_feed(&c, "ok\n", 3, &S) == 0 && M->rotations == 1 && M->log_len == 3);
	M->fail_log = -EIO;
	CHECK(conlog_feed(&c, "lost\n", 5, &S) == -EIO && M->log_len == 3);
}

static void test_markers(void)
{
	const char *t = "x WARNING: y Oops z";

	CHECK(conlog_find_marker(t, strlen(t)) == t + 2);
	CHECK(conlog_find_marker("BUG: soft lockup", 16) != NULL);
	CHECK(conlog_find_marker("Kernel panic - not syncing", 26) != NULL);
	CHECK(conlog_find_marker("all fine, no bugs", 17) == NULL);
	CHECK(conlog_find_marker("BUG", 3) == NULL);
}

int main(void)
{
	M = malloc(sizeof(*M));
	test_flood_stays_bounded(65536);
	test_flood_stays_bounded(4093);
	test_flood_stays_bounded(1);
	test_marker_across_reads();
	test_long_lines();
	test_resume();
	test_sink_errors();
	test_markers();
	free(M);
	return T_DONE();
}
