/* DHCP server message handling, RFC 2131 §4.3. Authoritative for the lab
 * subnet: a client asking for an address that is wrong for it gets a NAK at
 * once (§4.3.2), so a guest moved between labs recovers in one round trip.
 * No ping before an offer: labinit owns the bridge. */
#include <stdio.h>
#include <errno.h>
#include <string.h>

#include "lib/core/addr.h"
#include "lib/core/name.h"
#include "net/dhcpd/dhcpd.h"

#define BCAST 0xffffffffu

int dhcpd_init(struct dhcpd *d, const struct dhcpd_config *c)
{
	int r;

	memset(d, 0, sizeof(*d));
	d->cfg = *c;
	if (d->cfg.nknown > DHCPD_KNOWN_MAX)
		return -EINVAL;
	r = dhcpd_pool_init(&d->pool, c->range_start, c->range_end, c->network, c->prefix, c->server_ip);
	for (unsigned i = 0; r == 0 && i < c->nknown; i++)
		if (c->known[i].ip)
			r = dhcpd_pool_reserve(&d->pool, c->known[i].mac, c->known[i].ip, c->known[i].name);
	return r;
}

const char *dhcpd_lease_dns_name(const struct dhcpd_config *c, const struct dhcpd_lease *l)
{
	size_t n = strlen(l->hostname);

	if (!n)
		return NULL;
	for (unsigned i = 0; i < c->nknown; i++) {
		const struct dhcpd_known *k = &c->known[i];

		/* DNS names are case-blind (RFC 4343): "VM1" is vm1's name. */
		if (strlen(k->name) != n || !name_equal(k->name, l->hostname, n))
			continue;
		return k->ip || memcmp(k->mac, l->mac, 6) ? NULL : l->hostname;
	}
	return l->hostname;
}

void dhcpd_free(struct dhcpd *d)
{
	dhcpd_pool_free(&d->pool);
}

/* bc: the boot options' header part (siaddr, 'file'), or NULL. */
static void start_reply(struct dhcpd *d, const struct dhcp_msg *m, uint8_t type, uint32_t yiaddr,
			const struct dhcpd_boot_choice *bc, struct dhcp_builder *b, struct dhcpd_reply *out)
{
	struct dhcp_msg h = { 0 };
	size_t size = m->max_size >= 576 ? (size_t)m->max_size - 28 : 548;

	h.op = BOOTREPLY;
	h.htype = m->htype;
	h.hlen = m->hlen;
	h.xid = m->xid;
	h.flags = m->flags;
	h.giaddr = m->giaddr;
	h.yiaddr = yiaddr;
	/* Table 3: ciaddr only in an ACK to a client that has an address. */
	h.ciaddr = type == DHCPACK ? m->ciaddr : 0;
	h.siaddr = bc && bc->boot ? bc->next_server : 0; /* "next server to use in bootstrap" */
	memcpy(h.chaddr, m->chaddr, sizeof(h.chaddr));
	dhcp_build_init(b, out->msg, size < sizeof(out->msg) ? size : sizeof(out->msg), &h);
	if (bc && bc->boot && bc->file[0])
		dhcp_build_file(b, bc->file);
	dhcp_opt_u8(b, DHCP_OPT_MSG_TYPE, type);
	dhcp_opt_ip(b, DHCP_OPT_SERVER_ID, d->cfg.server_ip);
	out->type = type;
}

/* §4.1: relay, then NAK broadcast, then ciaddr, then the broadcast bit,
 * then unicast to the hardware address. */
static void choose_dest(const struct dhcp_msg *m, uint8_t type, uint32_t yiaddr, struct dhcpd_reply *out)
{
	memcpy(out->dst_mac, m->chaddr, 6);
	if (m->giaddr) {
		out->dest = DHCPD_RELAY;
		out->dst_ip = m->giaddr;
	} else if (type == DHCPNAK || (m->flags & DHCP_FLAG_BROADCAST) || (!m->ciaddr && !yiaddr)) {
		out->dest = DHCPD_BROADCAST;
		out->dst_ip = BCAST;
	} else if (m->ciaddr) {
		out->dest = DHCPD_CIADDR;
		out->dst_ip = m->ciaddr;
	} else {
		out->dest = DHCPD_CHADDR;
		out->dst_ip = yiaddr;
	}
}

static void finish(struct dhcp_builder *b, const struct dhcp_msg *m, uint32_t yiaddr, struct dhcpd_reply *out)
{
	int n;

	if (m->agent_info_len) /* RFC 3046 §2.2: echo the relay's option */
		dhcp_opt_bytes(b, DHCP_OPT_AGENT_INFO, m->agent_info, m->agent_info_len);
	n = dhcp_build_finish(b);
	if (n < 0) {
		out->dest = DHCPD_NONE;
		return;
	}
	out->len = (size_t)n;
	choose_dest(m, out->type, yiaddr, out);
}

static void put_config(struct dhcpd *d, const struct dhcp_msg *m, const char *hostname, bool lease,
		       struct dhcp_builder *b)
{
	uint32_t mask = addr_mask(d->cfg.prefix);

	if (lease) {
		dhcp_opt_u32(b, DHCP_OPT_LEASE_TIME, d->cfg.lease_time);
		dhcp_opt_u32(b, DHCP_OPT_T1, d->cfg.lease_time / 2);
		dhcp_opt_u32(b, DHCP_OPT_T2, (uint32_t)((uint64_t)d->cfg.lease_time * 7 / 8));
	}
	dhcp_opt_ip(b, DHCP_OPT_SUBNET_MASK, mask);
	if (!d->cfg.no_router)
		dhcp_opt_ip(b, DHCP_OPT_ROUTER, d->cfg.server_ip);
	dhcp_opt_ip(b, DHCP_OPT_BROADCAST, (d->cfg.server_ip & mask) | ~mask);
	if (d->cfg.dns)
		dhcp_opt_ip(b, DHCP_OPT_DNS, d->cfg.dns);
	if (d->cfg.domain[0])
		dhcp_opt_str(b, DHCP_OPT_DOMAIN_NAME, d->cfg.domain);
	if (hostname && hostname[0])
		dhcp_opt_str(b, DHCP_OPT_HOST_NAME, hostname);
	if (d->cfg.mtu && dhcp_prl_has(m, DHCP_OPT_MTU))
		dhcp_opt_u16(b, DHCP_OPT_MTU, d->cfg.mtu);
}

/* Options 66 and 67 when asked for in 55; the 'file' header and siaddr
 * always (start_reply), which BOOTP-era ROMs and U-Boot read. dnsmasq
 * (2.90) sends the name either in 67, when asked for, or in 'file'; both
 * is as valid (RFC 2132 §9.5 makes 67 the alternative to 'file') and EDK2
 * takes 67 when present. 66 is the next server as text (§9.4). */
static void put_boot(const struct dhcp_msg *m, const struct dhcpd_boot_choice *bc, struct dhcp_builder *b)
{
	char ip[16];

	if (!bc->boot)
		return;
	if (dhcp_prl_has(m, DHCP_OPT_TFTP_SERVER)) {
		addr_format_ip4(bc->next_server, ip);
		dhcp_opt_str(b, DHCP_OPT_TFTP_SERVER, ip);
	}
	if (bc->file[0] && dhcp_prl_has(m, DHCP_OPT_BOOTFILE))
		dhcp_opt_str(b, DHCP_OPT_BOOTFILE, bc->file);
}

/* " boot FILE (LOADER)" for the OFFER/ACK line, or nothing. */
static void boot_log(const struct dhcpd_boot_choice *bc, char *buf, size_t size)
{
	buf[0] = '\0';
	if (bc->boot)
		snprintf(buf, size, " boot %s (%s%s)", bc->file[0] ? bc->file : "without a file",
			 bc->loader == DHCPD_LOADER_NONE ? "no loader named" : dhcpd_loader_name(bc->loader),
			 bc->guest_file ? ", the guest's own" : "");
}

static void nak(struct dhcpd *d, const struct dhcp_msg *m, const char *why, struct dhcpd_reply *out)
{
	struct dhcp_builder b;
	char ip[16];

	start_reply(d, m, DHCPNAK, 0, NULL, &b, out);
	dhcp_opt_str(&b, DHCP_OPT_MESSAGE, why);
	finish(&b, m, 0, out);
	addr_format_ip4(m->has_requested_ip ? m->requested_ip : m->ciaddr, ip);
	snprintf(out->log, sizeof(out->log), "NAK %s: %s", ip, why);
	d->st.nak++;
}

/* The name a lease is known by: the profile's guest name, else the client's. */
static const char *lease_name(const struct dhcpd *d, const struct dhcp_msg *m)
{
	const struct dhcpd_reservation *r = dhcpd_reservation_for(&d->pool, m->chaddr);

	for (unsigned i = 0; i < d->cfg.nknown; i++)
		if (!memcmp(d->cfg.known[i].mac, m->chaddr, 6))
			return d->cfg.known[i].name;
	return r ? r->name : m->hostname;
}

static bool is_known(const struct dhcpd *d, const uint8_t mac[6])
{
	for (unsigned i = 0; i < d->cfg.nknown; i++)
		if (!memcmp(d->cfg.known[i].mac, mac, 6))
			return true;
	return false;
}

/* Offers are capped so that spoofed DISCOVERs (a new chaddr each) cannot
 * hold the pool for DHCPD_OFFER_HOLD_S at a time:
 *  - one offer per chaddr, whatever client identifier came with it (a
 *    second DISCOVER from a MAC gets the address it holds: dhcpd_choose);
 *  - at most half the addresses not bound are held by offers; over that,
 *    the oldest offer is reclaimed for the new client.
 * Reclaiming, not ignoring: ignoring new DISCOVERs at the cap would turn
 * the flood into exactly the outage it is meant to stop, for every new
 * client, for 30 s. An offer is only a hint here, as in dnsmasq (which
 * records no lease for an offer) and Kea (offer-lifetime 0 by default: an
 * offer holds nothing); the REQUEST decides, and a client whose offer was
 * reclaimed and given away is NAKed and starts again; its address goes to
 * a new client only when no other is free (dhcpd_choose), so its REQUEST
 * is mostly still ACKed. A real client sends its REQUEST within
 * milliseconds of the OFFER, long before a flood walks the whole queue of
 * held offers. Profile guests' offers (pinned) are
 * never reclaimed, and reservations hold their address anyway.
 * No per-port cap: the worker reads DHCP from a UDP socket on the bridge,
 * where IP_PKTINFO names the bridge, not the tap a packet came in on. */
static void make_room(struct dhcpd *d, const struct dhcpd_client *c, time_t now)
{
	struct dhcpd_lease *cur = dhcpd_lease_of(&d->pool, c, now);
	struct dhcpd_offers o;

	dhcpd_offers_scan(&d->pool, c->mac, cur ? cur->ip : 0, now, &o);
	if (cur || dhcpd_reservation_for(&d->pool, c->mac) || o.held < o.cap || !o.oldest)
		return;
	dhcpd_lease_clear(&d->pool, o.oldest);
	o.oldest->reclaimed = true;
	d->st.reclaimed++;
}

static void on_discover(struct dhcpd *d, const struct dhcp_msg *m, const struct dhcpd_client *c, time_t now,
			struct dhcpd_reply *out)
{
	uint32_t ip;
	struct dhcpd_lease *l;
	struct dhcp_builder b;
	struct dhcpd_boot_choice bc;
	char text[16], boot[DHCP_FILE_MAX + 32];

	make_room(d, c, now);
	ip = dhcpd_choose(&d->pool, c, m->has_requested_ip ? m->requested_ip : 0, now);
	if (!ip) {
		d->st.exhausted++;
		out->exhausted = true;
		snprintf(out->log, sizeof(out->log), "no address left for a DISCOVER: the pool is exhausted");
		return;
	}
	l = dhcpd_lease_at(&d->pool, ip);
	/* Hold the address for this client; a bound lease stays bound. */
	if (l && !(l->state == LEASE_BOUND && l->expires > now) &&
	    dhcpd_lease_set(&d->pool, ip, c, LEASE_OFFERED, now + DHCPD_OFFER_HOLD_S, NULL))
		l->pinned = is_known(d, m->chaddr);
	dhcpd_boot_choose(&d->cfg, m, &bc);
	start_reply(d, m, DHCPOFFER, ip, &bc, &b, out);
	put_config(d, m, lease_name(d, m), true, &b);
	put_boot(m, &bc, &b);
	finish(&b, m, ip, out);
	addr_format_ip4(ip, text);
	boot_log(&bc, boot, sizeof(boot));
	snprintf(out->log, sizeof(out->log), "OFFER %s%s", text, boot);
	d->st.offer++;
}

static void ack(struct dhcpd *d, const struct dhcp_msg *m, const struct dhcpd_client *c, uint32_t ip, time_t now,
		struct dhcpd_reply *out)
{
	const char *name = lease_name(d, m);
	struct dhcp_builder b;
	struct dhcpd_boot_choice bc;
	char text[16], boot[DHCP_FILE_MAX + 32];

	/* A client holds one lease: one it moves away from is freed. */
	dhcpd_lease_clear_others(&d->pool, c, ip, now);
	dhcpd_lease_set(&d->pool, ip, c, LEASE_BOUND, now + (time_t)d->cfg.lease_time, name);
	out->commit = true;
	dhcpd_boot_choose(&d->cfg, m, &bc);
	start_reply(d, m, DHCPACK, ip, &bc, &b, out);
	put_config(d, m, name, true, &b);
	put_boot(m, &bc, &b);
	finish(&b, m, ip, out);
	addr_format_ip4(ip, text);
	boot_log(&bc, boot, sizeof(boot));
	snprintf(out->log, sizeof(out->log), "ACK %s%s%s%s", text, name[0] ? " " : "", name, boot);
	d->st.ack++;
}

/* §4.3.2: SELECTING (server id), INIT-REBOOT (requested IP, no ciaddr),
 * RENEWING/REBINDING (ciaddr). */
static void on_request(struct dhcpd *d, const struct dhcp_msg *m, const struct dhcpd_client *c, time_t now,
		       struct dhcpd_reply *out)
{
	uint32_t ip = m->has_requested_ip ? m->requested_ip : m->ciaddr;
	struct dhcpd_lease *l;

	if (m->has_server_id && m->server_id != d->cfg.server_ip) {
		/* The client took another server's offer: free ours. */
		if ((l = dhcpd_lease_of(&d->pool, c, now)) && l->state == LEASE_OFFERED)
			dhcpd_lease_clear(&d->pool, l);
		return;
	}
	if (!ip) {
		d->st.dropped++;
		return;
	}
	if ((ip & addr_mask(d->cfg.prefix)) != (d->cfg.server_ip & addr_mask(d->cfg.prefix))) {
		nak(d, m, "wrong network", out);
		return;
	}
	if (!dhcpd_ip_ok_for(&d->pool, ip, c, now)) {
		nak(d, m, "address not available", out);
		return;
	}
	/* A reserved guest asking for another address is told its own. */
	if (dhcpd_reservation_for(&d->pool, c->mac) && dhcpd_reservation_for(&d->pool, c->mac)->ip != ip) {
		nak(d, m, "this client has a fixed address", out);
		return;
	}
	ack(d, m, c, ip, now, out);
}

static void on_decline(struct dhcpd *d, const struct dhcp_msg *m, const struct dhcpd_client *c, time_t now,
		       struct dhcpd_reply *out)
{
	struct dhcpd_lease *l = m->has_requested_ip ? dhcpd_lease_at(&d->pool, m->requested_ip) : NULL;
	char text[16];

	if (!l || (m->has_server_id && m->server_id != d->cfg.server_ip))
		return;
	addr_format_ip4(l->ip, text);
	/* Only the client the address was offered or leased to may decline
	 * it (as dnsmasq): anyone else could empty the pool with DECLINEs. */
	if (dhcpd_lease_of(&d->pool, c, now) != l) {
		d->st.dropped++;
		snprintf(out->log, sizeof(out->log), "DECLINE %s from a client that does not hold it: ignored", text);
		return;
	}
	/* §4.3.3: the address is in use by something else; keep it out of the pool. */
	dhcpd_lease_set(&d->pool, l->ip, c, LEASE_DECLINED, now + DHCPD_DECLINE_HOLD_S, NULL);
	out->commit = true;
	snprintf(out->log, sizeof(out->log), "DECLINE %s: not offered again for %d s", text, DHCPD_DECLINE_HOLD_S);
}

static void on_release(struct dhcpd *d, const struct dhcp_msg *m, const struct dhcpd_client *c, time_t now,
		       struct dhcpd_reply *out)
{
	struct dhcpd_lease *l = dhcpd_lease_of(&d->pool, c, now);
	char text[16];

	if (!l || l->ip != m->ciaddr || (m->has_server_id && m->server_id != d->cfg.server_ip))
		return;
	dhcpd_lease_clear(&d->pool, l);
	out->commit = true;
	addr_format_ip4(m->ciaddr, text);
	snprintf(out->log, sizeof(out->log), "RELEASE %s", text);
}

/* §4.3.5: configuration only, no lease, straight to ciaddr. */
static void on_inform(struct dhcpd *d, const struct dhcp_msg *m, struct dhcpd_reply *out)
{
	struct dhcp_builder b;

	if (!m->ciaddr)
		return;
	start_reply(d, m, DHCPACK, 0, NULL, &b, out);
	put_config(d, m, NULL, false, &b);
	finish(&b, m, 0, out);
	d->st.ack++;
}

/* Every field of the reply but the message bytes, which only count up to
 * len: a 1.5 KB clear per request would be most of the handler's work. */
static void reply_reset(struct dhcpd_reply *out)
{
	out->dest = DHCPD_NONE;
	out->type = 0;
	out->len = 0;
	out->dst_ip = 0;
	memset(out->dst_mac, 0, sizeof(out->dst_mac));
	out->commit = false;
	out->exhausted = false;
	out->log[0] = '\0';
}

void dhcpd_handle(struct dhcpd *d, const struct dhcp_msg *m, time_t now, struct dhcpd_reply *out)
{
	struct dhcpd_client c = { { 0 }, m->client_id, m->client_id_len };

	reply_reset(out);
	d->st.received++;
	/* Ethernet clients only: the reply goes to chaddr on the bridge. */
	if (m->op != BOOTREQUEST || m->htype != DHCP_HTYPE_ETHER || m->hlen != 6 || !m->type) {
		d->st.dropped++;
		return;
	}
	memcpy(c.mac, m->chaddr, 6);
	switch (m->type) {
	case DHCPDISCOVER: d->st.discover++; on_discover(d, m, &c, now, out); break;
	case DHCPREQUEST: d->st.request++; on_request(d, m, &c, now, out); break;
	case DHCPDECLINE: d->st.decline++; on_decline(d, m, &c, now, out); break;
	case DHCPRELEASE: d->st.release++; on_release(d, m, &c, now, out); break;
	case DHCPINFORM: d->st.inform++; on_inform(d, m, out); break;
	default: d->st.dropped++; break;
	}
}
