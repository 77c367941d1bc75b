/* The .config syntax parser and the kernel command line splitter, including
 * malformed input: binary garbage, long lines, unterminated quotes. */
#include <stdlib.h>
#include <string.h>

#include "lib/profile/config.h"
#include "t.h"

struct seen {
	unsigned n;
	char key[16][64];
	char value[16][256];
	unsigned line[16];
};

static void collect(void *ctx, const char *key, const char *value, const char *source, unsigned line)
{
	struct seen *s = ctx;

	(void)source;
	if (s->n < 16) {
		snprintf(s->key[s->n], 64, "%s", key);
		snprintf(s->value[s->n], 256, "%s", value);
		s->line[s->n] = line;
	}
	s->n++;
}

static unsigned parse(const char *text, struct seen *s, struct diag *d)
{
	memset(s, 0, sizeof(*s));
	diag_init(d);
	config_parse(text, strlen(text), "f", collect, s, d);
	return d->count;
}

static void test_good_forms(void)
{
	struct seen s;
	struct diag d;
	const char *text = "# comment\n\nCONFIG_A=y\r\n# CONFIG_B is not set\nCONFIG_C=42\n"
			   "CONFIG_D=\"say \\\"hi\\\" \\\\ there\"\n  CONFIG_E=\"\"\t\n";

	CHECK(parse(text, &s, &d) == 0);
	CHECK(s.n == 5);
	CHECK(!strcmp(s.key[0], "A") && !strcmp(s.value[0], "y") && s.line[0] == 3);
	CHECK(!strcmp(s.key[1], "B") && !strcmp(s.value[1], "n"));
	CHECK(!strcmp(s.key[2], "C") && !strcmp(s.value[2], "42"));
	CHECK_MSG(!strcmp(s.value[3], "say \"hi\" \\ there"), "got [%s]", s.value[3]);
	CHECK(!strcmp(s.key[4], "E") && !strcmp(s.value[4], "") && s.line[4] == 7);
	diag_free(&d);
}

static void test_errors_name_lines(void)
{
	struct seen s;
	struct diag d;
	const char *text = "CONFIG_OK=y\nCONFIG_S=\"unterminated\nFOO=1\nCONFIG_X=\nCONFIG_Y=\"a\" junk\n"
			   "CONFIG_Z=\"bad \\n escape\"\nCONFIG_W=two words\n";

	CHECK(parse(text, &s, &d) == 6);
	CHECK(s.n == 1);
	CHECK(strstr(diag_text(&d), "f:2: CONFIG_S: unterminated string"));
	CHECK(strstr(diag_text(&d), "f:3: expected CONFIG_NAME=value"));
	CHECK(strstr(diag_text(&d), "f:4: CONFIG_X: missing value"));
	CHECK(strstr(diag_text(&d), "f:5: CONFIG_Y: unexpected text after the value"));
	CHECK(strstr(diag_text(&d), "f:6: CONFIG_Z: unknown escape"));
	CHECK(strstr(diag_text(&d), "f:7: CONFIG_W: unexpected text"));
	diag_free(&d);
}

static void test_long_line(void)
{
	struct seen s;
	struct diag d;
	char *text = malloc(20000);

	strcpy(text, "CONFIG_A=\"");
	memset(text + 10, 'x', 15000);
	strcpy(text + 15010, "\"\nCONFIG_B=y\n");
	CHECK(parse(text, &s, &d) == 1);
	CHECK(strstr(diag_text(&d), "f:1: line longer than 4095 bytes"));
	CHECK(s.n == 1 && !strcmp(s.key[0], "B") && s.line[0] == 2);
	diag_free(&d);
	free(text);
}

static void test_binary_garbage(void)
{
	struct seen s;
	struct diag d;
	unsigned char buf[65536];
	unsigned x = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	memset(&s, 0, sizeof(s));
	diag_init(&d);
	config_parse((const char *)buf, sizeof(buf), "bin", collect, &s, &d);
	CHECK(d.count > 0);
	CHECK(s.n == 0);
	CHECK(strstr(diag_text(&d), "binary data"));
	CHECK(strstr(diag_text(&d), "more errors") || d.count <= DIAG_MAX_SHOWN);
	diag_free(&d);
}

static void test_cmdline(void)
{
	struct seen s;
	struct diag d;

	memset(&s, 0, sizeof(s));
	diag_init(&d);
	config_parse_cmdline("root=/dev/sda quiet labinit.HOSTNAME=h1 \"labinit.GUEST1_APPEND=a b\" "
			     "labinit.CONFIG_LOG_LEVEL=7 labinit.broken labinit.DNS_DOMAIN=\"x y\"",
			     collect, &s, &d);
	CHECK(s.n == 4);
	CHECK(!strcmp(s.key[0], "HOSTNAME") && !strcmp(s.value[0], "h1"));
	CHECK(!strcmp(s.key[1], "GUEST1_APPEND") && !strcmp(s.value[1], "a b"));
	CHECK(!strcmp(s.key[2], "LOG_LEVEL") && !strcmp(s.value[2], "7"));
	CHECK(!strcmp(s.key[3], "DNS_DOMAIN") && !strcmp(s.value[3], "x y"));
	CHECK(d.count == 1 && strstr(diag_text(&d), "labinit.broken"));
	diag_free(&d);
}

int main(void)
{
	test_good_forms();
	test_errors_name_lines();
	test_long_line();
	test_binary_garbage();
	test_cmdline();
	return T_DONE();
}
