/* DHCP message codec: the cursor parser and the bounded option writer. The
 * decisions (what is rejected, what is dropped) are listed in dhcp_codec.h. */
#include "net/dhcp/codec.h"

#include <errno.h>
#include <string.h>

#include "lib/core/bytes.h"
#include "lib/core/name.h"

/* Offsets in the fixed header, RFC 2131 §2 figure 1. */
#define OFF_XID 4
#define OFF_CHADDR 28
#define OFF_SNAME 44
#define SNAME_LEN 64
#define OFF_FILE 108
#define FILE_LEN 128
#define OFF_COOKIE 236

static const uint8_t magic_cookie[4] = { 99, 130, 83, 99 }; /* RFC 2131 §3 */

/*
 * The next option of one field: 1 with code and value set; 0 at END or at
 * the end of the field (a missing END is tolerated, see dhcp_codec.h);
 * -EBADMSG when the length octet or the value would run past the field.
 */
static int opt_next(struct cursor *c, uint8_t *code, const uint8_t **val, uint8_t *vlen)
{
	for (;;) {
		if (!cur_u8(c, code))
			return 0;
		if (*code == DHCP_OPT_PAD)
			continue; /* RFC 2132 §3.1: PAD has no length octet */
		if (*code == DHCP_OPT_END)
			return 0;
		if (!cur_u8(c, vlen) || !cur_take(c, *vlen, val))
			return -EBADMSG;
		return 1;
	}
}

/* The known options, each gathered into one slot: RFC 3396 §7 concatenates
 * all instances, in the order options, file, sname (§5). */
enum slot {
	S_NETMASK, S_ROUTERS, S_DNS, S_HOSTNAME, S_DOMAIN, S_MTU, S_BROADCAST,
	S_REQIP, S_LEASE, S_OVERLOAD, S_TYPE, S_SERVER_ID, S_PRL, S_MESSAGE,
	S_MAX_SIZE, S_T1, S_T2, S_CLIENT_ID, S_RAPID, S_AGENT,
	S_VENDOR_CLASS, S_USER_CLASS, S_ARCH, S_NDI, S_UUID, S_IPXE, S_COUNT, S_NONE = S_COUNT
};

/* One octet more than any field stores, so "too long" stays visible. */
#define ACC_MAX 256

struct acc {
	bool seen;
	size_t len;          /* the concatenated length, also past ACC_MAX */
	uint8_t v[ACC_MAX];  /* the first ACC_MAX octets */
};

static enum slot slot_of(uint8_t code)
{
	switch (code) {
	case DHCP_OPT_SUBNET_MASK: return S_NETMASK;
	case DHCP_OPT_ROUTER: return S_ROUTERS;
	case DHCP_OPT_DNS: return S_DNS;
	case DHCP_OPT_HOST_NAME: return S_HOSTNAME;
	case DHCP_OPT_DOMAIN_NAME: return S_DOMAIN;
	case DHCP_OPT_MTU: return S_MTU;
	case DHCP_OPT_BROADCAST: return S_BROADCAST;
	case DHCP_OPT_REQUESTED_IP: return S_REQIP;
	case DHCP_OPT_LEASE_TIME: return S_LEASE;
	case DHCP_OPT_OVERLOAD: return S_OVERLOAD;
	case DHCP_OPT_MSG_TYPE: return S_TYPE;
	case DHCP_OPT_SERVER_ID: return S_SERVER_ID;
	case DHCP_OPT_PRL: return S_PRL;
	case DHCP_OPT_MESSAGE: return S_MESSAGE;
	case DHCP_OPT_MAX_SIZE: return S_MAX_SIZE;
	case DHCP_OPT_T1: return S_T1;
	case DHCP_OPT_T2: return S_T2;
	case DHCP_OPT_CLIENT_ID: return S_CLIENT_ID;
	case DHCP_OPT_RAPID_COMMIT: return S_RAPID;
	case DHCP_OPT_AGENT_INFO: return S_AGENT;
	case DHCP_OPT_VENDOR_CLASS: return S_VENDOR_CLASS;
	case DHCP_OPT_USER_CLASS: return S_USER_CLASS;
	case DHCP_OPT_CLIENT_ARCH: return S_ARCH;
	case DHCP_OPT_CLIENT_NDI: return S_NDI;
	case DHCP_OPT_CLIENT_UUID: return S_UUID;
	case DHCP_OPT_IPXE: return S_IPXE;
	default: return S_NONE;
	}
}

static void acc_add(struct acc *a, const uint8_t *v, uint8_t n)
{
	size_t room = a->len < ACC_MAX ? ACC_MAX - a->len : 0;
	size_t k = n < room ? n : room;

	if (k)
		memcpy(a->v + a->len, v, k);
	a->len += n;
	a->seen = true;
}

/* Gathers the known options of one field. Option 52 counts only in the
 * options field (RFC 2131 §4.1), so 'file' and 'sname' cannot re-point the
 * walk. */
static int walk_field(struct acc *accs, const uint8_t *p, size_t n, bool options_field)
{
	struct cursor c = { p, 0, n };
	const uint8_t *val;
	uint8_t code, vlen;
	int r;

	while ((r = opt_next(&c, &code, &val, &vlen)) > 0) {
		enum slot s = slot_of(code);

		if (s == S_NONE || (s == S_OVERLOAD && !options_field))
			continue;
		acc_add(&accs[s], val, vlen);
	}
	return r;
}

/* 1 if present with exactly n octets, 0 if absent, -EBADMSG otherwise. */
static int fixed(const struct acc *a, size_t n)
{
	if (!a->seen)
		return 0;
	return a->len == n ? 1 : -EBADMSG;
}

/* An address list (RFC 2132 §3.5, §3.8): at least one, a multiple of 4. */
static int ip_list(const struct acc *a, uint32_t *out, unsigned max, unsigned *n)
{
	*n = 0;
	if (!a->seen)
		return 0;
	if (a->len == 0 || a->len % 4)
		return -EBADMSG;
	for (size_t i = 0; i < a->len / 4 && *n < max; i++)
		out[(*n)++] = get_be32(a->v + 4 * i);
	return 0;
}

/* Length of a text option with its trailing NULs deleted (RFC 2132 §2). */
static size_t text_len(const struct acc *a)
{
	size_t n = a->len < ACC_MAX ? a->len : ACC_MAX;

	while (n && a->v[n - 1] == 0)
		n--;
	return n;
}

/* Copies a name into out[cap] if valid and it fits; else leaves out empty.
 * One trailing dot (a fully qualified form) is dropped when allowed. */
static void get_name(const struct acc *a, char *out, size_t cap, bool trailing_dot)
{
	size_t n;

	if (!a->seen || a->len > ACC_MAX)
		return;
	n = text_len(a);
	if (trailing_dot && n > 1 && a->v[n - 1] == '.')
		n--;
	if (n >= cap || !name_is_domain((const char *)a->v, n))
		return;
	memcpy(out, a->v, n);
	out[n] = '\0';
}

/* n octets as text for logging and prefix matching: truncated, anything
 * not printable ASCII shown as '?'. */
static void printable(const uint8_t *v, size_t n, char *out, size_t cap)
{
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '?';
	out[n] = '\0';
}

/* Option 56 is for people to read (RFC 2132 §9.9): kept for logging. */
static void get_message(const struct acc *a, char *out, size_t cap)
{
	printable(a->v, text_len(a), out, cap);
}

/* An identifier of 2..255 octets, never truncated. */
static int get_id(const struct acc *a, uint8_t *out, uint8_t *len)
{
	if (!a->seen)
		return 0;
	if (a->len < 2 || a->len > 255)
		return -EBADMSG;
	memcpy(out, a->v, a->len);
	*len = (uint8_t)a->len;
	return 0;
}

static bool contiguous_mask(uint32_t m)
{
	uint32_t inv = ~m;

	return (inv & (inv + 1)) == 0; /* ones, then only zeros */
}

/* Option 77: RFC 3004 §2 is a list of (length >= 1, class) that fills
 * the option exactly; anything else is the plain string iPXE and older
 * clients send ("iPXE"). The first class is kept. */
static void get_user_class(const struct acc *a, char *out, size_t cap)
{
	size_t n = a->len < ACC_MAX ? a->len : ACC_MAX, pos = 0;

	while (pos < n && a->v[pos] && pos + 1 + a->v[pos] <= n)
		pos += 1 + (size_t)a->v[pos];
	if (pos == n && a->len <= ACC_MAX)
		printable(a->v + 1, a->v[0], out, cap);
	else
		printable(a->v, text_len(a), out, cap);
}

/* The boot hints (see codec.h): a malformed one is dropped, not fatal. */
static void decode_boot_hints(const struct acc *a, struct dhcp_msg *m)
{
	if (a[S_ARCH].seen && a[S_ARCH].len >= 2 && a[S_ARCH].len % 2 == 0) {
		m->has_arch = true; /* RFC 4578 §2.1: the first is the client's own */
		m->arch = (uint16_t)(a[S_ARCH].v[0] << 8 | a[S_ARCH].v[1]);
	}
	if (a[S_NDI].seen && a[S_NDI].len == 3 && a[S_NDI].v[0] == 1) {
		m->has_ndi = true;
		memcpy(m->ndi, a[S_NDI].v, 3);
	}
	if (a[S_UUID].seen && a[S_UUID].len == 17 && a[S_UUID].v[0] == 0) {
		m->has_uuid = true;
		memcpy(m->uuid, a[S_UUID].v, 17);
	}
	if (a[S_VENDOR_CLASS].seen && a[S_VENDOR_CLASS].len)
		printable(a[S_VENDOR_CLASS].v, text_len(&a[S_VENDOR_CLASS]), m->vendor_class,
			  sizeof(m->vendor_class));
	if (a[S_USER_CLASS].seen && a[S_USER_CLASS].len)
		get_user_class(&a[S_USER_CLASS], m->user_class, sizeof(m->user_class));
	m->ipxe = a[S_IPXE].seen;
}

static int decode_options(const struct acc *a, struct dhcp_msg *m)
{
	int r;

	if ((r = fixed(&a[S_TYPE], 1)) < 0)
		return r;
	if (r)
		m->type = a[S_TYPE].v[0]; /* 0 stays "absent" */

	if ((r = fixed(&a[S_NETMASK], 4)) < 0)
		return r;
	if (r && contiguous_mask(get_be32(a[S_NETMASK].v))) {
		m->has_netmask = true;
		m->netmask = get_be32(a[S_NETMASK].v);
	}

	struct { enum slot s; bool *has; uint32_t *v; } u32s[] = {
		{ S_REQIP, &m->has_requested_ip, &m->requested_ip },
		{ S_SERVER_ID, &m->has_server_id, &m->server_id },
		{ S_LEASE, &m->has_lease_time, &m->lease_time },
		{ S_T1, &m->has_t1, &m->t1 },
		{ S_T2, &m->has_t2, &m->t2 },
		{ S_BROADCAST, &m->has_broadcast, &m->broadcast },
	};
	for (size_t i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++) {
		if ((r = fixed(&a[u32s[i].s], 4)) < 0)
			return r;
		if (r) {
			*u32s[i].has = true;
			*u32s[i].v = get_be32(a[u32s[i].s].v);
		}
	}

	if ((r = fixed(&a[S_MTU], 2)) < 0)
		return r;
	if (r) {
		uint16_t v = (uint16_t)(a[S_MTU].v[0] << 8 | a[S_MTU].v[1]);

		if (v >= 68) { /* RFC 2132 §5.1 */
			m->has_mtu = true;
			m->mtu = v;
		}
	}
	if ((r = fixed(&a[S_MAX_SIZE], 2)) < 0)
		return r;
	if (r) {
		uint16_t v = (uint16_t)(a[S_MAX_SIZE].v[0] << 8 | a[S_MAX_SIZE].v[1]);

		if (v >= 576) /* RFC 2132 §9.10 */
			m->max_size = v;
	}
	if ((r = fixed(&a[S_RAPID], 0)) < 0)
		return r;
	m->rapid_commit = r;

	if ((r = ip_list(&a[S_ROUTERS], m->routers, 4, &m->nrouters)) < 0)
		return r;
	if ((r = ip_list(&a[S_DNS], m->dns, 4, &m->ndns)) < 0)
		return r;

	if (a[S_PRL].seen) { /* RFC 2132 §9.8: minimum length 1 */
		size_t n = a[S_PRL].len;

		if (n == 0)
			return -EBADMSG;
		if (n > sizeof(m->prl))
			n = sizeof(m->prl);
		memcpy(m->prl, a[S_PRL].v, n);
		m->prl_len = (uint8_t)n;
	}
	if ((r = get_id(&a[S_CLIENT_ID], m->client_id, &m->client_id_len)) < 0)
		return r;
	if ((r = get_id(&a[S_AGENT], m->agent_info, &m->agent_info_len)) < 0)
		return r;

	get_name(&a[S_HOSTNAME], m->hostname, sizeof(m->hostname), false);
	get_name(&a[S_DOMAIN], m->domain, 254, true); /* RFC 1035 §2.3.4: 253 as text */
	if (a[S_MESSAGE].seen)
		get_message(&a[S_MESSAGE], m->message, sizeof(m->message));
	decode_boot_hints(a, m);
	return 0;
}

static int parse(const uint8_t *buf, size_t len, struct dhcp_msg *m)
{
	struct cursor c = { buf, 0, len };
	struct acc accs[S_COUNT];
	const uint8_t *p;
	int r;

	if (len < DHCP_MIN_LEN)
		return -EBADMSG;
	if (!cur_u8(&c, &m->op) || !cur_u8(&c, &m->htype) || !cur_u8(&c, &m->hlen) ||
	    !cur_u8(&c, &m->hops) || !cur_u32(&c, &m->xid) || !cur_u16(&c, &m->secs) ||
	    !cur_u16(&c, &m->flags) || !cur_u32(&c, &m->ciaddr) || !cur_u32(&c, &m->yiaddr) ||
	    !cur_u32(&c, &m->siaddr) || !cur_u32(&c, &m->giaddr) || !cur_take(&c, 16, &p))
		return -EBADMSG;
	memcpy(m->chaddr, p, 16);
	if (m->op != BOOTREQUEST && m->op != BOOTREPLY)
		return -EBADMSG;
	if (m->hlen > sizeof(m->chaddr))
		return -EBADMSG;
	if (memcmp(buf + OFF_COOKIE, magic_cookie, 4) != 0)
		return -EBADMSG;

	memset(accs, 0, sizeof(accs));
	r = walk_field(accs, buf + DHCP_MIN_LEN, len - DHCP_MIN_LEN, true);
	if (r < 0)
		return r;
	if ((r = fixed(&accs[S_OVERLOAD], 1)) < 0)
		return r;
	if (r) {
		m->overload = accs[S_OVERLOAD].v[0];
		if (m->overload < 1 || m->overload > 3) /* RFC 2132 §9.3 */
			return -EBADMSG;
	}
	/* RFC 3396 §5: the aggregate is options, then file, then sname. */
	if (m->overload & DHCP_OVERLOAD_FILE) {
		r = walk_field(accs, buf + OFF_FILE, FILE_LEN, false);
		if (r < 0)
			return r;
	}
	if (m->overload & DHCP_OVERLOAD_SNAME) {
		r = walk_field(accs, buf + OFF_SNAME, SNAME_LEN, false);
		if (r < 0)
			return r;
	}
	return decode_options(accs, m);
}

int dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_msg *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = parse(buf, len, out);
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

void dhcp_build_init(struct dhcp_builder *b, uint8_t *buf, size_t size, const struct dhcp_msg *hdr)
{
	b->buf = buf;
	b->size = size > DHCP_MAX_LEN ? DHCP_MAX_LEN : size;
	b->len = 0;
	b->overflow = false;
	b->invalid = false;
	if ((hdr->op != BOOTREQUEST && hdr->op != BOOTREPLY) || hdr->hlen > sizeof(hdr->chaddr))
		b->invalid = true;
	if (b->size < DHCP_MIN_LEN + 1) { /* the header, the cookie and END */
		b->overflow = true;
		return;
	}
	memset(buf, 0, DHCP_MIN_LEN);
	buf[0] = hdr->op;
	buf[1] = hdr->htype;
	buf[2] = hdr->hlen;
	buf[3] = hdr->hops;
	put_be32(buf + OFF_XID, hdr->xid);
	put_be16(buf + 8, hdr->secs);
	put_be16(buf + 10, hdr->flags);
	put_be32(buf + 12, hdr->ciaddr);
	put_be32(buf + 16, hdr->yiaddr);
	put_be32(buf + 20, hdr->siaddr);
	put_be32(buf + 24, hdr->giaddr);
	memcpy(buf + OFF_CHADDR, hdr->chaddr, sizeof(hdr->chaddr));
	memcpy(buf + OFF_COOKIE, magic_cookie, 4);
	b->len = DHCP_MIN_LEN;
}

void dhcp_build_file(struct dhcp_builder *b, const char *file)
{
	size_t n = strlen(file);

	if (n > DHCP_FILE_MAX) {
		b->invalid = true;
		return;
	}
	if (b->overflow || b->len < DHCP_MIN_LEN)
		return; /* dhcp_build_init() failed: reported already */
	memset(b->buf + OFF_FILE, 0, FILE_LEN);
	memcpy(b->buf + OFF_FILE, file, n);
}

/* One option instance of at most 255 octets, with one octet kept for END. */
static void put_opt(struct dhcp_builder *b, uint8_t code, const void *data, size_t n)
{
	if (code == DHCP_OPT_PAD || code == DHCP_OPT_END || n > 255) {
		b->invalid = true;
		return;
	}
	if (b->overflow || b->size - b->len < 2 + n + 1) {
		b->overflow = true;
		return;
	}
	b->buf[b->len++] = code;
	b->buf[b->len++] = (uint8_t)n;
	if (n)
		memcpy(b->buf + b->len, data, n);
	b->len += n;
}

void dhcp_opt_u8(struct dhcp_builder *b, uint8_t code, uint8_t v)
{
	put_opt(b, code, &v, 1);
}

void dhcp_opt_u16(struct dhcp_builder *b, uint8_t code, uint16_t v)
{
	uint8_t p[2];

	put_be16(p, v);
	put_opt(b, code, p, 2);
}

void dhcp_opt_u32(struct dhcp_builder *b, uint8_t code, uint32_t v)
{
	uint8_t p[4];

	put_be32(p, v);
	put_opt(b, code, p, 4);
}

void dhcp_opt_ip(struct dhcp_builder *b, uint8_t code, uint32_t ip)
{
	dhcp_opt_u32(b, code, ip);
}

void dhcp_opt_ips(struct dhcp_builder *b, uint8_t code, const uint32_t *ips, unsigned n)
{
	/* More than 63 addresses do not fit one instance: split (RFC 3396 §6). */
	while (n) {
		uint8_t p[63 * 4];
		unsigned k = n > 63 ? 63 : n;

		for (unsigned i = 0; i < k; i++)
			put_be32(p + 4 * i, ips[i]);
		put_opt(b, code, p, 4 * (size_t)k);
		ips += k;
		n -= k;
	}
}

void dhcp_opt_bytes(struct dhcp_builder *b, uint8_t code, const void *data, size_t len)
{
	const uint8_t *p = data;

	do { /* RFC 3396 §6: consecutive instances of at most 255 octets */
		size_t k = len > 255 ? 255 : len;

		put_opt(b, code, p, k);
		p += k;
		len -= k;
	} while (len);
}

void dhcp_opt_str(struct dhcp_builder *b, uint8_t code, const char *s)
{
	dhcp_opt_bytes(b, code, s, strlen(s));
}

int dhcp_build_finish(struct dhcp_builder *b)
{
	if (b->invalid)
		return -EINVAL;
	if (b->overflow)
		return -ENOSPC;
	b->buf[b->len++] = DHCP_OPT_END; /* room kept by every put */
	if (b->len < DHCP_BOOTP_MIN_LEN) {
		if (b->size < DHCP_BOOTP_MIN_LEN) {
			b->overflow = true;
			return -ENOSPC;
		}
		memset(b->buf + b->len, DHCP_OPT_PAD, DHCP_BOOTP_MIN_LEN - b->len);
		b->len = DHCP_BOOTP_MIN_LEN;
	}
	return (int)b->len;
}

bool dhcp_prl_has(const struct dhcp_msg *m, uint8_t code)
{
	return m->prl_len && memchr(m->prl, code, m->prl_len) != NULL;
}

const char *dhcp_type_name(uint8_t type)
{
	static const char *const names[] = {
		"BOOTP", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE",
		"DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "UNKNOWN";
}
