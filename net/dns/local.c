/* The lab's names and the answers given here rather than upstream: the
 * host table and dnsd_answer_local(), the policy, which touches no socket. */
#include <errno.h>
#include <string.h>

#include "lib/core/name.h"
#include "net/dns/dnsd.h"

static const struct dnsd_host *host_find(const struct dnsd *d, const char *name, size_t n)
{
	for (unsigned i = 0; i < DNSD_MAX_HOSTS; i++) {
		const struct dnsd_host *h = &d->hosts[i];

		if (h->name[0] && strlen(h->name) == n && name_equal(h->name, name, n))
			return h;
	}
	return NULL;
}

static int host_put(struct dnsd *d, const char *name, uint32_t ip, bool pinned)
{
	size_t n = strlen(name);
	struct dnsd_host *h;

	if (!name_is_label(name, n, DNS_MAX_LABEL) || !addr_in_prefix(ip, &d->subnet))
		return -EINVAL;
	h = (struct dnsd_host *)host_find(d, name, n);
	if (h && h->pinned && (!pinned || h->ip != ip))
		return h->ip == ip ? 0 : -EEXIST;
	for (unsigned i = 0; !h && i < DNSD_MAX_HOSTS; i++)
		if (!d->hosts[i].name[0]) {
			h = &d->hosts[i];
			memset(h, 0, sizeof(*h));
		}
	if (!h)
		return -ENOSPC;
	memcpy(h->name, name, n + 1);
	h->ip = ip;
	h->pinned = pinned;
	return 0;
}

int dnsd_host_pin(struct dnsd *d, const char *name, uint32_t ip)
{
	return host_put(d, name, ip, true);
}

int dnsd_host_set(struct dnsd *d, const char *name, uint32_t ip)
{
	return host_put(d, name, ip, false);
}

int dnsd_host_set6(struct dnsd *d, const char *name, const uint8_t mac[6])
{
	struct dnsd_host *h = (struct dnsd_host *)host_find(d, name, strlen(name));

	if (!d->ipv6)
		return -EINVAL;
	if (!h)
		return -ENOENT;
	addr_eui64(d->prefix6, mac, h->ip6);
	h->has6 = true;
	return 0;
}

int dnsd_host_del(struct dnsd *d, const char *name)
{
	struct dnsd_host *h = (struct dnsd_host *)host_find(d, name, strlen(name));

	if (!h)
		return -ENOENT;
	if (h->pinned)
		return -EPERM;
	memset(h, 0, sizeof(*h));
	return 0;
}

/* RA: recursion is available unless we never forward (RFC 1035 §4.1.1). */
static uint16_t flags_of(const struct dnsd *d, bool authoritative)
{
	return (uint16_t)((d->no_forward ? 0 : DNS_F_RA) | (authoritative ? DNS_F_AA : 0));
}

/* A reply without answer records: an error, NXDOMAIN, or NOERROR without
 * data. No SOA goes with it, so it is not cached (RFC 2308 §5). */
static int reply_empty(const struct dnsd *d, const struct dns_msg *m, uint8_t rcode, bool aa,
		       uint8_t *out, size_t size)
{
	struct dns_builder b;

	dns_build_reply(&b, out, size, m, rcode, flags_of(d, aa));
	return dns_build_finish(&b);
}

static bool wants(const struct dns_msg *m, uint16_t type)
{
	return m->q.qtype == type || m->q.qtype == DNS_TYPE_ANY;
}

/* A lab name: A for A, AAAA for AAAA when it has one, both for ANY;
 * NOERROR without data for the rest (the name exists: never NXDOMAIN). */
static int answer_host(const struct dnsd *d, const struct dns_msg *m, const struct dnsd_host *h,
		       uint8_t *out, size_t size)
{
	struct dns_builder b;

	dns_build_reply(&b, out, size, m, DNS_RCODE_NOERROR, flags_of(d, true));
	if (wants(m, DNS_TYPE_A))
		dns_add_a(&b, DNSD_LOCAL_TTL, h->ip);
	if (h->has6 && wants(m, DNS_TYPE_AAAA))
		dns_add_aaaa(&b, DNSD_LOCAL_TTL, h->ip6);
	return dns_build_finish(&b);
}

/* D.C.B.A.in-addr.arpa inside the lab subnet: a PTR to NAME.DOMAIN for
 * every name of that address, or NXDOMAIN (RFC 1035 §3.5). */
static int answer_ptr(const struct dnsd *d, const struct dns_msg *m, uint32_t ip, const uint8_t *ip6,
		      uint8_t *out, size_t size)
{
	struct dns_builder b;
	struct dns_name target;
	bool found = false;

	dns_build_reply(&b, out, size, m, DNS_RCODE_NOERROR, flags_of(d, true));
	for (unsigned i = 0; i < DNSD_MAX_HOSTS; i++) {
		const struct dnsd_host *h = &d->hosts[i];

		if (!h->name[0] || (ip6 ? !h->has6 || memcmp(h->ip6, ip6, 16) : h->ip != ip))
			continue;
		found = true;
		if (wants(m, DNS_TYPE_PTR) && dns_name_join(&target, h->name, strlen(h->name), &d->domain) == 0)
			dns_add_ptr(&b, DNSD_LOCAL_TTL, &target);
	}
	if (!found)
		return reply_empty(d, m, DNS_RCODE_NXDOMAIN, true, out, size);
	return dns_build_finish(&b);
}

/*
 * Reverse names of the lab subnet are ours whatever they are, so questions
 * about guests' private addresses never leak upstream (RFC 6303 has
 * resolvers serve private reverse zones locally): a full address gets its
 * PTR or NXDOMAIN, a shorter prefix inside the subnet is an empty
 * non-terminal (NOERROR, no data: RFC 8020 §2 forbids NXDOMAIN above names
 * that exist), anything deeper is NXDOMAIN. Returns 0 when not ours.
 */
static int answer_reverse(const struct dnsd *d, const struct dns_msg *m, uint8_t *out, size_t size)
{
	uint32_t ip;
	unsigned octets, extra;

	if (dns_name_reverse4(&m->q.name, &ip, &octets, &extra) < 0 || octets == 0)
		return 0;
	if (octets * 8 < d->subnet.len || !addr_in_prefix(ip, &d->subnet))
		return 0; /* above or beside the lab's zone: upstream's business */
	if (extra)
		return reply_empty(d, m, DNS_RCODE_NXDOMAIN, true, out, size);
	if (octets < 4)
		return reply_empty(d, m, DNS_RCODE_NOERROR, true, out, size);
	return answer_ptr(d, m, ip, NULL, out, size);
}

/* The same for N.N.....ip6.arpa inside the lab's /64 (16 nibbles). */
static int answer_reverse6(const struct dnsd *d, const struct dns_msg *m, uint8_t *out, size_t size)
{
	uint8_t ip6[16];
	unsigned nibbles, extra;

	if (!d->ipv6 || dns_name_reverse6(&m->q.name, ip6, &nibbles, &extra) < 0 || nibbles < 16 ||
	    memcmp(ip6, d->prefix6, 8))
		return 0;
	if (extra)
		return reply_empty(d, m, DNS_RCODE_NXDOMAIN, true, out, size);
	if (nibbles < 32)
		return reply_empty(d, m, DNS_RCODE_NOERROR, true, out, size);
	return answer_ptr(d, m, 0, ip6, out, size);
}

static int answer_name(const struct dnsd *d, const struct dns_msg *m, uint8_t *out, size_t size)
{
	int depth = dns_name_depth_in(&m->q.name, &d->domain);
	const struct dnsd_host *h = NULL;
	const uint8_t *label;
	uint8_t ll;
	int r;

	/* NAME and NAME.DOMAIN */
	if (m->q.name.nlabels == 1 || depth == 1) {
		dns_name_first_label(&m->q.name, &label, &ll);
		h = host_find(d, (const char *)label, ll);
		if (h)
			return answer_host(d, m, h, out, size);
	}
	if (depth == 0) /* the domain itself exists: no data */
		return reply_empty(d, m, DNS_RCODE_NOERROR, true, out, size);
	if (depth > 0)
		return reply_empty(d, m, DNS_RCODE_NXDOMAIN, true, out, size);
	r = answer_reverse(d, m, out, size);
	if (r == 0)
		r = answer_reverse6(d, m, out, size);
	if (r != 0)
		return r;
	if (d->no_forward)
		return reply_empty(d, m, DNS_RCODE_REFUSED, false, out, size);
	return 0;
}

int dnsd_answer_local(const struct dnsd *d, const uint8_t *q, size_t qlen, uint8_t *out, size_t outsize)
{
	struct dns_msg m;
	int st = dns_parse_query(q, qlen, &m);

	if (st < 0)
		return st;
	if (st > 0)
		return reply_empty(d, &m, (uint8_t)st, false, out, outsize);
	/* RFC 1035 §3.2.4: IN is the class of the Internet; we serve nothing else. */
	if (m.q.qclass != DNS_CLASS_IN)
		return reply_empty(d, &m, DNS_RCODE_NOTIMP, false, out, outsize);
	/* No zone transfers (RFC 5936 §5 lets a server refuse them), and no
	 * forwarding them over our UDP path either. */
	if (m.q.qtype == DNS_TYPE_AXFR || m.q.qtype == DNS_TYPE_IXFR)
		return reply_empty(d, &m, DNS_RCODE_REFUSED, false, out, outsize);
	return answer_name(d, &m, out, outsize);
}
