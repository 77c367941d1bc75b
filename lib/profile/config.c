/* .config and kernel command line parsing. A line is one of: blank, a
 * comment, "# CONFIG_X is not set", CONFIG_X=value or CONFIG_X="string".
 * Strings use Kconfig's escapes (\" and \\). Everything else is an error that
 * names the line; parsing goes on so all errors are seen at once. */
#include "lib/profile/config.h"
#include "lib/core/readfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FILE_MAX (1u << 20)

static bool is_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static const char *skip_space(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* Reads CONFIG_NAME at s; returns the position after it or NULL. */
static const char *read_key(const char *s, const char *end, char key[CONFIG_KEY_MAX])
{
	size_t n = 0;

	if ((size_t)(end - s) < 7 || memcmp(s, "CONFIG_", 7) != 0)
		return NULL;
	s += 7;
	while (s < end && is_key_char(*s)) {
		if (n + 1 >= CONFIG_KEY_MAX)
			return NULL;
		key[n++] = *s++;
	}
	key[n] = '\0';
	return n ? s : NULL;
}

/* Unquotes "..." into out; returns the position after the closing quote. */
static const char *read_quoted(const char *s, const char *end, char *out, const char **err)
{
	size_t n = 0;

	for (s++; s < end; s++) {
		if (*s == '"') {
			out[n] = '\0';
			return s + 1;
		}
		if (*s == '\\') {
			if (++s == end)
				break;
			if (*s != '"' && *s != '\\') {
				*err = "unknown escape in string (only \\\" and \\\\ are allowed)";
				return NULL;
			}
		}
		out[n++] = *s;
	}
	*err = "unterminated string: missing closing quote";
	return NULL;
}

static const char *read_bare(const char *s, const char *end, char *out, const char **err)
{
	size_t n = 0;

	while (s < end && *s != ' ' && *s != '\t' && *s != '#')
		out[n++] = *s++;
	out[n] = '\0';
	if (n == 0 && (s == end || *s == '#')) {
		*err = "missing value (write \"\" for an empty string)";
		return NULL;
	}
	return s;
}

static bool is_not_set_line(const char *s, const char *end, char key[CONFIG_KEY_MAX])
{
	static const char tail[] = " is not set";
	size_t tl = sizeof(tail) - 1;

	s = skip_space(s + 1, end);
	s = read_key(s, end, key);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return s && (size_t)(end - s) == tl && memcmp(s, tail, tl) == 0;
}

static const char *find_binary(const char *s, const char *end)
{
	for (; s < end; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return s;
	return NULL;
}

static void parse_line(const char *s, const char *end, const char *source, unsigned line,
		       config_assign_fn assign, void *ctx, struct diag *d)
{
	char key[CONFIG_KEY_MAX], value[CONFIG_LINE_MAX];
	const char *bad, *err = NULL, *p;

	if (end > s && end[-1] == '\r')
		end--;
	if ((bad = find_binary(s, end))) {
		diag_add(d, source, line, NULL, "binary data (byte 0x%02x at column %zu): not a text .config",
			 (unsigned char)*bad, (size_t)(bad - s) + 1);
		return;
	}
	s = skip_space(s, end);
	if (s == end)
		return;
	if (*s == '#') {
		if (is_not_set_line(s, end, key))
			assign(ctx, key, "n", source, line);
		return;
	}
	p = read_key(s, end, key);
	if (!p || p == end || *p != '=') {
		/* The line is not NUL-terminated: bound the quote by its end. */
		diag_add(d, source, line, NULL, "expected CONFIG_NAME=value, found \"%.*s\"",
			 (int)(end - s < 40 ? end - s : 40), s);
		return;
	}
	p++;
	p = (p < end && *p == '"') ? read_quoted(p, end, value, &err) : read_bare(p, end, value, &err);
	if (p) {
		p = skip_space(p, end);
		if (p < end && *p != '#')
			err = "unexpected text after the value";
	}
	if (err) {
		diag_add(d, source, line, key, "%s", err);
		return;
	}
	assign(ctx, key, value, source, line);
}

void config_parse(const char *buf, size_t len, const char *source,
		  config_assign_fn assign, void *ctx, struct diag *d)
{
	const char *end = buf + len;
	unsigned line = 0;

	while (buf < end) {
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		const char *eol = nl ? nl : end;

		line++;
		if (eol - buf >= CONFIG_LINE_MAX)
			diag_add(d, source, line, NULL, "line longer than %d bytes", CONFIG_LINE_MAX - 1);
		else
			parse_line(buf, eol, source, line, assign, ctx, d);
		buf = nl ? nl + 1 : end;
	}
}

int config_parse_file(const char *path, config_assign_fn assign, void *ctx, struct diag *d)
{
	size_t len;
	char *buf;
	int r = read_whole_file(path, FILE_MAX, &buf, &len);

	if (r < 0) {
		diag_add(d, path, 0, NULL, "cannot read: %s", strerror(-r));
		return r;
	}
	config_parse(buf, len, path, assign, ctx, d);
	free(buf);
	return 0;
}

/* Next kernel parameter: whitespace separates, quotes group and are removed. */
static const char *next_param(const char *s, char *out, size_t max)
{
	bool quoted = false;
	size_t n = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s)
		return NULL;
	for (; *s && (quoted || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (n + 1 < max)
			out[n++] = *s;
	}
	out[n] = '\0';
	return s;
}

void config_parse_cmdline(const char *cmdline, config_assign_fn assign, void *ctx,
			  struct diag *d)
{
	static const char src[] = "kernel command line";
	char param[CONFIG_LINE_MAX];
	const char *s = cmdline;

	while ((s = next_param(s, param, sizeof(param)))) {
		char *key = param + 8, *eq;

		if (strncmp(param, "labinit.", 8) != 0)
			continue;
		if (strncmp(key, "CONFIG_", 7) == 0)
			key += 7;
		eq = strchr(key, '=');
		if (!eq || eq == key) {
			diag_add(d, src, 0, NULL, "\"%.60s\": expected labinit.KEY=VALUE", param);
			continue;
		}
		*eq = '\0';
		assign(ctx, key, eq + 1, src, 0);
	}
}
