/* The DHCP server's handler driven by the client's state machine in one
 * process, with fixed transaction ids: leases, racing clients, exhaustion,
 * NAKs, reservations, relays, release, decline, and the lease file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/dhcpc/fsm.h"
#include "net/dhcpd/dhcpd.h"
#include "t.h"

static uint32_t seq = 100;

static uint32_t next_xid(void *ctx)
{
	(void)ctx;
	return seq++;
}

static struct dhcpd D;
static const time_t T0 = 1800000000;

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* The lab's default network (10.77.0.0/24, gateway and DNS at .1, domain
 * "lab"), leases of 600 s, the range .range_lo-.range_hi. */
static void server_range(unsigned range_lo, unsigned range_hi)
{
	struct dhcpd_config c = {
		.server_ip = IP4(10, 77, 0, 1),
		.network = IP4(10, 77, 0, 0),
		.prefix = 24,
		.range_start = IP4(10, 77, 0, range_lo),
		.range_end = IP4(10, 77, 0, range_hi),
		.dns = IP4(10, 77, 0, 1),
		.domain = "lab",
		.lease_time = 600,
	};

	CHECK(dhcpd_init(&D, &c) == 0);
}

static void server(void)
{
	server_range(2, 254);
}

static void done(void)
{
	dhcpd_free(&D);
}

/* Hands the client's message to the server and the reply back; returns
 * the server's reply type (0: none). */
static uint8_t exchange(struct dhcpc *c, struct dhcpc_out *o, time_t now, struct dhcpd_reply *r)
{
	struct dhcp_msg m;

	if (!(o->actions & DHCPC_ACT_SEND) || dhcp_parse(o->msg, o->len, &m) < 0)
		return 0;
	dhcpd_handle(&D, &m, now, r);
	if (r->dest == DHCPD_NONE)
		return 0;
	CHECK(dhcp_parse(r->msg, r->len, &m) == 0);
	dhcpc_receive(c, &m, (uint64_t)(now - T0) * 1000, o);
	return r->type;
}

static uint32_t lease(struct dhcpc *c, uint8_t last_mac_byte, time_t now)
{
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0, 0, last_mac_byte };
	struct dhcpd_reply r;
	struct dhcpc_out o;

	dhcpc_init(c, mac, "guest", next_xid, NULL);
	dhcpc_start(c, 0, &o);
	if (exchange(c, &o, now, &r) != DHCPOFFER)
		return 0;
	CHECK(r.dest == DHCPD_CHADDR && !memcmp(r.dst_mac, mac, 6) && r.dst_ip == c->offer.addr);
	CHECK(exchange(c, &o, now, &r) == DHCPACK && r.commit);
	return c->state == DHCPC_BOUND ? c->lease.addr : 0;
}

static void test_lease_and_options(void)
{
	struct dhcpc c;
	uint32_t ip;

	server();
	ip = lease(&c, 1, T0);
	CHECK(ip >= 0x0a4d0002 && ip <= 0x0a4d00fe);
	CHECK(c.lease.router == 0x0a4d0001 && c.lease.prefix == 24 && c.lease.ndns == 1 && c.lease.dns[0] == 0x0a4d0001);
	CHECK(!strcmp(c.lease.domain, "lab") && c.lease.lease_s == 600 && c.lease.t1_s == 300 && c.lease.t2_s == 525);
	/* The same client comes back: the same address. */
	CHECK(lease(&c, 1, T0 + 10) == ip);
	CHECK(dhcpd_count(&D.pool, LEASE_BOUND) == 1);
	done();
}

static void test_racing_offers(void)
{
	uint8_t a[6] = { 2, 0, 0, 0, 0, 1 }, b[6] = { 2, 0, 0, 0, 0, 2 };
	struct dhcpd_client ca = { { 0 }, NULL, 0 }, cb = { { 0 }, NULL, 0 };
	uint32_t x, y;

	server();
	memcpy(ca.mac, a, 6);
	memcpy(cb.mac, b, 6);
	x = dhcpd_choose(&D.pool, &ca, 0x0a4d0032, T0);
	dhcpd_lease_set(&D.pool, x, &ca, LEASE_OFFERED, T0 + DHCPD_OFFER_HOLD_S, NULL);
	y = dhcpd_choose(&D.pool, &cb, 0x0a4d0032, T0);
	CHECK(x == 0x0a4d0032 && y && y != x);
	/* After the hold, the offer lapses. */
	CHECK(dhcpd_choose(&D.pool, &cb, 0x0a4d0032, T0 + DHCPD_OFFER_HOLD_S + 1) == 0x0a4d0032);
	done();
}

static void test_exhaustion(void)
{
	struct dhcpc c;
	struct dhcpd_reply r;
	struct dhcpc_out o;
	uint8_t mac[6] = { 0x52, 0x54, 0, 0, 1, 9 };

	server_range(10, 12);
	CHECK(lease(&c, 1, T0) && lease(&c, 2, T0) && lease(&c, 3, T0));
	dhcpc_init(&c, mac, "", next_xid, NULL);
	dhcpc_start(&c, 0, &o);
	CHECK(exchange(&c, &o, T0, &r) == 0 && D.st.exhausted == 1 && r.exhausted && strstr(r.log, "exhausted"));
	/* Leases expire and are reclaimed. */
	CHECK(dhcpd_expire(&D.pool, T0 + 601) == 3);
	CHECK(lease(&c, 4, T0 + 602) != 0);
	done();
}

static struct dhcp_msg request(uint8_t last, uint32_t requested, uint32_t ciaddr)
{
	struct dhcp_msg m = { 0 };

	m.op = BOOTREQUEST;
	m.htype = 1;
	m.hlen = 6;
	m.xid = 7;
	m.type = DHCPREQUEST;
	m.chaddr[0] = 0x52;
	m.chaddr[5] = last;
	m.ciaddr = ciaddr;
	m.has_requested_ip = requested != 0;
	m.requested_ip = requested;
	return m;
}

static void test_naks(void)
{
	struct dhcpd_reply r;
	struct dhcpc c;
	struct dhcp_msg m;
	uint32_t ip;

	server();
	ip = lease(&c, 1, T0);
	/* INIT-REBOOT into another network: NAK at once, broadcast. */
	m = request(2, 0xc0a80105, 0);
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPNAK && r.dest == DHCPD_BROADCAST && strstr(r.log, "wrong network"));
	/* Another client's address. */
	m = request(2, ip, 0);
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPNAK && strstr(r.log, "not available"));
	/* The gateway. */
	m = request(2, 0x0a4d0001, 0);
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPNAK);
	/* A free address in the subnet: authoritative ACK. */
	m = request(2, 0x0a4d0063, 0);
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPACK && r.commit);
	/* Renewing from ciaddr: unicast to it. */
	m = request(2, 0, 0x0a4d0063);
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPACK && r.dest == DHCPD_CIADDR && r.dst_ip == 0x0a4d0063);
	done();
}

static void test_reservation_relay_release(void)
{
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
	struct dhcpd_reply r;
	struct dhcp_msg m, reply;

	server();
	CHECK(dhcpd_pool_reserve(&D.pool, mac, 0x0a4d0005, "vm1") == 0);
	m = request(0, 0, 0);
	m.type = DHCPDISCOVER;
	memcpy(m.chaddr, mac, 6);
	m.giaddr = 0x0a4d00fe;
	m.flags = DHCP_FLAG_BROADCAST;
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPOFFER && r.dest == DHCPD_RELAY && r.dst_ip == 0x0a4d00fe);
	CHECK(dhcp_parse(r.msg, r.len, &reply) == 0 && reply.yiaddr == 0x0a4d0005 && !strcmp(reply.hostname, "vm1") &&
	      reply.giaddr == 0x0a4d00fe);
	/* The reserved guest asking for another address is refused. */
	m = request(0, 0x0a4d0006, 0);
	memcpy(m.chaddr, mac, 6);
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPNAK);
	m.requested_ip = 0x0a4d0005;
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPACK && dhcpd_count(&D.pool, LEASE_BOUND) == 1);
	/* Release frees it; decline keeps an address out of the pool. */
	m.type = DHCPRELEASE;
	m.ciaddr = 0x0a4d0005;
	m.has_requested_ip = false;
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.dest == DHCPD_NONE && r.commit && dhcpd_count(&D.pool, LEASE_BOUND) == 0);
	m = request(3, 0x0a4d0007, 0);
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPACK && dhcpd_lease_at(&D.pool, 0x0a4d0007)->state == LEASE_BOUND);
	/* Another client's DECLINE of that address changes nothing ... */
	m = request(9, 0x0a4d0007, 0);
	m.type = DHCPDECLINE;
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.dest == DHCPD_NONE && !r.commit && dhcpd_lease_at(&D.pool, 0x0a4d0007)->state == LEASE_BOUND);
	CHECK(strstr(r.log, "does not hold it") != NULL);
	/* ... nor does one for a free address nobody holds ... */
	m.requested_ip = 0x0a4d0008;
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(!r.commit && dhcpd_count(&D.pool, LEASE_DECLINED) == 0);
	/* ... the holder's does. */
	m = request(3, 0x0a4d0007, 0);
	m.type = DHCPDECLINE;
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.commit && dhcpd_lease_at(&D.pool, 0x0a4d0007)->state == LEASE_DECLINED);
	m = request(4, 0x0a4d0007, 0);
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPNAK);
	done();
}

static void test_lease_file(void)
{
	char path[] = "/tmp/labinit-leases-XXXXXX";
	struct dhcpc c;
	unsigned loaded, bad;
	uint32_t a, b;
	FILE *f;
	int fd = mkstemp(path);

	close(fd);
	server();
	a = lease(&c, 1, T0);
	b = lease(&c, 2, T0);
	CHECK(dhcpd_leases_save(&D.pool, path) == 0);
	f = fopen(path, "a");
	fputs("garbage line\n1800000999 52:54:00:00:00:09 10.99.0.9 x *\n", f); /* malformed; outside the subnet */
	fclose(f);
	done();
	server();
	CHECK(dhcpd_leases_load(&D.pool, path, T0, &loaded, &bad) == 0);
	CHECK(loaded == 2 && bad == 1);
	CHECK(dhcpd_lease_at(&D.pool, a)->state == LEASE_BOUND && dhcpd_lease_at(&D.pool, b)->state == LEASE_BOUND);
	/* Reloaded after expiry: nothing. */
	done();
	server();
	CHECK(dhcpd_leases_load(&D.pool, path, T0 + 601, &loaded, &bad) == 0 && loaded == 0);
	done();
	unlink(path);
}

/* The unprivileged server's directory: made (with its parent) and handed
 * over with the file; a link planted in it is not followed. */
static void test_lease_dir(void)
{
	char top[] = "/tmp/labinit-leasedir-XXXXXX", path[96], link[96], target[96], cmd[128];
	struct stat st;
	uid_t uid = geteuid() == 0 ? 64999 : geteuid();

	CHECK(mkdtemp(top) != NULL);
	snprintf(path, sizeof(path), "%s/run/dhcpd/dhcp.leases", top);
	CHECK(dhcpd_leases_own_dir(path, uid, uid) == 0);
	snprintf(target, sizeof(target), "%s/run/dhcpd", top);
	CHECK(stat(target, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid);
	/* the lease file a link to a file of root's: the link changes owner, not its target */
	snprintf(target, sizeof(target), "%s/secret", top);
	close(open(target, O_WRONLY | O_CREAT, 0600));
	snprintf(link, sizeof(link), "%s/run/dhcpd/dhcp.leases", top);
	CHECK(symlink(target, link) == 0);
	CHECK(dhcpd_leases_own_dir(path, uid, uid) == 0);
	CHECK(stat(target, &st) == 0 && st.st_uid == geteuid());
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	CHECK(system(cmd) == 0);
}

/* A lease publishes its host name in DNS unless that is a profile guest's
 * name (in any case) and the lease is not that guest's. */
static void test_dns_names(void)
{
	struct dhcpd_config c = { .nknown = 2 };
	struct dhcpd_lease l = { 0 };

	memcpy(c.known[0].mac, "\x52\x54\x00\x00\x00\x01", 6);
	strcpy(c.known[0].name, "vm1");
	c.known[0].ip = IP4(10, 77, 0, 11);
	memcpy(c.known[1].mac, "\x52\x54\x00\x00\x00\x02", 6);
	strcpy(c.known[1].name, "vm2");
	memcpy(l.mac, "\x52\x54\x00\x00\x00\x99", 6);
	strcpy(l.hostname, "VM1");
	CHECK(dhcpd_lease_dns_name(&c, &l) == NULL);    /* a fixed guest's name */
	strcpy(l.hostname, "vm2");
	CHECK(dhcpd_lease_dns_name(&c, &l) == NULL);    /* a dynamic guest's, from another MAC */
	strcpy(l.hostname, "Vm2");
	CHECK(dhcpd_lease_dns_name(&c, &l) == NULL);
	memcpy(l.mac, c.known[1].mac, 6);
	CHECK(dhcpd_lease_dns_name(&c, &l) == l.hostname); /* vm2's own lease */
	strcpy(l.hostname, "vm22");
	memcpy(l.mac, "\x52\x54\x00\x00\x00\x99", 6);
	CHECK(dhcpd_lease_dns_name(&c, &l) == l.hostname);
	l.hostname[0] = '\0';
	CHECK(dhcpd_lease_dns_name(&c, &l) == NULL);
}

/* DISCOVERs from n spoofed MACs (02:f1:00:00:HH:LL, from number first
 * on), as a flood sends them; returns how many got an OFFER. */
static unsigned flood(unsigned first, unsigned n, time_t now)
{
	struct dhcpd_reply r;
	unsigned offers = 0;

	for (unsigned i = first; i < first + n; i++) {
		struct dhcp_msg m = request(0, 0, 0);

		m.type = DHCPDISCOVER;
		memcpy(m.chaddr, (uint8_t[6]){ 0x02, 0xf1, 0, 0, (uint8_t)(i >> 8), (uint8_t)i }, 6);
		m.xid = i;
		dhcpd_handle(&D, &m, now, &r);
		offers += r.type == DHCPOFFER;
	}
	return offers;
}

/* Two profile guests: vm1 (..:0b) with the fixed address .11, vm2 (..:0a)
 * dynamic, as lease() makes their MACs. */
static void server_known(void)
{
	struct dhcpd_config c = {
		.server_ip = IP4(10, 77, 0, 1),
		.network = IP4(10, 77, 0, 0),
		.prefix = 24,
		.range_start = IP4(10, 77, 0, 2),
		.range_end = IP4(10, 77, 0, 254),
		.lease_time = 600,
		.nknown = 2,
	};

	memcpy(c.known[0].mac, "\x52\x54\x00\x00\x00\x0b", 6);
	strcpy(c.known[0].name, "vm1");
	c.known[0].ip = IP4(10, 77, 0, 11);
	memcpy(c.known[1].mac, "\x52\x54\x00\x00\x00\x0a", 6);
	strcpy(c.known[1].name, "vm2");
	CHECK(dhcpd_init(&D, &c) == 0);
}

/* Issue 12, defect 7: 300 spoofed MACs flood a /24's range of 253; the
 * offers they hold stay under half of it, and a new client and both
 * profile guests still get an OFFER and an ACK at once, not 30 s later. */
static void test_discover_flood(void)
{
	struct dhcpc c, g;
	struct dhcpc_out o;
	struct dhcpd_reply r;
	unsigned held;

	server_known();
	CHECK_MSG(flood(0, 300, T0) == 300, "every flooding DISCOVER is offered something");
	held = dhcpd_count(&D.pool, LEASE_OFFERED);
	CHECK_MSG(held <= 253 / 2, "%u offers held", held);
	/* A new client, during the flood. */
	CHECK_MSG(lease(&c, 0x77, T0 + 1) != 0, "a new client got no lease: %lu exhausted", D.st.exhausted);
	/* vm2 (dynamic): its OFFER survives the next 300 flooders, and its
	 * REQUEST is ACKed; vm1 gets its fixed address. */
	dhcpc_init(&g, (uint8_t[6]){ 0x52, 0x54, 0, 0, 0, 0x0a }, "vm2", next_xid, NULL);
	dhcpc_start(&g, 0, &o);
	CHECK(exchange(&g, &o, T0 + 1, &r) == DHCPOFFER);
	CHECK(flood(300, 300, T0 + 1) == 300);
	CHECK(exchange(&g, &o, T0 + 1, &r) == DHCPACK && g.state == DHCPC_BOUND);
	CHECK(lease(&c, 0x0b, T0 + 2) == IP4(10, 77, 0, 11));
	CHECK(dhcpd_count(&D.pool, LEASE_BOUND) == 3);
	done();
}

/* One offer per MAC: the same DISCOVER again is offered the same address,
 * and new client identifiers from one MAC do not add offers. */
static void test_one_offer_per_mac(void)
{
	struct dhcp_msg m = request(5, 0, 0);
	struct dhcpd_reply r;
	struct dhcp_msg reply;
	uint32_t first;

	server();
	m.type = DHCPDISCOVER;
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPOFFER && dhcp_parse(r.msg, r.len, &reply) == 0);
	first = reply.yiaddr;
	dhcpd_handle(&D, &m, T0 + 1, &r);
	CHECK(dhcp_parse(r.msg, r.len, &reply) == 0 && reply.yiaddr == first);
	CHECK(dhcpd_count(&D.pool, LEASE_OFFERED) == 1);
	m.client_id[0] = 1;
	m.client_id_len = 3;
	for (unsigned i = 0; i < 50; i++) {
		m.client_id[2] = (uint8_t)i;
		dhcpd_handle(&D, &m, T0 + 1, &r);
		CHECK(r.type == DHCPOFFER);
	}
	CHECK_MSG(dhcpd_count(&D.pool, LEASE_OFFERED) == 1, "%u offers for one MAC", dhcpd_count(&D.pool, LEASE_OFFERED));
	done();
}

/* perfdhcp's avalanche: 240 new clients DISCOVER at once on a range of
 * 253, then each REQUESTs its offer, and never starts again on a NAK. The
 * cap reclaims the first offers for the last clients; the addresses it
 * frees must not go to them (they are the lowest free ones), or the first
 * clients are NAKed for ever (docs/PERFORMANCE.md once: 123 of 240 leased). */
static void test_avalanche(void)
{
	static struct dhcpc c[240];
	struct dhcpc_out o[240];
	struct dhcpd_reply r;
	unsigned acked = 0;

	server();
	for (unsigned i = 0; i < 240; i++) {
		uint8_t mac[6] = { 0x00, 0x0c, 0x01, 0x02, (uint8_t)(i >> 8), (uint8_t)i };

		dhcpc_init(&c[i], mac, NULL, next_xid, NULL);
		dhcpc_start(&c[i], 0, &o[i]);
		CHECK(exchange(&c[i], &o[i], T0, &r) == DHCPOFFER);
	}
	CHECK_MSG(D.st.reclaimed > 0, "the cap never reclaimed: the test tests nothing");
	for (unsigned i = 0; i < 240; i++)
		acked += exchange(&c[i], &o[i], T0, &r) == DHCPACK && c[i].state == DHCPC_BOUND;
	CHECK_MSG(acked == 240, "%u of 240 ACKed, %lu NAKs, %lu offers reclaimed", acked, D.st.nak, D.st.reclaimed);
	done();
}

int main(void)
{
	test_dns_names();
	test_lease_and_options();
	test_racing_offers();
	test_exhaustion();
	test_naks();
	test_reservation_relay_release();
	test_lease_file();
	test_lease_dir();
	test_discover_flood();
	test_one_offer_per_mac();
	test_avalanche();
	return T_DONE();
}
