/* netem as the root qdisc: the spec codec, the RTM_NEWQDISC message codec
 * and the three requests. What the kernel does with each field is
 * net/sched/sch_netem.c: netem_change() reads TCA_OPTIONS as a struct
 * tc_netem_qopt followed by attributes (parse_attr), netem_dump() writes
 * it back the same way. */
#include "net/netlink/qdisc.h"

#include <errno.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define MSG_BUF 1024
/* psched ticks are 64 ns (PSCHED_SHIFT, include/net/pkt_sched.h); the
 * qopt's latency and jitter are in ticks, the *64 attributes in ns. */
#define PSCHED_SHIFT 6

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
