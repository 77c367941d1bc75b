/* JUnit XML for `make test-kernel`'s runs: the structure of Ant's JUnit
 * report as Jenkins and most CI dashboards read it (tests/data/junit.xsd
 * is the schema the tests check it against), text made valid XML 1.0
 * (§2.2 Char) whatever bytes the command printed. */
#include <errno.h>
#include <string.h>

#include "init/results/junit.h"

/* utf8_next: the code point at s (len > 0) and its length in *n; -1 for a
 * byte that starts no valid sequence (*n = 1): overlong forms, surrogates
 * and values past U+10FFFF are invalid (RFC 3629 §4). */
static long utf8_next(const unsigned char *s, size_t len, size_t *n)
{
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned need, cp;

	*n = 1;
	if (s[0] < 0x80)
		return s[0];
	need = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? (s[0] < 0xf0 ? 3 : 0) : s[0] >= 0xc2 ? 2 : 0;
	if (!need || len < need)
		return -1;
	cp = s[0] & (0x7f >> need);
	for (unsigned i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[need] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*n = need;
	return cp;
}

size_t results_xml_text(FILE *f, const char *s, size_t len, int quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, replaced = 0;

	while (i < len) {
		long cp = utf8_next(p + i, len - i, &n);
		if (cp == '&')
			fputs("&amp;", f);
		else if (cp == '<')
			fputs("&lt;", f);
		else if (cp == '>')
			fputs("&gt;", f);
		else if (quote && (cp == '"' || cp == '\'' || cp == '\t' || cp == '\n' || cp == '\r'))
			fprintf(f, "&#%ld;", cp); /* §3.3.3: kept through attribute normalisation */
		else if (cp == '\t' || cp == '\n' || cp == '\r')
			fputc((int)cp, f);
		else if (cp >= 0 && cp < 0x20)
			fprintf(f, "^%c", (char)(cp + '@')), replaced++;
		else if (cp < 0 || cp == 0xfffe || cp == 0xffff)
			fputs("\xef\xbf\xbd", f), replaced++;
		else
			fwrite(p + i, 1, n, f);
		i += n;
	}
	return replaced;
}

enum results_verdict results_verdict(enum results_outcome o)
{
	switch (o) {
	case RESULTS_PASSED: return RESULTS_OK;
	case RESULTS_FAILED:
	case RESULTS_TIMED_OUT:
	case RESULTS_PANICKED: return RESULTS_FAILURE;
	default: return RESULTS_ERROR;
	}
}

static void attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	results_xml_text(f, value, strlen(value), 1);
	fputc('"', f);
}

/* The run's message: what a dashboard shows in one line. */
static void message(const struct results_run *r, char *buf, size_t size)
{
	switch (r->outcome) {
	case RESULTS_FAILED:
		if (r->signal)
			snprintf(buf, size, "killed by signal %lld", r->signal);
		else
			snprintf(buf, size, "exited with status %lld", r->status);
		break;
	case RESULTS_PANICKED: snprintf(buf, size, "the guest kernel panicked during the command"); break;
	case RESULTS_TIMED_OUT: snprintf(buf, size, "the command outlived its timeout and was killed"); break;
	case RESULTS_DID_NOT_BOOT: snprintf(buf, size, "the guest did not boot: no agent answered"); break;
	default: snprintf(buf, size, "lab error%s%s", r->error[0] ? ": " : "", r->error); break;
	}
}

/* An output, its last s->cap bytes from a UTF-8 sequence's start, and a
 * note naming the file with all of it when some was cut. */
static void output(FILE *f, const char *tag, const struct results_text *t, size_t cap)
{
	size_t from = t->len > cap ? t->len - cap : 0, start = from, cut;
	const char *file = t->file ? t->file : "(not kept)";

	if (!t->buf)
		return;
	while (from < t->len && from - start < 3 && ((unsigned char)t->buf[from] & 0xc0) == 0x80)
		from++;
	cut = (t->total > t->len ? t->total - t->len : 0) + from;
	fprintf(f, "      <%s>", tag);
	if (cut) {
		fprintf(f, "[labinit: the first %zu bytes are left out; all of it: ", cut);
		results_xml_text(f, file, strlen(file), 0);
		fputs("]\n", f);
	}
	results_xml_text(f, t->buf + from, t->len - from, 0);
	fprintf(f, "</%s>\n", tag);
}

/* The command's own time: labctl's duration less the wait for the agent
 * (the guest's boot), which result.json keeps apart. */
static long long case_ms(const struct results_run *r)
{
	return r->duration_ms > r->boot_wait_ms ? r->duration_ms - r->boot_wait_ms : 0;
}

static void testcase(FILE *f, const struct results_suite *s, const struct results_case *c)
{
	const struct results_run *r = &c->run;
	enum results_verdict v = results_verdict(r->outcome);
	long long ms = case_ms(r);
	char msg[640], num[32];

	fputs("    <testcase", f);
	attr(f, "classname", s->name);
	attr(f, "name", c->name);
	snprintf(num, sizeof(num), "%lld.%03lld", ms / 1000, ms % 1000);
	attr(f, "time", num);
	fputs(">\n", f);
	if (v != RESULTS_OK) {
		message(r, msg, sizeof(msg));
		fprintf(f, "      <%s", v == RESULTS_FAILURE ? "failure" : "error");
		attr(f, "message", msg);
		attr(f, "type", results_outcome_name(r->outcome));
		fprintf(f, ">outcome %s, exit code %d", results_outcome_name(r->outcome), results_exit_code(r));
		if (r->crash_reports)
			fprintf(f, "; %lld new crash report(s): labctl crashes", r->crash_reports);
		fprintf(f, "</%s>\n", v == RESULTS_FAILURE ? "failure" : "error");
	}
	output(f, "system-out", &c->out, s->cap);
	output(f, "system-err", &c->err, s->cap);
	fputs("    </testcase>\n", f);
}

int results_write_junit(FILE *f, const struct results_suite *s)
{
	unsigned failures = 0, errors = 0;
	long long ms = 0;
	char num[32];

	for (unsigned i = 0; i < s->ncases; i++) {
		enum results_verdict v = results_verdict(s->cases[i].run.outcome);
		failures += v == RESULTS_FAILURE;
		errors += v == RESULTS_ERROR;
		ms += case_ms(&s->cases[i].run);
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite", f);
	attr(f, "name", s->name);
	fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"0\"", s->ncases, failures, errors);
	snprintf(num, sizeof(num), "%lld.%03lld", ms / 1000, ms % 1000);
	attr(f, "time", num);
	attr(f, "timestamp", s->timestamp);
	attr(f, "hostname", s->hostname);
	fputs(">\n", f);
	if (s->nprops) {
		fputs("    <properties>\n", f);
		for (unsigned i = 0; i < s->nprops && i < RESULTS_PROPS_MAX; i++) {
			fputs("      <property", f);
			attr(f, "name", s->prop_name[i]);
			attr(f, "value", s->prop_value[i]);
			fputs("/>\n", f);
		}
		fputs("    </properties>\n", f);
	}
	for (unsigned i = 0; i < s->ncases; i++)
		testcase(f, s, &s->cases[i]);
	fputs("  </testsuite>\n</testsuites>\n", f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}
