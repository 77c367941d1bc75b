/* DHCPv6 message codec: one cursor per option container, exact lengths,
 * and a builder that never writes past its buffer. The rules are listed
 * in codec.h. */
#include "net/dhcp6/codec.h"

#include <errno.h>
#include <string.h>

#include "lib/core/bytes.h"
#include "lib/core/name.h"

/* The next option of a container: 1 with code and value set, 0 at its
 * end, -EBADMSG when the header or the value would run past it. */
static int opt_next(struct cursor *c, uint16_t *code, struct cursor *val)
{
	uint16_t len;
	const uint8_t *p;

	if (c->pos == c->len)
		return 0;
	if (!cur_u16(c, code) || !cur_u16(c, &len) || !cur_take(c, len, &p))
		return -EBADMSG;
	*val = (struct cursor){ p, 0, len };
	return 1;
}

/* §11.1: a type code and 1..128 octets. */
static int get_duid(const struct cursor *v, struct dhcp6_duid *d)
{
	if (d->len || v->len < 3 || v->len > DHCP6_DUID_MAX)
		return -EBADMSG;
	memcpy(d->id, v->buf, v->len);
	d->len = (uint8_t)v->len;
	return 0;
}

/* §21.13: a code and a UTF-8 message, kept for logging as ASCII. */
static int get_status(const struct cursor *v, struct dhcp6_status_opt *s)
{
	size_t n;

	if (s->present || v->len < 2)
		return -EBADMSG;
	s->present = true;
	s->code = get_be16(v->buf);
	n = v->len - 2 < sizeof(s->msg) - 1 ? v->len - 2 : sizeof(s->msg) - 1;
	for (size_t i = 0; i < n; i++)
		s->msg[i] = v->buf[2 + i] >= 0x20 && v->buf[2 + i] < 0x7f ? (char)v->buf[2 + i] : '?';
	s->msg[n] = '\0';
	return 0;
}

/* §21.6: address, lifetimes, then options of which only STATUS_CODE counts. */
static int get_iaaddr(struct cursor *v, struct dhcp6_iaaddr *a)
{
	const uint8_t *p;
	struct cursor o;
	uint16_t code;
	int r;

	if (!cur_take(v, 16, &p) || !cur_u32(v, &a->preferred) || !cur_u32(v, &a->valid) ||
	    a->preferred > a->valid)
		return -EBADMSG;
	memcpy(a->addr, p, 16);
	while ((r = opt_next(v, &code, &o)) > 0)
		if (code == DHCP6_OPT_STATUS_CODE && (r = get_status(&o, &a->status)) < 0)
			return r;
	return r;
}

/* §21.4: IAID, T1, T2, then IAADDR and STATUS_CODE options. */
static int get_ia(struct cursor *v, struct dhcp6_ia *ia)
{
	struct dhcp6_iaaddr spare;
	struct cursor o;
	uint16_t code;
	int r;

	if (!cur_u32(v, &ia->iaid) || !cur_u32(v, &ia->t1) || !cur_u32(v, &ia->t2) || (ia->t2 && ia->t1 > ia->t2))
		return -EBADMSG;
	while ((r = opt_next(v, &code, &o)) > 0) {
		if (code == DHCP6_OPT_STATUS_CODE)
			r = get_status(&o, &ia->status);
		else if (code == DHCP6_OPT_IAADDR) {
			/* addresses past the cap are still checked, then dropped */
			struct dhcp6_iaaddr *a = ia->naddr < DHCP6_IA_ADDRS_MAX ? &ia->addr[ia->naddr++] : &spare;

			memset(a, 0, sizeof(*a));
			r = get_iaaddr(&o, a);
		}
		if (r < 0)
			return r;
	}
	return r;
}

/* RFC 1035 §3.1 names, uncompressed (RFC 8415 §10), as dotted text. */
static int get_name(struct cursor *v, char *out, size_t cap)
{
	size_t n = 0;
	uint8_t l;
	const uint8_t *p;

	for (;;) {
		if (!cur_u8(v, &l))
			return -EBADMSG;
		if (!l)
			break;
		if (l > NAME_LABEL_MAX || !cur_take(v, l, &p) || !name_is_label((const char *)p, l, NAME_LABEL_MAX) ||
		    n + l + 1 >= cap)
			return -EBADMSG;
		if (n)
			out[n++] = '.';
		memcpy(out + n, p, l);
		n += l;
	}
	if (!n)
		return -EBADMSG; /* the root alone is no search domain */
	out[n] = '\0';
	return 0;
}

static int get_domains(struct cursor *v, struct dhcp6_msg *m)
{
	char spare[DHCP6_DOMAIN_LEN];
	int r;

	if (!v->len)
		return -EBADMSG;
	while (v->pos < v->len) {
		char *d = m->ndomains < DHCP6_DOMAINS_MAX ? m->domains[m->ndomains++] : spare;

		if ((r = get_name(v, d, DHCP6_DOMAIN_LEN)) < 0)
			return r;
	}
	return 0;
}

static int get_oro(const struct cursor *v, struct dhcp6_msg *m)
{
	if (v->len % 2)
		return -EBADMSG;
	for (size_t i = 0; i < v->len / 2 && m->noro < DHCP6_ORO_MAX; i++)
		m->oro[m->noro++] = get_be16(v->buf + 2 * i);
	return 0;
}

static int get_dns(const struct cursor *v, struct dhcp6_msg *m)
{
	if (!v->len || v->len % 16)
		return -EBADMSG;
	for (size_t i = 0; i < v->len / 16 && m->ndns < DHCP6_DNS_MAX; i++)
		memcpy(m->dns[m->ndns++], v->buf + 16 * i, 16);
	return 0;
}

/* The one-octet and empty options: length exact, present once. */
static int get_small(uint16_t code, const struct cursor *v, struct dhcp6_msg *m)
{
	switch (code) {
	case DHCP6_OPT_ELAPSED_TIME:
		if (m->has_elapsed || v->len != 2)
			return -EBADMSG;
		m->has_elapsed = true;
		m->elapsed = get_be16(v->buf);
		return 0;
	case DHCP6_OPT_PREFERENCE:
		if (m->has_preference || v->len != 1)
			return -EBADMSG;
		m->has_preference = true;
		m->preference = v->buf[0];
		return 0;
	default: /* DHCP6_OPT_RAPID_COMMIT */
		if (m->rapid_commit || v->len != 0)
			return -EBADMSG;
		m->rapid_commit = true;
		return 0;
	}
}

static int get_option(uint16_t code, struct cursor *v, struct dhcp6_msg *m)
{
	struct dhcp6_ia spare;

	switch (code) {
	case DHCP6_OPT_CLIENTID: return get_duid(v, &m->client_id);
	case DHCP6_OPT_SERVERID: return get_duid(v, &m->server_id);
	case DHCP6_OPT_IA_NA:
		if (m->nia < DHCP6_IA_MAX)
			return get_ia(v, &m->ia[m->nia++]);
		memset(&spare, 0, sizeof(spare));
		return get_ia(v, &spare);
	case DHCP6_OPT_ORO: return get_oro(v, m);
	case DHCP6_OPT_ELAPSED_TIME:
	case DHCP6_OPT_PREFERENCE:
	case DHCP6_OPT_RAPID_COMMIT: return get_small(code, v, m);
	case DHCP6_OPT_STATUS_CODE: return get_status(v, &m->status);
	case DHCP6_OPT_DNS_SERVERS: return get_dns(v, m);
	case DHCP6_OPT_DOMAIN_LIST: return get_domains(v, m);
	default: return 0;
	}
}

int dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_msg *out)
{
	struct cursor c = { buf, 0, len }, v;
	uint16_t code;
	int r;

	memset(out, 0, sizeof(*out));
	if (len < DHCP6_HDR_LEN || buf[0] < DHCP6_SOLICIT || buf[0] > DHCP6_INFORMATION_REQUEST)
		return -EBADMSG;
	out->type = buf[0];
	out->xid = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	c.pos = DHCP6_HDR_LEN;
	while ((r = opt_next(&c, &code, &v)) > 0)
		if ((r = get_option(code, &v, out)) < 0)
			break;
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r < 0 ? -EBADMSG : 0;
}

/* Builder: a bounded writer; an option's length is set when it closes. */
struct out {
	uint8_t *p;
	size_t len, size;
	bool overflow, invalid;
};

static uint8_t *put(struct out *o, size_t n)
{
	uint8_t *at;

	if (o->overflow || o->size - o->len < n) {
		o->overflow = true;
		return NULL;
	}
	at = o->p + o->len;
	o->len += n;
	return at;
}

static void put_bytes(struct out *o, const void *v, size_t n)
{
	uint8_t *p = put(o, n);

	if (p && n)
		memcpy(p, v, n);
}

static void put_u16(struct out *o, uint16_t v)
{
	uint8_t *p = put(o, 2);

	if (p)
		put_be16(p, v);
}

static void put_u32(struct out *o, uint32_t v)
{
	uint8_t *p = put(o, 4);

	if (p)
		put_be32(p, v);
}

/* Opens an option: returns where its header is, for close_opt. */
static size_t open_opt(struct out *o, uint16_t code)
{
	size_t at = o->len;

	put_u16(o, code);
	put_u16(o, 0);
	return at;
}

static void close_opt(struct out *o, size_t at)
{
	if (o->overflow)
		return;
	if (o->len - at - 4 > 0xffff) {
		o->invalid = true;
		return;
	}
	put_be16(o->p + at + 2, (uint16_t)(o->len - at - 4));
}

static void opt_bytes(struct out *o, uint16_t code, const void *v, size_t n)
{
	size_t at = open_opt(o, code);

	put_bytes(o, v, n);
	close_opt(o, at);
}

static void opt_status(struct out *o, const struct dhcp6_status_opt *s)
{
	size_t at;

	if (!s->present)
		return;
	at = open_opt(o, DHCP6_OPT_STATUS_CODE);
	put_u16(o, s->code);
	put_bytes(o, s->msg, strnlen(s->msg, sizeof(s->msg)));
	close_opt(o, at);
}

static void opt_ia(struct out *o, const struct dhcp6_ia *ia)
{
	size_t at = open_opt(o, DHCP6_OPT_IA_NA);

	put_u32(o, ia->iaid);
	put_u32(o, ia->t1);
	put_u32(o, ia->t2);
	for (unsigned i = 0; i < ia->naddr && i < DHCP6_IA_ADDRS_MAX; i++) {
		const struct dhcp6_iaaddr *a = &ia->addr[i];
		size_t aat = open_opt(o, DHCP6_OPT_IAADDR);

		put_bytes(o, a->addr, 16);
		put_u32(o, a->preferred);
		put_u32(o, a->valid);
		opt_status(o, &a->status);
		close_opt(o, aat);
	}
	opt_status(o, &ia->status);
	close_opt(o, at);
}

/* RFC 1035 §3.1 labels of a dotted name, refused unless a name. */
static void put_name(struct out *o, const char *name)
{
	size_t n = strlen(name);

	if (!name_is_domain(name, n) || n > DHCP6_DOMAIN_LEN - 1) {
		o->invalid = true;
		return;
	}
	for (const char *label = name; *label;) {
		size_t l = strcspn(label, ".");
		uint8_t lb = (uint8_t)l;

		put_bytes(o, &lb, 1);
		put_bytes(o, label, l);
		label += l + (label[l] == '.');
	}
	put_bytes(o, "", 1);
}

static void put_lists(struct out *o, const struct dhcp6_msg *m)
{
	size_t at;

	if (m->ndns) {
		at = open_opt(o, DHCP6_OPT_DNS_SERVERS);
		for (unsigned i = 0; i < m->ndns && i < DHCP6_DNS_MAX; i++)
			put_bytes(o, m->dns[i], 16);
		close_opt(o, at);
	}
	if (m->ndomains) {
		at = open_opt(o, DHCP6_OPT_DOMAIN_LIST);
		for (unsigned i = 0; i < m->ndomains && i < DHCP6_DOMAINS_MAX; i++)
			put_name(o, m->domains[i]);
		close_opt(o, at);
	}
}

int dhcp6_build(const struct dhcp6_msg *m, uint8_t *buf, size_t size)
{
	struct out o = { buf, 0, size, false, false };
	uint8_t *h = put(&o, DHCP6_HDR_LEN);

	if (m->type < DHCP6_SOLICIT || m->type > DHCP6_INFORMATION_REQUEST)
		return -EINVAL;
	if (h) {
		h[0] = m->type;
		h[1] = (uint8_t)(m->xid >> 16);
		h[2] = (uint8_t)(m->xid >> 8);
		h[3] = (uint8_t)m->xid;
	}
	if (m->client_id.len)
		opt_bytes(&o, DHCP6_OPT_CLIENTID, m->client_id.id, m->client_id.len);
	if (m->server_id.len)
		opt_bytes(&o, DHCP6_OPT_SERVERID, m->server_id.id, m->server_id.len);
	for (unsigned i = 0; i < m->nia && i < DHCP6_IA_MAX; i++)
		opt_ia(&o, &m->ia[i]);
	if (m->noro) {
		size_t at = open_opt(&o, DHCP6_OPT_ORO);

		for (unsigned i = 0; i < m->noro && i < DHCP6_ORO_MAX; i++)
			put_u16(&o, m->oro[i]);
		close_opt(&o, at);
	}
	if (m->has_elapsed) {
		size_t at = open_opt(&o, DHCP6_OPT_ELAPSED_TIME);

		put_u16(&o, m->elapsed);
		close_opt(&o, at);
	}
	if (m->has_preference)
		opt_bytes(&o, DHCP6_OPT_PREFERENCE, &m->preference, 1);
	if (m->rapid_commit)
		opt_bytes(&o, DHCP6_OPT_RAPID_COMMIT, NULL, 0);
	opt_status(&o, &m->status);
	put_lists(&o, m);
	if (o.invalid)
		return -EINVAL;
	return o.overflow ? -ENOSPC : (int)o.len;
}

bool dhcp6_duid_mac(const struct dhcp6_duid *d, uint8_t mac[6])
{
	uint16_t type;

	if (d->len < 4 || get_be16(d->id + 2) != DHCP6_HWTYPE_ETHER)
		return false;
	type = get_be16(d->id);
	if (type == DHCP6_DUID_LL && d->len == 10) {
		memcpy(mac, d->id + 4, 6);
		return true;
	}
	if (type == DHCP6_DUID_LLT && d->len == 14) {
		memcpy(mac, d->id + 8, 6);
		return true;
	}
	return false;
}

void dhcp6_duid_ll(const uint8_t mac[6], struct dhcp6_duid *out)
{
	memset(out, 0, sizeof(*out));
	put_be16(out->id, DHCP6_DUID_LL);
	put_be16(out->id + 2, DHCP6_HWTYPE_ETHER);
	memcpy(out->id + 4, mac, 6);
	out->len = 10;
}

bool dhcp6_duid_equal(const struct dhcp6_duid *a, const struct dhcp6_duid *b)
{
	return a->len == b->len && !memcmp(a->id, b->id, a->len);
}

bool dhcp6_oro_has(const struct dhcp6_msg *m, uint16_t code)
{
	for (unsigned i = 0; i < m->noro; i++)
		if (m->oro[i] == code)
			return true;
	return false;
}

const char *dhcp6_type_name(uint8_t type)
{
	static const char *const names[] = { "UNKNOWN", "SOLICIT", "ADVERTISE", "REQUEST", "CONFIRM", "RENEW",
					     "REBIND", "REPLY", "RELEASE", "DECLINE", "RECONFIGURE",
					     "INFORMATION-REQUEST" };

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : names[0];
}
