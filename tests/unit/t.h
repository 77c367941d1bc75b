/* A minimal unit-test harness: CHECK records and prints failures, and
 * T_DONE() returns the exit status the runner reads. */
#ifndef T_H
#define T_H

#include <stdio.h>

static unsigned t_checks, t_failed;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		t_checks++;                                                           \
		if (!(cond)) {                                                        \
			t_failed++;                                                   \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                     \
	} while (0)

#define CHECK_MSG(cond, ...)                                                          \
	do {                                                                          \
		t_checks++;                                                           \
		if (!(cond)) {                                                        \
			t_failed++;                                                   \
			fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                 \
			fputc('\n', stderr);                                          \
		}                                                                     \
	} while (0)

#define T_DONE()                                                                      \
	(printf("%u checks, %u failed\n", t_checks, t_failed), t_failed ? 1 : 0)

#endif
