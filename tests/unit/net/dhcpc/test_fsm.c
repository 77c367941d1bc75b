/* The DHCP client state machine with fixed transaction ids and times:
 * discover, offer, request, ack, renew at T1, rebind at T2, expiry, NAK,
 * carrier loss and INIT-REBOOT. Replies are built with the codec, as a
 * server would send them. */
#include <string.h>

#include "net/dhcpc/fsm.h"
#include "t.h"

static uint32_t next_random = 0x1000;

static uint32_t fixed_random(void *ctx)
{
	(void)ctx;
	return next_random++;
}

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
#define SERVER 0xac1e0001u  /* 172.30.0.1 */
#define ADDR 0xac1e0064u    /* 172.30.0.100 */

/* A server's reply as the codec builds it; NAKs carry no lease options. */
static struct dhcp_msg build(const struct dhcpc *c, uint8_t type, uint32_t yiaddr, uint32_t lease, uint32_t router,
			     const uint32_t *dns, unsigned ndns)
{
	struct dhcp_msg m = { 0 };
	struct dhcp_builder b;
	uint8_t buf[600];
	struct dhcp_msg out;
	int n;

	m.op = BOOTREPLY;
	m.htype = 1;
	m.hlen = 6;
	m.xid = c->xid;
	m.yiaddr = yiaddr;
	memcpy(m.chaddr, MAC, 6);
	dhcp_build_init(&b, buf, sizeof(buf), &m);
	dhcp_opt_u8(&b, DHCP_OPT_MSG_TYPE, type);
	dhcp_opt_ip(&b, DHCP_OPT_SERVER_ID, SERVER);
	if (type != DHCPNAK) {
		dhcp_opt_u32(&b, DHCP_OPT_LEASE_TIME, lease);
		dhcp_opt_ip(&b, DHCP_OPT_SUBNET_MASK, 0xffffff00u);
		dhcp_opt_ip(&b, DHCP_OPT_ROUTER, router);
		dhcp_opt_ips(&b, DHCP_OPT_DNS, dns, ndns);
	}
	n = dhcp_build_finish(&b);
	CHECK(n > 0 && dhcp_parse(buf, (size_t)n, &out) == 0);
	return out;
}

static struct dhcp_msg reply(const struct dhcpc *c, uint8_t type, uint32_t yiaddr, uint32_t lease)
{
	const uint32_t dns = SERVER;

	return build(c, type, yiaddr, lease, SERVER, &dns, 1);
}

static struct dhcp_msg sent(const struct dhcpc_out *o)
{
	struct dhcp_msg m;

	memset(&m, 0, sizeof(m));
	CHECK(o->actions & DHCPC_ACT_SEND);
	CHECK(dhcp_parse(o->msg, o->len, &m) == 0);
	return m;
}

static void bind(struct dhcpc *c, struct dhcpc_out *o)
{
	struct dhcp_msg m;

	dhcpc_start(c, 1000, o);
	m = sent(o);
	CHECK(m.type == DHCPDISCOVER && o->dst == 0xffffffffu && m.xid == c->xid && !memcmp(m.chaddr, MAC, 6));
	CHECK(dhcp_prl_has(&m, DHCP_OPT_ROUTER) && !strcmp(m.hostname, "lab"));
	m = reply(c, DHCPOFFER, ADDR, 60);
	dhcpc_receive(c, &m, 1100, o);
	CHECK(c->state == DHCPC_REQUESTING);
	m = sent(o);
	CHECK(m.type == DHCPREQUEST && m.requested_ip == ADDR && m.server_id == SERVER && m.ciaddr == 0);
	m = reply(c, DHCPACK, ADDR, 60);
	dhcpc_receive(c, &m, 1200, o);
	CHECK(c->state == DHCPC_BOUND && (o->actions & DHCPC_ACT_APPLY) && !o->replaced);
	CHECK(c->lease.addr == ADDR && c->lease.prefix == 24 && c->lease.router == SERVER && c->lease.ndns == 1);
	CHECK(c->lease.t1_s == 30 && c->lease.t2_s == 52 && c->timer_ms == 1100 + 30000);
}

static void test_renew_rebind_expire(void)
{
	struct dhcpc c;
	struct dhcpc_out o;
	struct dhcp_msg m;

	dhcpc_init(&c, MAC, "lab", fixed_random, NULL);
	bind(&c, &o);
	/* T1: unicast REQUEST from the leased address, no server id. */
	dhcpc_timer(&c, 31100, &o);
	m = sent(&o);
	CHECK(c.state == DHCPC_RENEWING && o.dst == SERVER && o.src == ADDR && m.ciaddr == ADDR &&
	      !m.has_server_id && !m.has_requested_ip);
	CHECK(c.timer_ms > 31100 && c.timer_ms <= 53100);
	/* The same lease again: extended, nothing to reconfigure. */
	m = reply(&c, DHCPACK, ADDR, 60);
	dhcpc_receive(&c, &m, 31200, &o);
	CHECK(c.state == DHCPC_BOUND && !(o.actions & DHCPC_ACT_APPLY) && c.lease.start_ms == 31100);
	/* No answers: renewing at T1, rebinding (broadcast) at T2, expiry drops it. */
	dhcpc_timer(&c, 61100, &o);
	CHECK(c.state == DHCPC_RENEWING);
	dhcpc_timer(&c, 31100 + 52000, &o);
	m = sent(&o);
	CHECK(c.state == DHCPC_REBINDING && o.dst == 0xffffffffu && m.ciaddr == ADDR);
	dhcpc_timer(&c, 31100 + 60000, &o);
	CHECK(c.state == DHCPC_SELECTING && (o.actions & DHCPC_ACT_DROP) && o.old.addr == ADDR && !c.have_lease);
	CHECK(sent(&o).type == DHCPDISCOVER);
}

static void test_nak_and_strangers(void)
{
	struct dhcpc c;
	struct dhcpc_out o;
	struct dhcp_msg m;
	uint32_t xid;

	dhcpc_init(&c, MAC, "lab", fixed_random, NULL);
	dhcpc_start(&c, 0, &o);
	m = reply(&c, DHCPOFFER, ADDR, 60);
	m.xid ^= 1; /* another transaction */
	dhcpc_receive(&c, &m, 10, &o);
	CHECK(c.state == DHCPC_SELECTING && o.actions == 0);
	m = reply(&c, DHCPOFFER, ADDR, 60);
	m.chaddr[5] ^= 1; /* another client */
	dhcpc_receive(&c, &m, 10, &o);
	CHECK(c.state == DHCPC_SELECTING && o.actions == 0);
	m = reply(&c, DHCPOFFER, ADDR, 5); /* a 5 s lease is refused */
	dhcpc_receive(&c, &m, 10, &o);
	CHECK(c.state == DHCPC_SELECTING);
	/* Retransmission: 4 s ±1, then 8 s ±1. */
	CHECK(c.timer_ms >= 3000 && c.timer_ms <= 5000);
	dhcpc_timer(&c, c.timer_ms, &o);
	CHECK(sent(&o).type == DHCPDISCOVER && c.tries == 2);
	m = reply(&c, DHCPOFFER, ADDR, 60);
	dhcpc_receive(&c, &m, 20000, &o);
	xid = c.xid;
	m = reply(&c, DHCPNAK, 0, 0);
	dhcpc_receive(&c, &m, 20100, &o);
	CHECK(c.state == DHCPC_SELECTING && c.xid != xid && sent(&o).type == DHCPDISCOVER);
}

static void test_carrier(void)
{
	struct dhcpc c;
	struct dhcpc_out o;
	struct dhcp_msg m;

	dhcpc_init(&c, MAC, "lab", fixed_random, NULL);
	bind(&c, &o);
	dhcpc_carrier(&c, false, 5000, &o);
	CHECK(c.state == DHCPC_INIT && c.have_lease && c.timer_ms == 0);
	dhcpc_carrier(&c, true, 6000, &o);
	m = sent(&o);
	CHECK(c.state == DHCPC_REBOOTING && m.type == DHCPREQUEST && m.requested_ip == ADDR && !m.has_server_id &&
	      o.dst == 0xffffffffu);
	/* A different network: NAK, start over. */
	m = reply(&c, DHCPNAK, 0, 0);
	dhcpc_receive(&c, &m, 6100, &o);
	CHECK((o.actions & DHCPC_ACT_DROP) && c.state == DHCPC_SELECTING);
	/* A new server, a new address: APPLY replaces nothing (lease dropped). */
	m = reply(&c, DHCPOFFER, ADDR + 1, 60);
	dhcpc_receive(&c, &m, 6200, &o);
	m = reply(&c, DHCPACK, ADDR + 1, 60);
	dhcpc_receive(&c, &m, 6300, &o);
	CHECK(c.state == DHCPC_BOUND && c.lease.addr == ADDR + 1 && (o.actions & DHCPC_ACT_APPLY));
	/* No answer to INIT-REBOOT: the lease is kept. */
	dhcpc_carrier(&c, false, 7000, &o);
	dhcpc_carrier(&c, true, 7100, &o);
	dhcpc_timer(&c, c.timer_ms, &o);
	dhcpc_timer(&c, c.timer_ms, &o);
	CHECK(c.state == DHCPC_BOUND && c.have_lease && c.lease.addr == ADDR + 1);
	dhcpc_release(&c, &o);
	m = sent(&o);
	CHECK(m.type == DHCPRELEASE && m.ciaddr == ADDR + 1 && m.server_id == SERVER && o.dst == SERVER);
}

/* An offer from the uplink whose address or router lies in the lab's own
 * subnet is refused; resolvers there are dropped from an accepted lease. */
static struct dhcp_msg offer_with(const struct dhcpc *c, uint8_t type, uint32_t yiaddr, uint32_t router,
				  uint32_t dns1, uint32_t dns2)
{
	const uint32_t dns[2] = { dns1, dns2 };

	return build(c, type, yiaddr, 60, router, dns, dns2 ? 2 : 1);
}

static void test_lab_subnet(void)
{
	struct dhcpc c;
	struct dhcpc_out o;
	struct dhcp_msg m;
	const uint32_t lab = 0x0a4d0000u; /* 10.77.0.0/24 */

	dhcpc_init(&c, MAC, "lab", fixed_random, NULL);
	dhcpc_avoid(&c, lab, 24);
	dhcpc_start(&c, 1000, &o);
	m = offer_with(&c, DHCPOFFER, 0x0a4d0032u, SERVER, SERVER, 0);
	dhcpc_receive(&c, &m, 1100, &o);
	CHECK(c.state == DHCPC_SELECTING && !(o.actions & DHCPC_ACT_SEND));
	CHECK(o.log && strstr(o.log, "address lies inside the lab subnet"));
	m = offer_with(&c, DHCPOFFER, 0x0a4c0505u, SERVER, SERVER, 0); /* 10.76.5.5/24 with a /16 would overlap */
	dhcpc_receive(&c, &m, 1150, &o);
	CHECK(c.state == DHCPC_REQUESTING); /* a /24 beside the lab's is fine */
	dhcpc_init(&c, MAC, "lab", fixed_random, NULL);
	dhcpc_avoid(&c, lab, 24);
	dhcpc_start(&c, 1000, &o);
	m = offer_with(&c, DHCPOFFER, ADDR, 0x0a4d0001u, SERVER, 0);
	dhcpc_receive(&c, &m, 1100, &o);
	CHECK(c.state == DHCPC_SELECTING && o.log && strstr(o.log, "router lies inside the lab subnet"));
	m = offer_with(&c, DHCPOFFER, ADDR, SERVER, 0x0a4d0035u, SERVER);
	dhcpc_receive(&c, &m, 1200, &o);
	CHECK(c.state == DHCPC_REQUESTING);
	m = offer_with(&c, DHCPACK, ADDR, SERVER, 0x0a4d0035u, SERVER);
	dhcpc_receive(&c, &m, 1300, &o);
	CHECK(c.state == DHCPC_BOUND && c.lease.ndns == 1 && c.lease.dns[0] == SERVER);
	CHECK(o.log && strstr(o.log, "resolvers inside the lab subnet dropped"));
}

int main(void)
{
	test_lab_subnet();
	test_renew_rebind_expire();
	test_nak_and_strangers();
	test_carrier();
	return T_DONE();
}
