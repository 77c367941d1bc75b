/* libFuzzer target: arbitrary bytes as a guest's console output, cut into
 * reads of sizes the input chooses, through crash triage's scanner
 * (guests/triage/triage.c). Every report must stay within its cap, have a
 * known kind, a NUL-terminated title and frames, and a fingerprint of
 * TRIAGE_FP_LEN hex digits; the same input read whole must give the same
 * reports. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guests/triage/triage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEEP 64

static struct seen {
	unsigned n;
	char fp[KEEP][TRIAGE_FP_LEN + 1];
	size_t len[KEEP];
} a, b;

static void emit(void *ctx, const struct triage_report *r)
{
	struct seen *s = ctx;

	if ((unsigned)r->kind >= TRIAGE_NKINDS || r->len > TRIAGE_REPORT_MAX || r->nframes > TRIAGE_FRAMES ||
	    !memchr(r->title, '\0', sizeof(r->title)) || strlen(r->fingerprint) != TRIAGE_FP_LEN ||
	    strspn(r->fingerprint, "0123456789abcdef") != TRIAGE_FP_LEN)
		abort();
	for (unsigned i = 0; i < r->nframes; i++)
		if (!memchr(r->frames[i], '\0', sizeof(r->frames[i])))
			abort();
	if (r->len)
		(void)r->text[r->len - 1]; /* ASan: the text is readable */
	if (s->n < KEEP) {
		memcpy(s->fp[s->n], r->fingerprint, sizeof(s->fp[0]));
		s->len[s->n] = r->len;
	}
	s->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct triage t;
	size_t step;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	triage_init(&t, emit, &a);
	for (size_t off = 0; off < size; off += step)
		triage_feed(&t, (const char *)data + off, size - off < step ? size - off : step);
	triage_flush(&t);
	triage_init(&t, emit, &b);
	triage_feed(&t, (const char *)data, size);
	triage_flush(&t);
	if (a.n != b.n || memcmp(a.fp, b.fp, sizeof(a.fp)) || memcmp(a.len, b.len, sizeof(a.len)))
		abort();
	return 0;
}
