/* A collector of configuration errors, so every problem is reported at once
 * ("FILE:LINE: CONFIG_KEY: reason"), not just the first. */
#ifndef LAB_DIAG_H
#define LAB_DIAG_H

#include <stddef.h>

/* Beyond this many messages only the count grows: a binary file would
 * otherwise bury the console under thousands of identical lines. */
#define DIAG_MAX_SHOWN 100

struct diag {
	unsigned count;   /* errors seen */
	unsigned shown;   /* errors kept in text */
	char *text;       /* newline-separated messages */
	size_t len, cap;
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);
/* source may be NULL; line 0 means "no line" (a default or a computed value);
 * key is the bare name without CONFIG_ and may be NULL. */
void diag_add(struct diag *d, const char *source, unsigned line, const char *key,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The collected text, with a trailing "... and N more" line if some were dropped. */
const char *diag_text(struct diag *d);

#endif
