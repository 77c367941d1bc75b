/* Shared by triage.c (the line machine) and title.c (frames, titles and
 * fingerprints). */
#ifndef LAB_TRIAGE_PRIV_H
#define LAB_TRIAGE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "guests/triage/triage.h"

/* The function a stack-frame line names ("  foo+0x12/0x30 [mod]",
 * "[<ffffffff81>] foo+0x1/0x2", arm64's "foo+0x1/0x2"), with compiler
 * suffixes (.cold, .isra.0) cut, into out; false for a "? " guess or a
 * line that is not a frame. */
bool triage_frame(const char *line, char *out, size_t size);
/* Reporting machinery, allocator and lock frames: not what crashed. */
bool triage_generic_frame(const char *fn);
/* Fills r's title and fingerprint from what the machine gathered. */
void triage_describe(const struct triage *t, struct triage_report *r);

#endif
