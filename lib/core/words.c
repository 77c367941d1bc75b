#include "lib/core/words.h"

#include <stdbool.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A character no argument should hold: the profile is one line of text,
 * and a control character in QEMU's argv is always a mistake. */
static bool is_control(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

struct splitter {
	const char *s;
	char *out, *end;
	const char *why;
};

static bool put(struct splitter *p, char c)
{
	if (c && is_control(c)) {
		p->why = "a control character";
		return false;
	}
	if (p->out == p->end) {
		p->why = "the words are too long";
		return false;
	}
	*p->out++ = c;
	return true;
}

/* Inside "...": after a backslash only these four lose it. */
static bool double_quoted(struct splitter *p)
{
	for (;;) {
		char c = *p->s++;

		if (!c) {
			p->why = "a \" is not closed";
			return false;
		}
		if (c == '"')
			return true;
		if (c == '\\' && (*p->s == '"' || *p->s == '\\' || *p->s == '$' || *p->s == '`'))
			c = *p->s++;
		if (!put(p, c))
			return false;
	}
}

static bool single_quoted(struct splitter *p)
{
	for (;;) {
		char c = *p->s++;

		if (!c) {
			p->why = "a ' is not closed";
			return false;
		}
		if (c == '\'')
			return true;
		if (!put(p, c))
			return false;
	}
}

/* One word, from a non-blank character up to an unquoted blank, ended
 * with a NUL. */
static bool word(struct splitter *p)
{
	while (*p->s && !is_blank(*p->s)) {
		char c = *p->s++;
		bool ok;

		if (c == '\'')
			ok = single_quoted(p);
		else if (c == '"')
			ok = double_quoted(p);
		else if (c == '\\' && !*p->s)
			p->why = "a \\ ends the line", ok = false;
		else
			ok = put(p, c == '\\' ? *p->s++ : c);
		if (!ok)
			return false;
	}
	return put(p, '\0');
}

int words_split(const char *s, char *buf, size_t size, char **words, unsigned max, const char **why)
{
	struct splitter p = { .s = s, .out = buf, .end = buf + size };
	unsigned n = 0;

	*why = NULL;
	for (;;) {
		while (is_blank(*p.s))
			p.s++;
		if (!*p.s)
			break;
		if (n == max) {
			*why = "too many words";
			return -1;
		}
		words[n] = p.out;
		if (!word(&p)) {
			*why = p.why;
			return -1;
		}
		n++;
	}
	words[n] = NULL;
	return (int)n;
}

bool words_cmdline_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || strchr("$;{}'\"\\`", *s))
			return false;
	return true;
}
