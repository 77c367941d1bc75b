/* The profile key store: looks keys up, type-checks each assignment, fills
 * defaults, and prints the effective configuration back in .config form. */
#include "lib/profile/profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/profile/config.h"

struct key_meta {
	const char *name;
	enum key_type type;
	const char *def;
	long min, max;
};

static const struct key_meta global_keys[K_GLOBAL_COUNT] = {
#define X(n, t, d, lo, hi) { #n, KT_##t, d, lo, hi },
	PROFILE_GLOBAL_KEYS(X)
#undef X
};

static const struct key_meta guest_keys[GF_COUNT] = {
#define X(n, t, d, lo, hi) { #n, KT_##t, d, lo, hi },
	PROFILE_GUEST_KEYS(X)
#undef X
};

static const struct key_meta net_keys[NF_COUNT] = {
#define X(n, t, d, lo, hi) { #n, KT_##t, d, lo, hi },
	PROFILE_NET_KEYS(X)
#undef X
};

static bool is_net_key(unsigned key)
{
	return key >= K_GUESTS_END;
}

static const struct key_meta *key_meta(unsigned key)
{
	if (key < K_GLOBAL_COUNT)
		return &global_keys[key];
	if (is_net_key(key))
		return &net_keys[(key - K_GUESTS_END) % NF_COUNT];
	return &guest_keys[(key - K_GLOBAL_COUNT) % GF_COUNT];
}

/* A guest key's slot (1..), or a network key's number (2..). */
static unsigned key_slot(unsigned key)
{
	if (is_net_key(key))
		return (key - K_GUESTS_END) / NF_COUNT + 2;
	return (key - K_GLOBAL_COUNT) / GF_COUNT + 1;
}

const char *profile_key_name(unsigned key, char *buf)
{
	const char *kind = is_net_key(key) ? "NET" : "GUEST";
	unsigned field = is_net_key(key) ? (key - K_GUESTS_END) % NF_COUNT : (key - K_GLOBAL_COUNT) % GF_COUNT;

	if (key < K_GLOBAL_COUNT)
		return global_keys[key].name;
	if (field == 0) /* GF_ENABLE, NF_ENABLE */
		snprintf(buf, CONFIG_KEY_MAX, "%s%u", kind, key_slot(key));
	else
		snprintf(buf, CONFIG_KEY_MAX, "%s%u_%s", kind, key_slot(key), key_meta(key)->name);
	return buf;
}

enum key_type profile_key_type(unsigned key)
{
	return key_meta(key)->type;
}

const char *profile_key_default(unsigned key, char *buf)
{
	const struct key_meta *m = key_meta(key);

	unsigned n = key_slot(key);

	if (m->def)
		return m->def;
	if (!is_net_key(key))
		snprintf(buf, CONFIG_KEY_MAX, "vm%u", n); /* GUEST<n>_NAME */
	else if (m == &net_keys[NF_NAME])
		snprintf(buf, CONFIG_KEY_MAX, "net%u", n);
	else if (m == &net_keys[NF_BRIDGE])
		snprintf(buf, CONFIG_KEY_MAX, "virbr%u", n - 1);
	else if (m == &net_keys[NF_SPAN_VNI]) /* the same network number on every host: the same segment */
		snprintf(buf, CONFIG_KEY_MAX, "%u", n);
	else
		snprintf(buf, CONFIG_KEY_MAX, "10.77.%u.0/24", n - 1); /* SUBNET */
	return buf;
}

static int find_guest_key(const char *name)
{
	char *end;
	unsigned long slot;

	if (strncmp(name, "GUEST", 5) != 0 || name[5] < '1' || name[5] > '9')
		return -1;
	slot = strtoul(name + 5, &end, 10);
	if (slot < 1 || slot > PROFILE_GUEST_SLOTS)
		return -1;
	if (*end == '\0')
		return (int)K_GUEST(slot - 1, GF_ENABLE);
	if (*end != '_')
		return -1;
	for (unsigned f = GF_ENABLE + 1; f < GF_COUNT; f++)
		if (strcmp(end + 1, guest_keys[f].name) == 0)
			return (int)K_GUEST(slot - 1, f);
	return -1;
}

static int find_net_key(const char *name)
{
	char *end;
	unsigned long n;

	if (strncmp(name, "NET", 3) != 0 || name[3] < '2' || name[3] > '9')
		return -1;
	n = strtoul(name + 3, &end, 10);
	if (n < 2 || n > PROFILE_NETS)
		return -1;
	if (*end == '\0')
		return (int)K_NET(n, NF_ENABLE);
	if (*end != '_')
		return -1;
	for (unsigned f = NF_ENABLE + 1; f < NF_COUNT; f++)
		if (strcmp(end + 1, net_keys[f].name) == 0)
			return (int)K_NET(n, f);
	return -1;
}

static int find_key(const char *name)
{
	int k;

	for (unsigned i = 0; i < K_GLOBAL_COUNT; i++)
		if (strcmp(name, global_keys[i].name) == 0)
			return (int)i;
	if ((k = find_guest_key(name)) >= 0)
		return k;
	return find_net_key(name);
}

/* Checks value against the key's type; on success stores num. */
static const char *check_type(const struct key_meta *m, const char *value, long *num)
{
	char *end;

	switch (m->type) {
	case KT_BOOL:
		if (strcmp(value, "y") && strcmp(value, "n"))
			return "expected y or n";
		*num = value[0] == 'y';
		return NULL;
	case KT_INT:
		errno = 0;
		*num = strtol(value, &end, 10);
		if (!*value || *end || errno || (value[0] == '0' && value[1]))
			return "expected a decimal number";
		if (*num < m->min || *num > m->max)
			return "out of range";
		return NULL;
	case KT_STR:
		return NULL;
	}
	return "unknown type";
}

static void store_value(struct key_value *v, const char *value, long num,
			const char *source, unsigned line)
{
	char *copy = strdup(value);

	if (!copy)
		return;
	free(v->str);
	v->str = copy;
	v->num = num;
	v->source = source;
	v->line = line;
}

struct load_ctx {
	struct profile *p;
	struct diag *d;
};

static void assign(void *ctx, const char *key, const char *value, const char *source, unsigned line)
{
	struct load_ctx *lc = ctx;
	struct key_value *v;
	const struct key_meta *m;
	const char *err;
	long num = 0;
	int k = find_key(key);

	if (k < 0) {
		diag_add(lc->d, source, line, key, "unknown key (not in labinit's Kconfig)");
		return;
	}
	v = &lc->p->v[k];
	m = key_meta((unsigned)k);
	if (v->source == source && line && v->line) {
		diag_add(lc->d, source, line, key, "set again (first set at line %u)", v->line);
		return;
	}
	if ((err = check_type(m, value, &num))) {
		profile_note_error(lc->p, (unsigned)k);
		if (m->type == KT_INT && !strcmp(err, "out of range"))
			diag_add(lc->d, source, line, key, "\"%.40s\" is out of range %ld..%ld",
				 value, m->min, m->max);
		else
			diag_add(lc->d, source, line, key, "\"%.40s\": %s", value, err);
		return;
	}
	store_value(v, value, num, source, line);
}

static void fill_defaults(struct profile *p)
{
	char buf[CONFIG_KEY_MAX];

	for (unsigned k = 0; k < K_COUNT; k++) {
		const struct key_meta *m = key_meta(k);
		const char *def = profile_key_default(k, buf);
		long num = 0;

		check_type(m, def, &num);
		store_value(&p->v[k], def, num, NULL, 0);
	}
}

static int load_common(struct profile *p, const char *path, const char *buf, size_t len,
		       const char *cmdline, struct diag *d)
{
	struct load_ctx lc = { p, d };
	unsigned before = d->count;

	memset(p, 0, sizeof(*p));
	fill_defaults(p);
	if (path) {
		p->source = strdup(path);
		if (buf)
			config_parse(buf, len, p->source, assign, &lc, d);
		else
			config_parse_file(p->source, assign, &lc, d);
	}
	if (cmdline)
		config_parse_cmdline(cmdline, assign, &lc, d);
	profile_validate(p, d);
	return d->count > before ? -EINVAL : 0;
}

int profile_load(struct profile *p, const char *path, const char *cmdline, struct diag *d)
{
	return load_common(p, path, NULL, 0, cmdline, d);
}

int profile_load_buf(struct profile *p, const char *buf, size_t len, const char *source,
		     const char *cmdline, struct diag *d)
{
	return load_common(p, source, buf, len, cmdline, d);
}

void profile_note_error(struct profile *p, unsigned key)
{
	if (key < K_GLOBAL_COUNT || key >= K_GUESTS_END)
		return;
	p->broken_slots |= 1u << (key_slot(key) - 1);
	p->guest_errors++;
}

void profile_drop_broken_guests(struct profile *p)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < p->nguests; i++)
		if (!(p->broken_slots & (1u << (p->guests[i].slot - 1))))
			p->guests[kept++] = p->guests[i];
	p->nguests = kept;
}

void profile_free(struct profile *p)
{
	for (unsigned k = 0; k < K_COUNT; k++)
		free(p->v[k].str);
	free(p->source);
	memset(p, 0, sizeof(*p));
}

static void write_string(int fd, const char *name, const char *s)
{
	char out[2 * 4096 + 64];
	size_t n = (size_t)snprintf(out, sizeof(out), "CONFIG_%s=\"", name);

	for (; *s && n < sizeof(out) - 3; s++) {
		if (*s == '"' || *s == '\\')
			out[n++] = '\\';
		out[n++] = *s;
	}
	out[n++] = '"';
	out[n++] = '\n';
	(void)!write(fd, out, n);
}

void profile_write_config(const struct profile *p, int fd, bool defaults_only)
{
	char name_buf[CONFIG_KEY_MAX], def_buf[CONFIG_KEY_MAX];

	for (unsigned k = 0; k < K_COUNT; k++) {
		const char *name = profile_key_name(k, name_buf);
		const char *val = defaults_only ? profile_key_default(k, def_buf) : p->v[k].str;

		if (profile_key_type(k) == KT_STR)
			write_string(fd, name, val);
		else if (profile_key_type(k) == KT_BOOL && val[0] == 'n')
			dprintf(fd, "# CONFIG_%s is not set\n", name);
		else
			dprintf(fd, "CONFIG_%s=%s\n", name, val);
	}
}
