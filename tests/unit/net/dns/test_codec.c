/* The DNS codec and the server's policy (dnsd_answer_local) against
 * hand-assembled golden bytes, and hostile input: compression loops,
 * truncated packets, oversize labels and names, QDCOUNT other than 1.
 * Also the resolv file parser and reader, the host table and the matching
 * of upstream answers. No sockets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/dns/codec.h"
#include "net/dns/dnsd.h"
#include "t.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ })
#define NBYTES(...) sizeof((const uint8_t[]){ __VA_ARGS__ })

static struct dnsd D;

/* --- golden vectors ------------------------------------------------------ */

/* ID 0x1234, RD, one question: vm1.lab IN A. */
static const uint8_t q_vm1[] = {
	0x12, 0x34, 0x01, 0x00,                         /* ID, flags: RD */
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* QD 1, AN 0, NS 0, AR 0 */
	0x03, 'v', 'm', '1', 0x03, 'l', 'a', 'b', 0x00, /* vm1.lab */
	0x00, 0x01, 0x00, 0x01,                         /* A, IN */
};

/* The answer: QR AA RD RA, NOERROR, the question echoed, one A record
 * owned by a pointer to offset 12, TTL 0, 10.77.0.11. */
static const uint8_t a_vm1[] = {
	0x12, 0x34, 0x85, 0x80,
	0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x03, 'v', 'm', '1', 0x03, 'l', 'a', 'b', 0x00,
	0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 10, 77, 0, 11,
};

/* ID 0xbeef, RD: 11.0.77.10.in-addr.arpa IN PTR. */
static const uint8_t q_ptr[] = {
	0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, '1', '1', 0x01, '0', 0x02, '7', '7', 0x02, '1', '0',
	0x07, 'i', 'n', '-', 'a', 'd', 'd', 'r', 0x04, 'a', 'r', 'p', 'a', 0x00,
	0x00, 0x0c, 0x00, 0x01,
};

static const uint8_t a_ptr[] = {
	0xbe, 0xef, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x02, '1', '1', 0x01, '0', 0x02, '7', '7', 0x02, '1', '0',
	0x07, 'i', 'n', '-', 'a', 'd', 'd', 'r', 0x04, 'a', 'r', 'p', 'a', 0x00,
	0x00, 0x0c, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, /* PTR, RDLENGTH 9 */
	0x03, 'v', 'm', '1', 0x03, 'l', 'a', 'b', 0x00,
};

/* A query for NAME (dotted text) of type, ID 0x4242, RD. */
static size_t make_query(uint8_t *buf, const char *name, uint16_t type, uint16_t klass)
{
	struct dns_name n;
	size_t len = DNS_HDR_LEN;

	memset(buf, 0, DNS_HDR_LEN);
	buf[0] = 0x42, buf[1] = 0x42, buf[2] = 0x01, buf[5] = 1;
	if (dns_name_from_text(&n, name) < 0)
		abort();
	memcpy(buf + len, n.wire, n.len);
	len += n.len;
	buf[len++] = (uint8_t)(type >> 8), buf[len++] = (uint8_t)type;
	buf[len++] = (uint8_t)(klass >> 8), buf[len++] = (uint8_t)klass;
	return len;
}

static int ask(const uint8_t *q, size_t len, uint8_t *out)
{
	return dnsd_answer_local(&D, q, len, out, DNS_UDP_MAX);
}

static unsigned rcode_of(const uint8_t *r)
{
	return r[3] & 0x0f;
}

static unsigned count(const uint8_t *r, unsigned at)
{
	return (unsigned)r[at] << 8 | r[at + 1];
}

static bool flag(const uint8_t *r, uint16_t f)
{
	return ((unsigned)r[2] << 8 | r[3]) & f;
}

/* --- setup ---------------------------------------------------------------- */

/* The lab's default network, as the profile's defaults give it: virbr0,
 * 10.77.0.0/24 with the gateway .1, domain "lab", the host "labhost",
 * upstreams from the uplink's DHCP client on eth0. */
static struct dnsd_config base(void)
{
	struct dnsd_config c = {
		.bridge_name = "virbr0",
		.dns_domain = "lab",
		.hostname = "labhost",
		.gateway = IP4(10, 77, 0, 1),
		.subnet = { IP4(10, 77, 0, 0), 24 },
		.uplink_dhcp = true,
		.uplink_ifname = "eth0",
	};

	return c;
}

static void setup(const struct dnsd_config *c)
{
	CHECK(dnsd_setup(&D, c) == 0);
	CHECK(dnsd_host_set(&D, "vm1", IP4(10, 77, 0, 11)) == 0);
	CHECK(dnsd_host_set(&D, "vm2", IP4(10, 77, 0, 12)) == 0);
}

/* --- tests ----------------------------------------------------------------- */

static void test_golden(void)
{
	uint8_t out[DNS_UDP_MAX];
	int n;

	n = ask(q_vm1, sizeof(q_vm1), out);
	CHECK_MSG(n == (int)sizeof(a_vm1) && !memcmp(out, a_vm1, sizeof(a_vm1)), "A answer differs (%d)", n);
	n = ask(q_ptr, sizeof(q_ptr), out);
	CHECK_MSG(n == (int)sizeof(a_ptr) && !memcmp(out, a_ptr, sizeof(a_ptr)), "PTR answer differs (%d)", n);
}

static void test_names(void)
{
	uint8_t q[300], out[DNS_UDP_MAX];
	size_t len;
	int n;

	/* NAME alone, any case; the question's case is echoed (RFC 4343 §4). */
	len = make_query(q, "VM1", DNS_TYPE_A, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n == (int)len + 16 && rcode_of(out) == 0 && count(out, 6) == 1 && flag(out, DNS_F_AA));
	CHECK(n > 0 && !memcmp(out + 12, "\3VM1\0", 5) && !memcmp(out + n - 4, BYTES(10, 77, 0, 11), 4));
	/* The gateway: gateway.lab and the host name. */
	len = make_query(q, "gateway.LAB.", DNS_TYPE_A, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n > 0 && count(out, 6) == 1 && !memcmp(out + n - 4, BYTES(10, 77, 0, 1), 4));
	len = make_query(q, "labhost", DNS_TYPE_A, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n > 0 && count(out, 6) == 1 && !memcmp(out + n - 4, BYTES(10, 77, 0, 1), 4));
	/* ANY gets the A record. */
	len = make_query(q, "vm2.lab", DNS_TYPE_ANY, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n > 0 && count(out, 6) == 1 && !memcmp(out + n - 4, BYTES(10, 77, 0, 12), 4));
	/* AAAA of a lab name: NOERROR, no answer, authoritative. */
	len = make_query(q, "vm1.lab", DNS_TYPE_AAAA, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n == (int)len && out[2] == 0x85 && out[3] == 0x80 && count(out, 6) == 0);
	/* Unknown under DOMAIN: NXDOMAIN, authoritative; also deeper names. */
	len = make_query(q, "nope.lab", DNS_TYPE_A, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n == (int)len && out[2] == 0x85 && out[3] == 0x83 && count(out, 6) == 0);
	len = make_query(q, "x.vm1.lab", DNS_TYPE_A, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_NXDOMAIN);
	/* The domain itself exists: NOERROR without data. */
	len = make_query(q, "lab", DNS_TYPE_A, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == 0 && count(out, 6) == 0 && flag(out, DNS_F_AA));
	/* Outside names are forwarded: 0. */
	len = make_query(q, "www.example.test", DNS_TYPE_A, DNS_CLASS_IN);
	CHECK(ask(q, len, out) == 0);
	len = make_query(q, "vm1.other", DNS_TYPE_A, DNS_CLASS_IN);
	CHECK(ask(q, len, out) == 0);
	len = make_query(q, "unknownhost", DNS_TYPE_A, DNS_CLASS_IN);
	CHECK(ask(q, len, out) == 0);
	/* A deleted name is gone; the gateway's cannot be taken or deleted. */
	CHECK(dnsd_host_del(&D, "VM2") == 0);
	len = make_query(q, "vm2.lab", DNS_TYPE_A, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_NXDOMAIN);
	CHECK(dnsd_host_del(&D, "vm2") == -ENOENT);
	CHECK(dnsd_host_del(&D, "gateway") == -EPERM);
	CHECK(dnsd_host_set(&D, "Gateway", IP4(10, 77, 0, 9)) == -EEXIST);
	CHECK(dnsd_host_set(&D, "labhost", IP4(10, 77, 0, 9)) == -EEXIST);
	CHECK(dnsd_host_set(&D, "bad_name", IP4(10, 77, 0, 9)) == -EINVAL);
	CHECK(dnsd_host_set(&D, "-x", IP4(10, 77, 0, 9)) == -EINVAL);
	CHECK(dnsd_host_set(&D, "far", IP4(10, 78, 0, 9)) == -EINVAL);
	CHECK(dnsd_host_set(&D, "vm1", IP4(10, 77, 0, 21)) == 0); /* moves */
	len = make_query(q, "vm1", DNS_TYPE_A, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n > 0 && !memcmp(out + n - 4, BYTES(10, 77, 0, 21), 4));
	CHECK(dnsd_host_set(&D, "vm1", IP4(10, 77, 0, 11)) == 0);
}

static void test_reverse(void)
{
	uint8_t q[300], out[DNS_UDP_MAX];
	size_t len;
	int n;

	/* The gateway's address has both names, the host name first. */
	len = make_query(q, "1.0.77.10.in-addr.arpa", DNS_TYPE_PTR, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n > 0 && rcode_of(out) == 0 && count(out, 6) == 2);
	CHECK(n > 0 && memmem(out, (size_t)n, "\7labhost\3lab", 12) && memmem(out, (size_t)n, "\7gateway\3lab", 12));
	/* Unknown inside the subnet, or deeper: NXDOMAIN, never forwarded. */
	len = make_query(q, "99.0.77.10.in-addr.arpa", DNS_TYPE_PTR, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_NXDOMAIN && flag(out, DNS_F_AA));
	len = make_query(q, "x.11.0.77.10.in-addr.arpa", DNS_TYPE_PTR, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_NXDOMAIN);
	len = make_query(q, "lb._dns-sd._udp.0.77.10.in-addr.arpa", DNS_TYPE_PTR, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_NXDOMAIN);
	/* The subnet's own zone: an empty non-terminal (RFC 8020). */
	len = make_query(q, "0.77.10.in-addr.arpa", 6 /* SOA */, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == 0 && count(out, 6) == 0);
	/* A known address asked for another type: no data. */
	len = make_query(q, "11.0.77.10.in-addr.arpa", DNS_TYPE_A, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == 0 && count(out, 6) == 0);
	/* Outside the subnet, or above it: forwarded. */
	len = make_query(q, "7.2.0.192.in-addr.arpa", DNS_TYPE_PTR, DNS_CLASS_IN);
	CHECK(ask(q, len, out) == 0);
	len = make_query(q, "77.10.in-addr.arpa", DNS_TYPE_PTR, DNS_CLASS_IN);
	CHECK(ask(q, len, out) == 0);
	len = make_query(q, "011.0.77.10.in-addr.arpa", DNS_TYPE_PTR, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_NXDOMAIN); /* not an octet: deeper */
}

static void test_errors(void)
{
	uint8_t q[600], out[DNS_UDP_MAX];
	size_t len;
	int n;

	/* QDCOUNT 0 and 2: FORMERR, header only (RFC 9619). */
	memcpy(q, q_vm1, sizeof(q_vm1));
	q[5] = 0;
	n = ask(q, sizeof(q_vm1), out);
	CHECK(n == DNS_HDR_LEN && !memcmp(out, BYTES(0x12, 0x34, 0x81, 0x81, 0, 0, 0, 0, 0, 0, 0, 0), 12));
	q[5] = 2;
	n = ask(q, sizeof(q_vm1), out);
	CHECK(n == DNS_HDR_LEN && rcode_of(out) == DNS_RCODE_FORMERR && count(out, 4) == 0);
	/* A response is never answered; nor is less than a header. */
	memcpy(q, q_vm1, sizeof(q_vm1));
	q[2] |= 0x80;
	CHECK(ask(q, sizeof(q_vm1), out) < 0);
	CHECK(ask(q_vm1, 11, out) < 0);
	CHECK(ask(q_vm1, 0, out) < 0);
	/* Every truncation of the question: FORMERR, header only. */
	for (size_t cut = DNS_HDR_LEN; cut < sizeof(q_vm1); cut++) {
		n = ask(q_vm1, cut, out);
		CHECK_MSG(n == DNS_HDR_LEN && rcode_of(out) == DNS_RCODE_FORMERR, "cut at %zu: %d", cut, n);
	}
	/* Opcode STATUS (2): NOTIMP. */
	memcpy(q, q_vm1, sizeof(q_vm1));
	q[2] = 0x10;
	n = ask(q, sizeof(q_vm1), out);
	CHECK(n == DNS_HDR_LEN && rcode_of(out) == DNS_RCODE_NOTIMP && (out[2] & 0x78) == 0x10);
	/* Class CH: NOTIMP; AXFR: REFUSED. */
	len = make_query(q, "version.bind", DNS_TYPE_A, 3);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_NOTIMP);
	len = make_query(q, "lab", DNS_TYPE_AXFR, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_REFUSED);
	/* A label of 64 (type bits 01) and labels of 63 adding up to 257. */
	memcpy(q, q_vm1, 12);
	q[12] = 64;
	memset(q + 13, 'a', 64);
	q[77] = 0;
	memcpy(q + 78, BYTES(0, 1, 0, 1), 4);
	CHECK(ask(q, 82, out) == DNS_HDR_LEN && rcode_of(out) == DNS_RCODE_FORMERR);
	len = 12;
	for (int i = 0; i < 4; i++) {
		q[len++] = 63;
		memset(q + len, 'a' + i, 63);
		len += 63;
	}
	q[len++] = 0;
	memcpy(q + len, BYTES(0, 1, 0, 1), 4);
	CHECK(ask(q, len + 4, out) == DNS_HDR_LEN && rcode_of(out) == DNS_RCODE_FORMERR);
	/* 255 exactly is fine: 3 x 63 + 61 + 4 length octets + root. */
	q[12 + 3 * 64] = 61;
	q[12 + 3 * 64 + 62] = 0;
	memcpy(q + 12 + 3 * 64 + 63, BYTES(0, 1, 0, 1), 4);
	n = ask(q, 12 + 255 + 4, out);
	CHECK_MSG(n == 0, "a 255-octet name is forwarded: %d", n);
}

static void test_compression(void)
{
	struct dns_name n;
	uint8_t m[64] = { 0 };
	size_t pos;

	/* Legit: "lab" at 12, then vm1 + pointer to 12 at 17. */
	memcpy(m + 12, BYTES(3, 'l', 'a', 'b', 0, 3, 'v', 'm', '1', 0xc0, 12), 11);
	pos = 17;
	CHECK(dns_read_name(m, 23, &pos, &n) == 0 && pos == 23 && n.len == 9 && n.nlabels == 2 &&
	      !memcmp(n.wire, "\3vm1\3lab", 9));
	/* A pointer to itself, forwards, into the header, past the end. */
	memcpy(m + 12, BYTES(0xc0, 12), 2);
	pos = 12;
	CHECK(dns_read_name(m, 14, &pos, &n) == -EBADMSG);
	memcpy(m + 12, BYTES(0xc0, 14, 1, 'a', 0), 5);
	pos = 12;
	CHECK(dns_read_name(m, 17, &pos, &n) == -EBADMSG);
	memcpy(m + 20, BYTES(0xc0, 2), 2);
	pos = 20;
	CHECK(dns_read_name(m, 22, &pos, &n) == -EBADMSG);
	memcpy(m + 20, BYTES(0xc0, 60), 2);
	pos = 20;
	CHECK(dns_read_name(m, 22, &pos, &n) == -EBADMSG);
	/* A loop through two names: 12 "a" -> 16, 16 -> 12. */
	memcpy(m + 12, BYTES(1, 'a', 0xc0, 16, 0xc0, 12), 6);
	pos = 16;
	CHECK(dns_read_name(m, 18, &pos, &n) == -EBADMSG);
	pos = 12;
	CHECK(dns_read_name(m, 18, &pos, &n) == -EBADMSG);
	/* A pointer cut in half; type bits 10. */
	m[12] = 0xc0;
	pos = 12;
	CHECK(dns_read_name(m, 13, &pos, &n) == -EBADMSG);
	m[12] = 0x80;
	pos = 12;
	CHECK(dns_read_name(m, 20, &pos, &n) == -EBADMSG);
	/* In a query, a pointer has nothing before it to point at: FORMERR. */
	{
		uint8_t q[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1 };
		uint8_t out[DNS_UDP_MAX];

		CHECK(ask(q, sizeof(q), out) == DNS_HDR_LEN && rcode_of(out) == DNS_RCODE_FORMERR);
	}
}

static void test_builder(void)
{
	uint8_t out[DNS_UDP_MAX];
	struct dns_builder b;
	struct dns_msg m;
	struct dns_name t;
	int n;

	/* A record that does not fit: TC, and no half record. */
	n = dnsd_answer_local(&D, q_vm1, sizeof(q_vm1), out, sizeof(q_vm1) + 10);
	CHECK(n == (int)sizeof(q_vm1) && flag(out, DNS_F_TC) && count(out, 6) == 0);
	/* Not even the question fits: nothing. */
	CHECK(dnsd_answer_local(&D, q_vm1, sizeof(q_vm1), out, 20) < 0);
	/* Records without a question are refused by the builder. */
	CHECK(dns_parse_query(q_vm1, sizeof(q_vm1), &m) == 0);
	m.has_question = false;
	dns_build_reply(&b, out, sizeof(out), &m, 0, 0);
	dns_add_a(&b, 0, 1);
	CHECK(dns_build_finish(&b) == -ENOSPC);
	/* Names from text. */
	CHECK(dns_name_from_text(&t, "a..b") == -EINVAL);
	CHECK(dns_name_from_text(&t, ".") == 0 && t.len == 1 && t.nlabels == 0);
	CHECK(dns_name_from_text(&t, "") == 0 && t.len == 1);
	{
		char big[80];

		memset(big, 'x', 64);
		big[64] = 0;
		CHECK(dns_name_from_text(&t, big) == -EINVAL);
		big[63] = 0;
		CHECK(dns_name_from_text(&t, big) == 0 && t.len == 65);
	}
}

static void test_response_and_match(void)
{
	struct dnsd_pending p;
	struct dns_msg m;
	uint8_t r[sizeof(a_vm1)];

	CHECK(dns_parse_response(a_vm1, sizeof(a_vm1), &m) == 0 && m.h.id == 0x1234 && m.h.ancount == 1 &&
	      m.q.qtype == DNS_TYPE_A && m.qend == sizeof(q_vm1));
	CHECK(dns_parse_response(q_vm1, sizeof(q_vm1), &m) == -EBADMSG); /* not a response */
	memset(&p, 0, sizeof(p));
	CHECK(dns_parse_query(q_vm1, sizeof(q_vm1), &p.query) == 0);
	p.up_id = 0x1234;
	CHECK(dnsd_pending_match(&p, a_vm1, sizeof(a_vm1)));
	memcpy(r, a_vm1, sizeof(r));
	r[14] = 'M'; /* the same name in another case (e.g. 0x20 randomisation) */
	CHECK(dnsd_pending_match(&p, r, sizeof(r)));
	r[14] = 'x'; /* another name */
	CHECK(!dnsd_pending_match(&p, r, sizeof(r)));
	memcpy(r, a_vm1, sizeof(r));
	r[1] = 0x35; /* another ID */
	CHECK(!dnsd_pending_match(&p, r, sizeof(r)));
	memcpy(r, a_vm1, sizeof(r));
	r[22] = 28; /* another type */
	CHECK(!dnsd_pending_match(&p, r, sizeof(r)));
	CHECK(!dnsd_pending_match(&p, a_vm1, 20));
}

static void test_resolv(void)
{
	static const char text[] = "# written by dhcpc\nnameserver 192.0.2.53\nnameserver fe80::1\n"
				   "nameserver 192.0.2.53\nsearch example\nnameserver\t198.51.100.1 # x\n"
				   " nameserver 9.9.9.9\nnameserver 1.2.3\nnameservers 8.8.8.8\nnameserver 10.77.0.1";
	char path[] = "/tmp/labinit-dns-XXXXXX";
	uint32_t ips[4];
	int fd;

	CHECK(dnsd_parse_resolv(text, sizeof(text) - 1, ips, 4) == 3 && ips[0] == IP4(192, 0, 2, 53) &&
	      ips[1] == IP4(198, 51, 100, 1) && ips[2] == IP4(10, 77, 0, 1));
	CHECK(dnsd_parse_resolv(text, sizeof(text) - 1, ips, 1) == 1);
	CHECK(dnsd_parse_resolv("nameserver 1.2.3.4", 10, ips, 4) == 0);

	/* The file is read when it changes; our own address is left out. */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
	close(fd);
	CHECK(D.up_from_file); /* the default profile has a DHCP uplink */
	snprintf(D.resolv_path, sizeof(D.resolv_path), "%s", path);
	dnsd_upstreams_refresh(&D);
	CHECK(D.nup == 2 && D.up[0] == IP4(192, 0, 2, 53) && D.up[1] == IP4(198, 51, 100, 1));
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, "nameserver 203.0.113.9\n", 23) == 23);
	close(fd);
	dnsd_upstreams_refresh(&D);
	CHECK(D.nup == 1 && D.up[0] == IP4(203, 0, 113, 9));
	unlink(path);
	dnsd_upstreams_refresh(&D);
	CHECK(D.nup == 0);
}

static void test_no_forward(void)
{
	struct dnsd_config c;
	uint8_t q[300], out[DNS_UDP_MAX];
	size_t len;
	int n;

	c = base();
	c.dns_no_forward = true;
	c.dns_domain = "kdebug.internal";
	setup(&c);
	len = make_query(q, "www.example.test", DNS_TYPE_A, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n == (int)len && out[2] == 0x81 && out[3] == 0x05); /* REFUSED, no RA */
	len = make_query(q, "vm1.kdebug.internal", DNS_TYPE_A, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n > 0 && out[3] == 0x00 && count(out, 6) == 1); /* no RA either */
	len = make_query(q, "vm1.lab", DNS_TYPE_A, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_REFUSED);
	dnsd_close(&D);

	c = base();
	c.dns_upstreams[0] = IP4(192, 0, 2, 1);
	c.dns_upstreams[1] = IP4(10, 77, 0, 1); /* ourselves: dropped */
	c.dns_upstreams[2] = IP4(192, 0, 2, 2);
	c.ndns_upstreams = 3;
	setup(&c);
	CHECK(!D.up_from_file && D.nup == 2 && D.up[0] == IP4(192, 0, 2, 1) && D.up[1] == IP4(192, 0, 2, 2));
	dnsd_close(&D);
	c = base(); /* a static uplink: its resolvers */
	c.uplink_dhcp = false;
	c.uplink_dns[0] = IP4(172, 30, 0, 1);
	c.uplink_ndns = 1;
	setup(&c);
	CHECK(!D.up_from_file && D.nup == 1 && D.up[0] == IP4(172, 30, 0, 1));
	dnsd_close(&D);
}

/* A fixed guest's name is pinned: a lease's name in another case neither
 * takes it over nor, when that lease ends, removes it. */
static void test_pinned_guests(void)
{
	struct dnsd_config c = base();
	uint8_t q[300], out[DNS_UDP_MAX];
	size_t len;

	c.guests[0] = (struct dnsd_guest){ "vm7", IP4(10, 77, 0, 17), { 0 } };
	c.nguests = 1;
	dnsd_add_guests(&D, &c);
	CHECK(dnsd_host_set(&D, "VM7", IP4(10, 77, 0, 99)) == -EEXIST);
	CHECK(dnsd_host_del(&D, "Vm7") == -EPERM);
	len = make_query(q, "vm7.lab", DNS_TYPE_A, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_NOERROR && count(out, 6) == 1);
	CHECK(!memcmp(out + ask(q, len, out) - 4, BYTES(10, 77, 0, 17), 4));
}

static void test_host_table_full(void)
{
	char name[16];
	unsigned ok = 0, used = 0;
	int r = 0;

	for (unsigned i = 0; i < DNSD_MAX_HOSTS; i++)
		used += D.hosts[i].name[0] != 0;
	for (unsigned i = 0; i < DNSD_MAX_HOSTS + 4; i++) {
		snprintf(name, sizeof(name), "h%u", i);
		r = dnsd_host_set(&D, name, IP4(10, 77, 0, 100));
		ok += r == 0;
	}
	CHECK(used == 3 && r == -ENOSPC && ok == DNSD_MAX_HOSTS - used); /* labhost, gateway, vm1 */
}

static void test_text(void)
{
	struct dns_name n;
	char buf[64];
	uint8_t m[32] = { 0 };
	size_t pos = 12;

	memcpy(m + 12, BYTES(3, 'a', '.', 0x07, 2, 'B', '\\', 0), 8);
	CHECK(dns_read_name(m, 20, &pos, &n) == 0);
	dns_name_to_text(&n, buf, sizeof(buf));
	CHECK_MSG(!strcmp(buf, "a\\.\\007.B\\\\"), "%s", buf);
	dns_name_to_text(&n, buf, 5);
	CHECK(strlen(buf) == 4);
	dns_name_from_text(&n, ".");
	dns_name_to_text(&n, buf, sizeof(buf));
	CHECK(!strcmp(buf, "."));
	CHECK(!strcmp(dns_rcode_name(3), "NXDOMAIN") && !strcmp(dns_rcode_name(99), "RCODE?"));
}

/* Issue 14: with the lab's /64, names get AAAA (the gateway its ::1, a
 * guest the EUI-64 address of its MAC) and ip6.arpa inside the /64 is
 * answered here; without IPv6 a name has no AAAA and ip6.arpa goes out. */
static void test_ipv6_names(void)
{
	struct dnsd_config c = base();
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const uint8_t want[16] = { 0xfd, 0, 0x01, 0xab, 0, 0, 0, 1, 0x50, 0x54, 0, 0xff, 0xfe, 0x12, 0x34, 0x56 };
	static const uint8_t gw6[16] = { 0xfd, 0, 0x01, 0xab, 0, 0, 0, 1, [15] = 1 };
	const char *rev = "6.5.4.3.2.1.e.f.f.f.0.0.4.5.0.5.1.0.0.0.0.0.0.0.b.a.1.0.0.0.d.f.ip6.arpa";
	uint8_t q[300], out[DNS_UDP_MAX];
	size_t len;
	int n;

	c.ipv6 = true;
	memcpy(c.prefix6, gw6, 8);
	memcpy(c.gateway6, gw6, 16);
	setup(&c);
	CHECK(dnsd_host_set6(&D, "vm1", mac) == 0 && dnsd_host_set6(&D, "nosuch", mac) == -ENOENT);
	len = make_query(q, "vm1.lab", DNS_TYPE_AAAA, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n > 16 && rcode_of(out) == 0 && count(out, 6) == 1 && !memcmp(out + n - 16, want, 16));
	len = make_query(q, "vm1.lab", DNS_TYPE_ANY, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && count(out, 6) == 2);
	len = make_query(q, "gateway", DNS_TYPE_AAAA, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n > 16 && count(out, 6) == 1 && !memcmp(out + n - 16, gw6, 16));
	len = make_query(q, "vm2.lab", DNS_TYPE_AAAA, DNS_CLASS_IN); /* no MAC known: no data */
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == 0 && count(out, 6) == 0);
	len = make_query(q, rev, DNS_TYPE_PTR, DNS_CLASS_IN);
	n = ask(q, len, out);
	CHECK(n > 0 && rcode_of(out) == 0 && count(out, 6) == 1 && memmem(out, (size_t)n, "\3vm1\3lab", 9));
	len = make_query(q, "7.6.5.4.3.2.1.e.f.f.f.0.0.4.5.0.5.1.0.0.0.0.0.0.0.b.a.1.0.0.0.d.f.ip6.arpa", DNS_TYPE_PTR,
			 DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == DNS_RCODE_NXDOMAIN); /* deeper than an address */
	len = make_query(q, "1.0.0.0.0.0.0.0.b.a.1.0.0.0.d.f.ip6.arpa", DNS_TYPE_PTR, DNS_CLASS_IN);
	CHECK(ask(q, len, out) > 0 && rcode_of(out) == 0 && count(out, 6) == 0); /* the /64 itself */
	len = make_query(q, "1.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", DNS_TYPE_PTR, DNS_CLASS_IN);
	CHECK(ask(q, len, out) == 0); /* another /64: forwarded */
	c.ipv6 = false;
	setup(&c);
	CHECK(dnsd_host_set6(&D, "vm1", mac) == -EINVAL);
	len = make_query(q, rev, DNS_TYPE_PTR, DNS_CLASS_IN);
	CHECK(ask(q, len, out) == 0);
}

int main(void)
{
	struct dnsd_config c = base();

	setup(&c);
	test_golden();
	test_names();
	test_reverse();
	test_errors();
	test_compression();
	test_builder();
	test_response_and_match();
	test_text();
	test_resolv();
	test_host_table_full();
	dnsd_close(&D);
	setup(&c);
	test_pinned_guests();
	dnsd_close(&D);
	test_no_forward();
	test_ipv6_names();
	return T_DONE();
}
