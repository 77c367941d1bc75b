/* depmod's text files as tables. Each file is copied once and cut into
 * strings in place; the tables point into the copies. After kmod's
 * libkmod-module.c (load order) and libkmod.c (alias lookup). */
#include "init/modules/moddep.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { TEXT_DEP, TEXT_ALIAS, TEXT_BUILTIN };

struct cursor {
	char *p, *end;
};

void moddep_init(struct moddep *md)
{
	memset(md, 0, sizeof(*md));
}

void moddep_free(struct moddep *md)
{
	for (unsigned i = 0; i < 3; i++)
		free(md->text[i]);
	free(md->mods);
	free(md->deps);
	free(md->aliases);
	free(md->builtin);
	moddep_init(md);
}

/* arr, reallocated when element n would not fit: the capacity doubles from
 * 16 at each power of two, so none is stored. NULL when out of memory. */
static void *grow(void *arr, unsigned n, size_t elem)
{
	if (n != 0 && (n < 16 || (n & (n - 1)) != 0))
		return arr;
	return realloc(arr, (n == 0 ? 16 : (size_t)n * 2) * elem);
}

static int push_dep(struct moddep *md, const char *path)
{
	const char **a;

	if (md->ndeps == MODDEP_DEPS_MAX)
		return -E2BIG;
	if (!(a = grow(md->deps, md->ndeps, sizeof(*a))))
		return -ENOMEM;
	md->deps = a;
	md->deps[md->ndeps++] = path;
	return 0;
}

static int push_mod(struct moddep *md, const struct moddep_mod *m)
{
	struct moddep_mod *a;

	if (md->nmods == MODDEP_MODULES_MAX)
		return -E2BIG;
	if (!(a = grow(md->mods, md->nmods, sizeof(*a))))
		return -ENOMEM;
	md->mods = a;
	md->mods[md->nmods++] = *m;
	return 0;
}

static int push_alias(struct moddep *md, const char *pattern, const char *module)
{
	struct moddep_alias *a;

	if (md->naliases == MODDEP_ALIASES_MAX)
		return -E2BIG;
	if (!(a = grow(md->aliases, md->naliases, sizeof(*a))))
		return -ENOMEM;
	md->aliases = a;
	md->aliases[md->naliases].pattern = pattern;
	md->aliases[md->naliases++].module = module;
	return 0;
}

/* Room for one more builtin name at md->builtin[md->nbuiltin]. */
static int room_builtin(struct moddep *md)
{
	char(*a)[MODDEP_NAME_MAX];

	if (md->nbuiltin == MODDEP_MODULES_MAX)
		return -E2BIG;
	if (!(a = grow(md->builtin, md->nbuiltin, sizeof(*a))))
		return -ENOMEM;
	md->builtin = a;
	return 0;
}

static int take_text(struct moddep *md, unsigned which, const char *buf, size_t len, struct cursor *c)
{
	if (md->text[which])
		return -EALREADY;
	if (len > MODDEP_TEXT_MAX)
		return -E2BIG;
	md->text[which] = malloc(len + 1);
	if (!md->text[which])
		return -ENOMEM;
	if (len)
		memcpy(md->text[which], buf, len);
	md->text[which][len] = '\0';
	c->p = md->text[which];
	c->end = c->p + len;
	return 0;
}

/* The next line, NUL-terminated in place, or NULL after the last; *bad
 * when it holds a NUL byte. */
static char *next_line(struct cursor *c, bool *bad)
{
	char *line = c->p, *nl;

	if (c->p >= c->end)
		return NULL;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (!nl)
		nl = c->end; /* the copy's terminating NUL */
	*nl = '\0';
	c->p = nl + 1;
	*bad = memchr(line, '\0', (size_t)(nl - line)) != NULL;
	return line;
}

/* The next blank-separated word, NUL-terminated in place, or NULL. */
static char *next_word(char **s)
{
	char *w = *s + strspn(*s, " \t\r"), *e;

	if (!*w) {
		*s = w;
		return NULL;
	}
	e = w + strcspn(w, " \t\r");
	if (*e)
		*e++ = '\0';
	*s = e;
	return w;
}

static bool skip_line(const char *line)
{
	line += strspn(line, " \t\r");
	return !*line || *line == '#';
}

/* Runs fn on each line that is not blank or a comment; fn returns 0, 1
 * (malformed: counted, skipped) or -errno (stop). */
static int parse_lines(struct moddep *md, unsigned which, const char *buf, size_t len,
		       int (*fn)(struct moddep *md, char *line))
{
	struct cursor c;
	char *line;
	bool bad;
	int r;

	if ((r = take_text(md, which, buf, len, &c)) < 0)
		return r;
	while (r >= 0 && (line = next_line(&c, &bad))) {
		if (!bad && skip_line(line))
			continue;
		r = bad ? 1 : fn(md, line);
		md->bad_lines += r > 0;
	}
	return r < 0 ? r : 0;
}

/* depmod's module file names: plain, or compressed by the kernel's build. */
static const char *const ext[] = { ".ko", ".ko.xz", ".ko.gz", ".ko.zst" };

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t e = strlen(suffix);

	return len >= e && !memcmp(s + len - e, suffix, e);
}

bool moddep_is_compressed(const char *path)
{
	for (size_t i = 1; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (ends_with(path, strlen(path), ext[i]))
			return true;
	return false;
}

int moddep_normalise(const char *s, char out[MODDEP_NAME_MAX])
{
	const char *base = strrchr(s, '/');
	size_t len;

	base = base ? base + 1 : s;
	len = strlen(base);
	for (size_t i = sizeof(ext) / sizeof(ext[0]); i-- > 0;)
		if (ends_with(base, len, ext[i])) {
			len -= strlen(ext[i]);
			break;
		}
	if (len == 0 || len >= MODDEP_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)base[i] <= ' ' || base[i] == 0x7f)
			return -EINVAL;
		out[i] = base[i] == '-' ? '_' : base[i];
	}
	out[len] = '\0';
	return 0;
}

/* "kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko" */
static int dep_line(struct moddep *md, char *line)
{
	struct moddep_mod m;
	char *colon = strchr(line, ':'), *rest, *w, name[MODDEP_NAME_MAX];
	int r;

	if (!colon)
		return 1;
	*colon = '\0';
	rest = colon + 1;
	m.path = line + strspn(line, " \t\r");
	if (m.path[strcspn(m.path, " \t\r")] || moddep_normalise(m.path, m.name) < 0)
		return 1;
	m.dep0 = md->ndeps;
	while ((w = next_word(&rest))) {
		r = moddep_normalise(w, name) < 0 ? 1 : push_dep(md, w);
		if (r != 0) {
			md->ndeps = m.dep0;
			return r;
		}
	}
	m.ndeps = md->ndeps - m.dep0;
	if ((r = push_mod(md, &m)) < 0)
		md->ndeps = m.dep0;
	return r;
}

static int cmp_mod(const void *a, const void *b)
{
	const struct moddep_mod *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->path, y->path);
}

int moddep_parse_dep(struct moddep *md, const char *buf, size_t len)
{
	int r = parse_lines(md, TEXT_DEP, buf, len, dep_line);

	if (r != -EALREADY && md->nmods)
		qsort(md->mods, md->nmods, sizeof(*md->mods), cmp_mod);
	return r;
}

/* "alias PATTERN MODULE" */
static int alias_line(struct moddep *md, char *line)
{
	char *kw = next_word(&line), *pattern = next_word(&line), *module = next_word(&line);
	char name[MODDEP_NAME_MAX];

	if (!kw || strcmp(kw, "alias") || !pattern || !module || next_word(&line) ||
	    moddep_normalise(module, name) < 0 || strchr(module, '/') || strlen(name) != strlen(module))
		return 1;
	memcpy(module, name, strlen(name)); /* '-' → '_', in our copy */
	return push_alias(md, pattern, module);
}

int moddep_parse_alias(struct moddep *md, const char *buf, size_t len)
{
	return parse_lines(md, TEXT_ALIAS, buf, len, alias_line);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* "kernel/net/packet/af_packet.ko" */
static int builtin_line(struct moddep *md, char *line)
{
	char *path = next_word(&line);
	int r;

	if (!path || next_word(&line))
		return 1;
	if ((r = room_builtin(md)) < 0)
		return r;
	if (moddep_normalise(path, md->builtin[md->nbuiltin]) < 0)
		return 1;
	md->nbuiltin++;
	return 0;
}

int moddep_parse_builtin(struct moddep *md, const char *buf, size_t len)
{
	int r = parse_lines(md, TEXT_BUILTIN, buf, len, builtin_line);

	if (r != -EALREADY && md->nbuiltin)
		qsort(md->builtin, md->nbuiltin, sizeof(*md->builtin), cmp_name);
	return r;
}

int moddep_find(const struct moddep *md, const char *name)
{
	char key[MODDEP_NAME_MAX];
	unsigned lo = 0, hi = md->nmods;

	if (moddep_normalise(name, key) < 0)
		return -ENOENT;
	/* the first of equal names: the one with the smallest path */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (strcmp(md->mods[mid].name, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < md->nmods && !strcmp(md->mods[lo].name, key) ? (int)lo : -ENOENT;
}

bool moddep_is_builtin(const struct moddep *md, const char *name)
{
	char key[MODDEP_NAME_MAX];

	if (!md->nbuiltin || moddep_normalise(name, key) < 0)
		return false;
	return bsearch(key, md->builtin, md->nbuiltin, sizeof(*md->builtin), cmp_name) != NULL;
}

struct visit {
	const struct moddep *md;
	struct moddep_order *o;
	unsigned depth;
	int stack[MODDEP_ORDER_MAX]; /* the modules being visited: a cycle check */
};

static bool in_list(const int *a, unsigned n, int x)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] == x)
			return true;
	return false;
}

static int visit(struct visit *v, int idx)
{
	const struct moddep_mod *m = &v->md->mods[idx];
	int r = 0;

	if (in_list(v->o->mod, v->o->n, idx))
		return 0;
	if (in_list(v->stack, v->depth, idx))
		return -ELOOP;
	if (v->depth == MODDEP_ORDER_MAX)
		return -E2BIG;
	v->stack[v->depth++] = idx;
	/* modprobe loads the listed dependencies from the last to the first */
	for (unsigned i = m->ndeps; i-- > 0 && r >= 0;) {
		int d = moddep_find(v->md, v->md->deps[m->dep0 + i]);

		r = d < 0 ? -EBADMSG : visit(v, d);
	}
	v->depth--;
	if (r < 0)
		return r;
	if (v->o->n == MODDEP_ORDER_MAX)
		return -E2BIG;
	v->o->mod[v->o->n++] = idx;
	return 0;
}

int moddep_order_add(const struct moddep *md, const char *name, struct moddep_order *o)
{
	struct visit *v;
	unsigned n0 = o->n;
	int idx = moddep_find(md, name), r;

	if (idx < 0)
		return idx;
	v = malloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->md = md;
	v->o = o;
	v->depth = 0;
	r = visit(v, idx);
	free(v);
	if (r < 0) {
		o->n = n0;
		return r;
	}
	return (int)(o->n - n0);
}

unsigned moddep_match(const struct moddep *md, const char *modalias, const char **names, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < md->naliases && n < max; i++) {
		const char *mod = md->aliases[i].module;
		bool seen = false;

		if (!moddep_glob(md->aliases[i].pattern, modalias))
			continue;
		for (unsigned j = 0; j < n && !seen; j++)
			seen = !strcmp(names[j], mod);
		if (!seen)
			names[n++] = mod;
	}
	return n;
}

/* A bracket expression; p is just past the '['. Sets *hit and returns the
 * pointer past its ']', or NULL when it has none (the '[' is then an
 * ordinary character, as in fnmatch). */
static const char *glob_class(const char *p, unsigned char c, bool *hit)
{
	bool neg = false, in = false;
	const char *first;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	first = p;
	while (*p && (*p != ']' || p == first)) {
		unsigned char lo, hi;

		if (*p == '\\' && p[1])
			p++;
		lo = hi = (unsigned char)*p++;
		if (*p == '-' && p[1] && p[1] != ']') {
			p += p[1] == '\\' && p[2] ? 2 : 1;
			hi = (unsigned char)*p++;
		}
		in |= lo <= c && c <= hi;
	}
	if (*p != ']')
		return NULL;
	*hit = in != neg;
	return p + 1;
}

/* One pattern element against the character c: the pattern past it, or
 * NULL when it does not match. */
static const char *glob_one(const char *p, char c)
{
	const char *next;
	bool hit = false;

	if (*p == '?')
		return p + 1;
	if (*p == '[' && (next = glob_class(p + 1, (unsigned char)c, &hit)))
		return hit ? next : NULL;
	if (*p == '\\' && p[1])
		p++;
	return *p == c ? p + 1 : NULL;
}

bool moddep_glob(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL, *next;

	for (;;) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return true;
			star_p = p;
			star_s = s;
			continue;
		}
		if (!*s && !*p)
			return true;
		if (*s && *p && (next = glob_one(p, *s))) {
			p = next;
			s++;
			continue;
		}
		/* let the last '*' take one more character, and retry */
		if (!star_p || !*star_s)
			return false;
		p = star_p;
		s = ++star_s;
	}
}
