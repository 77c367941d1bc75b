#include "lib/core/argvbuf.h"

#include <stdarg.h>
#include <stdio.h>

void argv_add(struct argv_buf *a, const char *fmt, ...)
{
	size_t room = sizeof(a->buf) - a->used;
	unsigned max = a->max && a->max < ARGV_MAX ? a->max : ARGV_MAX;
	va_list ap;
	int n;

	if (a->overflow || a->argc == max) {
		a->overflow = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(a->buf + a->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		a->overflow = true;
		return;
	}
	a->argv[a->argc++] = a->buf + a->used;
	a->argv[a->argc] = NULL;
	a->used += (size_t)n + 1;
}
