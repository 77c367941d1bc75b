/* The router advertisement and the solicitation check: RFC 4861 §4.1,
 * §4.2, §4.6 (options), RFC 8106 §5 (RDNSS, DNSSL). */
#include <errno.h>
#include <string.h>

#include "lib/core/name.h"
#include "net/ndp/ndp.h"

#define OPT_SOURCE_LLA 1
#define OPT_PREFIX 3
#define OPT_MTU 5
#define OPT_RDNSS 25
#define OPT_DNSSL 31
#define PREFIX_ON_LINK 0x80
#define PREFIX_AUTONOMOUS 0x40
#define RA_MANAGED 0x80
#define RA_OTHER 0x40
#define RA_HOP_LIMIT 64

struct out {
	uint8_t *p;
	size_t len, size;
	bool overflow;
};

static uint8_t *put(struct out *o, size_t n)
{
	uint8_t *at;

	if (o->overflow || o->size - o->len < n) {
		o->overflow = true;
		return NULL;
	}
	at = o->p + o->len;
	memset(at, 0, n);
	o->len += n;
	return at;
}

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v);
}

/* An option of n bytes (a multiple of 8), its type and length set. */
static uint8_t *option(struct out *o, uint8_t type, size_t n)
{
	uint8_t *p = put(o, n);

	if (p) {
		p[0] = type;
		p[1] = (uint8_t)(n / 8);
	}
	return p;
}

static void put_prefix(struct out *o, const uint8_t prefix[16])
{
	uint8_t *p = option(o, OPT_PREFIX, 32);

	if (!p)
		return;
	p[2] = 64;
	p[3] = PREFIX_ON_LINK | PREFIX_AUTONOMOUS;
	be32(p + 4, NDP_PREFIX_VALID_S);
	be32(p + 8, NDP_PREFIX_PREFERRED_S);
	memcpy(p + 16, prefix, 16);
}

/* RFC 8106 §5.2: the domain as DNS labels (RFC 1035 §3.1), the option
 * padded with zeros to a multiple of 8. */
static int put_dnssl(struct out *o, const char *domain)
{
	size_t n = strlen(domain), wire = n + 2, size = (8 + wire + 7) / 8 * 8;
	uint8_t *p;

	if (!name_is_domain(domain, n))
		return -EINVAL;
	if (!(p = option(o, OPT_DNSSL, size)))
		return 0;
	be32(p + 4, NDP_DNS_LIFETIME_S);
	p += 8;
	for (const char *label = domain; *label;) {
		size_t l = strcspn(label, ".");

		*p++ = (uint8_t)l;
		memcpy(p, label, l);
		p += l;
		label += l + (label[l] == '.');
	}
	return 0;
}

int ndp_build_ra(const struct ndp_config *c, uint8_t *buf, size_t size)
{
	struct out o = { buf, 0, size, false };
	static const uint8_t none[16];
	uint8_t *p = put(&o, 16);

	if (p) {
		p[0] = NDP_RA;
		p[4] = RA_HOP_LIMIT;
		p[5] = (uint8_t)((c->managed ? RA_MANAGED : 0) | (c->other ? RA_OTHER : 0));
		be16(p + 6, NDP_ROUTER_LIFETIME_S);
	}
	if ((p = option(&o, OPT_SOURCE_LLA, 8)))
		memcpy(p + 2, c->mac, 6);
	if (c->mtu && (p = option(&o, OPT_MTU, 8)))
		be32(p + 4, c->mtu);
	put_prefix(&o, c->prefix);
	if (memcmp(c->rdnss, none, 16) && (p = option(&o, OPT_RDNSS, 24))) {
		be32(p + 4, NDP_DNS_LIFETIME_S);
		memcpy(p + 8, c->rdnss, 16);
	}
	if (c->domain && c->domain[0] && put_dnssl(&o, c->domain) < 0)
		return -EINVAL;
	return o.overflow ? -EMSGSIZE : (int)o.len;
}

bool ndp_valid_rs(const uint8_t *pkt, size_t len, int hop_limit, bool from_unspecified)
{
	if (len < 8 || pkt[0] != NDP_RS || pkt[1] != 0 || hop_limit != 255)
		return false;
	for (size_t at = 8; at < len;) {
		size_t n;

		if (len - at < 2 || pkt[at + 1] == 0)
			return false;
		n = (size_t)pkt[at + 1] * 8;
		if (n > len - at)
			return false;
		if (pkt[at] == OPT_SOURCE_LLA && from_unspecified)
			return false;
		at += n;
	}
	return true;
}
