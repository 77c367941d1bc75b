/* DHCP client state machine, RFC 2131 §4.4. Retransmission follows §4.1
 * (4 s doubling to 64 s, ±1 s); renewing and rebinding wait half the time
 * left (§4.4.5) but never less than a few seconds, so short lab leases work. */
#include "net/dhcpc/fsm.h"

#include <string.h>

#define BCAST 0xffffffffu
#define RETRY_MIN_MS 4000u
#define RETRY_MAX_MS 64000u
#define REBOOT_TRIES 2
#define MIN_WAIT_MS 2000u

static const uint8_t prl[] = { DHCP_OPT_SUBNET_MASK, DHCP_OPT_ROUTER, DHCP_OPT_DNS, DHCP_OPT_DOMAIN_NAME,
			       DHCP_OPT_BROADCAST, DHCP_OPT_MTU, DHCP_OPT_LEASE_TIME, DHCP_OPT_T1, DHCP_OPT_T2 };

const char *dhcpc_state_name(enum dhcpc_state s)
{
	static const char *const names[] = { "init", "selecting", "requesting", "bound",
					     "renewing", "rebinding", "rebooting" };

	return s <= DHCPC_REBOOTING ? names[s] : "?";
}

void dhcpc_init(struct dhcpc *c, const uint8_t mac[6], const char *hostname,
		uint32_t (*random)(void *ctx), void *ctx)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->mac, mac, 6);
	strncpy(c->hostname, hostname ? hostname : "", sizeof(c->hostname) - 1);
	c->random = random;
	c->random_ctx = ctx;
}

static void reset_out(struct dhcpc_out *out)
{
	memset(out, 0, sizeof(*out));
}

/* §4.1: 4 s, 8 s, … 64 s, each ±1 s at random. */
static uint64_t retry_delay(struct dhcpc *c)
{
	uint32_t ms = RETRY_MIN_MS;

	for (unsigned i = 0; i < c->tries && ms < RETRY_MAX_MS; i++)
		ms *= 2;
	if (ms > RETRY_MAX_MS)
		ms = RETRY_MAX_MS;
	return ms - 1000 + c->random(c->random_ctx) % 2001;
}

static void build(struct dhcpc *c, uint8_t type, uint32_t ciaddr, uint32_t requested, uint32_t server,
		  uint32_t dst, uint64_t now, struct dhcpc_out *out)
{
	struct dhcp_msg h = { 0 };
	struct dhcp_builder b;
	int n;

	h.op = BOOTREQUEST;
	h.htype = DHCP_HTYPE_ETHER;
	h.hlen = 6;
	h.xid = c->xid;
	h.ciaddr = ciaddr;
	memcpy(h.chaddr, c->mac, 6);
	dhcp_build_init(&b, out->msg, sizeof(out->msg), &h);
	dhcp_opt_u8(&b, DHCP_OPT_MSG_TYPE, type);
	if (requested)
		dhcp_opt_ip(&b, DHCP_OPT_REQUESTED_IP, requested);
	if (server)
		dhcp_opt_ip(&b, DHCP_OPT_SERVER_ID, server);
	dhcp_opt_u16(&b, DHCP_OPT_MAX_SIZE, 576);
	if (c->hostname[0])
		dhcp_opt_str(&b, DHCP_OPT_HOST_NAME, c->hostname);
	if (type != DHCPRELEASE)
		dhcp_opt_bytes(&b, DHCP_OPT_PRL, prl, sizeof(prl));
	n = dhcp_build_finish(&b);
	if (n < 0)
		return;
	out->len = (size_t)n;
	out->dst = dst;
	out->src = ciaddr;
	out->actions |= DHCPC_ACT_SEND;
	if (type == DHCPREQUEST)
		c->sent_ms = now;
}

static void new_xid(struct dhcpc *c)
{
	c->xid = c->random(c->random_ctx);
	c->tries = 0;
}

static void send_discover(struct dhcpc *c, uint64_t now, struct dhcpc_out *out)
{
	c->state = DHCPC_SELECTING;
	build(c, DHCPDISCOVER, 0, c->have_lease ? c->lease.addr : 0, 0, BCAST, now, out);
	c->timer_ms = now + retry_delay(c);
	c->tries++;
}

static void send_request(struct dhcpc *c, uint64_t now, struct dhcpc_out *out)
{
	switch (c->state) {
	case DHCPC_REQUESTING: /* §4.3.2: requested IP and server id, broadcast */
		build(c, DHCPREQUEST, 0, c->offer.addr, c->offer.server_id, BCAST, now, out);
		break;
	case DHCPC_REBOOTING:  /* INIT-REBOOT: requested IP, no server id */
		build(c, DHCPREQUEST, 0, c->lease.addr, 0, BCAST, now, out);
		break;
	case DHCPC_RENEWING:   /* ciaddr, unicast to the server */
		build(c, DHCPREQUEST, c->lease.addr, 0, 0, c->lease.server_id, now, out);
		break;
	case DHCPC_REBINDING:  /* ciaddr, broadcast */
		build(c, DHCPREQUEST, c->lease.addr, 0, 0, BCAST, now, out);
		break;
	default:
		break;
	}
}

static uint64_t lease_at(const struct dhcpc_lease *l, uint32_t secs)
{
	return l->start_ms + (uint64_t)secs * 1000u;
}

/* §4.4.5: wait half the time left until deadline, at least MIN_WAIT_MS. */
static uint64_t half_way(uint64_t now, uint64_t deadline)
{
	uint64_t wait = deadline > now ? (deadline - now) / 2 : 0;

	if (wait < MIN_WAIT_MS)
		wait = MIN_WAIT_MS;
	return now + wait < deadline || deadline <= now ? now + wait : deadline;
}

static void drop_lease(struct dhcpc *c, struct dhcpc_out *out, const char *why)
{
	if (c->have_lease) {
		out->old = c->lease;
		out->actions |= DHCPC_ACT_DROP;
	}
	c->have_lease = false;
	out->log = why;
}

void dhcpc_start(struct dhcpc *c, uint64_t now, struct dhcpc_out *out)
{
	reset_out(out);
	new_xid(c);
	send_discover(c, now, out);
}

static void timer_bound_states(struct dhcpc *c, uint64_t now, struct dhcpc_out *out)
{
	uint64_t t2 = lease_at(&c->lease, c->lease.t2_s), end = lease_at(&c->lease, c->lease.lease_s);

	if (now >= end) {
		drop_lease(c, out, "lease expired");
		new_xid(c);
		send_discover(c, now, out);
		return;
	}
	if (c->state == DHCPC_BOUND) {
		c->state = DHCPC_RENEWING;
		new_xid(c);
		out->log = "T1: renewing";
	} else if (c->state == DHCPC_RENEWING && now >= t2) {
		c->state = DHCPC_REBINDING;
		new_xid(c);
		out->log = "T2: rebinding";
	}
	send_request(c, now, out);
	c->timer_ms = c->state == DHCPC_RENEWING ? half_way(now, t2) : half_way(now, end);
}

void dhcpc_timer(struct dhcpc *c, uint64_t now, struct dhcpc_out *out)
{
	reset_out(out);
	switch (c->state) {
	case DHCPC_SELECTING:
		send_discover(c, now, out);
		break;
	case DHCPC_REQUESTING: /* §3.1.5: no ACK after retries — start over */
		if (c->tries >= 4) {
			new_xid(c);
			send_discover(c, now, out);
			break;
		}
		send_request(c, now, out);
		c->timer_ms = now + retry_delay(c);
		c->tries++;
		break;
	case DHCPC_REBOOTING:
		if (c->tries >= REBOOT_TRIES) {
			/* §3.2: no server answered: keep the lease while it lasts. */
			c->state = DHCPC_BOUND;
			c->timer_ms = lease_at(&c->lease, c->lease.t1_s);
			out->log = "no answer to INIT-REBOOT: keeping the lease";
			if (now >= c->timer_ms)
				timer_bound_states(c, now, out);
			break;
		}
		send_request(c, now, out);
		c->timer_ms = now + retry_delay(c);
		c->tries++;
		break;
	case DHCPC_BOUND:
	case DHCPC_RENEWING:
	case DHCPC_REBINDING:
		timer_bound_states(c, now, out);
		break;
	case DHCPC_INIT:
		c->timer_ms = 0;
		break;
	}
}

/* Lease times with the RFC 2131 §4.4.5 defaults and the order T1 < T2 < lease. */
static bool take_times(const struct dhcp_msg *m, struct dhcpc_lease *l)
{
	if (!m->has_lease_time || m->lease_time < 10)
		return false;
	l->lease_s = m->lease_time;
	l->t1_s = m->has_t1 ? m->t1 : l->lease_s / 2;
	l->t2_s = m->has_t2 ? m->t2 : (uint32_t)((uint64_t)l->lease_s * 7 / 8);
	if (!(l->t1_s < l->t2_s && l->t2_s < l->lease_s)) {
		l->t1_s = l->lease_s / 2;
		l->t2_s = (uint32_t)((uint64_t)l->lease_s * 7 / 8);
	}
	return true;
}

static uint8_t mask_len(uint32_t mask)
{
	uint8_t n = 0;

	while (mask & 0x80000000u) {
		n++;
		mask <<= 1;
	}
	return n;
}

void dhcpc_avoid(struct dhcpc *c, uint32_t addr, uint8_t len)
{
	c->avoid_addr = addr;
	c->avoid_len = len;
}

static uint32_t mask_of(uint8_t len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* addr/len and the avoided subnet share addresses. */
static bool in_avoided(const struct dhcpc *c, uint32_t addr, uint8_t len)
{
	uint32_t mask = mask_of(len < c->avoid_len ? len : c->avoid_len);

	return c->avoid_len && (addr & mask) == (c->avoid_addr & mask);
}

/* Resolvers in the avoided subnet are dropped; the others keep their order. */
static void drop_avoided_dns(const struct dhcpc *c, struct dhcpc_lease *l)
{
	unsigned n = 0;

	for (unsigned i = 0; i < l->ndns; i++)
		if (!in_avoided(c, l->dns[i], 32))
			l->dns[n++] = l->dns[i];
	l->ndns = n;
}

/* Semantic checks before any state changes (STYLE 5). */
static bool take_lease(const struct dhcpc *c, const struct dhcp_msg *m, struct dhcpc_lease *l)
{
	memset(l, 0, sizeof(*l));
	if (!m->yiaddr || m->yiaddr == BCAST || !m->has_server_id || !take_times(m, l))
		return false;
	l->addr = m->yiaddr;
	l->server_id = m->server_id;
	l->prefix = m->has_netmask ? mask_len(m->netmask) : 24;
	if (l->prefix < 8 || l->prefix > 30)
		return false;
	l->router = m->nrouters ? m->routers[0] : 0;
	if (in_avoided(c, l->addr, l->prefix) || (l->router && in_avoided(c, l->router, 32)))
		return false;
	l->ndns = m->ndns;
	memcpy(l->dns, m->dns, sizeof(l->dns));
	drop_avoided_dns(c, l);
	memcpy(l->domain, m->domain, sizeof(l->domain));
	l->mtu = m->has_mtu ? m->mtu : 0;
	return true;
}

static void on_offer(struct dhcpc *c, const struct dhcp_msg *m, uint64_t now, struct dhcpc_out *out)
{
	if (c->state != DHCPC_SELECTING)
		return;
	if (!take_lease(c, m, &c->offer)) {
		if (m->yiaddr && in_avoided(c, m->yiaddr, 32))
			out->log = "offer refused: its address lies inside the lab subnet (CONFIG_LAB_SUBNET)";
		else if (m->nrouters && in_avoided(c, m->routers[0], 32))
			out->log = "offer refused: its router lies inside the lab subnet (CONFIG_LAB_SUBNET)";
		return;
	}
	c->state = DHCPC_REQUESTING;
	c->tries = 0;
	send_request(c, now, out);
	c->timer_ms = now + retry_delay(c);
	c->tries++;
}

static bool same_lease(const struct dhcpc_lease *a, const struct dhcpc_lease *b)
{
	return a->addr == b->addr && a->prefix == b->prefix && a->router == b->router &&
	       a->ndns == b->ndns && !memcmp(a->dns, b->dns, sizeof(a->dns)) && a->mtu == b->mtu;
}

static void on_ack(struct dhcpc *c, const struct dhcp_msg *m, uint64_t now, struct dhcpc_out *out)
{
	struct dhcpc_lease l;

	(void)now;
	if (c->state < DHCPC_REQUESTING || c->state == DHCPC_BOUND || !take_lease(c, m, &l))
		return;
	if (c->state == DHCPC_REQUESTING && l.server_id != c->offer.server_id)
		return;
	l.start_ms = c->sent_ms;
	if (!c->have_lease || !same_lease(&l, &c->lease)) {
		out->actions |= DHCPC_ACT_APPLY;
		out->replaced = c->have_lease && c->lease.addr != l.addr;
		out->old = c->lease;
	}
	if (l.ndns < m->ndns && l.ndns < sizeof(l.dns) / sizeof(l.dns[0]))
		out->log = "bound; resolvers inside the lab subnet dropped (CONFIG_LAB_SUBNET)";
	else
		out->log = c->state == DHCPC_REQUESTING || !c->have_lease ? "bound" : "lease extended";
	c->lease = l;
	c->have_lease = true;
	c->state = DHCPC_BOUND;
	c->timer_ms = lease_at(&c->lease, c->lease.t1_s);
}

static void on_nak(struct dhcpc *c, uint64_t now, struct dhcpc_out *out)
{
	if (c->state < DHCPC_REQUESTING || c->state == DHCPC_BOUND)
		return;
	drop_lease(c, out, "NAK: starting over");
	new_xid(c);
	send_discover(c, now, out);
}

void dhcpc_receive(struct dhcpc *c, const struct dhcp_msg *m, uint64_t now, struct dhcpc_out *out)
{
	reset_out(out);
	/* Only answers to our transaction, for our hardware address. */
	if (m->op != BOOTREPLY || m->xid != c->xid || m->hlen != 6 || memcmp(m->chaddr, c->mac, 6) != 0)
		return;
	if (m->type == DHCPOFFER)
		on_offer(c, m, now, out);
	else if (m->type == DHCPACK)
		on_ack(c, m, now, out);
	else if (m->type == DHCPNAK)
		on_nak(c, now, out);
}

void dhcpc_carrier(struct dhcpc *c, bool up, uint64_t now, struct dhcpc_out *out)
{
	reset_out(out);
	if (!up) {
		/* Keep the lease (§3.2): the same network may come back. */
		c->timer_ms = 0;
		c->state = DHCPC_INIT;
		out->log = "carrier lost";
		return;
	}
	new_xid(c);
	if (c->have_lease && now < lease_at(&c->lease, c->lease.lease_s)) {
		c->state = DHCPC_REBOOTING;
		send_request(c, now, out);
		c->timer_ms = now + retry_delay(c);
		c->tries++;
		out->log = "carrier back: confirming the lease";
		return;
	}
	if (c->have_lease)
		drop_lease(c, out, "carrier back; lease expired meanwhile");
	send_discover(c, now, out);
}

void dhcpc_release(struct dhcpc *c, struct dhcpc_out *out)
{
	reset_out(out);
	if (!c->have_lease)
		return;
	new_xid(c);
	build(c, DHCPRELEASE, c->lease.addr, 0, c->lease.server_id, c->lease.server_id, 0, out);
	c->have_lease = false;
	c->state = DHCPC_INIT;
	c->timer_ms = 0;
}
