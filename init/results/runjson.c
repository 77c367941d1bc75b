/* A reader for the summary object of `labctl run --json`: a cursor over the
 * bytes (RFC 8259's grammar), typed fields out, unknown keys skipped. */
#include <errno.h>
#include <string.h>

#include "init/results/runjson.h"

#define DEPTH_MAX 8

struct cur {
	const char *buf;
	size_t pos, len;
};

static const char *const outcome_names[RESULTS_NOUTCOMES] = {
	[RESULTS_PASSED] = "passed",       [RESULTS_FAILED] = "failed",
	[RESULTS_PANICKED] = "panicked",   [RESULTS_TIMED_OUT] = "timed_out",
	[RESULTS_LAB_ERROR] = "lab_error", [RESULTS_DID_NOT_BOOT] = "did_not_boot",
};

const char *results_outcome_name(enum results_outcome o)
{
	return (unsigned)o < RESULTS_NOUTCOMES ? outcome_names[o] : "unknown";
}

int results_exit_code(const struct results_run *r)
{
	switch (r->outcome) {
	case RESULTS_PASSED:
	case RESULTS_FAILED: return (int)r->status;
	case RESULTS_PANICKED: return 123;
	case RESULTS_TIMED_OUT: return 124;
	case RESULTS_DID_NOT_BOOT: return 126;
	default: return 125;
	}
}

static void skip_ws(struct cur *c)
{
	while (c->pos < c->len && c->buf[c->pos] && strchr(" \t\r\n", c->buf[c->pos]))
		c->pos++;
}

/* eat: the next non-blank byte is ch, consumed; 0 or -EINVAL. */
static int eat(struct cur *c, char ch)
{
	skip_ws(c);
	if (c->pos >= c->len || c->buf[c->pos] != ch)
		return -EINVAL;
	c->pos++;
	return 0;
}

static int hex4(struct cur *c, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++, c->pos++) {
		if (c->pos >= c->len)
			return -EINVAL;
		char h = c->buf[c->pos];
		unsigned d = h >= '0' && h <= '9' ? (unsigned)(h - '0')
			     : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
			     : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10) : 16;
		if (d > 15)
			return -EINVAL;
		*v = *v << 4 | d;
	}
	return 0;
}

/* put: one byte into out (size > 0), or -EINVAL when it would not leave
 * room for the NUL. out == NULL: the string is only skipped. */
static int put(char *out, size_t size, size_t *n, unsigned ch)
{
	if (!out)
		return 0;
	if (*n + 1 >= size)
		return -EINVAL;
	out[(*n)++] = (char)ch;
	return 0;
}

static int put_utf8(char *out, size_t size, size_t *n, unsigned cp)
{
	int r = 0;

	if (cp < 0x80)
		return put(out, size, n, cp);
	if (cp < 0x800)
		return put(out, size, n, 0xc0 | cp >> 6) ?: put(out, size, n, 0x80 | (cp & 0x3f));
	if (cp < 0x10000) {
		r = put(out, size, n, 0xe0 | cp >> 12);
	} else {
		r = put(out, size, n, 0xf0 | cp >> 18) ?: put(out, size, n, 0x80 | (cp >> 12 & 0x3f));
	}
	return r ?: put(out, size, n, 0x80 | (cp >> 6 & 0x3f)) ?: put(out, size, n, 0x80 | (cp & 0x3f));
}

/* \uXXXX, with a following low surrogate for a high one (RFC 8259 §7); a
 * lone surrogate becomes U+FFFD. */
static int unicode_escape(struct cur *c, unsigned *cp)
{
	unsigned lo;

	if (hex4(c, cp) < 0 || *cp == 0)
		return -EINVAL;
	if (*cp >= 0xdc00 && *cp <= 0xdfff) {
		*cp = 0xfffd;
	} else if (*cp >= 0xd800 && *cp <= 0xdbff) {
		if (c->pos + 2 <= c->len && c->buf[c->pos] == '\\' && c->buf[c->pos + 1] == 'u') {
			c->pos += 2;
			if (hex4(c, &lo) < 0)
				return -EINVAL;
			*cp = lo >= 0xdc00 && lo <= 0xdfff ? 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00) : 0xfffd;
		} else {
			*cp = 0xfffd;
		}
	}
	return 0;
}

/* A string into out (NUL-terminated, size bytes at most), or skipped. */
static int string(struct cur *c, char *out, size_t size)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	size_t n = 0;
	int r;

	if ((r = eat(c, '"')) < 0)
		return r;
	for (;;) {
		if (c->pos >= c->len)
			return -EINVAL;
		unsigned char ch = (unsigned char)c->buf[c->pos++];
		if (ch == '"')
			break;
		if (ch < 0x20)
			return -EINVAL; /* §7: control characters must be escaped */
		if (ch != '\\') {
			r = put(out, size, &n, ch);
		} else {
			if (c->pos >= c->len)
				return -EINVAL;
			char e = c->buf[c->pos++];
			const char *p = e ? strchr(esc, e) : NULL;
			unsigned cp;
			if (e == 'u')
				r = unicode_escape(c, &cp) ?: put_utf8(out, size, &n, cp);
			else if (p && (p - esc) % 2 == 0)
				r = put(out, size, &n, (unsigned char)p[1]);
			else
				return -EINVAL;
		}
		if (r < 0)
			return r;
	}
	if (out)
		out[n] = '\0';
	return 0;
}

/* An integer in 0..RESULTS_NUM_MAX: no sign, fraction or exponent. */
static int integer(struct cur *c, long long *v)
{
	size_t start;

	skip_ws(c);
	start = c->pos;
	*v = 0;
	while (c->pos < c->len && c->buf[c->pos] >= '0' && c->buf[c->pos] <= '9') {
		*v = *v * 10 + (c->buf[c->pos++] - '0');
		if (*v > RESULTS_NUM_MAX)
			return -EINVAL;
	}
	if (c->pos == start || (c->buf[start] == '0' && c->pos - start > 1))
		return -EINVAL;
	if (c->pos < c->len && c->buf[c->pos] && strchr(".eE-+", c->buf[c->pos]))
		return -EINVAL;
	return 0;
}

static int skip_value(struct cur *c, int depth);

/* object: calls field() for each key; field consumes the value. */
typedef int (*field_fn)(struct cur *c, const char *key, void *ctx, int depth);
static int object(struct cur *c, field_fn field, void *ctx, int depth)
{
	char key[64];
	int r;

	if (depth > DEPTH_MAX)
		return -EINVAL;
	if ((r = eat(c, '{')) < 0)
		return r;
	skip_ws(c);
	if (c->pos < c->len && c->buf[c->pos] == '}')
		return c->pos++, 0;
	for (;;) {
		/* A key longer than any we know is skipped as such. */
		size_t at = c->pos;
		if (string(c, key, sizeof(key)) < 0) {
			c->pos = at;
			key[0] = '\0';
			if ((r = string(c, NULL, 0)) < 0)
				return r;
		}
		if ((r = eat(c, ':')) < 0 || (r = field(c, key, ctx, depth + 1)) < 0)
			return r;
		skip_ws(c);
		if (c->pos < c->len && c->buf[c->pos] == '}')
			return c->pos++, 0;
		if ((r = eat(c, ',')) < 0)
			return r;
	}
}

static int skip_field(struct cur *c, const char *key, void *ctx, int depth)
{
	(void)key;
	(void)ctx;
	return skip_value(c, depth);
}

static int skip_value(struct cur *c, int depth)
{
	static const char *const words[] = { "true", "false", "null" };
	int r;

	if (depth > DEPTH_MAX)
		return -EINVAL;
	skip_ws(c);
	if (c->pos >= c->len)
		return -EINVAL;
	switch (c->buf[c->pos]) {
	case '"': return string(c, NULL, 0);
	case '{': return object(c, skip_field, NULL, depth);
	case '[':
		c->pos++;
		skip_ws(c);
		if (c->pos < c->len && c->buf[c->pos] == ']')
			return c->pos++, 0;
		for (;;) {
			if ((r = skip_value(c, depth + 1)) < 0)
				return r;
			skip_ws(c);
			if (c->pos < c->len && c->buf[c->pos] == ']')
				return c->pos++, 0;
			if ((r = eat(c, ',')) < 0)
				return r;
		}
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);
		if (c->len - c->pos >= n && !memcmp(c->buf + c->pos, words[i], n))
			return c->pos += n, 0;
	}
	/* Any number (RFC 8259 §6) of a field we do not read. */
	size_t start = c->pos;
	while (c->pos < c->len && c->buf[c->pos] && strchr("-+.eE0123456789", c->buf[c->pos]))
		c->pos++;
	return c->pos > start ? 0 : -EINVAL;
}

static int crash_field(struct cur *c, const char *key, void *ctx, int depth)
{
	struct results_run *r = ctx;

	if (!strcmp(key, "new_reports"))
		return integer(c, &r->crash_reports);
	return skip_value(c, depth);
}

struct parse {
	struct results_run *run;
	bool outcome, status;
};

static int run_field(struct cur *c, const char *key, void *ctx, int depth)
{
	struct parse *p = ctx;
	struct results_run *r = p->run;
	char name[32];
	int e;

	if (!strcmp(key, "outcome")) {
		if ((e = string(c, name, sizeof(name))) < 0)
			return e;
		for (unsigned i = 0; i < RESULTS_NOUTCOMES; i++)
			if (!strcmp(name, outcome_names[i])) {
				r->outcome = (enum results_outcome)i;
				p->outcome = true;
				return 0;
			}
		return -EINVAL;
	}
	if (!strcmp(key, "status")) {
		p->status = true;
		e = integer(c, &r->status);
		return e < 0 ? e : r->status > 255 ? -EINVAL : 0;
	}
	if (!strcmp(key, "duration_ms"))
		return integer(c, &r->duration_ms);
	if (!strcmp(key, "boot_wait_ms"))
		return integer(c, &r->boot_wait_ms);
	if (!strcmp(key, "signal"))
		return integer(c, &r->signal);
	if (!strcmp(key, "guest"))
		return string(c, r->guest, sizeof(r->guest));
	if (!strcmp(key, "error"))
		return string(c, r->error, sizeof(r->error));
	if (!strcmp(key, "crash"))
		return object(c, crash_field, r, depth);
	return skip_value(c, depth);
}

int results_parse_run(const char *buf, size_t len, struct results_run *out)
{
	struct cur c = { buf, 0, len };
	struct parse p = { out, false, false };
	int r;

	memset(out, 0, sizeof(*out));
	if (len > RESULTS_RUN_MAX)
		return -EINVAL;
	if ((r = object(&c, run_field, &p, 0)) < 0)
		return r;
	skip_ws(&c);
	if (c.pos != c.len || !p.outcome || !p.status)
		return -EINVAL;
	return 0;
}
