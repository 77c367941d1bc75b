/* A bounded text buffer for replies: appends never write past its end and
 * keep it NUL-terminated; what does not fit is cut. */
#ifndef LAB_STRBUF_H
#define LAB_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;
	size_t size, len;
};

void strbuf_put(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
