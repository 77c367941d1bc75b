/* A link's impairments as text: the netem spec codec (netem_parse,
 * netem_format), pure, shared by the profile (CONFIG_GUESTn_NICS "@SPEC")
 * and the commands; net/netlink/qdisc.h installs it as a qdisc. */
#include "lib/core/netem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_ITEMS 32
/* Percentages are read in units of 1e-4 %. */
#define PCT_ONE 10000u
#define PCT_ALL (100u * PCT_ONE)

enum key { K_DELAY, K_JITTER, K_LOSS, K_DUPLICATE, K_REORDER, K_RATE, K_LIMIT, K_COUNT };

static const char *const key_names[K_COUNT] = {
	"delay", "jitter", "loss", "duplicate", "reorder", "rate", "limit",
};

struct unit {
	const char *name;
	uint64_t mult;
};

/* Largest first: netem_format picks the first that reads well. */
static const struct unit time_units[] = { { "s", 1000000 }, { "ms", 1000 }, { "us", 1 } };
/* In bits per second; k = 1000 (tc-bfifo(8), tc(8) "RATES"). */
static const struct unit rate_units[] = {
	{ "gbit", 1000000000 }, { "mbit", 1000000 }, { "kbit", 1000 }, { "bit", 1 },
	{ "gbps", 8000000000 }, { "mbps", 8000000 }, { "kbps", 8000 }, { "bps", 8 },
};
#define N_TIME_UNITS (sizeof(time_units) / sizeof(time_units[0]))
#define N_RATE_UNITS (sizeof(rate_units) / sizeof(rate_units[0]))
#define N_BIT_UNITS 4

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A decimal number with at most dec fraction digits, scaled by 10^dec;
 * *end points after it. -1 if there is no digit, too many decimals, or
 * the value passes 10^18. */
static int parse_fixed(const char *s, unsigned dec, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	unsigned digits = 0, frac = 0;
	bool point = false;

	for (;; s++) {
		if (*s == '.' && !point) {
			point = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			break;
		if (point && ++frac > dec)
			return -1;
		if (v > 100000000000000000ull)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		digits++;
	}
	if (digits == 0)
		return -1;
	for (; frac < dec; frac++)
		v *= 10;
	*out = v;
	*end = s;
	return 0;
}

static const struct unit *find_unit(const struct unit *u, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(u[i].name, name))
			return &u[i];
	return NULL;
}

/* "value" of item key in base units (us, bits/s): number and unit, the
 * result a whole number of base units. */
static int parse_scaled(const char *key, const char *val, const struct unit *units, size_t n,
			const char *unit_list, uint64_t *out, char *err, size_t errlen)
{
	const char *end;
	const struct unit *u;
	uint64_t v;

	if (parse_fixed(val, 6, &v, &end) < 0)
		return fail(err, errlen, "%s=%s: not a number with a unit (%s)", key, val, unit_list);
	if (*end == '\0' && v == 0) {
		*out = 0;
		return 0;
	}
	if (!(u = find_unit(units, n, end)))
		return fail(err, errlen, "%s=%s: %s \"%s\" (one of %s)", key, val, *end ? "unknown unit" : "no unit",
			    end, unit_list);
	if (v > UINT64_MAX / u->mult)
		return fail(err, errlen, "%s=%s: too large", key, val);
	v *= u->mult;
	if (v % 1000000)
		return fail(err, errlen, "%s=%s: finer than 1 %s", key, val, units[n - 1].name);
	*out = v / 1000000;
	return 0;
}

/* A percentage into the kernel's scale, UINT32_MAX for 100 % (as tc's
 * get_percent does). */
static int parse_pct(const char *key, const char *val, uint32_t *out, char *err, size_t errlen)
{
	const char *end;
	uint64_t v;

	if (parse_fixed(val, 4, &v, &end) < 0 || strcmp(end, "%") != 0)
		return fail(err, errlen, "%s=%s: not a percentage (like 1%% or 0.5%%)", key, val);
	if (v > PCT_ALL)
		return fail(err, errlen, "%s=%s: above 100%%", key, val);
	*out = (uint32_t)((v * UINT32_MAX + PCT_ALL / 2) / PCT_ALL);
	return 0;
}

static int parse_item(enum key k, const char *key, const char *val, struct netem_cfg *c, char *err,
		      size_t errlen)
{
	uint64_t v;
	int r;

	switch (k) {
	case K_DELAY:
	case K_JITTER:
		if ((r = parse_scaled(key, val, time_units, N_TIME_UNITS, "us, ms, s", &v, err, errlen)) < 0)
			return r;
		if (v > (k == K_JITTER ? NETEM_JITTER_MAX_US : UINT32_MAX))
			return fail(err, errlen, "%s=%s: too long", key, val);
		*(k == K_DELAY ? &c->delay_us : &c->jitter_us) = (uint32_t)v;
		return 0;
	case K_LOSS:
		return parse_pct(key, val, &c->loss, err, errlen);
	case K_DUPLICATE:
		return parse_pct(key, val, &c->duplicate, err, errlen);
	case K_REORDER:
		return parse_pct(key, val, &c->reorder, err, errlen);
	case K_RATE:
		if ((r = parse_scaled(key, val, rate_units, N_RATE_UNITS, "bit, kbit, mbit, gbit, bps, kbps, mbps, gbps",
				      &v, err, errlen)) < 0)
			return r;
		if (v % 8)
			return fail(err, errlen, "%s=%s: not a whole number of bytes per second", key, val);
		c->rate_bytes_per_s = v / 8;
		return 0;
	case K_LIMIT: {
		const char *end;

		if (parse_fixed(val, 0, &v, &end) < 0 || *end || v == 0 || v > UINT32_MAX)
			return fail(err, errlen, "%s=%s: not a packet count (1 or more)", key, val);
		c->limit = v == NETEM_LIMIT_DEFAULT ? 0 : (uint32_t)v;
		return 0;
	}
	case K_COUNT:
		break;
	}
	return -EINVAL;
}

static int find_key(const char *key)
{
	for (int k = 0; k < K_COUNT; k++)
		if (!strcmp(key, key_names[k]))
			return k;
	return -1;
}

/* netem delays all packets but reorder's share, which go at once: with no
 * delay there is nothing to overtake (tc refuses it too); jitter varies a
 * delay. */
static int check_cfg(const struct netem_cfg *c, char *err, size_t errlen)
{
	if (c->reorder && !c->delay_us)
		return fail(err, errlen, "reorder needs a delay (reordered packets are the undelayed ones)");
	if (c->jitter_us && !c->delay_us)
		return fail(err, errlen, "jitter needs a delay");
	if (c->limit && netem_is_off(c))
		return fail(err, errlen, "limit alone impairs nothing");
	return 0;
}

static unsigned split(char *buf, char **items)
{
	unsigned n = 0;
	char *save = NULL;

	for (char *t = strtok_r(buf, ", \t\n", &save); t; t = strtok_r(NULL, ", \t\n", &save)) {
		if (n == MAX_ITEMS)
			return MAX_ITEMS + 1;
		items[n++] = t;
	}
	return n;
}

int netem_parse(const char *spec, struct netem_cfg *out, char *err, size_t errlen)
{
	char buf[NETEM_SPEC_MAX + 1], *items[MAX_ITEMS];
	bool seen[K_COUNT] = { false };
	struct netem_cfg c = { 0 };
	unsigned n;
	int r;

	if (strlen(spec) > NETEM_SPEC_MAX)
		return fail(err, errlen, "longer than %d characters", NETEM_SPEC_MAX);
	strcpy(buf, spec);
	if ((n = split(buf, items)) > MAX_ITEMS)
		return fail(err, errlen, "more than %d items", MAX_ITEMS);
	if (n == 1 && !strcmp(items[0], "off")) {
		*out = c;
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		char *key = items[i], *val = strchr(key, '=');
		int k;

		if (val)
			*val++ = '\0';
		if (!strcmp(key, "off"))
			return fail(err, errlen, "off stands alone");
		if ((k = find_key(key)) < 0)
			return fail(err, errlen, "unknown item \"%s\" (delay, jitter, loss, duplicate, reorder, rate, limit)",
				    key);
		if (!val && (val = i + 1 < n ? items[++i] : NULL) == NULL)
			return fail(err, errlen, "%s: no value", key);
		if (seen[k])
			return fail(err, errlen, "%s given twice", key);
		seen[k] = true;
		if ((r = parse_item((enum key)k, key, val, &c, err, errlen)) < 0)
			return r;
	}
	if ((r = check_cfg(&c, err, errlen)) < 0)
		return r;
	*out = c;
	return 0;
}

bool netem_is_off(const struct netem_cfg *c)
{
	return !c->delay_us && !c->jitter_us && !c->loss && !c->duplicate && !c->reorder && !c->rate_bytes_per_s;
}

/* v base units in the first unit that shows it exactly with at most three
 * decimals (1500 us: 1.5ms; 1234567 us: 1234.567ms). */
static void put_scaled(char *out, size_t size, uint64_t v, const struct unit *units, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t m = units[i].mult, step = m >= 1000 ? m / 1000 : 1;
		char frac[8] = "";

		if (v < m && i + 1 < n)
			continue;
		if (v % step)
			continue;
		if (v % m) {
			snprintf(frac, sizeof(frac), ".%03u", (unsigned)(v % m / step));
			for (size_t j = strlen(frac) - 1; frac[j] == '0'; j--)
				frac[j] = '\0';
		}
		snprintf(out, size, "%llu%s%s", (unsigned long long)(v / m), frac, units[i].name);
		return;
	}
}

static void put_pct(char *out, size_t size, uint32_t k)
{
	uint64_t v = ((uint64_t)k * PCT_ALL + UINT32_MAX / 2) / UINT32_MAX;
	char frac[8] = "";

	if (v == 0)
		v = 1; /* present, if smaller than we print */
	if (v % PCT_ONE) {
		snprintf(frac, sizeof(frac), ".%04u", (unsigned)(v % PCT_ONE));
		for (size_t j = strlen(frac) - 1; frac[j] == '0'; j--)
			frac[j] = '\0';
	}
	snprintf(out, size, "%llu%s%%", (unsigned long long)(v / PCT_ONE), frac);
}

int netem_format(const struct netem_cfg *c, char *buf, size_t size)
{
	char item[K_COUNT][40] = { "" };
	size_t len = 0;

	if (size == 0)
		return -ENOSPC;
	if (c->delay_us)
		put_scaled(item[K_DELAY], sizeof(item[0]), c->delay_us, time_units, N_TIME_UNITS);
	if (c->jitter_us)
		put_scaled(item[K_JITTER], sizeof(item[0]), c->jitter_us, time_units, N_TIME_UNITS);
	if (c->loss)
		put_pct(item[K_LOSS], sizeof(item[0]), c->loss);
	if (c->duplicate)
		put_pct(item[K_DUPLICATE], sizeof(item[0]), c->duplicate);
	if (c->reorder)
		put_pct(item[K_REORDER], sizeof(item[0]), c->reorder);
	if (c->rate_bytes_per_s > UINT64_MAX / 8)
		put_scaled(item[K_RATE], sizeof(item[0]), c->rate_bytes_per_s, &rate_units[N_RATE_UNITS - 1], 1);
	else if (c->rate_bytes_per_s)
		put_scaled(item[K_RATE], sizeof(item[0]), c->rate_bytes_per_s * 8, rate_units, N_BIT_UNITS);
	if (c->limit)
		snprintf(item[K_LIMIT], sizeof(item[0]), "%u", c->limit);
	buf[0] = '\0';
	for (int k = 0; k < K_COUNT; k++)
		if (item[k][0])
			len += (size_t)snprintf(buf + (len < size ? len : size - 1), len < size ? size - len : 1, "%s%s %s",
						len ? " " : "", key_names[k], item[k]);
	if (len == 0)
		len = (size_t)snprintf(buf, size, "off");
	return len < size ? (int)len : -ENOSPC;
}

