/* net/dhcp6/codec: a Solicit byte for byte (RFC 8415 §8, §21), round
 * trips of every field the server writes, and the malformed inputs the
 * parser must refuse without reading past them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/dhcp6/codec.h"
#include "t.h"

/* A dhcpcd-like Solicit: CLIENTID (DUID-LL), IA_NA iaid 0x01020304, ORO
 * (23, 24), ELAPSED_TIME 0, RAPID_COMMIT. Options start at 4, 18, 34, 42,
 * 48; it ends at 52. */
static const uint8_t solicit[] = {
	1, 0x12, 0x34, 0x56,
	0, 1, 0, 10, 0, 3, 0, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56,
	0, 3, 0, 12, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 6, 0, 4, 0, 23, 0, 24,
	0, 8, 0, 2, 0, 0,
	0, 14, 0, 0,
};

static void test_parse_solicit(void)
{
	struct dhcp6_msg m;
	uint8_t mac[6], buf[512];

	CHECK(dhcp6_parse(solicit, sizeof(solicit), &m) == 0);
	CHECK(m.type == DHCP6_SOLICIT && m.xid == 0x123456);
	CHECK(m.client_id.len == 10 && !m.server_id.len);
	CHECK(dhcp6_duid_mac(&m.client_id, mac) && mac[0] == 0x52 && mac[5] == 0x56);
	CHECK(m.noro == 2 && dhcp6_oro_has(&m, 23) && dhcp6_oro_has(&m, 24) && !dhcp6_oro_has(&m, 7));
	CHECK(m.has_elapsed && m.elapsed == 0 && m.rapid_commit);
	CHECK(m.nia == 1 && m.ia[0].iaid == 0x01020304 && m.ia[0].naddr == 0);
	/* the builder writes the same fields in the same order: same bytes */
	CHECK(dhcp6_build(&m, buf, sizeof(buf)) == (int)sizeof(solicit));
	CHECK(!memcmp(buf, solicit, sizeof(solicit)));
}

static void fill_reply(struct dhcp6_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = DHCP6_REPLY;
	m->xid = 0xabcdef;
	dhcp6_duid_ll((const uint8_t[6]){ 0x52, 0x54, 0, 1, 2, 3 }, &m->client_id);
	dhcp6_duid_ll((const uint8_t[6]){ 0x02, 0, 0, 0, 0, 1 }, &m->server_id);
	m->nia = 2;
	m->ia[0].iaid = 7;
	m->ia[0].t1 = 1800;
	m->ia[0].t2 = 2880;
	m->ia[0].naddr = 1;
	memcpy(m->ia[0].addr[0].addr, (const uint8_t[16]){ 0xfd, 0, 1, 0xab, 0, 0, 0, 1, [14] = 0x10, [15] = 0x00 }, 16);
	m->ia[0].addr[0].preferred = m->ia[0].addr[0].valid = 3600;
	m->ia[1].iaid = 8;
	m->ia[1].status = (struct dhcp6_status_opt){ true, DHCP6_NO_ADDRS_AVAIL, "none left" };
	m->has_preference = true;
	m->preference = 255;
	m->rapid_commit = true;
	m->status = (struct dhcp6_status_opt){ true, DHCP6_SUCCESS, "ok" };
	m->ndns = 1;
	memcpy(m->dns[0], (const uint8_t[16]){ 0xfd, 0, 1, 0xab, 0, 0, 0, 1, [15] = 1 }, 16);
	m->ndomains = 2;
	strcpy(m->domains[0], "lab.test");
	strcpy(m->domains[1], "example");
}

static void test_round_trip(void)
{
	struct dhcp6_msg m, back;
	uint8_t buf[512];
	int n;

	fill_reply(&m);
	n = dhcp6_build(&m, buf, sizeof(buf));
	CHECK_MSG(n > 0, "%d", n);
	CHECK(dhcp6_parse(buf, (size_t)n, &back) == 0);
	CHECK(back.type == DHCP6_REPLY && back.xid == 0xabcdef);
	CHECK(dhcp6_duid_equal(&back.client_id, &m.client_id) && dhcp6_duid_equal(&back.server_id, &m.server_id));
	CHECK(back.nia == 2 && back.ia[0].iaid == 7 && back.ia[0].t1 == 1800 && back.ia[0].t2 == 2880);
	CHECK(back.ia[0].naddr == 1 && !memcmp(back.ia[0].addr[0].addr, m.ia[0].addr[0].addr, 16));
	CHECK(back.ia[0].addr[0].valid == 3600 && back.ia[0].addr[0].preferred == 3600);
	CHECK(back.ia[1].iaid == 8 && back.ia[1].naddr == 0 && back.ia[1].status.present &&
	      back.ia[1].status.code == DHCP6_NO_ADDRS_AVAIL && !strcmp(back.ia[1].status.msg, "none left"));
	CHECK(back.has_preference && back.preference == 255 && back.rapid_commit);
	CHECK(back.status.present && back.status.code == 0 && !strcmp(back.status.msg, "ok"));
	CHECK(back.ndns == 1 && !memcmp(back.dns[0], m.dns[0], 16));
	CHECK(back.ndomains == 2 && !strcmp(back.domains[0], "lab.test") && !strcmp(back.domains[1], "example"));
	/* the domain list on the wire: RFC 1035 labels, no compression */
	CHECK(memmem(buf, (size_t)n, "\x00\x18\x00\x13\x03lab\x04test\x00\x07" "example\x00", 23) != NULL);
	/* every shorter buffer: -ENOSPC, never a write past it */
	for (int size = 0; size < n; size++)
		CHECK(dhcp6_build(&m, buf, (size_t)size) == -ENOSPC);
	strcpy(m.domains[1], "bad..name");
	CHECK(dhcp6_build(&m, buf, sizeof(buf)) == -EINVAL);
	m.type = 12;
	CHECK(dhcp6_build(&m, buf, sizeof(buf)) == -EINVAL);
}

/* Copies solicit with bytes [at, at+n) replaced by rep (rn bytes). */
static size_t patch(uint8_t *out, size_t at, size_t n, const uint8_t *rep, size_t rn)
{
	memcpy(out, solicit, at);
	memcpy(out + at, rep, rn);
	memcpy(out + at + rn, solicit + at + n, sizeof(solicit) - at - n);
	return sizeof(solicit) - n + rn;
}

static void test_malformed(void)
{
	uint8_t b[256];
	struct dhcp6_msg m;
	size_t n;

	/* every truncation of the Solicit but at an option boundary is refused */
	for (size_t len = 0; len < sizeof(solicit); len++) {
		bool boundary = len == 4 || len == 18 || len == 34 || len == 42 || len == 48;

		CHECK_MSG((dhcp6_parse(solicit, len, &m) == 0) == boundary, "length %zu", len);
	}
	CHECK(dhcp6_parse(solicit, sizeof(solicit), &m) == 0);
	b[0] = 12; /* relay-forward: not ours */
	memcpy(b + 1, solicit + 1, sizeof(solicit) - 1);
	CHECK(dhcp6_parse(b, sizeof(solicit), &m) == -EBADMSG);
	b[0] = 0;
	CHECK(dhcp6_parse(b, sizeof(solicit), &m) == -EBADMSG && m.type == 0);
	/* an option length past the end */
	n = patch(b, 4, 4, (const uint8_t[]){ 0, 1, 0, 200 }, 4);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	/* a second CLIENTID */
	memcpy(b, solicit, sizeof(solicit));
	memcpy(b + sizeof(solicit), solicit + 4, 14);
	CHECK(dhcp6_parse(b, sizeof(solicit) + 14, &m) == -EBADMSG);
	/* a DUID of 2 octets */
	n = patch(b, 4, 14, (const uint8_t[]){ 0, 1, 0, 2, 0, 3 }, 6);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	/* ORO of odd length */
	n = patch(b, 34, 8, (const uint8_t[]){ 0, 6, 0, 3, 0, 23, 0 }, 7);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	/* ELAPSED_TIME of 3 octets; RAPID_COMMIT with a value */
	n = patch(b, 42, 6, (const uint8_t[]){ 0, 8, 0, 3, 0, 0, 0 }, 7);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	n = patch(b, 48, 4, (const uint8_t[]){ 0, 14, 0, 1, 0 }, 5);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	/* IA_NA too short; T1 > T2; an IAADDR running out of its IA */
	n = patch(b, 18, 16, (const uint8_t[]){ 0, 3, 0, 8, 1, 2, 3, 4, 0, 0, 0, 0 }, 12);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	n = patch(b, 18, 16, (const uint8_t[]){ 0, 3, 0, 12, 1, 2, 3, 4, 0, 0, 0, 9, 0, 0, 0, 8 }, 16);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	n = patch(b, 18, 16, (const uint8_t[]){ 0, 3, 0, 16, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 24 }, 20);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	/* IAADDR with preferred > valid */
	{
		uint8_t ia[] = { 0, 3, 0, 40, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0,
				 0, 5, 0, 24, 0xfd, [36] = 0, 0, 0, 9, 0, 0, 0, 8 };

		n = patch(b, 18, 16, ia, sizeof(ia));
		CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
		ia[43] = 9; /* equal: fine */
		n = patch(b, 18, 16, ia, sizeof(ia));
		CHECK(dhcp6_parse(b, n, &m) == 0 && m.ia[0].naddr == 1 && m.ia[0].addr[0].addr[0] == 0xfd);
	}
	/* DNS_SERVERS not a multiple of 16; DOMAIN_LIST compressed, unterminated, bad label */
	n = patch(b, 52, 0, (const uint8_t[]){ 0, 23, 0, 15, [19] = 0 }, 19);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	n = patch(b, 52, 0, (const uint8_t[]){ 0, 24, 0, 5, 3, 'l', 'a', 'b', 0 }, 9);
	CHECK(dhcp6_parse(b, n, &m) == 0 && m.ndomains == 1 && !strcmp(m.domains[0], "lab"));
	n = patch(b, 52, 0, (const uint8_t[]){ 0, 24, 0, 2, 0xc0, 12 }, 6);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	n = patch(b, 52, 0, (const uint8_t[]){ 0, 24, 0, 4, 3, 'l', 'a', 'b' }, 8);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	n = patch(b, 52, 0, (const uint8_t[]){ 0, 24, 0, 5, 3, 'l', '.', 'b', 0 }, 9);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	/* STATUS_CODE of 1 octet */
	n = patch(b, 52, 0, (const uint8_t[]){ 0, 13, 0, 1, 0 }, 5);
	CHECK(dhcp6_parse(b, n, &m) == -EBADMSG);
	/* an unknown option is skipped */
	n = patch(b, 52, 0, (const uint8_t[]){ 0, 99, 0, 2, 1, 2 }, 6);
	CHECK(dhcp6_parse(b, n, &m) == 0 && m.nia == 1);
}

/* Random bytes and random mutations of the Solicit: the parser either
 * refuses or yields a message the builder writes back and the parser
 * reads again (ASan watches every read). */
static void test_random(void)
{
	uint8_t b[300], out[2048];
	struct dhcp6_msg m;

	srandom(6);
	for (int i = 0; i < 20000; i++) {
		size_t n = sizeof(solicit);

		memcpy(b, solicit, n);
		for (long k = random() % 4; k >= 0; k--)
			b[random() % n] = (uint8_t)random();
		if (i % 3 == 0)
			n = (size_t)random() % n;
		if (dhcp6_parse(b, n, &m) == 0) {
			int len = dhcp6_build(&m, out, sizeof(out));

			CHECK(len > 0 && dhcp6_parse(out, (size_t)len, &m) == 0);
		}
	}
}

static void test_duid(void)
{
	struct dhcp6_duid d = { .id = { 0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d, 0x52, 0x54, 0, 9, 8, 7 }, .len = 14 };
	uint8_t mac[6];

	CHECK(dhcp6_duid_mac(&d, mac) && mac[0] == 0x52 && mac[5] == 7); /* DUID-LLT */
	d.id[1] = 4;                                                      /* DUID-UUID */
	CHECK(!dhcp6_duid_mac(&d, mac));
	dhcp6_duid_ll((const uint8_t[6]){ 1, 2, 3, 4, 5, 6 }, &d);
	CHECK(d.len == 10 && d.id[1] == 3 && d.id[3] == 1 && d.id[9] == 6);
	d.id[3] = 6; /* IEEE 802 is not Ethernet here */
	CHECK(!dhcp6_duid_mac(&d, mac));
	CHECK(!strcmp(dhcp6_type_name(DHCP6_INFORMATION_REQUEST), "INFORMATION-REQUEST"));
	CHECK(!strcmp(dhcp6_type_name(200), "UNKNOWN"));
}

int main(void)
{
	test_parse_solicit();
	test_round_trip();
	test_malformed();
	test_random();
	test_duid();
	return T_DONE();
}
