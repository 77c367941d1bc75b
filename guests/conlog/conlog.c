/* The console log's rotation and crash keeping, without I/O; see conlog.h. */
#include "guests/conlog/conlog.h"

#include <string.h>

static const char *const markers[] = { "Kernel panic", "Oops", "BUG:", "WARNING:" };

const char *conlog_find_marker(const char *buf, size_t len)
{
	const char *first = NULL;

	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		const char *m = memmem(buf, len, markers[i], strlen(markers[i]));

		if (m && (!first || m < first))
			first = m;
	}
	return first;
}

void conlog_init(struct conlog *c, size_t bound, size_t log_len, size_t oops_len)
{
	memset(c, 0, sizeof(*c));
	c->oops_max = bound / 8;
	c->file_max = (bound - c->oops_max) / 2;
	if (c->file_max == 0)
		c->file_max = 1;
	c->log_len = log_len;
	c->oops_len = oops_len;
	c->oops = oops_len > 0 ? CONLOG_OOPS_KEPT : CONLOG_OOPS_LOOKING;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static int first_error(int r, int e)
{
	return r < 0 ? r : e;
}

/* Into console.oops, up to its bound; then the report is kept for good. */
static int oops_put(struct conlog *c, const char *buf, size_t len, const struct conlog_sink *s)
{
	size_t n = min_size(len, c->oops_max - c->oops_len);
	int r = n ? s->write_oops(s->ctx, buf, n) : 0;

	if (r < 0)
		c->dropped += n;
	else
		c->oops_len += n;
	if (c->oops_len >= c->oops_max || r < 0)
		c->oops = CONLOG_OOPS_KEPT;
	return r;
}

/* A line (or the head of a long one) is complete: does a report start? */
static int line_done(struct conlog *c, const struct conlog_sink *s)
{
	int r = 0;

	if (conlog_find_marker(c->line, c->line_len)) {
		c->oops = CONLOG_OOPS_KEEPING;
		r = oops_put(c, c->line, c->line_len, s);
	}
	c->line_len = 0;
	return r;
}

/* Looks for the first marker line; from its start on, every byte goes to
 * console.oops until that file is full. */
static int keep_oops(struct conlog *c, const char *buf, size_t len, const struct conlog_sink *s)
{
	int r = 0;

	while (len && c->oops == CONLOG_OOPS_LOOKING) {
		const char *nl = memchr(buf, '\n', len);
		size_t seg = nl ? (size_t)(nl - buf) + 1 : len, take;

		if (c->skip_line) {
			c->skip_line = !nl;
			buf += seg;
			len -= seg;
			continue;
		}
		take = min_size(seg, CONLOG_LINE_MAX - c->line_len);
		memcpy(c->line + c->line_len, buf, take);
		c->line_len += take;
		buf += take;
		len -= take;
		if (take == seg && nl) {
			r = line_done(c, s);
		} else if (c->line_len == CONLOG_LINE_MAX) {
			r = line_done(c, s);
			c->skip_line = c->oops == CONLOG_OOPS_LOOKING;
		}
	}
	if (len && c->oops == CONLOG_OOPS_KEEPING)
		r = first_error(r, oops_put(c, buf, len, s));
	return r;
}

/* Into console.log, rotated when it holds file_max bytes: console.log and
 * console.log.1 together keep the last 1 to 2 file_max bytes. A failed
 * rotation drops the output rather than grow the file. */
static int append_log(struct conlog *c, const char *buf, size_t len, const struct conlog_sink *s)
{
	int r = 0, e;

	while (len) {
		size_t n;

		if (c->log_len >= c->file_max) {
			if ((e = s->rotate(s->ctx)) < 0) {
				c->dropped += len;
				return first_error(r, e);
			}
			c->log_len = 0;
		}
		n = min_size(len, c->file_max - c->log_len);
		if ((e = s->write_log(s->ctx, buf, n)) < 0) {
			c->dropped += n;
			r = first_error(r, e);
		} else {
			c->log_len += n;
		}
		buf += n;
		len -= n;
	}
	return r;
}

int conlog_feed(struct conlog *c, const char *buf, size_t len, const struct conlog_sink *s)
{
	int r = 0;

	if (c->oops != CONLOG_OOPS_KEPT)
		r = keep_oops(c, buf, len, s);
	return first_error(r, append_log(c, buf, len, s));
}
