/* Configuration error collector. */
#include "lib/core/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void diag_free(struct diag *d)
{
	free(d->text);
	memset(d, 0, sizeof(*d));
}

static void diag_append(struct diag *d, const char *s, size_t n)
{
	if (d->len + n + 1 > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 1024;
		char *p;

		while (cap < d->len + n + 1)
			cap *= 2;
		p = realloc(d->text, cap);
		if (!p)
			return;
		d->text = p;
		d->cap = cap;
	}
	memcpy(d->text + d->len, s, n);
	d->len += n;
	d->text[d->len] = '\0';
}

void diag_add(struct diag *d, const char *source, unsigned line, const char *key,
	      const char *fmt, ...)
{
	char msg[768];
	int n = 0, m;
	va_list ap;

	d->count++;
	if (d->shown >= DIAG_MAX_SHOWN)
		return;
	if (source && line)
		n = snprintf(msg, sizeof(msg), "%s:%u: ", source, line);
	else if (source)
		n = snprintf(msg, sizeof(msg), "%s: ", source);
	if (key && n >= 0 && (size_t)n < sizeof(msg))
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, "CONFIG_%s: ", key);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	m = vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n >= sizeof(msg) - 1)
		n = (int)sizeof(msg) - 2;
	msg[n++] = '\n';
	diag_append(d, msg, (size_t)n);
	d->shown++;
}

const char *diag_text(struct diag *d)
{
	if (d->count > d->shown) {
		char more[64];
		int n = snprintf(more, sizeof(more), "... and %u more errors\n", d->count - d->shown);

		diag_append(d, more, (size_t)n);
		d->shown = d->count; /* print the tail once */
	}
	return d->text ? d->text : "";
}
