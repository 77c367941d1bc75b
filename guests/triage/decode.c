/* Decoding a report's frames; see decode.h. */
#include "guests/triage/decode.h"

void triage_decode(const char *vmlinux, const struct triage_report *r, struct strbuf *o)
{
	(void)r;
	strbuf_put(o, "decoded: not decoded: %s\n", vmlinux[0] ? "not done yet" : "no vmlinux with debug info known for this guest");
}
