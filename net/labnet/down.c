/* `labinit down`: remove exactly what labinit made — its nft table, the
 * links with alias "labinit", the addresses and routes with protocol 77 —
 * and nothing else. Forwarding stays on: other users of the host may rely
 * on it, as libvirt leaves it. */
#include "net/labnet/labnet_priv.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "net/dhcpc/dhcpc.h"
#include "net/nft/nft.h"

struct sweep {
	struct nl_sock *s;
	struct rtnl_addr addrs[64];
	struct rtnl_route routes[64];
	unsigned naddrs, nroutes;
};

static int pick_addr(const struct rtnl_addr *a, void *data)
{
	struct sweep *w = data;

	if (a->proto == RTNL_PROTO_LABINIT && w->naddrs < 64)
		w->addrs[w->naddrs++] = *a;
	return 0;
}

static int pick_route(const struct rtnl_route *r, void *data)
{
	struct sweep *w = data;

	if (r->protocol == RTNL_PROTO_LABINIT && r->table == RT_TABLE_MAIN && w->nroutes < 64)
		w->routes[w->nroutes++] = *r;
	return 0;
}

static int del_our_link(struct nl_sock *s, const char *name, unsigned *removed)
{
	struct rtnl_link l;
	struct nl_error e = { 0 };
	int r;

	if (rtnl_link_get(s, name, &l) < 0 || strcmp(l.alias, RTNL_ALIAS) != 0)
		return 0;
	if ((r = rtnl_link_del(s, l.index, &e)) < 0)
		log_err("delete link %s: %s %s", name, strerror(-r), e.msg);
	else
		(*removed)++;
	return r;
}

static int sweep_addresses_routes(struct nl_sock *s, unsigned *removed)
{
	struct sweep *w = calloc(1, sizeof(*w));
	struct nl_error e;
	int r = 0;

	if (!w)
		return -ENOMEM;
	rtnl_route_each(s, pick_route, w);
	rtnl_addr_each(s, pick_addr, w);
	for (unsigned i = 0; i < w->nroutes; i++)
		if (rtnl_route_del(s, &w->routes[i], &e) == 0)
			(*removed)++;
	for (unsigned i = 0; i < w->naddrs; i++) {
		int d = rtnl_addr_del(s, &w->addrs[i], &e);

		if (d < 0 && d != -EADDRNOTAVAIL)
			r = d;
		else if (d == 0)
			(*removed)++;
	}
	free(w);
	return r;
}

int labnet_down(const struct labnet_config *p)
{
	struct nl_error e = { 0 };
	struct nl_sock s;
	unsigned links = 0, other = 0;
	int r, failed = 0;

	dhcpc_stop_background(labnet_l3_uplink(p));
	if ((r = nft_remove(&e)) < 0) {
		log_err("nftables table inet labinit: %s%s%s %s", e.what, e.what[0] ? ": " : "", strerror(-r), e.msg);
		failed = r;
	} else {
		log_info("nftables table inet labinit: %s", r == 1 ? "none" : "removed");
	}
	if ((r = nl_open(&s, NETLINK_ROUTE)) < 0)
		return r;
	for (unsigned i = 0; i < p->ntaps; i++)
		if (del_our_link(&s, p->taps[i].name, &links) < 0)
			failed = -EIO;
	for (unsigned i = 0; i < p->nnets; i++) /* a span network's VXLAN device is no bridge's to take along */
		if (p->nets[i].vxlan_dev && del_our_link(&s, p->nets[i].vxlan_dev, &links) < 0)
			failed = -EIO;
	for (unsigned i = 0; i < p->nnets; i++) /* a bridge network's lets its uplink port go */
		if (del_our_link(&s, p->nets[i].bridge_name, &links) < 0)
			failed = -EIO;
	if (sweep_addresses_routes(&s, &other) < 0)
		failed = -EIO;
	nl_close(&s);
	log_info("down: removed %u link%s and %u address%s/route%s", links, links == 1 ? "" : "s", other,
		 other == 1 ? "" : "es", other == 1 ? "" : "s");
	return failed;
}
