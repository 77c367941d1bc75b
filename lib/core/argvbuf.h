/* A command line built argument by argument into one buffer of its own,
 * for a process PID 1 starts (QEMU's, UML's): no allocation, a hard bound
 * on the count and the total length, and one overflow flag checked once
 * at the end instead of after every argument. */
#ifndef LAB_ARGVBUF_H
#define LAB_ARGVBUF_H

#include <stdbool.h>
#include <stddef.h>

#define ARGV_MAX 160

struct argv_buf {
	char *argv[ARGV_MAX + 1];    /* NULL-terminated */
	char buf[16384];
	size_t used;
	unsigned argc;
	unsigned max;                /* the bound on argc; 0: ARGV_MAX */
	bool overflow;               /* an argument did not fit: argv is cut short */
};

/* Appends the printf-formatted argument, or sets overflow. */
void argv_add(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
