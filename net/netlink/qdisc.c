/* netem as the root qdisc: the spec codec, the RTM_NEWQDISC message codec
 * and the three requests. What the kernel does with each field is
 * net/sched/sch_netem.c: netem_change() reads TCA_OPTIONS as a struct
 * tc_netem_qopt followed by attributes (parse_attr), netem_dump() writes
 * it back the same way. */
#include "net/netlink/qdisc.h"

#include <errno.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define MSG_BUF 1024
#define MAX_ITEMS 32
/* psched ticks are 64 ns (PSCHED_SHIFT, include/net/pkt_sched.h); the
 * qopt's latency and jitter are in ticks, the *64 attributes in ns. */
#define PSCHED_SHIFT 6
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

/* Starts TCA_OPTIONS holding the qopt, to be closed with nl_nest_end over
 * the attributes that follow it. Not flagged NLA_F_NESTED: it is not a
 * plain nest (tc sends it the same way). */
static struct nlattr *put_qopt(struct nl_msg *m, const struct tc_netem_qopt *q)
{
	size_t at;

	if (m->overflow)
		return NULL;
	at = m->nlh->nlmsg_len;
	nl_attr_put(m, TCA_OPTIONS, q, sizeof(*q));
	return m->overflow ? NULL : (struct nlattr *)((uint8_t *)m->nlh + at);
}

static uint32_t us_to_ticks(uint32_t us)
{
	uint64_t t = ((uint64_t)us * 1000) >> PSCHED_SHIFT;

	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

int netem_build(struct nl_msg *m, void *buf, size_t size, int ifindex, const struct netem_cfg *c)
{
	struct tc_netem_qopt q = {
		.latency = us_to_ticks(c->delay_us),
		.jitter = us_to_ticks(c->jitter_us),
		.limit = c->limit ? c->limit : NETEM_LIMIT_DEFAULT,
		.loss = c->loss,
		.duplicate = c->duplicate,
		/* Reordering happens only with a gap; 1 is tc's default. */
		.gap = c->reorder ? 1 : 0,
	};
	struct tc_netem_corr corr = { 0 };
	struct tc_netem_reorder reorder = { .probability = c->reorder };
	struct tc_netem_corrupt corrupt = { 0 };
	struct tc_netem_rate rate = { .rate = c->rate_bytes_per_s >= (1ull << 32) ? UINT32_MAX
										  : (uint32_t)c->rate_bytes_per_s };
	int64_t latency = (int64_t)c->delay_us * 1000, jitter = (int64_t)c->jitter_us * 1000;
	struct tcmsg *t;
	struct nlattr *opts;

	nl_msg_init(m, buf, size, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE);
	t = nl_msg_put_header(m, sizeof(*t));
	if (t) {
		t->tcm_family = AF_UNSPEC;
		t->tcm_ifindex = ifindex;
		t->tcm_parent = TC_H_ROOT;
		t->tcm_handle = 0; /* the kernel's choice, as tc's replace */
	}
	nl_attr_put_str(m, TCA_KIND, "netem");
	opts = put_qopt(m, &q);
	/* netem_change() keeps what an attribute leaves out: each one we
	 * manage is sent, zero included, so a replace leaves no old value. */
	nl_attr_put(m, TCA_NETEM_CORR, &corr, sizeof(corr));
	nl_attr_put(m, TCA_NETEM_REORDER, &reorder, sizeof(reorder));
	nl_attr_put(m, TCA_NETEM_CORRUPT, &corrupt, sizeof(corrupt));
	nl_attr_put(m, TCA_NETEM_RATE, &rate, sizeof(rate));
	if (c->rate_bytes_per_s >= (1ull << 32))
		nl_attr_put(m, TCA_NETEM_RATE64, &c->rate_bytes_per_s, sizeof(c->rate_bytes_per_s));
	nl_attr_put(m, TCA_NETEM_LATENCY64, &latency, sizeof(latency));
	nl_attr_put(m, TCA_NETEM_JITTER64, &jitter, sizeof(jitter));
	nl_nest_end(m, opts);
	return m->overflow ? -EMSGSIZE : 0;
}

static uint32_t ns_to_us(int64_t ns)
{
	if (ns <= 0)
		return 0;
	return ns / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ns / 1000);
}

/* An attribute of exactly len bytes into v; absent or another length: 0. */
static bool attr_get(const struct nlattr *a, void *v, size_t len)
{
	if (!a || nl_attr_len(a) != len)
		return false;
	memcpy(v, nl_attr_data(a), len);
	return true;
}

int netem_decode(const void *data, size_t len, struct netem_cfg *out)
{
	const size_t at = NLA_ALIGN(sizeof(struct tc_netem_qopt));
	const struct nlattr *tb[TCA_NETEM_MAX + 1];
	struct tc_netem_qopt q;
	struct tc_netem_reorder reorder;
	struct tc_netem_rate rate;
	uint64_t rate64;
	int64_t ns;

	if (len < sizeof(q) || nl_attr_parse((const uint8_t *)data + at, len > at ? len - at : 0, tb, TCA_NETEM_MAX) < 0)
		return -EBADMSG;
	memcpy(&q, data, sizeof(q));
	memset(out, 0, sizeof(*out));
	out->delay_us = ns_to_us((int64_t)q.latency << PSCHED_SHIFT);
	out->jitter_us = ns_to_us((int64_t)q.jitter << PSCHED_SHIFT);
	if (attr_get(tb[TCA_NETEM_LATENCY64], &ns, sizeof(ns)))
		out->delay_us = ns_to_us(ns);
	if (attr_get(tb[TCA_NETEM_JITTER64], &ns, sizeof(ns)))
		out->jitter_us = ns_to_us(ns);
	out->limit = q.limit == NETEM_LIMIT_DEFAULT ? 0 : q.limit;
	out->loss = q.loss;
	out->duplicate = q.duplicate;
	/* Without a gap netem does not reorder (netem_enqueue). */
	if (q.gap)
		out->reorder = attr_get(tb[TCA_NETEM_REORDER], &reorder, sizeof(reorder)) ? reorder.probability
											     : UINT32_MAX;
	if (attr_get(tb[TCA_NETEM_RATE], &rate, sizeof(rate)))
		out->rate_bytes_per_s = rate.rate;
	if (attr_get(tb[TCA_NETEM_RATE64], &rate64, sizeof(rate64)) && rate64 > out->rate_bytes_per_s)
		out->rate_bytes_per_s = rate64;
	return 0;
}

/* The root qdisc of one link, from a dump of all (the kernel does not
 * filter qdisc dumps by tcm_ifindex). */
struct root_walk {
	int ifindex;
	bool found, netem;
	uint32_t handle;
	struct netem_cfg cfg;
	int err;
};

static int parse_qdisc(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *t = NLMSG_DATA(nlh);
	const struct nlattr *tb[TCA_MAX + 1];
	struct root_walk *w = data;
	const char *kind;

	if (nlh->nlmsg_type != RTM_NEWQDISC || nl_msg_attrs(nlh, sizeof(*t), tb, TCA_MAX) < 0)
		return -EBADMSG;
	if (t->tcm_ifindex != w->ifindex || t->tcm_parent != TC_H_ROOT)
		return 0;
	w->found = true;
	w->handle = t->tcm_handle;
	kind = tb[TCA_KIND] ? nl_attr_str(tb[TCA_KIND]) : NULL;
	w->netem = kind && !strcmp(kind, "netem");
	if (w->netem)
		w->err = tb[TCA_OPTIONS] ? netem_decode(nl_attr_data(tb[TCA_OPTIONS]), nl_attr_len(tb[TCA_OPTIONS]), &w->cfg)
					 : -EBADMSG;
	return 0;
}

static int root_qdisc(struct nl_sock *s, int ifindex, struct root_walk *w)
{
	uint8_t buf[MSG_BUF];
	struct nl_msg m;
	struct nl_error e;
	struct tcmsg *t;
	int r;

	memset(w, 0, sizeof(*w));
	w->ifindex = ifindex;
	nl_msg_init(&m, buf, sizeof(buf), RTM_GETQDISC, NLM_F_DUMP);
	t = nl_msg_put_header(&m, sizeof(*t));
	if (t) {
		t->tcm_family = AF_UNSPEC;
		t->tcm_ifindex = ifindex;
	}
	if ((r = nl_request(s, &m, parse_qdisc, w, &e)) < 0)
		return r;
	return w->err;
}

int rtnl_netem_get(struct nl_sock *s, int ifindex, struct netem_cfg *out)
{
	struct root_walk w;
	int r;

	if ((r = root_qdisc(s, ifindex, &w)) < 0)
		return r;
	if (!w.netem)
		return -ENOENT;
	*out = w.cfg;
	return 0;
}

int rtnl_netem_del(struct nl_sock *s, int ifindex, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct root_walk w;
	struct nl_msg m;
	struct tcmsg *t;
	int r;

	memset(e, 0, sizeof(*e));
	if ((r = root_qdisc(s, ifindex, &w)) < 0) {
		e->err = r;
		return r;
	}
	if (!w.netem)
		return 0;
	nl_msg_init(&m, buf, sizeof(buf), RTM_DELQDISC, 0);
	t = nl_msg_put_header(&m, sizeof(*t));
	if (t) {
		t->tcm_family = AF_UNSPEC;
		t->tcm_ifindex = ifindex;
		t->tcm_parent = TC_H_ROOT;
		/* This handle only: a root that changed meanwhile is refused. */
		t->tcm_handle = w.handle;
	}
	r = nl_request(s, &m, NULL, NULL, e);
	return r == -ENOENT ? 0 : r;
}

int rtnl_netem_set(struct nl_sock *s, int ifindex, const struct netem_cfg *c, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct nl_msg m;
	int r;

	if (netem_is_off(c))
		return rtnl_netem_del(s, ifindex, e);
	if ((r = netem_build(&m, buf, sizeof(buf), ifindex, c)) < 0) {
		memset(e, 0, sizeof(*e));
		e->err = r;
		return r;
	}
	return nl_request(s, &m, NULL, NULL, e);
}
