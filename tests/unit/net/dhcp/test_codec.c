/* The DHCP codec and the IPv4/UDP header codec against hand-assembled golden
 * bytes, round trips, and malformed input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/dhcp/codec.h"
#include "net/dhcp/ipudp.h"
#include "t.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ })
#define NBYTES(...) sizeof((const uint8_t[]){ __VA_ARGS__ })

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* A message assembled by hand: header fields at their offsets, options
 * appended from offset 240 (or written into sname at 44 / file at 108). */
struct pkt {
	uint8_t b[2048];
	size_t len;
};

static void pkt_put(struct pkt *p, size_t off, const uint8_t *v, size_t n)
{
	memcpy(p->b + off, v, n);
	if (off + n > p->len)
		p->len = off + n;
}

static void pkt_add(struct pkt *p, const uint8_t *v, size_t n)
{
	pkt_put(p, p->len, v, n);
}

#define ADD(p, ...) pkt_add(p, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__))
#define AT(p, off, ...) pkt_put(p, off, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__))

/* A BOOTREQUEST from 52:54:00:12:34:56, xid 0x12345678, cookie, no options. */
static void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	AT(p, 0, 0x01, 0x01, 0x06, 0x00, 0x12, 0x34, 0x56, 0x78);
	pkt_put(p, 28, mac, 6);
	AT(p, 236, 0x63, 0x82, 0x53, 0x63);
}

static int parse_pkt(const struct pkt *p, struct dhcp_msg *m)
{
	return dhcp_parse(p->b, p->len, m);
}

/* --- golden DISCOVER ---------------------------------------------------- */

static const uint8_t discover_hdr[44] = {
	0x01, 0x01, 0x06, 0x00,             /* op BOOTREQUEST, htype Ethernet, hlen 6, hops 0 */
	0x12, 0x34, 0x56, 0x78,             /* xid */
	0x00, 0x00, 0x80, 0x00,             /* secs 0, flags: broadcast bit */
	0x00, 0x00, 0x00, 0x00,             /* ciaddr */
	0x00, 0x00, 0x00, 0x00,             /* yiaddr */
	0x00, 0x00, 0x00, 0x00,             /* siaddr */
	0x00, 0x00, 0x00, 0x00,             /* giaddr */
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* chaddr: the MAC, then 10 zero octets */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static const uint8_t discover_opts[] = {
	0x63, 0x82, 0x53, 0x63,                         /* at 236: magic cookie 99.130.83.99 */
	0x35, 0x01, 0x01,                               /* 53 message type: DHCPDISCOVER */
	0x3d, 0x07, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, /* 61 client id: htype 1 + MAC */
	0x56,
	0x37, 0x0b, 0x01, 0x03, 0x06, 0x0c, 0x0f, 0x1a, /* 55 PRL: 1 3 6 12 15 26 28 51 */
	0x1c, 0x33, 0x36, 0x3a, 0x3b,                   /*         54 58 59 */
	0x39, 0x02, 0x05, 0xdc,                         /* 57 max message size 1500 */
	0x0c, 0x06, 'g', 'u', 'e', 's', 't', '1',       /* 12 host name "guest1" */
	0xff,                                           /* END; PAD up to 300 octets */
};

/* Header at 0, sname and file zero, cookie and options at 236, zero-padded. */
static size_t golden(uint8_t *out, size_t total, const uint8_t hdr[44], const uint8_t *opts, size_t n)
{
	memset(out, 0, total);
	memcpy(out, hdr, 44);
	memcpy(out + 236, opts, n);
	return total;
}

static const uint8_t discover_prl[] = { 1, 3, 6, 12, 15, 26, 28, 51, 54, 58, 59 };

static void test_build_discover_golden(void)
{
	uint8_t want[300], got[576];
	struct dhcp_msg h = { .op = BOOTREQUEST, .htype = 1, .hlen = 6, .xid = 0x12345678,
			      .flags = DHCP_FLAG_BROADCAST };
	struct dhcp_builder b;
	uint8_t cid[7] = { 1 };
	int n;

	memcpy(h.chaddr, mac, 6);
	memcpy(cid + 1, mac, 6);
	golden(want, sizeof(want), discover_hdr, discover_opts, sizeof(discover_opts));

	memset(got, 0xaa, sizeof(got)); /* the builder must write every octet it returns */
	dhcp_build_init(&b, got, sizeof(got), &h);
	dhcp_opt_u8(&b, DHCP_OPT_MSG_TYPE, DHCPDISCOVER);
	dhcp_opt_bytes(&b, DHCP_OPT_CLIENT_ID, cid, sizeof(cid));
	dhcp_opt_bytes(&b, DHCP_OPT_PRL, discover_prl, sizeof(discover_prl));
	dhcp_opt_u16(&b, DHCP_OPT_MAX_SIZE, 1500);
	dhcp_opt_str(&b, DHCP_OPT_HOST_NAME, "guest1");
	n = dhcp_build_finish(&b);
	CHECK_MSG(n == 300, "length %d", n);
	CHECK(memcmp(got, want, sizeof(want)) == 0);
	CHECK(got[300] == 0xaa);
}

static void test_parse_discover_golden(void)
{
	uint8_t buf[300];
	struct dhcp_msg m;

	golden(buf, sizeof(buf), discover_hdr, discover_opts, sizeof(discover_opts));
	CHECK(dhcp_parse(buf, sizeof(buf), &m) == 0);
	CHECK(m.op == BOOTREQUEST && m.htype == 1 && m.hlen == 6 && m.hops == 0);
	CHECK(m.xid == 0x12345678 && m.flags == DHCP_FLAG_BROADCAST && m.secs == 0);
	CHECK(memcmp(m.chaddr, mac, 6) == 0);
	CHECK(m.type == DHCPDISCOVER);
	CHECK(m.client_id_len == 7 && m.client_id[0] == 1 && memcmp(m.client_id + 1, mac, 6) == 0);
	CHECK(m.prl_len == 11 && memcmp(m.prl, discover_prl, 11) == 0);
	CHECK(dhcp_prl_has(&m, 26) && dhcp_prl_has(&m, 59) && !dhcp_prl_has(&m, 2));
	CHECK(m.max_size == 1500);
	CHECK(!strcmp(m.hostname, "guest1"));
	CHECK(!m.has_server_id && !m.has_lease_time && !m.has_netmask && m.nrouters == 0);
	CHECK(m.overload == 0 && !m.rapid_commit);
}

/* --- golden ACK ------------------------------------------------------------ */

static const uint8_t ack_hdr[44] = {
	0x02, 0x01, 0x06, 0x00,             /* op BOOTREPLY, htype 1, hlen 6, hops 0 */
	0x12, 0x34, 0x56, 0x78,             /* xid */
	0x00, 0x00, 0x00, 0x00,             /* secs, flags */
	0x00, 0x00, 0x00, 0x00,             /* ciaddr */
	0xc0, 0xa8, 0x7a, 0x32,             /* yiaddr 192.168.122.50 */
	0xc0, 0xa8, 0x7a, 0x01,             /* siaddr 192.168.122.1 */
	0x00, 0x00, 0x00, 0x00,             /* giaddr */
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* chaddr */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static const uint8_t ack_opts[] = {
	0x63, 0x82, 0x53, 0x63,                   /* magic cookie */
	0x35, 0x01, 0x05,                         /* 53 type: DHCPACK */
	0x36, 0x04, 0xc0, 0xa8, 0x7a, 0x01,       /* 54 server id 192.168.122.1 */
	0x33, 0x04, 0x00, 0x00, 0x0e, 0x10,       /* 51 lease 3600 s */
	0x3a, 0x04, 0x00, 0x00, 0x07, 0x08,       /* 58 T1 1800 s */
	0x3b, 0x04, 0x00, 0x00, 0x0c, 0x4e,       /* 59 T2 3150 s */
	0x01, 0x04, 0xff, 0xff, 0xff, 0x00,       /* 1 subnet mask /24 */
	0x03, 0x04, 0xc0, 0xa8, 0x7a, 0x01,       /* 3 router 192.168.122.1 */
	0x06, 0x08, 0xc0, 0xa8, 0x7a, 0x01,       /* 6 DNS 192.168.122.1, */
	0x0a, 0x00, 0x02, 0x03,                   /*   10.0.2.3 */
	0x1c, 0x04, 0xc0, 0xa8, 0x7a, 0xff,       /* 28 broadcast 192.168.122.255 */
	0x1a, 0x02, 0x05, 0xdc,                   /* 26 MTU 1500 */
	0x0c, 0x06, 'g', 'u', 'e', 's', 't', '1', /* 12 host name */
	0x0f, 0x08, 'l', 'a', 'b', '.', 't', 'e', /* 15 domain "lab.test" */
	's', 't',
	0xff,                                     /* END */
};

/* 236 + 82 = 318 octets: longer than the BOOTP minimum, so no PAD after END. */
#define ACK_LEN (236 + sizeof(ack_opts))

static void test_parse_ack_golden(void)
{
	uint8_t buf[ACK_LEN];
	struct dhcp_msg m;

	golden(buf, sizeof(buf), ack_hdr, ack_opts, sizeof(ack_opts));
	CHECK(dhcp_parse(buf, sizeof(buf), &m) == 0);
	CHECK(m.op == BOOTREPLY && m.type == DHCPACK);
	CHECK(m.yiaddr == IP4(192, 168, 122, 50) && m.siaddr == IP4(192, 168, 122, 1));
	CHECK(m.has_server_id && m.server_id == IP4(192, 168, 122, 1));
	CHECK(m.has_lease_time && m.lease_time == 3600);
	CHECK(m.has_t1 && m.t1 == 1800 && m.has_t2 && m.t2 == 3150);
	CHECK(m.has_netmask && m.netmask == IP4(255, 255, 255, 0));
	CHECK(m.nrouters == 1 && m.routers[0] == IP4(192, 168, 122, 1));
	CHECK(m.ndns == 2 && m.dns[0] == IP4(192, 168, 122, 1) && m.dns[1] == IP4(10, 0, 2, 3));
	CHECK(m.has_broadcast && m.broadcast == IP4(192, 168, 122, 255));
	CHECK(m.has_mtu && m.mtu == 1500);
	CHECK(!strcmp(m.hostname, "guest1"));
	CHECK(!strcmp(m.domain, "lab.test"));
	CHECK(!m.has_requested_ip && m.max_size == 0 && m.client_id_len == 0);
}

static void test_build_ack_golden(void)
{
	uint8_t want[ACK_LEN], got[548];
	struct dhcp_msg h = { .op = BOOTREPLY, .htype = 1, .hlen = 6, .xid = 0x12345678,
			      .yiaddr = IP4(192, 168, 122, 50), .siaddr = IP4(192, 168, 122, 1) };
	uint32_t dns[2] = { IP4(192, 168, 122, 1), IP4(10, 0, 2, 3) };
	struct dhcp_builder b;

	memcpy(h.chaddr, mac, 6);
	golden(want, sizeof(want), ack_hdr, ack_opts, sizeof(ack_opts));
	dhcp_build_init(&b, got, sizeof(got), &h);
	dhcp_opt_u8(&b, DHCP_OPT_MSG_TYPE, DHCPACK);
	dhcp_opt_ip(&b, DHCP_OPT_SERVER_ID, IP4(192, 168, 122, 1));
	dhcp_opt_u32(&b, DHCP_OPT_LEASE_TIME, 3600);
	dhcp_opt_u32(&b, DHCP_OPT_T1, 1800);
	dhcp_opt_u32(&b, DHCP_OPT_T2, 3150);
	dhcp_opt_ip(&b, DHCP_OPT_SUBNET_MASK, IP4(255, 255, 255, 0));
	dhcp_opt_ips(&b, DHCP_OPT_ROUTER, dns, 1);
	dhcp_opt_ips(&b, DHCP_OPT_DNS, dns, 2);
	dhcp_opt_ip(&b, DHCP_OPT_BROADCAST, IP4(192, 168, 122, 255));
	dhcp_opt_u16(&b, DHCP_OPT_MTU, 1500);
	dhcp_opt_str(&b, DHCP_OPT_HOST_NAME, "guest1");
	dhcp_opt_str(&b, DHCP_OPT_DOMAIN_NAME, "lab.test");
	CHECK(dhcp_build_finish(&b) == (int)ACK_LEN);
	CHECK(memcmp(got, want, sizeof(want)) == 0);
}

/* --- option overload (RFC 2132 §9.3) and concatenation (RFC 3396) ---------- */

static void test_overload(void)
{
	struct pkt p;
	struct dhcp_msg m;

	/* 52 = 3: options field, then file, then sname. */
	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x05, 0x34, 0x01, 0x03, 0xff);        /* type ACK, overload both, END */
	AT(&p, 108, 0x33, 0x04, 0x00, 0x00, 0x0e, 0x10,           /* file: lease 3600 */
	   0x01, 0x04, 0xff, 0xff, 0x00, 0x00, 0xff);              /*       mask /16, END */
	AT(&p, 44, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x01,            /* sname: router 10.0.0.1 */
	   0x0c, 0x01, 'x', 0xff);                                 /*        host name "x", END */
	CHECK(parse_pkt(&p, &m) == 0);
	CHECK(m.overload == 3 && m.type == DHCPACK);
	CHECK(m.has_lease_time && m.lease_time == 3600);
	CHECK(m.has_netmask && m.netmask == IP4(255, 255, 0, 0));
	CHECK(m.nrouters == 1 && m.routers[0] == IP4(10, 0, 0, 1));
	CHECK(!strcmp(m.hostname, "x"));

	/* 52 = 1: file only; the same sname is then a server name, not options. */
	p.b[245] = 0x01;
	CHECK(parse_pkt(&p, &m) == 0);
	CHECK(m.overload == 1 && m.has_lease_time && m.has_netmask);
	CHECK(m.nrouters == 0 && m.hostname[0] == '\0');

	/* 52 = 2: sname only. */
	p.b[245] = 0x02;
	CHECK(parse_pkt(&p, &m) == 0);
	CHECK(m.overload == 2 && !m.has_lease_time && !m.has_netmask);
	CHECK(m.nrouters == 1 && !strcmp(m.hostname, "x"));

	/* No 52: file and sname are ignored even though they look like options. */
	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x05, 0xff);
	AT(&p, 108, 0x33, 0x04, 0x00, 0x00, 0x0e, 0x10, 0xff);
	CHECK(parse_pkt(&p, &m) == 0 && m.overload == 0 && !m.has_lease_time);

	/* RFC 3396 §5/§7: a domain split across all three fields is joined in
	 * the order options, file, sname; a lease split 2 + 2 is one lease. */
	pkt_init(&p);
	ADD(&p, 0x34, 0x01, 0x03, 0x0f, 0x03, 'l', 'a', 'b', 0x33, 0x02, 0x00, 0x01, 0xff);
	AT(&p, 108, 0x0f, 0x03, '.', 't', 'e', 0x33, 0x02, 0x51, 0x80, 0xff);
	AT(&p, 44, 0x0f, 0x02, 's', 't', 0xff);
	CHECK(parse_pkt(&p, &m) == 0);
	CHECK_MSG(!strcmp(m.domain, "lab.test"), "got [%s]", m.domain);
	CHECK(m.has_lease_time && m.lease_time == 86400);

	/* Fields without END, filled with whole options and PAD: tolerated. */
	pkt_init(&p);
	ADD(&p, 0x34, 0x01, 0x01); /* options field ends without END */
	AT(&p, 108, 0x33, 0x04, 0x00, 0x00, 0x00, 0x3c); /* file: rest is PAD, no END */
	CHECK(parse_pkt(&p, &m) == 0 && m.lease_time == 60);

	/* The last option in 'file' runs past its 128 octets into the cookie. */
	pkt_init(&p);
	ADD(&p, 0x34, 0x01, 0x01, 0xff);
	AT(&p, 108 + 124, 0x0c, 0x08, 'a', 'b');
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	/* ... and in 'sname' past its 64 octets into 'file'. */
	pkt_init(&p);
	ADD(&p, 0x34, 0x01, 0x02, 0xff);
	AT(&p, 44 + 62, 0x0c, 0x04, 'a', 'b', 'c', 'd');
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
}

static void test_overload_nested(void)
{
	struct pkt p;
	struct dhcp_msg m;

	/* 52 = 1 in options; 'file' says 52 = 2 and 52 = 1 again (itself): both
	 * ignored (RFC 2131 §4.1), sname is not walked, file is walked once
	 * (twice would double the lease into 8 octets and fail). */
	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x02, 0x34, 0x01, 0x01, 0xff);
	AT(&p, 108, 0x34, 0x01, 0x02, 0x34, 0x01, 0x01, 0x33, 0x04, 0x00, 0x00, 0x00, 0x78, 0xff);
	AT(&p, 44, 0x0c, 0x04, 'e', 'v', 'i', 'l', 0xff);
	CHECK(parse_pkt(&p, &m) == 0);
	CHECK(m.overload == 1 && m.has_lease_time && m.lease_time == 120);
	CHECK(m.hostname[0] == '\0');

	/* A malformed 52 inside sname is ignored too (not even length-checked). */
	pkt_init(&p);
	ADD(&p, 0x34, 0x01, 0x02, 0xff);
	AT(&p, 44, 0x34, 0x02, 0x07, 0x07, 0x0c, 0x01, 'y', 0xff);
	CHECK(parse_pkt(&p, &m) == 0 && m.overload == 2 && !strcmp(m.hostname, "y"));
}

static void test_overload_bad(void)
{
	struct pkt p;
	struct dhcp_msg m;

	for (unsigned v = 0; v < 256; v += 4) { /* 0, 4, 8, ... are out of range */
		pkt_init(&p);
		ADD(&p, 0x34, 0x01, (uint8_t)v, 0xff);
		CHECK(parse_pkt(&p, &m) == -EBADMSG);
	}
	pkt_init(&p);
	ADD(&p, 0x34, 0x02, 0x01, 0x00, 0xff); /* 2 octets */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	pkt_init(&p);
	ADD(&p, 0x34, 0x00, 0xff); /* 0 octets */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	pkt_init(&p);
	ADD(&p, 0x34, 0x01, 0x01, 0x34, 0x01, 0x02, 0xff); /* twice: 2 octets (RFC 3396) */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
}

/* --- malformed messages --------------------------------------------------- */

static void test_framing(void)
{
	struct pkt p;
	struct dhcp_msg m;

	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x01, 0xff);
	CHECK(parse_pkt(&p, &m) == 0);
	CHECK(dhcp_parse(p.b, 239, &m) == -EBADMSG);
	CHECK(dhcp_parse(p.b, 1, &m) == -EBADMSG);
	CHECK(dhcp_parse(p.b, 0, &m) == -EBADMSG);
	CHECK(dhcp_parse(p.b, 240, &m) == 0 && m.type == 0); /* no options: plain BOOTP */

	p.b[239] = 0x64; /* bad cookie */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	CHECK(m.xid == 0); /* *out is zeroed on error */
	p.b[239] = 0x63;

	p.b[0] = 0;
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	p.b[0] = 3;
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	p.b[0] = 2;
	CHECK(parse_pkt(&p, &m) == 0 && m.op == BOOTREPLY);

	p.b[2] = 17;
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	p.b[2] = 16;
	CHECK(parse_pkt(&p, &m) == 0 && m.hlen == 16);
}

static void test_option_bounds(void)
{
	struct pkt p;
	struct dhcp_msg m;

	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x01, 0x0c, 0x0a, 'a', 'b', 'c'); /* 12 claims 10, 3 left */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);

	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x01, 0x0c); /* a code octet and no length */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);

	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x01, 0x99, 0x02, 0xaa); /* unknown option, still bounded */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);

	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x01, 0x00, 0x00, 0x00); /* no END, the rest is PAD */
	CHECK(parse_pkt(&p, &m) == 0 && m.type == DHCPDISCOVER);

	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x01); /* no END, ends with a whole option */
	CHECK(parse_pkt(&p, &m) == 0 && m.type == DHCPDISCOVER);

	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x01, 0xff, 0x33, 0x09, 0x01); /* after END: ignored */
	CHECK(parse_pkt(&p, &m) == 0 && !m.has_lease_time);

	pkt_init(&p);
	ADD(&p, 0x99, 0x02, 0xaa, 0xbb, 0x35, 0x01, 0x03, 0xff); /* unknown option skipped */
	CHECK(parse_pkt(&p, &m) == 0 && m.type == DHCPREQUEST);
}

static void test_option_lengths(void)
{
	static const uint8_t fixed4[] = { 1, 28, 50, 51, 54, 58, 59 };
	static const uint8_t fixed2[] = { 26, 57 };
	struct pkt p;
	struct dhcp_msg m;

	for (size_t i = 0; i < sizeof(fixed4); i++) {
		for (uint8_t n = 0; n <= 8; n++) {
			uint8_t v[10] = { fixed4[i], n, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

			pkt_init(&p);
			pkt_add(&p, v, 2 + (size_t)n);
			ADD(&p, 0xff);
			CHECK_MSG(parse_pkt(&p, &m) == (n == 4 ? 0 : -EBADMSG), "option %u length %u",
				  fixed4[i], n);
		}
	}
	for (size_t i = 0; i < sizeof(fixed2); i++) {
		for (uint8_t n = 0; n <= 4; n++) {
			uint8_t v[6] = { fixed2[i], n, 0x05, 0xdc, 0x05, 0xdc };

			pkt_init(&p);
			pkt_add(&p, v, 2 + (size_t)n);
			ADD(&p, 0xff);
			CHECK_MSG(parse_pkt(&p, &m) == (n == 2 ? 0 : -EBADMSG), "option %u length %u",
				  fixed2[i], n);
		}
	}

	pkt_init(&p);
	ADD(&p, 0x35, 0x02, 0x01, 0x01, 0xff); /* message type with 2 octets */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	pkt_init(&p);
	ADD(&p, 0x35, 0x00, 0xff); /* message type with 0 octets */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x01, 0x35, 0x01, 0x03, 0xff); /* twice: concatenated, 2 octets */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	pkt_init(&p);
	ADD(&p, 0x33, 0x02, 0x00, 0x00, 0x35, 0x01, 0x01, 0x33, 0x02, 0x01, 0x2c, 0xff);
	CHECK(parse_pkt(&p, &m) == 0 && m.lease_time == 300); /* split lease, RFC 3396 */

	pkt_init(&p);
	ADD(&p, 0x03, 0x06, 10, 0, 0, 1, 10, 0, 0xff); /* router list of 6 octets */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	pkt_init(&p);
	ADD(&p, 0x06, 0x00, 0xff); /* empty DNS list */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	pkt_init(&p);
	ADD(&p, 0x37, 0x00, 0xff); /* empty PRL */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	pkt_init(&p);
	ADD(&p, 0x3d, 0x01, 0x01, 0xff); /* client id of 1 octet */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	pkt_init(&p);
	ADD(&p, 0x50, 0x01, 0x00, 0xff); /* rapid commit with a value */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
	pkt_init(&p);
	ADD(&p, 0x50, 0x00, 0xff);
	CHECK(parse_pkt(&p, &m) == 0 && m.rapid_commit);
	pkt_init(&p);
	ADD(&p, 0x52, 0x01, 0x01, 0xff); /* relay agent info of 1 octet */
	CHECK(parse_pkt(&p, &m) == -EBADMSG);
}

static void test_option_values(void)
{
	struct pkt p;
	struct dhcp_msg m;

	pkt_init(&p);
	ADD(&p, 0x1a, 0x02, 0x00, 0x43, 0x39, 0x02, 0x02, 0x3f, 0x01, 0x04, 0xff, 0x00, 0xff, 0x00,
	    0x35, 0x01, 0x00, 0xff); /* MTU 67, max size 575, mask 255.0.255.0, type 0 */
	CHECK(parse_pkt(&p, &m) == 0);
	CHECK(!m.has_mtu && m.max_size == 0 && !m.has_netmask && m.type == 0);

	pkt_init(&p);
	ADD(&p, 0x1a, 0x02, 0x00, 0x44, 0x39, 0x02, 0x02, 0x40, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
	    0x35, 0x01, 0x09, 0xff); /* MTU 68, max size 576, mask /0, type 9 (FORCERENEW) */
	CHECK(parse_pkt(&p, &m) == 0);
	CHECK(m.has_mtu && m.mtu == 68 && m.max_size == 576 && m.has_netmask && m.netmask == 0);
	CHECK(m.type == 9);

	pkt_init(&p);
	ADD(&p, 0x03, 0x18, 10, 0, 0, 1, 10, 0, 0, 2, 10, 0, 0, 3, 10, 0, 0, 4, 10, 0, 0, 5, 10, 0, 0, 6);
	ADD(&p, 0xff); /* six routers: the first four kept */
	CHECK(parse_pkt(&p, &m) == 0);
	CHECK(m.nrouters == 4 && m.routers[0] == IP4(10, 0, 0, 1) && m.routers[3] == IP4(10, 0, 0, 4));
}

static int parse_with_hostname(const char *name, size_t n, struct dhcp_msg *m)
{
	struct pkt p;

	pkt_init(&p);
	ADD(&p, 0x35, 0x01, 0x01);
	ADD(&p, 0x0c, (uint8_t)n);
	pkt_add(&p, (const uint8_t *)name, n);
	ADD(&p, 0x0f, 0x04, 't', 'e', 's', 't', 0xff);
	return parse_pkt(&p, m);
}

static void test_names(void)
{
	char long_name[256];
	struct dhcp_msg m;
	struct pkt p;

	memset(long_name, 'a', sizeof(long_name));
	CHECK(parse_with_hostname(long_name, 255, &m) == 0); /* 255 octets: kept out */
	CHECK(m.hostname[0] == '\0' && !strcmp(m.domain, "test") && m.type == DHCPDISCOVER);
	CHECK(parse_with_hostname(long_name, 64, &m) == 0 && m.hostname[0] == '\0');
	CHECK(parse_with_hostname(long_name, 63, &m) == 0 && strlen(m.hostname) == 63);
	CHECK(parse_with_hostname("guest1\0\0", 8, &m) == 0 && !strcmp(m.hostname, "guest1"));
	CHECK(parse_with_hostname("gue\0st1", 7, &m) == 0 && m.hostname[0] == '\0');
	CHECK(parse_with_hostname("my_guest", 8, &m) == 0 && m.hostname[0] == '\0');
	CHECK(parse_with_hostname("-guest", 6, &m) == 0 && m.hostname[0] == '\0');
	CHECK(parse_with_hostname("guest-", 6, &m) == 0 && m.hostname[0] == '\0');
	CHECK(parse_with_hostname("a..b", 4, &m) == 0 && m.hostname[0] == '\0');
	CHECK(parse_with_hostname("g\xc3\xa4st", 5, &m) == 0 && m.hostname[0] == '\0');
	CHECK(parse_with_hostname("", 0, &m) == 0 && m.hostname[0] == '\0');
	CHECK(parse_with_hostname("vm-1.lab", 8, &m) == 0 && !strcmp(m.hostname, "vm-1.lab"));

	pkt_init(&p);
	ADD(&p, 0x0f, 0x09, 'l', 'a', 'b', '.', 't', 'e', 's', 't', '.', 0xff);
	CHECK(parse_pkt(&p, &m) == 0 && !strcmp(m.domain, "lab.test")); /* FQDN dot dropped */

	/* A 300-octet domain, split over two options (RFC 3396): too long, kept out. */
	pkt_init(&p);
	ADD(&p, 0x0f, 0xff);
	for (int i = 0; i < 255; i++)
		ADD(&p, (uint8_t)(i % 2 ? '.' : 'a'));
	ADD(&p, 0x0f, 0x2d);
	for (int i = 0; i < 45; i++)
		ADD(&p, (uint8_t)(i % 2 ? 'a' : '.'));
	ADD(&p, 0xff);
	CHECK(parse_pkt(&p, &m) == 0 && m.domain[0] == '\0');

	pkt_init(&p);
	ADD(&p, 0x38, 0x06, 'b', 'a', 'd', '\n', 0x80, 0x00, 0xff); /* 56 message */
	CHECK(parse_pkt(&p, &m) == 0 && !strcmp(m.message, "bad??"));
	pkt_init(&p);
	ADD(&p, 0x38, 0xc8);
	for (int i = 0; i < 200; i++)
		ADD(&p, 'm');
	ADD(&p, 0xff);
	CHECK(parse_pkt(&p, &m) == 0 && strlen(m.message) == 127);
}

static void test_identifiers(void)
{
	struct pkt p;
	struct dhcp_msg m;

	pkt_init(&p); /* client id of 255 octets: kept whole */
	ADD(&p, 0x3d, 0xff);
	for (int i = 0; i < 255; i++)
		ADD(&p, (uint8_t)i);
	ADD(&p, 0xff);
	CHECK(parse_pkt(&p, &m) == 0 && m.client_id_len == 255 && m.client_id[254] == 254);

	pkt_init(&p); /* 255 + 45 octets: an identifier is never truncated, so rejected */
	ADD(&p, 0x3d, 0xff);
	for (int i = 0; i < 255; i++)
		ADD(&p, 1);
	ADD(&p, 0x3d, 0x2d);
	for (int i = 0; i < 45; i++)
		ADD(&p, 2);
	ADD(&p, 0xff);
	CHECK(parse_pkt(&p, &m) == -EBADMSG);

	pkt_init(&p); /* a PRL of 100 codes: the first 64 kept */
	ADD(&p, 0x37, 100);
	for (int i = 1; i <= 100; i++)
		ADD(&p, (uint8_t)i);
	ADD(&p, 0xff);
	CHECK(parse_pkt(&p, &m) == 0 && m.prl_len == 64 && dhcp_prl_has(&m, 64) &&
	      !dhcp_prl_has(&m, 65));

	pkt_init(&p); /* a relay's option 82: circuit id "eth0", kept for the echo */
	ADD(&p, 0x52, 0x06, 0x01, 0x04, 'e', 't', 'h', '0', 0xff);
	CHECK(parse_pkt(&p, &m) == 0 && m.agent_info_len == 6 && m.agent_info[2] == 'e');
}

/* --- builder ------------------------------------------------------------- */

static void test_builder_overflow(void)
{
	static const size_t sizes[] = { 0, 1, 10, 239, 240, 241, 243, 250, 299 };
	struct dhcp_msg h = { .op = BOOTREQUEST, .htype = 1, .hlen = 6 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *buf = malloc(sizes[i] + 64); /* ASan catches what the canary misses */
		struct dhcp_builder b;
		bool clean = true;

		memset(buf, 0xaa, sizes[i] + 64);
		dhcp_build_init(&b, buf, sizes[i], &h);
		dhcp_opt_u8(&b, DHCP_OPT_MSG_TYPE, DHCPDISCOVER);
		dhcp_opt_str(&b, DHCP_OPT_HOST_NAME, "guest1");
		CHECK_MSG(dhcp_build_finish(&b) == -ENOSPC, "size %zu", sizes[i]);
		for (size_t j = sizes[i]; j < sizes[i] + 64; j++)
			if (buf[j] != 0xaa)
				clean = false;
		CHECK_MSG(clean, "size %zu: wrote past the end", sizes[i]);
		CHECK(b.len <= sizes[i]);
		free(buf);
	}

	/* Exactly enough: 240 + 3 + 8 + END, then the PAD up to 300. */
	uint8_t buf[300];
	struct dhcp_builder b;

	dhcp_build_init(&b, buf, 300, &h);
	dhcp_opt_u8(&b, DHCP_OPT_MSG_TYPE, DHCPDISCOVER);
	dhcp_opt_str(&b, DHCP_OPT_HOST_NAME, "guest1");
	CHECK(dhcp_build_finish(&b) == 300);

	/* An option that does not fit is not written partly; later ones neither. */
	uint8_t big[260];

	memset(big, 'x', sizeof(big));
	dhcp_build_init(&b, buf, 300, &h);
	dhcp_opt_bytes(&b, 43, big, 58); /* 240 + 60 = 300: no room left for END */
	CHECK(b.overflow && b.len == 240);
	dhcp_opt_u8(&b, DHCP_OPT_MSG_TYPE, DHCPDISCOVER);
	CHECK(b.len == 240 && dhcp_build_finish(&b) == -ENOSPC);
}

static void test_builder_split_and_invalid(void)
{
	uint8_t buf[1024], data[300];
	uint32_t ips[70];
	struct dhcp_msg h = { .op = BOOTREPLY, .htype = 1, .hlen = 6 }, m;
	struct dhcp_builder b;
	int n;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)('a' + i % 26);
	for (unsigned i = 0; i < 70; i++)
		ips[i] = IP4(10, 0, 0, i + 1);
	dhcp_build_init(&b, buf, sizeof(buf), &h);
	dhcp_opt_bytes(&b, DHCP_OPT_MESSAGE, data, sizeof(data));
	dhcp_opt_ips(&b, DHCP_OPT_DNS, ips, 70);
	dhcp_opt_ips(&b, DHCP_OPT_ROUTER, ips, 0); /* writes nothing */
	dhcp_opt_bytes(&b, DHCP_OPT_RAPID_COMMIT, NULL, 0);
	n = dhcp_build_finish(&b);
	/* 240 + (2+255) + (2+45) + (2+252) + (2+28) + 2 + END */
	CHECK_MSG(n == 240 + 257 + 47 + 254 + 30 + 2 + 1, "length %d", n);
	CHECK(buf[240] == 56 && buf[241] == 255 && buf[497] == 56 && buf[498] == 45);
	CHECK(buf[544] == 6 && buf[545] == 252 && buf[798] == 6 && buf[799] == 28);
	CHECK(buf[828] == 80 && buf[829] == 0 && buf[830] == 255);
	CHECK(dhcp_parse(buf, (size_t)n, &m) == 0);
	CHECK(strlen(m.message) == 127 && m.message[126] == data[126]);
	CHECK(m.ndns == 4 && m.dns[3] == IP4(10, 0, 0, 4) && m.nrouters == 0 && m.rapid_commit);

	dhcp_build_init(&b, buf, sizeof(buf), &h);
	dhcp_opt_u8(&b, DHCP_OPT_END, 1);
	CHECK(dhcp_build_finish(&b) == -EINVAL);
	dhcp_build_init(&b, buf, sizeof(buf), &h);
	dhcp_opt_u8(&b, DHCP_OPT_PAD, 1);
	CHECK(dhcp_build_finish(&b) == -EINVAL);
	h.hlen = 17;
	dhcp_build_init(&b, buf, sizeof(buf), &h);
	CHECK(dhcp_build_finish(&b) == -EINVAL);
	h.hlen = 6;
	h.op = 0;
	dhcp_build_init(&b, buf, sizeof(buf), &h);
	CHECK(dhcp_build_finish(&b) == -EINVAL);
}

/* Every field of a parsed message through the builder and back. */
static void test_round_trip(void)
{
	/* Static, so its padding is zero too and memcmp compares the fields. */
	static const struct dhcp_msg a = {
		.op = BOOTREPLY, .htype = 1, .hlen = 6, .hops = 1, .xid = 0xdeadbeef, .secs = 7,
		.flags = DHCP_FLAG_BROADCAST, .chaddr = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
		.ciaddr = IP4(1, 2, 3, 4), .yiaddr = IP4(5, 6, 7, 8),
		.siaddr = IP4(9, 10, 11, 12), .giaddr = IP4(13, 14, 15, 16), .type = DHCPOFFER,
		.has_requested_ip = true, .requested_ip = IP4(10, 0, 0, 9),
		.has_server_id = true, .server_id = IP4(10, 0, 0, 1),
		.has_lease_time = true, .lease_time = 0xffffffff, .has_t1 = true, .t1 = 10,
		.has_t2 = true, .t2 = 20, .has_netmask = true, .netmask = IP4(255, 255, 255, 252),
		.routers = { IP4(10, 0, 0, 1), IP4(10, 0, 0, 2) }, .nrouters = 2,
		.dns = { IP4(8, 8, 8, 8) }, .ndns = 1, .has_broadcast = true,
		.broadcast = IP4(10, 0, 0, 3), .mtu = 9000, .has_mtu = true, .max_size = 1472,
		.hostname = "guest", .domain = "example.org", .client_id = { 0xff, 1, 2, 3 },
		.client_id_len = 4, .prl = { 1, 3, 6 }, .prl_len = 3, .message = "hello",
		.rapid_commit = true, .agent_info = { 1, 1, 'x' }, .agent_info_len = 3,
	};
	struct dhcp_msg b2;
	struct dhcp_builder b;
	uint8_t buf[576];
	int n;

	dhcp_build_init(&b, buf, sizeof(buf), &a);
	dhcp_opt_u8(&b, DHCP_OPT_MSG_TYPE, a.type);
	dhcp_opt_ip(&b, DHCP_OPT_REQUESTED_IP, a.requested_ip);
	dhcp_opt_ip(&b, DHCP_OPT_SERVER_ID, a.server_id);
	dhcp_opt_u32(&b, DHCP_OPT_LEASE_TIME, a.lease_time);
	dhcp_opt_u32(&b, DHCP_OPT_T1, a.t1);
	dhcp_opt_u32(&b, DHCP_OPT_T2, a.t2);
	dhcp_opt_ip(&b, DHCP_OPT_SUBNET_MASK, a.netmask);
	dhcp_opt_ips(&b, DHCP_OPT_ROUTER, a.routers, a.nrouters);
	dhcp_opt_ips(&b, DHCP_OPT_DNS, a.dns, a.ndns);
	dhcp_opt_ip(&b, DHCP_OPT_BROADCAST, a.broadcast);
	dhcp_opt_u16(&b, DHCP_OPT_MTU, a.mtu);
	dhcp_opt_u16(&b, DHCP_OPT_MAX_SIZE, a.max_size);
	dhcp_opt_str(&b, DHCP_OPT_HOST_NAME, a.hostname);
	dhcp_opt_str(&b, DHCP_OPT_DOMAIN_NAME, a.domain);
	dhcp_opt_bytes(&b, DHCP_OPT_CLIENT_ID, a.client_id, a.client_id_len);
	dhcp_opt_bytes(&b, DHCP_OPT_PRL, a.prl, a.prl_len);
	dhcp_opt_str(&b, DHCP_OPT_MESSAGE, a.message);
	dhcp_opt_bytes(&b, DHCP_OPT_RAPID_COMMIT, NULL, 0);
	dhcp_opt_bytes(&b, DHCP_OPT_AGENT_INFO, a.agent_info, a.agent_info_len);
	n = dhcp_build_finish(&b);
	CHECK(n > 300);
	CHECK(dhcp_parse(buf, (size_t)n, &b2) == 0);
	CHECK(memcmp(&a, &b2, sizeof(a)) == 0);
}

static void test_type_names(void)
{
	CHECK(!strcmp(dhcp_type_name(DHCPDISCOVER), "DHCPDISCOVER"));
	CHECK(!strcmp(dhcp_type_name(DHCPINFORM), "DHCPINFORM"));
	CHECK(!strcmp(dhcp_type_name(0), "BOOTP"));
	CHECK(!strcmp(dhcp_type_name(9), "UNKNOWN"));
	CHECK(!strcmp(dhcp_type_name(255), "UNKNOWN"));
}

/* --- IPv4 + UDP ------------------------------------------------------------ */

static void test_checksum_golden(void)
{
	/* RFC 1071 §3's numerical example: the sum of 0001 f203 f4f5 f6f7 is
	 * ddf2, so the checksum is its complement 220d. */
	CHECK(dhcp_ipudp_checksum(BYTES(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7), 8, 0) == 0x220d);
	/* A well-known IPv4 header (192.168.0.1 -> 192.168.0.199, UDP, TTL 64,
	 * DF) with its checksum b861; cross-checked with
	 * python3 -c "import struct;b=bytes.fromhex('450000730000400040110000c0a80001c0a800c7');
	 *   s=sum(struct.unpack('!10H',b));s=(s&0xffff)+(s>>16);print(hex(~s&0xffff))" */
	CHECK(dhcp_ipudp_checksum(BYTES(0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00,
				   0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7), 20, 0) == 0xb861);
	CHECK(dhcp_ipudp_checksum(BYTES(0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8,
				   0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7), 20, 0) == 0);
	CHECK(dhcp_ipudp_checksum(BYTES(0xab), 1, 0) == 0x54ff); /* odd octet padded with zero */
	CHECK(dhcp_ipudp_checksum("", 0, 0) == 0xffff);
}

/*
 * "labinit" (7 octets, so the odd-length padding is exercised) from
 * 192.168.122.1:67 to 255.255.255.255:68, TTL 64. The two checksums were
 * computed independently with Python:
 *   python3 -c "import struct
 *   def cs(b):
 *     b += b'\0' * (len(b) % 2); s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
 *     while s >> 16: s = (s & 0xffff) + (s >> 16)
 *     return ~s & 0xffff
 *   src, dst, pl = bytes([192,168,122,1]), bytes([255]*4), b'labinit'
 *   ip = bytes.fromhex('4500') + struct.pack('!H', 35) + bytes.fromhex('000040004011 0000') + src + dst
 *   print(hex(cs(ip)), hex(cs(src + dst + struct.pack('!BBH', 0, 17, 15) +
 *     struct.pack('!HHHH', 67, 68, 15, 0) + pl)))"
 * which prints 0x21 0x136b.
 */
static const uint8_t udp_golden[35] = {
	0x45, 0x00, 0x00, 0x23,             /* IPv4, IHL 5, TOS 0, total length 35 */
	0x00, 0x00, 0x40, 0x00,             /* ID 0, DF, fragment offset 0 */
	0x40, 0x11, 0x00, 0x21,             /* TTL 64, protocol UDP, header checksum */
	0xc0, 0xa8, 0x7a, 0x01,             /* source 192.168.122.1 */
	0xff, 0xff, 0xff, 0xff,             /* destination 255.255.255.255 */
	0x00, 0x43, 0x00, 0x44,             /* UDP ports 67 -> 68 */
	0x00, 0x0f, 0x13, 0x6b,             /* UDP length 15, checksum */
	'l', 'a', 'b', 'i', 'n', 'i', 't',  /* payload */
};

static void test_ipudp_golden(void)
{
	uint8_t buf[64];
	struct dhcp_ipudp_info info;
	const uint8_t *pl;
	size_t pl_len, n;

	memset(buf, 0xaa, sizeof(buf));
	memcpy(buf + IPUDP_HDR_LEN, "labinit", 7);
	n = dhcp_ipudp_build(buf, 7, IP4(192, 168, 122, 1), 67, 0xffffffff, 68, 64);
	CHECK(n == 35);
	CHECK(memcmp(buf, udp_golden, sizeof(udp_golden)) == 0);
	CHECK(buf[35] == 0xaa);

	CHECK(dhcp_ipudp_parse(udp_golden, sizeof(udp_golden), 68, &info, &pl, &pl_len) == 0);
	CHECK(info.src_ip == IP4(192, 168, 122, 1) && info.dst_ip == 0xffffffff);
	CHECK(info.src_port == 67 && info.dst_port == 68 && info.ttl == 64);
	CHECK(pl == udp_golden + 28 && pl_len == 7);
	CHECK(dhcp_ipudp_build(buf, 65535 - 27, 0, 0, 0, 0, 64) == 0); /* too long for IPv4 */
}

static void test_ipudp_round_trip(void)
{
	uint8_t frame[IPUDP_HDR_LEN + 576];
	struct dhcp_msg h = { .op = BOOTREQUEST, .htype = 1, .hlen = 6, .xid = 42 }, m;
	struct dhcp_builder b;
	struct dhcp_ipudp_info info;
	const uint8_t *pl;
	size_t pl_len, n;
	int len;

	memcpy(h.chaddr, mac, 6);
	dhcp_build_init(&b, frame + IPUDP_HDR_LEN, sizeof(frame) - IPUDP_HDR_LEN, &h);
	dhcp_opt_u8(&b, DHCP_OPT_MSG_TYPE, DHCPDISCOVER);
	len = dhcp_build_finish(&b);
	CHECK(len == 300);
	n = dhcp_ipudp_build(frame, (size_t)len, 0, DHCP_CLIENT_PORT, 0xffffffff, DHCP_SERVER_PORT, 64);
	CHECK(n == 328);
	CHECK(dhcp_ipudp_parse(frame, n, DHCP_SERVER_PORT, &info, &pl, &pl_len) == 0);
	CHECK(info.src_ip == 0 && info.dst_ip == 0xffffffff && info.src_port == 68);
	CHECK(pl == frame + IPUDP_HDR_LEN && pl_len == 300);
	CHECK(dhcp_parse(pl, pl_len, &m) == 0 && m.xid == 42 && m.type == DHCPDISCOVER);
	/* Ethernet padding after the datagram is not part of it. */
	CHECK(dhcp_ipudp_parse(frame, sizeof(frame), DHCP_SERVER_PORT, &info, &pl, &pl_len) == 0);
	CHECK(pl_len == 300);
}

/* Rewrites the IPv4 header checksum after a test changed the header. */
static void fix_ip_csum(uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	uint16_t s;

	ip[10] = ip[11] = 0;
	s = dhcp_ipudp_checksum(ip, ihl, 0);
	ip[10] = (uint8_t)(s >> 8);
	ip[11] = (uint8_t)s;
}

static void test_ipudp_bad(void)
{
	uint8_t f[64];
	struct dhcp_ipudp_info info;
	const uint8_t *pl;
	size_t pl_len;

#define RESET() memcpy(f, udp_golden, sizeof(udp_golden))
#define PARSE(len) dhcp_ipudp_parse(f, len, 68, &info, &pl, &pl_len)
	RESET();
	CHECK(PARSE(35) == 0);
	f[30] ^= 1; /* a payload bit flipped: the UDP checksum catches it */
	CHECK(PARSE(35) == -EBADMSG);
	CHECK(dhcp_ipudp_parse_flags(f, 35, 68, IPUDP_CSUM_NOT_READY, &info, &pl, &pl_len) == 0);
	f[26] = f[27] = 0; /* no checksum at all: allowed in IPv4 (RFC 768) */
	CHECK(PARSE(35) == 0 && pl_len == 7);

	RESET();
	f[6] |= 0x20; /* MF: first fragment */
	fix_ip_csum(f);
	CHECK(PARSE(35) == -ENOMSG);
	RESET();
	f[7] = 0x10; /* offset 16 * 8: a later fragment */
	fix_ip_csum(f);
	CHECK(PARSE(35) == -ENOMSG);

	RESET();
	CHECK(dhcp_ipudp_parse(f, 35, 67, &info, &pl, &pl_len) == -ENOMSG); /* another port */
	f[9] = 6; /* TCP */
	fix_ip_csum(f);
	CHECK(PARSE(35) == -ENOMSG);

	RESET();
	f[11] ^= 1; /* header checksum */
	CHECK(PARSE(35) == -EBADMSG);
	RESET();
	f[0] = 0x65; /* version 6 */
	CHECK(PARSE(35) == -EBADMSG);
	RESET();
	f[0] = 0x44; /* IHL 4 */
	CHECK(PARSE(35) == -EBADMSG);
	RESET();
	f[0] = 0x4f; /* IHL 15 = 60 octets, past the buffer */
	CHECK(PARSE(35) == -EBADMSG);
	RESET();
	CHECK(PARSE(34) == -EBADMSG); /* total length 35 > 34 read */
	CHECK(PARSE(19) == -EBADMSG);
	CHECK(PARSE(0) == -EBADMSG);
	RESET();
	f[3] = 0x13; /* total length 19 < IHL */
	fix_ip_csum(f);
	CHECK(PARSE(35) == -EBADMSG);
	RESET();
	f[3] = 0x1a; /* total length 26: no room for the UDP header */
	fix_ip_csum(f);
	CHECK(PARSE(35) == -EBADMSG);
	RESET();
	f[25] = 0x10; /* UDP length 16 > 15 */
	CHECK(PARSE(35) == -EBADMSG);
	RESET();
	f[25] = 0x07; /* UDP length 7 < 8 */
	CHECK(PARSE(35) == -EBADMSG);

	/* IP options (IHL 6: one NOP NOP NOP EOL word) are skipped. */
	memcpy(f, udp_golden, 20);
	f[0] = 0x46;
	f[3] = 39;
	memcpy(f + 20, BYTES(1, 1, 1, 0), 4);
	memcpy(f + 24, udp_golden + 20, 15);
	fix_ip_csum(f);
	CHECK(PARSE(39) == 0 && pl == f + 32 && pl_len == 7 && !memcmp(pl, "labinit", 7));
#undef RESET
#undef PARSE
}

/* A UDP checksum that computes to zero is sent as 0, "no checksum":
 * busybox udhcpc drops RFC 768's 0xffff (see dhcp_ipudp_build). */
static void test_ipudp_zero_sum(void)
{
	uint8_t f[IPUDP_HDR_LEN + 2] = { 0 };
	struct dhcp_ipudp_info info;
	const uint8_t *pl;
	size_t pl_len;

	/* With payload 0000 the checksum is c = ~S; a payload of c itself makes
	 * the sum S + ~S = ffff, whose complement is 0. */
	dhcp_ipudp_build(f, 2, IP4(10, 0, 0, 1), 67, IP4(10, 0, 0, 2), 68, 64);
	f[28] = f[26];
	f[29] = f[27];
	CHECK(dhcp_ipudp_build(f, 2, IP4(10, 0, 0, 1), 67, IP4(10, 0, 0, 2), 68, 64) == 30);
	CHECK(f[26] == 0 && f[27] == 0);
	CHECK(dhcp_ipudp_parse(f, sizeof(f), 68, &info, &pl, &pl_len) == 0);
}

int main(void)
{
	test_build_discover_golden();
	test_parse_discover_golden();
	test_parse_ack_golden();
	test_build_ack_golden();
	test_overload();
	test_overload_nested();
	test_overload_bad();
	test_framing();
	test_option_bounds();
	test_option_lengths();
	test_option_values();
	test_names();
	test_identifiers();
	test_builder_overflow();
	test_builder_split_and_invalid();
	test_round_trip();
	test_type_names();
	test_checksum_golden();
	test_ipudp_golden();
	test_ipudp_round_trip();
	test_ipudp_bad();
	test_ipudp_zero_sum();
	return T_DONE();
}
