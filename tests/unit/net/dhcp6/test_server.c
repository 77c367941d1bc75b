/* net/dhcp6/server: client <-> server runs in one process with fixed
 * transaction ids (RFC 8415 §18.3): Solicit/Advertise/Request/Reply,
 * rapid commit, Renew, Rebind, Release, Decline, Confirm,
 * Information-request, another server's messages, a guest's fixed
 * address by its DUID-LL, pool exhaustion, and the lease file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/dhcp6/server.h"
#include "t.h"

static const uint8_t prefix[16] = { 0xfd, 0, 1, 0xab, 0, 0, 0, 1 };
static const uint8_t guest_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static struct dhcp6_server S;
static time_t now = 1800000000;

static void setup(uint16_t first, uint16_t last)
{
	struct dhcp6_config c = { .server_mac = { 2, 0, 0, 0, 0, 1 }, .range_first = first, .range_last = last,
				  .domain = "lab.test", .lease_time = 3600, .nknown = 2 };

	memcpy(c.prefix, prefix, 16);
	memcpy(c.dns, prefix, 16);
	c.dns[15] = 1;
	memcpy(c.known[0].mac, guest_mac, 6);
	strcpy(c.known[0].name, "g6");
	memcpy(c.known[0].addr, prefix, 8);
	c.known[0].addr[12] = 10, c.known[0].addr[13] = 77, c.known[0].addr[15] = 20;
	memcpy(c.known[1].mac, (const uint8_t[6]){ 0x52, 0x54, 0, 0, 0, 2 }, 6);
	strcpy(c.known[1].name, "pooled");
	CHECK(dhcp6_server_init(&S, &c) == 0);
}

/* A client's message: DUID-LL of mac (or a DUID-EN when mac is NULL,
 * told apart by n), one IA_NA with iaid, maybe an address in it. */
static void client_msg(struct dhcp6_msg *m, uint8_t type, const uint8_t *mac, unsigned n, uint32_t iaid,
		       const uint8_t *addr)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->xid = 0x10203;
	if (mac)
		dhcp6_duid_ll(mac, &m->client_id);
	else {
		m->client_id = (struct dhcp6_duid){ .id = { 0, 2, 0, 0, 0x7f, 0x3e, (uint8_t)(n >> 8), (uint8_t)n }, .len = 8 };
	}
	m->nia = 1;
	m->ia[0].iaid = iaid;
	if (addr) {
		memcpy(m->ia[0].addr[0].addr, addr, 16);
		m->ia[0].naddr = 1;
	}
	m->oro[0] = DHCP6_OPT_DNS_SERVERS;
	m->oro[1] = DHCP6_OPT_DOMAIN_LIST;
	m->noro = 2;
	if (type != DHCP6_SOLICIT && type != DHCP6_REBIND && type != DHCP6_CONFIRM)
		m->server_id = S.duid;
}

/* Handles m; the reply, parsed back (so the server sends only what a
 * parser takes), into *r. Returns whether there was one. */
static bool exchange(const struct dhcp6_msg *m, struct dhcp6_msg *r, struct dhcp6_reply *out)
{
	struct dhcp6_msg copy;
	uint8_t wire[1500];
	int n = dhcp6_build(m, wire, sizeof(wire));

	CHECK(n > 0 && dhcp6_parse(wire, (size_t)n, &copy) == 0);
	dhcp6_handle(&S, &copy, now, out);
	memset(r, 0, sizeof(*r));
	if (!out->send)
		return false;
	CHECK(dhcp6_parse(out->msg, out->len, r) == 0);
	CHECK(r->xid == m->xid && dhcp6_duid_equal(&r->client_id, &m->client_id));
	CHECK(dhcp6_duid_equal(&r->server_id, &S.duid));
	return true;
}

/* Solicit → Advertise → Request → Reply; Renew; Release. */
static void test_four_messages(void)
{
	struct dhcp6_msg m, r;
	struct dhcp6_reply out;
	uint8_t mac[6] = { 0x02, 0xaa, 0, 0, 0, 1 }, addr[16];

	setup(0x1000, 0x1fff);
	client_msg(&m, DHCP6_SOLICIT, mac, 0, 1, NULL);
	CHECK(exchange(&m, &r, &out) && r.type == DHCP6_ADVERTISE && !out.commit);
	CHECK(r.has_preference && r.preference == 255 && !r.rapid_commit);
	CHECK(r.nia == 1 && r.ia[0].iaid == 1 && r.ia[0].naddr == 1 && r.ia[0].t1 == 1800 && r.ia[0].t2 == 2880);
	CHECK(r.ia[0].addr[0].valid == 3600 && r.ia[0].addr[0].preferred == 3600);
	CHECK(r.ndns == 1 && r.dns[0][15] == 1 && r.ndomains == 1 && !strcmp(r.domains[0], "lab.test"));
	memcpy(addr, r.ia[0].addr[0].addr, 16);
	CHECK(!memcmp(addr, prefix, 8) && addr[14] >= 0x10 && addr[14] <= 0x1f);
	CHECK(dhcp6_count(&S, DHCP6_BOUND) == 0); /* an Advertise holds nothing */
	client_msg(&m, DHCP6_REQUEST, mac, 0, 1, addr);
	CHECK(exchange(&m, &r, &out) && r.type == DHCP6_REPLY && out.commit && S.dirty);
	CHECK(r.ia[0].naddr == 1 && !memcmp(r.ia[0].addr[0].addr, addr, 16) && !r.ia[0].status.present);
	CHECK(dhcp6_count(&S, DHCP6_BOUND) == 1);
	/* the same client asks again: the same address */
	client_msg(&m, DHCP6_SOLICIT, mac, 0, 1, NULL);
	CHECK(exchange(&m, &r, &out) && !memcmp(r.ia[0].addr[0].addr, addr, 16));
	/* a second IAID of the same DUID: a second address */
	client_msg(&m, DHCP6_REQUEST, mac, 0, 2, NULL);
	CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 1 && memcmp(r.ia[0].addr[0].addr, addr, 16));
	CHECK(dhcp6_count(&S, DHCP6_BOUND) == 2);
	/* Renew later: extended */
	now += 2000;
	client_msg(&m, DHCP6_RENEW, mac, 0, 1, addr);
	CHECK(exchange(&m, &r, &out) && r.type == DHCP6_REPLY && out.commit);
	CHECK(r.ia[0].naddr == 1 && !memcmp(r.ia[0].addr[0].addr, addr, 16) && r.ia[0].addr[0].valid == 3600);
	now += 2000; /* past the first lease's end, not the renewed one's */
	CHECK(dhcp6_expire(&S, now) == 1 && dhcp6_count(&S, DHCP6_BOUND) == 1);
	/* Renew of an address not its own: lifetimes 0 beside its own */
	{
		uint8_t other[16];

		memcpy(other, prefix, 16);
		other[15] = 0x99;
		client_msg(&m, DHCP6_RENEW, mac, 0, 1, other);
		CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 2 && !memcmp(r.ia[0].addr[0].addr, addr, 16) &&
		      r.ia[0].addr[1].valid == 0 && !memcmp(r.ia[0].addr[1].addr, other, 16));
	}
	/* Release: freed, Success */
	client_msg(&m, DHCP6_RELEASE, mac, 0, 1, addr);
	CHECK(exchange(&m, &r, &out) && r.status.present && r.status.code == DHCP6_SUCCESS && out.commit);
	CHECK(dhcp6_count(&S, DHCP6_BOUND) == 0);
	/* a second Release: NoBinding in the IA */
	CHECK(exchange(&m, &r, &out) && r.nia == 1 && r.ia[0].status.code == DHCP6_NO_BINDING);
	/* Renew with no binding: its address is still free, so bound again */
	client_msg(&m, DHCP6_RENEW, mac, 0, 1, addr);
	CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 1 && r.ia[0].addr[0].valid == 3600);
	/* Rebind of an off-link address with no binding: lifetimes 0 */
	{
		uint8_t off[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

		client_msg(&m, DHCP6_REBIND, mac, 0, 9, off);
		CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 1 && r.ia[0].addr[0].valid == 0 && r.ia[0].t1 == 0);
		client_msg(&m, DHCP6_REBIND, mac, 0, 9, NULL);
		CHECK(exchange(&m, &r, &out) && r.ia[0].status.code == DHCP6_NO_BINDING);
	}
}

static void test_rapid_commit_and_fixed(void)
{
	struct dhcp6_msg m, r;
	struct dhcp6_reply out;
	uint8_t pool_addr[16];

	setup(0x1000, 0x1fff);
	/* a known guest by its DUID-LL: its fixed address, its name */
	client_msg(&m, DHCP6_SOLICIT, guest_mac, 0, 5, NULL);
	m.rapid_commit = true;
	CHECK(exchange(&m, &r, &out) && r.type == DHCP6_REPLY && r.rapid_commit && out.commit);
	CHECK(r.ia[0].naddr == 1 && r.ia[0].addr[0].addr[12] == 10 && r.ia[0].addr[0].addr[15] == 20);
	CHECK(S.lease[0].state == DHCP6_BOUND && !strcmp(S.lease[0].name, "g6"));
	CHECK(strstr(out.log, "bound") && strstr(out.log, "g6"));
	/* asking for a pool address instead: still the fixed one */
	memcpy(pool_addr, prefix, 16);
	pool_addr[14] = 0x10;
	client_msg(&m, DHCP6_REQUEST, guest_mac, 0, 5, pool_addr);
	CHECK(exchange(&m, &r, &out) && r.ia[0].addr[0].addr[12] == 10);
	/* one fixed address: a second IA of the guest gets none */
	client_msg(&m, DHCP6_REQUEST, guest_mac, 0, 6, NULL);
	CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 0 && r.ia[0].status.code == DHCP6_NO_ADDRS_AVAIL);
	client_msg(&m, DHCP6_RENEW, guest_mac, 0, 5, NULL);
	CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 1 && r.ia[0].addr[0].addr[12] == 10);
	/* nobody else gets the fixed address, even asking for it */
	client_msg(&m, DHCP6_REQUEST, NULL, 1, 1, r.ia[0].addr[0].addr);
	CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 1 && r.ia[0].addr[0].addr[12] == 0 &&
	      r.ia[0].addr[0].addr[14] >= 0x10);
	/* the same MAC in a DUID-LLT is known too; a known guest without a
	 * fixed address: pool, but named */
	client_msg(&m, DHCP6_REQUEST, NULL, 0, 1, NULL);
	m.client_id = (struct dhcp6_duid){ .id = { 0, 1, 0, 1, 1, 2, 3, 4, 0x52, 0x54, 0, 0, 0, 2 }, .len = 14 };
	CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 1 && r.ia[0].addr[0].addr[14] >= 0x10);
	CHECK(strstr(out.log, "pooled") != NULL);
}

static void test_exhaustion_and_decline(void)
{
	struct dhcp6_msg m, r;
	struct dhcp6_reply out;
	uint8_t a[16];

	setup(0x1000, 0x1003); /* four addresses */
	for (unsigned i = 0; i < 4; i++) {
		client_msg(&m, DHCP6_REQUEST, NULL, i, 1, NULL);
		CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 1 && !out.exhausted);
	}
	client_msg(&m, DHCP6_SOLICIT, NULL, 9, 1, NULL);
	CHECK(exchange(&m, &r, &out) && r.type == DHCP6_ADVERTISE && out.exhausted);
	CHECK(r.nia == 0 && r.status.present && r.status.code == DHCP6_NO_ADDRS_AVAIL);
	m.rapid_commit = true; /* no rapid commit without an address */
	CHECK(exchange(&m, &r, &out) && r.type == DHCP6_ADVERTISE && !r.rapid_commit && !out.commit);
	client_msg(&m, DHCP6_REQUEST, NULL, 9, 1, NULL);
	CHECK(exchange(&m, &r, &out) && r.nia == 1 && r.ia[0].naddr == 0 &&
	      r.ia[0].status.code == DHCP6_NO_ADDRS_AVAIL && !out.commit);
	/* client 0 declines its address: quarantined, not given to client 9 */
	client_msg(&m, DHCP6_RENEW, NULL, 0, 1, NULL);
	CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 1);
	memcpy(a, r.ia[0].addr[0].addr, 16);
	client_msg(&m, DHCP6_DECLINE, NULL, 7, 1, a); /* not its holder: NoBinding, nothing freed */
	CHECK(exchange(&m, &r, &out) && r.ia[0].status.code == DHCP6_NO_BINDING && !out.commit);
	client_msg(&m, DHCP6_DECLINE, NULL, 0, 1, a);
	CHECK(exchange(&m, &r, &out) && r.status.code == DHCP6_SUCCESS && out.commit);
	CHECK(dhcp6_count(&S, DHCP6_DECLINED) == 1 && dhcp6_count(&S, DHCP6_BOUND) == 3);
	client_msg(&m, DHCP6_REQUEST, NULL, 9, 1, a);
	CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 0 && out.exhausted);
	now += DHCP6_DECLINE_HOLD_S;
	dhcp6_expire(&S, now);
	CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 1 && !memcmp(r.ia[0].addr[0].addr, a, 16));
}

static void test_discarded_confirm_inform(void)
{
	struct dhcp6_msg m, r;
	struct dhcp6_reply out;
	uint8_t mac[6] = { 2, 0xbb, 0, 0, 0, 1 }, addr[16];

	setup(0x1000, 0x1fff);
	/* another server's Request, a Solicit naming a server, no client id,
	 * a client's Reply: nothing */
	client_msg(&m, DHCP6_REQUEST, mac, 0, 1, NULL);
	m.server_id.id[9] ^= 1;
	CHECK(!exchange(&m, &r, &out) && S.st.ignored == 1 && dhcp6_count(&S, DHCP6_BOUND) == 0);
	client_msg(&m, DHCP6_SOLICIT, mac, 0, 1, NULL);
	m.server_id = S.duid;
	CHECK(!exchange(&m, &r, &out));
	client_msg(&m, DHCP6_SOLICIT, mac, 0, 1, NULL);
	m.client_id.len = 0;
	CHECK(!exchange(&m, &r, &out));
	client_msg(&m, DHCP6_REPLY, mac, 0, 1, NULL);
	CHECK(!exchange(&m, &r, &out));
	client_msg(&m, DHCP6_REQUEST, mac, 0, 1, NULL);
	m.server_id.len = 0; /* a Request must name us */
	CHECK(!exchange(&m, &r, &out));
	/* Confirm: no address, no reply; on link: Success; off: NotOnLink */
	client_msg(&m, DHCP6_CONFIRM, mac, 0, 1, NULL);
	CHECK(!exchange(&m, &r, &out));
	memcpy(addr, prefix, 16);
	addr[15] = 0x42;
	client_msg(&m, DHCP6_CONFIRM, mac, 0, 1, addr);
	CHECK(exchange(&m, &r, &out) && r.type == DHCP6_REPLY && r.status.code == DHCP6_SUCCESS && !out.commit);
	addr[3] ^= 1;
	client_msg(&m, DHCP6_CONFIRM, mac, 0, 1, addr);
	CHECK(exchange(&m, &r, &out) && r.status.code == DHCP6_NOT_ON_LINK);
	client_msg(&m, DHCP6_CONFIRM, mac, 0, 1, addr);
	m.server_id = S.duid; /* §16.5: a Confirm names no server */
	CHECK(!exchange(&m, &r, &out));
	/* Information-request: DNS and domain, no IA, even without ORO */
	client_msg(&m, DHCP6_INFORMATION_REQUEST, mac, 0, 1, NULL);
	m.nia = 0;
	m.noro = 0;
	m.server_id.len = 0;
	CHECK(exchange(&m, &r, &out) && r.type == DHCP6_REPLY && r.nia == 0 && r.ndns == 1 && r.ndomains == 1);
	m.nia = 1; /* §16.12: with an IA it is discarded */
	CHECK(!exchange(&m, &r, &out));
	CHECK(dhcp6_count(&S, DHCP6_BOUND) == 0);
}

static void test_lease_file(void)
{
	char dir[] = "/tmp/dhcp6-test-XXXXXX", path[64], line[512];
	struct dhcp6_msg m, r;
	struct dhcp6_reply out;
	struct dhcp6_lease l;
	unsigned loaded, bad;
	uint8_t addr[16];
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(dhcp6_lease_path("/x/dhcp.leases", path, sizeof(path)) == 0 && !strcmp(path, "/x/dhcp.leases.v6"));
	snprintf(path, sizeof(path), "%s/dhcp.leases.v6", dir);
	setup(0x1000, 0x1fff);
	client_msg(&m, DHCP6_REQUEST, guest_mac, 0, 77, NULL);
	CHECK(exchange(&m, &r, &out));
	client_msg(&m, DHCP6_REQUEST, NULL, 3, 0xfffffffe, NULL);
	CHECK(exchange(&m, &r, &out));
	memcpy(addr, r.ia[0].addr[0].addr, 16);
	CHECK(dhcp6_leases_save(&S, path) == 0 && !S.dirty);
	f = fopen(path, "r");
	CHECK(f && fgets(line, sizeof(line), f));
	CHECK_MSG(strstr(line, " 77 fd00:1ab:0:1::a4d:14 g6 00:03:00:01:52:54:00:12:34:56\n") != NULL, "%s", line);
	CHECK(fgets(line, sizeof(line), f) && strstr(line, " 4294967294 fd00:1ab:0:1::") && strstr(line, " * 00:02:00:00:7f:3e:00:03\n"));
	if (f)
		fclose(f);
	/* a restart: the same bindings; the client gets its address again */
	f = fopen(path, "a");
	CHECK(f && fputs("garbage line\n1 2 3 4 5\n", f) >= 0);
	if (f)
		fclose(f);
	setup(0x1000, 0x1fff);
	CHECK(dhcp6_leases_load(&S, path, now, &loaded, &bad) == 0 && loaded == 2 && bad == 2);
	client_msg(&m, DHCP6_SOLICIT, NULL, 3, 0xfffffffe, NULL);
	CHECK(exchange(&m, &r, &out) && !memcmp(r.ia[0].addr[0].addr, addr, 16));
	/* expired lines are not loaded; a line outside the range is not either */
	setup(0x1000, 0x1fff);
	CHECK(dhcp6_leases_load(&S, path, now + 4000, &loaded, &bad) == 0 && loaded == 0);
	CHECK(dhcp6_lease_parse_line("1900000000 1 fd00:1:ab:1::5 * 00:03:00:01:01:02:03:04:05:06", &l) == 0);
	CHECK(!dhcp6_server_restore(&S, &l, now));
	/* the parser's refusals */
	CHECK(dhcp6_lease_parse_line("1900000000 -1 fd00::1 * 00:03:00", &l) < 0);
	CHECK(dhcp6_lease_parse_line("1900000000 1 10.0.0.1 * 00:03:00", &l) < 0);
	CHECK(dhcp6_lease_parse_line("1900000000 1 fd00::1 * 00:03", &l) < 0);
	CHECK(dhcp6_lease_parse_line("1900000000 1 fd00::1 bad_name 00:03:00", &l) < 0);
	CHECK(dhcp6_lease_parse_line("1900000000 1 fd00::1 * 00:03:00:", &l) < 0);
	CHECK(dhcp6_lease_parse_line("1900000000 1 fd00::1 * 0:03:00", &l) < 0);
	CHECK(dhcp6_lease_parse_line("1900000000 1 fd00::1 name 00:03:00 extra", &l) < 0);
	CHECK(dhcp6_lease_parse_line("1900000000 4294967295 fd00::1 n 00:03:00", &l) == 0 && l.iaid == 0xffffffffu);
	CHECK(dhcp6_lease_parse_line("1900000000 4294967296 fd00::1 n 00:03:00", &l) < 0);
	unlink(path);
	rmdir(dir);
}

static void test_table_cap(void)
{
	struct dhcp6_msg m, r;
	struct dhcp6_reply out;
	unsigned got = 0;

	setup(0x1000, 0xffff); /* more addresses than the table holds */
	for (unsigned i = 0; i < DHCP6_LEASES_MAX + 5; i++) {
		client_msg(&m, DHCP6_REQUEST, NULL, i, 1, NULL);
		exchange(&m, &r, &out);
		got += r.ia[0].naddr;
	}
	CHECK_MSG(got == DHCP6_LEASES_MAX, "%u", got);
	CHECK(out.exhausted && dhcp6_count(&S, DHCP6_BOUND) == DHCP6_LEASES_MAX);
}

/* A full table of the longest DUIDs and names still fits the lease file. */
static void test_full_file(void)
{
	char dir[] = "/tmp/dhcp6-test-XXXXXX", path[64];
	struct dhcp6_msg m, r;
	struct dhcp6_reply out;
	unsigned loaded, bad;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/leases.v6", dir);
	setup(0x1000, 0xffff);
	for (unsigned i = 0; i < DHCP6_LEASES_MAX; i++) {
		client_msg(&m, DHCP6_REQUEST, NULL, i, 0xffffffffu - i, NULL);
		memset(m.client_id.id, 0xab, DHCP6_DUID_MAX);
		m.client_id.id[0] = (uint8_t)(i >> 8);
		m.client_id.id[1] = (uint8_t)i;
		m.client_id.len = DHCP6_DUID_MAX;
		CHECK(exchange(&m, &r, &out) && r.ia[0].naddr == 1);
	}
	for (unsigned i = 0; i < DHCP6_LEASES_MAX; i++)
		memset(S.lease[i].name, 'n', sizeof(S.lease[i].name) - 1);
	CHECK(dhcp6_leases_save(&S, path) == 0);
	setup(0x1000, 0xffff);
	CHECK(dhcp6_leases_load(&S, path, now, &loaded, &bad) == 0 && loaded == DHCP6_LEASES_MAX && bad == 0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	CHECK(dhcp6_server_init(&S, &(struct dhcp6_config){ .range_first = 1, .range_last = 9, .lease_time = 1 }) == -EINVAL);
	CHECK(dhcp6_server_init(&S, &(struct dhcp6_config){ .range_first = 9, .range_last = 8, .lease_time = 1 }) == -EINVAL);
	test_four_messages();
	test_rapid_commit_and_fixed();
	test_exhaustion_and_decline();
	test_discarded_confirm_inform();
	test_lease_file();
	test_table_cap();
	test_full_file();
	return T_DONE();
}
