/* A report's frames decoded to file:line from the guest's vmlinux, when
 * it has debug info and binutils' addr2line is installed; else the
 * report file says why not. */
#ifndef LAB_TRIAGE_DECODE_H
#define LAB_TRIAGE_DECODE_H

#include "guests/triage/triage.h"
#include "lib/core/strbuf.h"

#define TRIAGE_DECODE_MAX 4096

/* Appends "decoded: ..." lines for r's frames to o. vmlinux: the guest's
 * kernel image, or "". */
void triage_decode(const char *vmlinux, const struct triage_report *r, struct strbuf *o);

#endif
