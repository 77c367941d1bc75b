/* DNS codec: the cursor parser, name helpers and the bounded response
 * builder. The decisions (what is rejected, what is answered) are listed in
 * dns_codec.h. */
#include "net/dns/codec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/core/bytes.h"
#include "lib/core/name.h"

/* Appends one label; false if it would make the name longer than 255. */
static bool name_put_label(struct dns_name *n, const uint8_t *label, uint8_t len)
{
	if ((size_t)n->len + 1 + len + 1 > DNS_MAX_NAME)
		return false;
	n->wire[n->len++] = len;
	memcpy(n->wire + n->len, label, len);
	n->len = (uint8_t)(n->len + len);
	n->nlabels++;
	return true;
}

static void name_put_root(struct dns_name *n)
{
	n->wire[n->len++] = 0;
}

/* A compression pointer at c->pos (RFC 1035 §4.1.4): the target must lie
 * past the header and strictly before *lowest, the lowest offset this name
 * has read from so far, and becomes the new lowest: no loop is possible. */
static int follow_pointer(struct cursor *c, size_t *lowest)
{
	uint8_t hi, lo;
	size_t target;

	if (!cur_u8(c, &hi) || !cur_u8(c, &lo))
		return -EBADMSG;
	target = (size_t)(hi & 0x3f) << 8 | lo;
	if (target < DNS_HDR_LEN || target >= *lowest)
		return -EBADMSG;
	*lowest = target;
	c->pos = target;
	return 0;
}

int dns_read_name(const uint8_t *buf, size_t len, size_t *pos, struct dns_name *out)
{
	struct cursor c = { buf, *pos, len };
	size_t lowest = *pos, end = 0;
	uint8_t ll;

	memset(out, 0, sizeof(*out));
	for (;;) {
		if (c.pos >= c.len)
			return -EBADMSG;
		ll = buf[c.pos];
		if ((ll & 0xc0) == 0xc0) {
			size_t at = c.pos;

			if (follow_pointer(&c, &lowest) < 0)
				return -EBADMSG;
			if (!end)
				end = at + 2;
			continue;
		}
		if (ll & 0xc0)
			return -EBADMSG; /* 01/10: extended label types, RFC 6891 §5 */
		c.pos++;
		if (ll == 0)
			break;
		if (ll > c.len - c.pos || !name_put_label(out, buf + c.pos, ll))
			return -EBADMSG;
		c.pos += ll;
	}
	name_put_root(out);
	*pos = end ? end : c.pos;
	return 0;
}

static void parse_header(struct cursor *c, struct dns_header *h)
{
	/* The caller checked that DNS_HDR_LEN octets are there. */
	cur_u16(c, &h->id);
	cur_u16(c, &h->flags);
	cur_u16(c, &h->qdcount);
	cur_u16(c, &h->ancount);
	cur_u16(c, &h->nscount);
	cur_u16(c, &h->arcount);
}

static int parse_question(struct cursor *c, struct dns_msg *m)
{
	if (dns_read_name(c->buf, c->len, &c->pos, &m->q.name) < 0)
		return -EBADMSG;
	if (!cur_u16(c, &m->q.qtype) || !cur_u16(c, &m->q.qclass))
		return -EBADMSG;
	m->qend = c->pos;
	m->has_question = true;
	return 0;
}

int dns_parse_query(const uint8_t *buf, size_t len, struct dns_msg *m)
{
	struct cursor c = { buf, 0, len };

	memset(m, 0, sizeof(*m));
	if (len < DNS_HDR_LEN)
		return -EBADMSG;
	parse_header(&c, &m->h);
	if (m->h.flags & DNS_F_QR)
		return -EBADMSG;
	if ((m->h.flags & DNS_F_OPCODE) >> 11 != DNS_OPCODE_QUERY)
		return DNS_RCODE_NOTIMP;
	if (m->h.qdcount != 1)
		return DNS_RCODE_FORMERR;
	if (parse_question(&c, m) < 0) {
		memset(&m->q, 0, sizeof(m->q));
		m->has_question = false;
		m->qend = 0;
		return DNS_RCODE_FORMERR;
	}
	return DNS_RCODE_NOERROR;
}

int dns_parse_response(const uint8_t *buf, size_t len, struct dns_msg *m)
{
	struct cursor c = { buf, 0, len };

	memset(m, 0, sizeof(*m));
	if (len < DNS_HDR_LEN)
		return -EBADMSG;
	parse_header(&c, &m->h);
	if (!(m->h.flags & DNS_F_QR) || m->h.qdcount != 1 || parse_question(&c, m) < 0) {
		memset(m, 0, sizeof(*m));
		return -EBADMSG;
	}
	return 0;
}

int dns_name_from_text(struct dns_name *n, const char *text)
{
	const char *s = text;

	memset(n, 0, sizeof(*n));
	if (!strcmp(s, "."))
		s++;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t ll = dot ? (size_t)(dot - s) : strlen(s);

		if (ll == 0 || ll > DNS_MAX_LABEL || !name_put_label(n, (const uint8_t *)s, (uint8_t)ll))
			return -EINVAL;
		s += ll;
		if (*s == '.')
			s++;
	}
	name_put_root(n);
	return 0;
}

int dns_name_join(struct dns_name *out, const char *label, size_t label_len, const struct dns_name *zone)
{
	memset(out, 0, sizeof(*out));
	if (label_len == 0 || label_len > DNS_MAX_LABEL ||
	    !name_put_label(out, (const uint8_t *)label, (uint8_t)label_len) ||
	    (size_t)out->len + zone->len > DNS_MAX_NAME)
		return -EINVAL;
	memcpy(out->wire + out->len, zone->wire, zone->len);
	out->len = (uint8_t)(out->len + zone->len);
	out->nlabels = (uint8_t)(out->nlabels + zone->nlabels);
	return 0;
}

/* Appends s to buf[*at..size), keeping room for the NUL. */
static void text_put(char *buf, size_t size, size_t *at, const char *s)
{
	size_t n = strlen(s);

	if (*at + n >= size)
		n = size - 1 - *at;
	memcpy(buf + *at, s, n);
	*at += n;
}

static void text_put_octet(char *buf, size_t size, size_t *at, uint8_t ch)
{
	char tmp[5];

	if (ch == '.' || ch == '\\')
		snprintf(tmp, sizeof(tmp), "\\%c", ch);
	else if (ch > 0x20 && ch < 0x7f)
		snprintf(tmp, sizeof(tmp), "%c", ch);
	else
		snprintf(tmp, sizeof(tmp), "\\%03u", ch);
	text_put(buf, size, at, tmp);
}

void dns_name_to_text(const struct dns_name *n, char *buf, size_t size)
{
	size_t at = 0, i = 0;

	if (!size)
		return;
	while (i < n->len && n->wire[i]) {
		uint8_t ll = n->wire[i++];

		if (at)
			text_put(buf, size, &at, ".");
		for (uint8_t k = 0; k < ll && i < n->len; k++)
			text_put_octet(buf, size, &at, n->wire[i++]);
	}
	if (!at)
		text_put(buf, size, &at, ".");
	buf[at] = 0;
}

/* Names compare in wire form, case-folded: the length octets are at most
 * 63, below 'A', so folding them changes nothing. */
bool dns_name_equal(const struct dns_name *a, const struct dns_name *b)
{
	return a->len == b->len && name_equal(a->wire, b->wire, a->len);
}

int dns_name_depth_in(const struct dns_name *n, const struct dns_name *zone)
{
	size_t off = 0;
	int depth = 0;

	/* Walk the label boundaries of n: zone must match a whole suffix. */
	for (;;) {
		if (n->len - off == zone->len && name_equal(n->wire + off, zone->wire, zone->len))
			return depth;
		if (off >= n->len || n->wire[off] == 0)
			return -1;
		off += 1u + n->wire[off];
		depth++;
	}
}

void dns_name_first_label(const struct dns_name *n, const uint8_t **p, uint8_t *len)
{
	*len = n->len ? n->wire[0] : 0;
	*p = n->wire + 1;
}

/* A decimal octet label "0".."255" without leading zeros. */
static bool octet_label(const uint8_t *p, uint8_t len, unsigned *v)
{
	*v = 0;
	if (len == 0 || len > 3 || (len > 1 && p[0] == '0'))
		return false;
	for (uint8_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(p[i] - '0');
	}
	return *v <= 255;
}

/* The labels of n left of the two-label zone arpa (wire form with its
 * root): their offsets in n->wire, left to right, and their count; -EINVAL
 * when n is not under it. */
static int labels_under(const struct dns_name *n, const uint8_t *arpa, size_t alen, size_t *off)
{
	struct dns_name zone;
	int depth;
	unsigned count = 0;

	memcpy(zone.wire, arpa, alen);
	zone.len = (uint8_t)alen;
	zone.nlabels = 2;
	depth = dns_name_depth_in(n, &zone);
	if (depth < 0)
		return -EINVAL;
	for (size_t o = 0; count < (unsigned)depth; o += 1u + n->wire[o])
		off[count++] = o;
	return (int)count;
}

int dns_name_reverse4(const struct dns_name *n, uint32_t *addr, unsigned *octets, unsigned *extra)
{
	static const uint8_t arpa[] = "\7in-addr\4arpa";
	size_t off[DNS_MAX_NAME / 2];      /* label offsets: at most 127 labels */
	int r = labels_under(n, arpa, sizeof(arpa), off);
	unsigned count, i = 0, v;

	if (r < 0)
		return r;
	count = (unsigned)r;
	/* From the label next to the zone leftwards: A, B, C, D of D.C.B.A. */
	*addr = 0;
	for (; i < count && i < 4; i++) {
		size_t o = off[count - 1 - i];

		if (!octet_label(n->wire + o + 1, n->wire[o], &v))
			break;
		*addr |= (uint32_t)v << (24 - 8 * i);
	}
	*octets = i;
	*extra = count - i;
	return 0;
}

/* One nibble label of ip6.arpa: a single hex digit, either case. */
static bool nibble_label(const uint8_t *p, uint8_t len, unsigned *v)
{
	char c = len == 1 ? (char)p[0] : 0;

	if (c >= '0' && c <= '9')
		*v = (unsigned)(c - '0');
	else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		*v = (unsigned)((c | 0x20) - 'a' + 10);
	else
		return false;
	return true;
}

int dns_name_reverse6(const struct dns_name *n, uint8_t addr[16], unsigned *nibbles, unsigned *extra)
{
	static const uint8_t arpa[] = "\3ip6\4arpa";
	size_t off[DNS_MAX_NAME / 2];
	int r = labels_under(n, arpa, sizeof(arpa), off);
	unsigned count, i = 0, v;

	if (r < 0)
		return r;
	count = (unsigned)r;
	memset(addr, 0, 16);
	/* RFC 3596 §2.5: the most significant nibble is next to the zone. */
	for (; i < count && i < 32; i++) {
		size_t o = off[count - 1 - i];

		if (!nibble_label(n->wire + o + 1, n->wire[o], &v))
			break;
		addr[i / 2] |= (uint8_t)(i % 2 ? v : v << 4);
	}
	*nibbles = i;
	*extra = count - i;
	return 0;
}

/* --- builder ------------------------------------------------------------ */

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	put_u16(p, (uint16_t)(v >> 16));
	put_u16(p + 2, (uint16_t)v);
}

static bool room(const struct dns_builder *b, size_t n)
{
	return !b->overflow && !b->truncated && n <= b->size - b->len;
}

void dns_build_reply(struct dns_builder *b, uint8_t *buf, size_t size, const struct dns_msg *q,
		     uint8_t rcode, uint16_t flags)
{
	uint16_t f = (uint16_t)(DNS_F_QR | (q->h.flags & (DNS_F_OPCODE | DNS_F_RD)) |
				(flags & (DNS_F_AA | DNS_F_RA)) | (rcode & DNS_F_RCODE));
	size_t need = DNS_HDR_LEN + (q->has_question ? q->q.name.len + 4u : 0);

	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->size = size;
	if (need > size) {
		b->overflow = true;
		return;
	}
	memset(buf, 0, DNS_HDR_LEN);
	put_u16(buf, q->h.id);
	put_u16(buf + 2, f);
	b->len = DNS_HDR_LEN;
	if (!q->has_question)
		return;
	put_u16(buf + 4, 1);
	memcpy(buf + b->len, q->q.name.wire, q->q.name.len);
	b->len += q->q.name.len;
	put_u16(buf + b->len, q->q.qtype);
	put_u16(buf + b->len + 2, q->q.qclass);
	b->len += 4;
	b->question = true;
}

/* Owner (pointer to the question name at offset 12), TYPE, CLASS IN, TTL,
 * RDLENGTH: RFC 1035 §4.1.3. */
static bool add_rr_head(struct dns_builder *b, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	uint8_t *p;

	if (!b->question) {
		b->overflow = true; /* no question to point at: a caller error */
		return false;
	}
	if (!room(b, 12u + rdlen)) {
		b->truncated = true;
		return false;
	}
	p = b->buf + b->len;
	put_u16(p, 0xc000 | DNS_HDR_LEN);
	put_u16(p + 2, type);
	put_u16(p + 4, DNS_CLASS_IN);
	put_u32(p + 6, ttl);
	put_u16(p + 10, rdlen);
	b->len += 12;
	return true;
}

void dns_add_a(struct dns_builder *b, uint32_t ttl, uint32_t addr)
{
	if (!add_rr_head(b, DNS_TYPE_A, ttl, 4))
		return;
	put_u32(b->buf + b->len, addr);
	b->len += 4;
	b->ancount++;
}

void dns_add_aaaa(struct dns_builder *b, uint32_t ttl, const uint8_t addr[16])
{
	if (!add_rr_head(b, DNS_TYPE_AAAA, ttl, 16))
		return;
	memcpy(b->buf + b->len, addr, 16);
	b->len += 16;
	b->ancount++;
}

void dns_add_ptr(struct dns_builder *b, uint32_t ttl, const struct dns_name *target)
{
	if (!add_rr_head(b, DNS_TYPE_PTR, ttl, target->len))
		return;
	memcpy(b->buf + b->len, target->wire, target->len);
	b->len += target->len;
	b->ancount++;
}

int dns_build_finish(struct dns_builder *b)
{
	if (b->overflow)
		return -ENOSPC;
	put_u16(b->buf + 6, b->ancount);
	if (b->truncated)
		b->buf[2] |= DNS_F_TC >> 8;
	return (int)b->len;
}

uint16_t dns_get_id(const uint8_t *buf)
{
	return (uint16_t)(buf[0] << 8 | buf[1]);
}

void dns_set_id(uint8_t *buf, uint16_t id)
{
	put_u16(buf, id);
}

const char *dns_rcode_name(unsigned rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : "RCODE?";
}
