/* JUnit XML (the Ant/Jenkins structure CI dashboards read) for runs of
 * `make test-kernel`: one <testsuite>, one <testcase> a command. Pure:
 * writes to a FILE, reads no clock and no file. */
#ifndef LAB_RESULTS_JUNIT_H
#define LAB_RESULTS_JUNIT_H

#include <stdio.h>

#include "init/results/runjson.h"

#define RESULTS_PROPS_MAX 16

struct results_text {
	const char *buf;  /* the last len bytes of the output; any bytes, NULs too */
	size_t len;
	size_t total;     /* the output's whole length (>= len) */
	const char *file; /* where all of it is, named in the cap's note */
};

struct results_case {
	const char *name;             /* the command */
	struct results_run run;
	struct results_text out, err; /* <system-out>, <system-err> */
};

struct results_suite {
	const char *name, *hostname;
	const char *timestamp; /* ISO 8601, no zone: 2026-12-06T07:01:02 */
	const char *prop_name[RESULTS_PROPS_MAX], *prop_value[RESULTS_PROPS_MAX];
	unsigned nprops;
	const struct results_case *cases;
	unsigned ncases;
	size_t cap; /* bytes of each output kept (its end); the rest is cut with a note */
};

/* Text as XML 1.0 character data (quote: also for an attribute value):
 * & < > (and " ' \t \n \r in attributes) escaped; invalid UTF-8, surrogates
 * and U+FFFE/U+FFFF become U+FFFD; C0 controls XML 1.0 forbids become
 * caret notation (ESC: ^[), as cat -v shows them. Returns the number of
 * bytes or code points replaced. */
size_t results_xml_text(FILE *f, const char *s, size_t len, int quote);

/* Whether the run counts as a <failure> (the command or the kernel under
 * test failed: failed, timed_out, panicked), an <error> (it could not be
 * run: lab_error, did_not_boot), or neither (passed). */
enum results_verdict { RESULTS_OK, RESULTS_FAILURE, RESULTS_ERROR };
enum results_verdict results_verdict(enum results_outcome o);

/* The whole document: 0, or -EIO if a write failed. A testcase's time is
 * the command's, without the guest's boot (duration_ms - boot_wait_ms). */
int results_write_junit(FILE *f, const struct results_suite *s);

#endif
