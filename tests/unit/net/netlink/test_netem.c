/* The netem codecs without a kernel: specs good and bad (the error names
 * the item), parse -> format -> parse round trips, and the RTM_NEWQDISC
 * request decoded back with nl_attr_parse to the qopt and attributes
 * netem_change() reads (net/sched/sch_netem.c). The kernel itself is in
 * tests/net/test_netem.sh. */
#include <errno.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "net/netlink/qdisc.h"
#include "t.h"

#define PCT(p) ((uint32_t)(((uint64_t)(p) * UINT32_MAX + 500000) / 1000000)) /* p in 1e-4 % */

static void test_parse_good(void)
{
	struct netem_cfg c;
	char err[160] = "";

	CHECK(netem_parse("delay=20ms,jitter=5ms,loss=1%,duplicate=0.5%,reorder=25%,rate=10mbit", &c, err,
			  sizeof(err)) == 0);
	CHECK_MSG(c.delay_us == 20000 && c.jitter_us == 5000, "%u %u", c.delay_us, c.jitter_us);
	CHECK(c.loss == PCT(10000) && c.duplicate == PCT(5000) && c.reorder == PCT(250000));
	CHECK(c.rate_bytes_per_s == 1250000 && c.limit == 0);

	/* blanks, "key value", other units */
	CHECK(netem_parse("  delay 1.5s loss=100%  rate 3kbps limit=50", &c, err, sizeof(err)) == 0);
	CHECK(c.delay_us == 1500000 && c.loss == UINT32_MAX && c.rate_bytes_per_s == 3000 && c.limit == 50);
	CHECK(netem_parse("delay=250us, rate=1gbit", &c, err, sizeof(err)) == 0);
	CHECK(c.delay_us == 250 && c.rate_bytes_per_s == 125000000);
	CHECK(netem_parse("delay=0.000001s,rate=100Bps,loss=0.0001%", &c, err, sizeof(err)) == 0);
	CHECK(c.delay_us == 1 && c.rate_bytes_per_s == 100 && c.loss == PCT(1));
	CHECK(netem_parse("rate=40gbit", &c, err, sizeof(err)) == 0);
	CHECK(c.rate_bytes_per_s == 5000000000ull);
	CHECK(netem_parse("delay=1ms,limit=1000", &c, err, sizeof(err)) == 0 && c.limit == 0);

	memset(&c, 0xff, sizeof(c));
	CHECK(netem_parse("off", &c, err, sizeof(err)) == 0 && netem_is_off(&c) && c.limit == 0);
	memset(&c, 0xff, sizeof(c));
	CHECK(netem_parse("", &c, err, sizeof(err)) == 0 && netem_is_off(&c));
	CHECK(netem_parse(" , ", &c, err, sizeof(err)) == 0 && netem_is_off(&c));
	CHECK(netem_parse("delay=0", &c, err, sizeof(err)) == 0 && netem_is_off(&c));
}

static void bad(const char *spec, const char *want)
{
	struct netem_cfg c = { .delay_us = 77 };
	char err[160] = "";
	int r = netem_parse(spec, &c, err, sizeof(err));

	CHECK_MSG(r == -EINVAL, "\"%s\" accepted", spec);
	CHECK_MSG(strstr(err, want) != NULL, "\"%s\": error \"%s\" lacks \"%s\"", spec, err, want);
	CHECK_MSG(c.delay_us == 77, "\"%s\": out changed on error", spec);
}

static void test_parse_bad(void)
{
	bad("delay=20xs", "delay=20xs: unknown unit \"xs\"");
	bad("delay=20", "delay=20: no unit");
	bad("delay=ms", "delay=ms: not a number");
	bad("delay=-1ms", "delay=-1ms");
	bad("delay=0.5us", "delay=0.5us: finer than 1 us");
	bad("delay=5000s", "delay=5000s: too long");
	bad("delay=10ms,jitter=3s", "jitter=3s: too long");
	bad("loss=1", "loss=1: not a percentage");
	bad("loss=101%", "loss=101%: above 100%");
	bad("loss=0.00001%", "loss=0.00001%: not a percentage");
	bad("duplicate=x%", "duplicate=x%");
	bad("rate=10mbits", "rate=10mbits: unknown unit");
	bad("rate=1001bit", "rate=1001bit: not a whole number of bytes");
	bad("rate=99999999999gbps", "rate=99999999999gbps: too large");
	bad("limit=0,delay=1ms", "limit=0: not a packet count");
	bad("limit=5", "limit alone");
	bad("colour=blue", "unknown item \"colour\"");
	bad("delay=1ms,off", "off stands alone");
	bad("delay=1ms loss", "loss: no value");
	bad("delay=1ms,delay=2ms", "delay given twice");
	bad("reorder=25%", "reorder needs a delay");
	bad("jitter=5ms", "jitter needs a delay");
}

static void roundtrip(const char *spec, const char *want)
{
	struct netem_cfg a, b;
	char err[160] = "", buf[NETEM_SPEC_MAX];

	CHECK_MSG(netem_parse(spec, &a, err, sizeof(err)) == 0, "%s: %s", spec, err);
	CHECK(netem_format(&a, buf, sizeof(buf)) == (int)strlen(buf));
	CHECK_MSG(!strcmp(buf, want), "\"%s\" formats as \"%s\", not \"%s\"", spec, buf, want);
	CHECK_MSG(netem_parse(buf, &b, err, sizeof(err)) == 0 && !memcmp(&a, &b, sizeof(a)), "\"%s\" reads back: %s",
		  buf, err);
}

static void test_roundtrip(void)
{
	roundtrip("delay=20ms,jitter=5ms,loss=1%", "delay 20ms jitter 5ms loss 1%");
	roundtrip("delay=20ms,jitter=5ms,loss=1%,duplicate=0.5%,reorder=25%,rate=10mbit",
		  "delay 20ms jitter 5ms loss 1% duplicate 0.5% reorder 25% rate 10mbit");
	roundtrip("delay=1500us,rate=1.5mbit", "delay 1.5ms rate 1.5mbit");
	roundtrip("delay=1234567us", "delay 1234.567ms");
	roundtrip("delay=2s,loss=0.0001%,limit=100", "delay 2s loss 0.0001% limit 100");
	roundtrip("rate=3kbps", "rate 24kbit");
	roundtrip("rate=100bps", "rate 800bit");
	roundtrip("rate=40gbit", "rate 40gbit");
	roundtrip("loss=100%,delay=1us,limit=1000", "delay 1us loss 100%");
	roundtrip("off", "off");

	/* A value the kernel holds that no spec gives still prints. */
	struct netem_cfg c = { .loss = 1 };
	char buf[NETEM_SPEC_MAX], tiny[8];

	CHECK(netem_format(&c, buf, sizeof(buf)) > 0 && !strcmp(buf, "loss 0.0001%"));
	c = (struct netem_cfg){ .delay_us = 20000, .jitter_us = 5000, .loss = UINT32_MAX };
	CHECK(netem_format(&c, tiny, sizeof(tiny)) == -ENOSPC && strlen(tiny) == sizeof(tiny) - 1);
}

/* The attribute's payload, if present with exactly len bytes. */
static bool attr_copy(const struct nlattr *a, void *v, size_t len)
{
	if (!a || nl_attr_len(a) != len)
		return false;
	memcpy(v, nl_attr_data(a), len);
	return true;
}

/* The request as netem_change() reads it: tcmsg, TCA_KIND, TCA_OPTIONS =
 * qopt then attributes. */
static void test_request(void)
{
	struct netem_cfg c;
	uint8_t buf[1024];
	struct nl_msg m;
	const struct nlattr *tb[TCA_MAX + 1], *nt[TCA_NETEM_MAX + 1];
	const struct tcmsg *t;
	struct tc_netem_qopt q;
	struct tc_netem_reorder ro;
	struct tc_netem_rate rate;
	int64_t ns;
	char err[160];

	CHECK(netem_parse("delay=20ms,jitter=5ms,loss=1%,duplicate=0.5%,reorder=25%,rate=10mbit", &c, err,
			  sizeof(err)) == 0);
	CHECK(netem_build(&m, buf, sizeof(buf), 42, &c) == 0);
	CHECK(m.nlh->nlmsg_type == RTM_NEWQDISC);
	CHECK((m.nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE | NLM_F_EXCL)) == (NLM_F_CREATE | NLM_F_REPLACE));
	t = NLMSG_DATA(m.nlh);
	CHECK(t->tcm_ifindex == 42 && t->tcm_parent == TC_H_ROOT && t->tcm_handle == 0);
	CHECK(nl_msg_attrs(m.nlh, sizeof(*t), tb, TCA_MAX) == 0);
	CHECK(tb[TCA_KIND] && nl_attr_str(tb[TCA_KIND]) && !strcmp(nl_attr_str(tb[TCA_KIND]), "netem"));
	if (!tb[TCA_OPTIONS] || nl_attr_len(tb[TCA_OPTIONS]) < sizeof(q)) {
		CHECK(!"TCA_OPTIONS holds a qopt");
		return;
	}
	CHECK((tb[TCA_OPTIONS]->nla_type & NLA_F_NESTED) == 0);
	/* the attributes end where the message ends */
	CHECK((const uint8_t *)tb[TCA_OPTIONS] + tb[TCA_OPTIONS]->nla_len == buf + m.nlh->nlmsg_len);
	memcpy(&q, nl_attr_data(tb[TCA_OPTIONS]), sizeof(q));
	CHECK_MSG(q.latency == 20000 * 1000 / 64 && q.jitter == 5000 * 1000 / 64, "ticks %u %u", q.latency, q.jitter);
	CHECK(q.limit == NETEM_LIMIT_DEFAULT && q.loss == PCT(10000) && q.duplicate == PCT(5000) && q.gap == 1);
	CHECK(nl_attr_parse((const uint8_t *)nl_attr_data(tb[TCA_OPTIONS]) + NLA_ALIGN(sizeof(q)),
			    nl_attr_len(tb[TCA_OPTIONS]) - NLA_ALIGN(sizeof(q)), nt, TCA_NETEM_MAX) == 0);
	CHECK(attr_copy(nt[TCA_NETEM_LATENCY64], &ns, sizeof(ns)) && ns == 20000000);
	CHECK(attr_copy(nt[TCA_NETEM_JITTER64], &ns, sizeof(ns)) && ns == 5000000);
	CHECK(attr_copy(nt[TCA_NETEM_REORDER], &ro, sizeof(ro)) && ro.probability == PCT(250000) && ro.correlation == 0);
	CHECK(attr_copy(nt[TCA_NETEM_RATE], &rate, sizeof(rate)) && rate.rate == 1250000 && rate.packet_overhead == 0);
	CHECK(nt[TCA_NETEM_CORR] && nl_attr_len(nt[TCA_NETEM_CORR]) == sizeof(struct tc_netem_corr));
	CHECK(nt[TCA_NETEM_CORRUPT] && nl_attr_len(nt[TCA_NETEM_CORRUPT]) == sizeof(struct tc_netem_corrupt));
	CHECK(!nt[TCA_NETEM_RATE64] && !nt[TCA_NETEM_LOSS] && !nt[TCA_NETEM_SLOT]);

	/* netem_decode reads the same layout back (the kernel's dump has it) */
	struct netem_cfg d;

	CHECK(netem_decode(nl_attr_data(tb[TCA_OPTIONS]), nl_attr_len(tb[TCA_OPTIONS]), &d) == 0);
	CHECK(!memcmp(&c, &d, sizeof(c)));
}

/* Rates past 32 bits: rate.rate saturates and RATE64 carries the value. */
static void test_rate64(void)
{
	struct netem_cfg c = { .rate_bytes_per_s = 5000000000ull }, d;
	uint8_t buf[1024];
	struct nl_msg m;
	const struct nlattr *tb[TCA_MAX + 1];

	CHECK(netem_build(&m, buf, sizeof(buf), 1, &c) == 0);
	CHECK(nl_msg_attrs(m.nlh, sizeof(struct tcmsg), tb, TCA_MAX) == 0 && tb[TCA_OPTIONS]);
	if (!tb[TCA_OPTIONS])
		return;
	CHECK(netem_decode(nl_attr_data(tb[TCA_OPTIONS]), nl_attr_len(tb[TCA_OPTIONS]), &d) == 0);
	CHECK(d.rate_bytes_per_s == 5000000000ull && d.delay_us == 0 && d.reorder == 0);
	/* too small a buffer is refused, not cut */
	CHECK(netem_build(&m, buf, 60, 1, &c) == -EMSGSIZE);
}

static void test_decode_bad(void)
{
	uint8_t b[64] = { 0 };
	struct netem_cfg d;
	struct nlattr *a = (struct nlattr *)(b + sizeof(struct tc_netem_qopt));

	CHECK(netem_decode(b, sizeof(struct tc_netem_qopt) - 1, &d) == -EBADMSG);
	CHECK(netem_decode(b, sizeof(struct tc_netem_qopt), &d) == 0 && netem_is_off(&d));
	a->nla_len = 200; /* past the end */
	a->nla_type = TCA_NETEM_RATE;
	CHECK(netem_decode(b, sizeof(struct tc_netem_qopt) + 8, &d) == -EBADMSG);
	/* an attribute of the wrong size is ignored, as if absent */
	a->nla_len = NLA_HDRLEN + 4;
	memset(b + sizeof(struct tc_netem_qopt) + NLA_HDRLEN, 0xff, 4);
	CHECK(netem_decode(b, sizeof(struct tc_netem_qopt) + 8, &d) == 0 && d.rate_bytes_per_s == 0);
}

int main(void)
{
	test_parse_good();
	test_parse_bad();
	test_roundtrip();
	test_request();
	test_rate64();
	test_decode_bad();
	return T_DONE();
}
