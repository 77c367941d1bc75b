/* The summary object of `labctl run --json` (docs/AGENT.md), read back on
 * the workstation by `labinit results`. */
#ifndef LAB_RESULTS_RUNJSON_H
#define LAB_RESULTS_RUNJSON_H

#include <stdbool.h>
#include <stddef.h>

enum results_outcome {
	RESULTS_PASSED,
	RESULTS_FAILED,
	RESULTS_PANICKED,
	RESULTS_TIMED_OUT,
	RESULTS_LAB_ERROR,
	RESULTS_DID_NOT_BOOT,
	RESULTS_NOUTCOMES
};

#define RESULTS_RUN_MAX 65536 /* the object's bytes; labctl's is < 1 KiB */
#define RESULTS_NUM_MAX 1000000000000LL

struct results_run {
	enum results_outcome outcome;
	long long status, duration_ms, boot_wait_ms;
	long long signal;        /* 0: not killed by a signal */
	long long crash_reports; /* "crash": {"new_reports": N}; 0 when absent */
	char guest[64];
	char error[512];
};

/* Parses one JSON object, e.g. {"outcome": "failed", "status": 3, ...}.
 * Rejected (-EINVAL): anything but one object and white space, an unknown
 * or missing "outcome", a missing "status", a number that is not an
 * integer in 0..RESULTS_NUM_MAX (status: 0..255), a string that does not
 * fit its field, nesting deeper than 8, more than RESULTS_RUN_MAX bytes.
 * Unknown keys are skipped (a newer labctl may add some). Strings are
 * unescaped to UTF-8; a \u0000 is refused. */
int results_parse_run(const char *buf, size_t len, struct results_run *out);

/* "passed", "failed", ...: the outcome's name in labctl's JSON. */
const char *results_outcome_name(enum results_outcome o);

/* The exit code of the run, as `labctl run`'s: the status for passed and
 * failed, 123..126 for the lab's own outcomes. */
int results_exit_code(const struct results_run *r);

#endif
