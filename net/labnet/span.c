/* `labinit up`'s span step: each span network's VXLAN device (RFC 7348)
 * over the uplink, a port of the network's bridge, so the bridges of
 * several lab hosts on one LAN make one L2 segment. Static peers get an
 * all-zero FDB entry each (broadcasts are copied to every peer); a
 * multicast group needs none. The device carries the alias "labinit":
 * `down` removes it. */
#include "net/labnet/labnet_priv.h"

#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "net/netlink/vxlan.h"

/* The MTU the bridge and the device get: NETn_MTU, else the uplink's
 * minus the encapsulation, so a full-size guest frame still fits in one
 * uplink packet (VXLAN must not fragment, RFC 7348 §4.3). */
static unsigned span_mtu(const struct labnet_net *n, const struct rtnl_link *up)
{
	if (n->mtu)
		return n->mtu;
	return up->mtu > RTNL_VXLAN4_OVERHEAD + 576 ? up->mtu - RTNL_VXLAN4_OVERHEAD : 576;
}

static int span_up(struct nl_sock *s, const struct labnet_config *p, const struct labnet_net *n, int bridge,
		   const struct rtnl_link *up, struct nl_error *e)
{
	struct rtnl_vxlan_cfg cfg = { n->vxlan_dev, n->vni, n->group, p->uplink_dhcp ? 0 : p->uplink_addr.addr,
				      up->index, n->vxlan_port, span_mtu(n, up) };
	struct rtnl_link vx;
	int index, r;

	if ((r = rtnl_vxlan_apply(s, &cfg, &index, e)) < 0)
		return r;
	if ((r = rtnl_vxlan_set_peers(s, index, n->peers, n->npeers, e)) < 0)
		return r;
	/* Set on the bridge itself: the taps that join later keep 1500, and a
	 * bridge takes its smallest port's MTU only until one is set. */
	if (!n->mtu && (r = rtnl_link_set_mtu(s, bridge, cfg.mtu, e)) < 0)
		return r;
	if ((r = rtnl_link_get(s, n->vxlan_dev, &vx)) < 0)
		return r;
	if (vx.master != bridge && (r = rtnl_link_set_master(s, index, bridge, e)) < 0)
		return r;
	return (vx.flags & IFF_UP) ? 0 : rtnl_link_set_up(s, index, true, e);
}

/* "span virbr1 vni 42 via eth0 peers 172.30.0.3 172.30.0.4 mtu 1450 (uplink
 * 1500 - 50), device vxvirbr1 port 4789" */
static void describe(char *what, size_t size, const struct labnet_net *n, const struct rtnl_link *up)
{
	char ip[16];
	size_t len;

	snprintf(what, size, "span %s vni %u via %s", n->bridge_name, n->vni, up->name);
	if (n->group) {
		addr_format_ip4(n->group, ip);
		snprintf(what + strlen(what), size - strlen(what), " group %s", ip);
	} else {
		snprintf(what + strlen(what), size - strlen(what), " peers");
	}
	for (unsigned i = 0; i < n->npeers; i++) {
		addr_format_ip4(n->peers[i], ip);
		len = strlen(what);
		snprintf(what + len, size - len, " %s", ip);
	}
	len = strlen(what);
	if (n->mtu)
		snprintf(what + len, size - len, " mtu %u", n->mtu);
	else
		snprintf(what + len, size - len, " mtu %u (uplink %u - %u)", span_mtu(n, up), up->mtu,
			 RTNL_VXLAN4_OVERHEAD);
	len = strlen(what);
	snprintf(what + len, size - len, ", device %s port %u", n->vxlan_dev, n->vxlan_port);
}

int labnet_step_spans(struct nl_sock *s, const struct labnet_config *p, const int *bridge)
{
	for (unsigned i = 0; i < p->nnets; i++) {
		const struct labnet_net *n = &p->nets[i];
		struct nl_error e = { 0 };
		struct rtnl_link up = { 0 };
		double t0 = log_uptime();
		char what[320];
		int r;

		if (!n->vxlan_dev)
			continue;
		if ((r = rtnl_link_get(s, labnet_l3_uplink(p), &up)) == 0) {
			describe(what, sizeof(what), n, &up);
			r = span_up(s, p, n, bridge[i], &up, &e);
		} else {
			snprintf(what, sizeof(what), "span %s: uplink %s", n->bridge_name, labnet_l3_uplink(p));
		}
		if (labnet_step_result(what, r, &e, t0) < 0)
			return r;
	}
	return 0;
}
