/* Decoding a report's frames (guests/triage/decode.c): with this test's
 * own binary as the "vmlinux" (built with -g) a frame of it is decoded to
 * this file's line by addr2line; a stripped vmlinux (the demo guest's), a
 * file that is not ELF and no vmlinux at all each say why not. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guests/triage/decode.h"
#include "t.h"

int decode_target(int x);
int decode_target(int x)
{
	return x * 3 + 1;
}

static const char *decode(const char *vmlinux, const char *text)
{
	static char out[TRIAGE_DECODE_MAX];
	struct strbuf o = { out, sizeof(out), 0 };
	struct triage_report r;

	memset(&r, 0, sizeof(r));
	r.text = text;
	r.len = strlen(text);
	snprintf(r.frames[0], sizeof(r.frames[0]), "decode_target");
	r.nframes = 1;
	out[0] = '\0';
	triage_decode(vmlinux, &r, &o);
	return out;
}

int main(void)
{
	static const char text[] = "[ 1.0] Call Trace:\n[ 1.0]  <TASK>\n[ 1.0]  decode_target+0x4/0x20\n";
	char self[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *d;

	CHECK(decode_target(1) == 4);
	CHECK(!strcmp(decode("", text), "decoded: not decoded: no vmlinux known for this guest\n"));
	CHECK(strstr(decode("tests/unit/guests/triage/data/README", text), "not an ELF64 vmlinux"));
	if (access("lab/guests/demo/vmlinux", R_OK) == 0)
		CHECK(strstr(decode("lab/guests/demo/vmlinux", text), ": no debug info"));
	CHECK(n > 0);
	self[n > 0 ? n : 0] = '\0';
	d = decode(self, text);
	if (access("/usr/bin/addr2line", X_OK) == 0)
		CHECK_MSG(strstr(d, "decoded: decode_target at ") && strstr(d, "test_decode.c:"), "%s", d);
	else
		CHECK(strstr(d, "no addr2line"));
	CHECK(strstr(decode(self, "no frames here\n"), "the report has no stack frames"));
	return T_DONE();
}
