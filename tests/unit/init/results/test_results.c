/* init/results: labctl run's JSON read back (each outcome, escapes,
 * unknown keys, every reject rule) and the JUnit writer (verdicts, counts,
 * XML escaping of hostile bytes, the output cap and its note). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "init/results/junit.h"
#include "t.h"

static int parse(const char *s, struct results_run *r)
{
	return results_parse_run(s, strlen(s), r);
}

static void test_parse(void)
{
	struct results_run r;

	CHECK(parse("{\"outcome\": \"passed\", \"status\": 0, \"duration_ms\": 12, \"guest\": \"test\", "
		    "\"boot_wait_ms\": 8001}\n", &r) == 0);
	CHECK(r.outcome == RESULTS_PASSED && r.status == 0 && r.duration_ms == 12 && r.boot_wait_ms == 8001);
	CHECK(!strcmp(r.guest, "test") && results_exit_code(&r) == 0);
	CHECK(parse("{\"outcome\": \"failed\", \"status\": 137, \"signal\": 9, \"crash\": {\"new_reports\": 2, "
		    "\"see\": \"labctl crashes test\"}, \"future\": [1, {\"a\": null}, true, -1.5e3]}", &r) == 0);
	CHECK(r.outcome == RESULTS_FAILED && r.signal == 9 && r.crash_reports == 2 && results_exit_code(&r) == 137);
	CHECK(parse("{\"outcome\":\"panicked\",\"status\":123}", &r) == 0 && results_exit_code(&r) == 123);
	CHECK(parse("{\"outcome\":\"timed_out\",\"status\":124}", &r) == 0 && results_exit_code(&r) == 124);
	CHECK(parse("{\"outcome\":\"did_not_boot\",\"status\":126}", &r) == 0 && results_exit_code(&r) == 126);
	CHECK(parse("{\"outcome\":\"lab_error\",\"status\":125,\"error\":\"a \\\"q\\\" \\u00e9\\ud83d\\ude00\\n\"}",
		    &r) == 0);
	CHECK_MSG(!strcmp(r.error, "a \"q\" \xc3\xa9\xf0\x9f\x98\x80\n"), "%s", r.error);
	CHECK(parse("{\"outcome\":\"lab_error\",\"status\":125,\"error\":\"\\udc00\"}", &r) == 0 &&
	      !strcmp(r.error, "\xef\xbf\xbd"));
	/* A long unknown key is skipped, not an error. */
	CHECK(parse("{\"outcome\":\"passed\",\"status\":0,\"a_key_longer_than_sixty_four_bytes_"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\":1}", &r) == 0);

	static const char *const bad[] = {
		"", "[]", "{}", "{\"status\": 0}", "{\"outcome\": \"passed\"}",
		"{\"outcome\": \"skipped\", \"status\": 0}", "{\"outcome\": \"passed\", \"status\": 256}",
		"{\"outcome\": \"passed\", \"status\": -1}", "{\"outcome\": \"passed\", \"status\": 1.0}",
		"{\"outcome\": \"passed\", \"status\": 01}", "{\"outcome\": \"passed\", \"status\": 0,}",
		"{\"outcome\": \"passed\", \"status\": 0} {}", "{\"outcome\": \"passed\" \"status\": 0}",
		"{\"outcome\": \"passed\", \"status\": 0, \"duration_ms\": 99999999999999999999}",
		"{\"outcome\": \"passed\", \"status\": 0, \"guest\": \"a\nb\"}",
		"{\"outcome\": \"passed\", \"status\": 0, \"guest\": \"\\u0000\"}",
		"{\"outcome\": \"passed\", \"status\": 0, \"guest\": \"\\x\"}",
		"{\"outcome\": \"passed\", \"status\": 0, \"guest\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
		"{\"outcome\": \"passed\", \"status\": 0, \"x\": [[[[[[[[[[1]]]]]]]]]]}",
		"{\"outcome\": \"passed\", \"status\": 0, \"x\": tru}",
		"{\"outcome\": \"passed\", \"status\": 0, \"x\": \"unterminated}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(parse(bad[i], &r) == -EINVAL, "accepted: %s", bad[i]);
	/* NUL inside the buffer, not as a terminator */
	CHECK(results_parse_run("{\"outcome\": \"passed\", \"status\": 0}\0", 36, &r) == -EINVAL);
}

/* xml: what results_xml_text makes of len bytes, in buf. */
static size_t xml(const char *s, size_t len, int quote, char *buf, size_t size, size_t *replaced)
{
	FILE *f = fmemopen(buf, size, "w");

	*replaced = results_xml_text(f, s, len, quote);
	fputc('\0', f);
	fclose(f);
	return strlen(buf);
}

static void test_escape(void)
{
	char buf[256];
	size_t rep;

	xml("a&b<c>\"'\t\n", 10, 0, buf, sizeof(buf), &rep);
	CHECK(!strcmp(buf, "a&amp;b&lt;c&gt;\"'\t\n") && rep == 0);
	xml("a\"'\t\n\r", 6, 1, buf, sizeof(buf), &rep);
	CHECK_MSG(!strcmp(buf, "a&#34;&#39;&#9;&#10;&#13;"), "%s", buf);
	xml("\x1b[0m\x00\x7f", 6, 0, buf, sizeof(buf), &rep);
	CHECK_MSG(!strcmp(buf, "^[[0m^@\x7f") && rep == 2, "%s %zu", buf, rep);
	/* valid: é, €, 😀; invalid: a lone continuation, an overlong '/', a
	 * surrogate, U+FFFE, past U+10FFFF, a cut sequence at the end */
	xml("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, 0, buf, sizeof(buf), &rep);
	CHECK(!strcmp(buf, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") && rep == 0);
	static const char bad[] = "\x80|\xc0\xaf|\xed\xa0\x80|\xef\xbf\xbe|\xf4\x90\x80\x80|\xe2\x82";
	xml(bad, sizeof(bad) - 1, 0, buf, sizeof(buf), &rep);
	CHECK_MSG(!strncmp(buf, "\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|", 8) && rep == 13, "%zu", rep);
	CHECK(!strstr(buf, "\xed\xa0") && !strstr(buf, "\xef\xbf\xbe") && !strstr(buf, "\xf4\x90"));
}

static char *junit(const struct results_suite *s)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	CHECK(results_write_junit(f, s) == 0);
	fclose(f);
	return buf;
}

static void test_junit(void)
{
	static const char out[] = "hi\n\x1b]0;x\x07<&>";
	static char big[5000];
	struct results_case c[3] = {
		{ .name = "true", .run = { .outcome = RESULTS_PASSED, .duration_ms = 31500, .boot_wait_ms = 30000 } },
		{ .name = "echo hi; exit 3", .run = { .outcome = RESULTS_FAILED, .status = 3, .duration_ms = 20 },
		  .out = { out, sizeof(out) - 1, sizeof(out) - 1, "out/results/stdout.txt" } },
		{ .name = "x", .run = { .outcome = RESULTS_DID_NOT_BOOT, .status = 126 },
		  .err = { big, sizeof(big), 9000, "err.txt" } },
	};
	struct results_suite s = { .name = "test-kernel", .hostname = "h", .timestamp = "2026-12-06T07:00:00",
				   .prop_name = { "kernel" }, .prop_value = { "a<b" }, .nprops = 1,
				   .cases = c, .ncases = 3, .cap = 1000 };
	char *x;

	memset(big, 'e', sizeof(big));
	big[sizeof(big) - 1000] = (char)0x80; /* the cap starts on a continuation byte: skipped */
	x = junit(&s);
	CHECK_MSG(strstr(x, "<testsuite name=\"test-kernel\" tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"0\" "
			    "time=\"1.520\" timestamp=\"2026-12-06T07:00:00\" hostname=\"h\">"), "%s", x);
	CHECK(strstr(x, "<property name=\"kernel\" value=\"a&lt;b\"/>"));
	CHECK(strstr(x, "<testcase classname=\"test-kernel\" name=\"true\" time=\"1.500\">\n    </testcase>"));
	CHECK(strstr(x, "<failure message=\"exited with status 3\" type=\"failed\">outcome failed, exit code 3</failure>"));
	CHECK(strstr(x, "<system-out>hi\n^[]0;x^G&lt;&amp;&gt;</system-out>"));
	CHECK(strstr(x, "<error message=\"the guest did not boot: no agent answered\" type=\"did_not_boot\">"));
	CHECK_MSG(strstr(x, "<system-err>[labinit: the first 8001 bytes are left out; all of it: err.txt]\neee"), "%s", x);
	CHECK(results_verdict(RESULTS_TIMED_OUT) == RESULTS_FAILURE && results_verdict(RESULTS_PANICKED) == RESULTS_FAILURE);
	CHECK(results_verdict(RESULTS_LAB_ERROR) == RESULTS_ERROR);
	free(x);
}

int main(void)
{
	test_parse();
	test_escape();
	test_junit();
	return T_DONE();
}
