/* Pre-flight checks of the lab network against the host as it is: the
 * uplink exists, the lab subnet overlaps none of the host's addresses or
 * routes (nested labs inside a libvirt guest meet 192.168.122.0/24 first),
 * and no foreign link holds a name labinit would take. */
#include "net/labnet/labnet_priv.h"

#include <errno.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

int labnet_find_overlap(const struct labnet_used *u, const struct ip4_prefix *subnet)
{
	for (unsigned i = 0; i < u->n; i++)
		if (addr_prefixes_overlap(&u->prefix[i], subnet))
			return (int)i;
	return -1;
}

static bool candidate_free(const struct labnet_used *u, uint32_t net, uint8_t len)
{
	struct ip4_prefix p = { net, len };

	return labnet_find_overlap(u, &p) < 0;
}

/* First free aligned /len in [start, end). */
static int scan(const struct labnet_used *u, uint32_t start, uint32_t end, uint8_t len, struct ip4_prefix *out)
{
	uint32_t step = 1u << (32 - len);

	for (uint32_t net = start & addr_mask(len); net + step - 1 < end && net >= (start & addr_mask(len));
	     net += step)
		if (candidate_free(u, net, len)) {
			*out = (struct ip4_prefix){ net, len };
			return 0;
		}
	return -ENOENT;
}

int labnet_suggest_subnet(const struct labnet_used *u, uint8_t len, struct ip4_prefix *out)
{
	if (len < 8 || len > 30)
		return -EINVAL;
	if (scan(u, 0x0a4d0000, 0x0b000000, len, out) == 0)          /* 10.77.0.0 and up */
		return 0;
	if (len >= 16 && scan(u, 0xc0a86400, 0xc0a90000, len, out) == 0) /* 192.168.100.0 and up */
		return 0;
	if (len >= 12 && scan(u, 0xac100000, 0xac200000, len, out) == 0) /* 172.16.0.0/12 */
		return 0;
	return -ENOENT;
}

static void add_used(struct labnet_used *u, uint32_t addr, uint8_t len, const char *what)
{
	if (u->n == LABNET_MAX_USED) {
		u->full = true;
		return;
	}
	u->prefix[u->n] = (struct ip4_prefix){ addr & addr_mask(len), len };
	snprintf(u->what[u->n], sizeof(u->what[0]), "%s", what);
	u->n++;
}

struct collect {
	struct labnet_used *u;
	int skip_index;      /* our bridge: its address and route are ours */
};

static int collect_addr(const struct rtnl_addr *a, void *data)
{
	struct collect *c = data;
	char ip[16], what[48];

	if (a->index == c->skip_index || (a->addr >> 24) == 127)
		return 0;
	addr_format_ip4(a->addr, ip);
	snprintf(what, sizeof(what), "address %s/%u", ip, a->len);
	add_used(c->u, a->addr, a->len, what);
	return 0;
}

static int collect_route(const struct rtnl_route *r, void *data)
{
	struct collect *c = data;
	char ip[16], what[48];

	/* The default route overlaps everything and means nothing here. */
	if (r->len == 0 || r->table != RT_TABLE_MAIN || r->type != RTN_UNICAST || r->oif == c->skip_index)
		return 0;
	addr_format_ip4(r->dst, ip);
	snprintf(what, sizeof(what), "route %s/%u", ip, r->len);
	add_used(c->u, r->dst, r->len, what);
	return 0;
}

int labnet_collect_used(struct nl_sock *s, int bridge_index, struct labnet_used *u)
{
	struct collect c = { u, bridge_index };
	int r;

	u->n = 0;
	if ((r = rtnl_addr_each(s, collect_addr, &c)) < 0)
		return r;
	return rtnl_route_each(s, collect_route, &c);
}

static int check_subnet(struct nl_sock *s, const struct labnet_net *p, int bridge_index)
{
	char key[32];
	struct labnet_used *u = calloc(1, sizeof(*u));
	struct ip4_prefix free_net;
	char net[16], alt[16];
	int i, r;

	if (!u)
		return -ENOMEM;
	if ((r = labnet_collect_used(s, bridge_index, u)) < 0) {
		log_err("reading the host's addresses and routes: %s", strerror(-r));
	} else if (u->full) {
		log_err("the host has more than %d addresses and routes; labinit cannot check the lab subnet against them",
			LABNET_MAX_USED);
		r = -E2BIG;
	} else if ((i = labnet_find_overlap(u, &p->subnet)) >= 0) {
		addr_format_ip4(p->subnet.addr, net);
		if (p->num == 1)
			snprintf(key, sizeof(key), "CONFIG_LAB_SUBNET");
		else
			snprintf(key, sizeof(key), "CONFIG_NET%u_SUBNET", p->num);
		if (labnet_suggest_subnet(u, p->subnet.len, &free_net) == 0) {
			addr_format_ip4(free_net.addr, alt);
			log_err("lab subnet %s/%u overlaps the host's %s; set %s, e.g. to the free %s/%u "
				"(the gateway and the DHCP range follow it unless your profile sets them)",
				net, p->subnet.len, u->what[i], key, alt, free_net.len);
		} else {
			log_err("lab subnet %s/%u overlaps the host's %s", net, p->subnet.len, u->what[i]);
		}
		r = -EADDRINUSE;
	}
	free(u);
	return r;
}

struct default_routes {
	struct rtnl_route *r;
	unsigned n, max;
};

static int collect_default(const struct rtnl_route *r, void *data)
{
	struct default_routes *d = data;

	if (r->len == 0 && r->table == RT_TABLE_MAIN && r->type == RTN_UNICAST && d->n < d->max)
		d->r[d->n++] = *r;
	return 0;
}

int labnet_default_routes(struct nl_sock *s, struct rtnl_route *out, unsigned max)
{
	struct default_routes d = { out, 0, max };
	int r = rtnl_route_each(s, collect_default, &d);

	return r < 0 ? r : (int)d.n;
}

/* A static uplink must not replace a default route labinit did not add. */
static int check_default_route(struct nl_sock *s, const struct labnet_config *p)
{
	struct rtnl_route d;
	char gw[16], want[16];

	if (p->uplink_dhcp || !p->uplink_gateway || labnet_default_routes(s, &d, 1) <= 0 ||
	    d.protocol == RTNL_PROTO_LABINIT || d.gateway == p->uplink_gateway)
		return 0;
	addr_format_ip4(d.gateway, gw);
	addr_format_ip4(p->uplink_gateway, want);
	log_err("the host already has a default route via %s; labinit will not replace it with one via %s "
		"(CONFIG_UPLINK_GATEWAY)", gw, want);
	return -EEXIST;
}

/* A link called name must be absent or one labinit made (alias "labinit"). */
static int check_ours(struct nl_sock *s, const char *name, const char *kind, const char *key)
{
	struct rtnl_link l;

	if (rtnl_link_get(s, name, &l) < 0)
		return 0;
	if (!strcmp(l.alias, RTNL_ALIAS) && !strcmp(l.kind, kind))
		return 0;
	if (!strcmp(l.alias, RTNL_ALIAS)) { /* a NIC that became a macvtap, or the other way */
		log_err("%s: labinit made it a %s, the profile now wants a %s; run labinit down first", name,
			l.kind[0] ? l.kind : "device", kind);
		return -EEXIST;
	}
	log_err("%s: a %s named %s already exists and was not made by labinit; choose another %s",
		name, l.kind[0] ? l.kind : "device", name, key);
	return -EEXIST;
}

struct foreign_addr {
	int index;
	uint32_t addr;
};

static int find_foreign(const struct rtnl_addr *a, void *data)
{
	struct foreign_addr *f = data;

	if (a->index == f->index && a->proto != RTNL_PROTO_LABINIT)
		f->addr = a->addr;
	return 0;
}

/* A bridge network takes the uplink as its port: an address the host
 * gave the uplink itself would be cut off. */
static int check_uplink_port(struct nl_sock *s, const struct labnet_config *p, const struct rtnl_link *up)
{
	struct foreign_addr f = { up->index, 0 };
	char ip[16];

	if (labnet_l3_uplink(p) == p->uplink_ifname)
		return 0;
	rtnl_addr_each(s, find_foreign, &f);
	if (!f.addr)
		return 0;
	addr_format_ip4(f.addr, ip);
	log_err("uplink %s has the address %s of its own; a bridge network would take the uplink as its port and "
		"cut it off (remove it, or let labinit set the uplink's address: CONFIG_UPLINK_STATIC or DHCP)",
		p->uplink_ifname, ip);
	return -EEXIST;
}

/* A port exists, has no IPv4 address of its own (it would be cut off, as
 * the uplink in check_uplink_port) and is no other bridge's port. */
static int check_port(struct nl_sock *s, const struct labnet_net *n, const char *port)
{
	struct rtnl_link l;
	struct foreign_addr f = { 0, 0 };
	char key[32], ip[16], master[IF_NAMESIZE] = "";

	if (n->num == 1)
		snprintf(key, sizeof(key), "CONFIG_BRIDGE_PORTS");
	else
		snprintf(key, sizeof(key), "CONFIG_NET%u_PORTS", n->num);
	if (rtnl_link_get(s, port, &l) < 0) {
		log_err("port %s of bridge %s: no such interface (%s)", port, n->bridge_name, key);
		return -ENODEV;
	}
	if (!strcmp(l.kind, "bridge")) {
		log_err("port %s of bridge %s is a bridge itself (%s)", port, n->bridge_name, key);
		return -EINVAL;
	}
	if (l.master && if_indextoname((unsigned)l.master, master) && strcmp(master, n->bridge_name)) {
		log_err("port %s of bridge %s is already a port of %s (%s)", port, n->bridge_name, master, key);
		return -EBUSY;
	}
	f.index = l.index;
	rtnl_addr_each(s, find_foreign, &f);
	if (!f.addr)
		return 0;
	addr_format_ip4(f.addr, ip);
	log_err("port %s of bridge %s has the address %s of its own; as a port it would be cut off (remove it: %s)",
		port, n->bridge_name, ip, key);
	return -EEXIST;
}

int labnet_preflight(struct nl_sock *s, const struct labnet_config *p)
{
	struct rtnl_link up, br;
	int r = 0, bridge_index;

	if (rtnl_link_get(s, p->uplink_ifname, &up) < 0) {
		log_err("uplink %s: no such interface (CONFIG_UPLINK_IFNAME)", p->uplink_ifname);
		r = -ENODEV;
	} else if (check_uplink_port(s, p, &up) < 0) {
		r = -EEXIST;
	}
	for (unsigned i = 0; i < p->nnets; i++) {
		char key[32];

		if (p->nets[i].num == 1)
			snprintf(key, sizeof(key), "CONFIG_BRIDGE_NAME");
		else
			snprintf(key, sizeof(key), "CONFIG_NET%u_BRIDGE", p->nets[i].num);
		if (check_ours(s, p->nets[i].bridge_name, "bridge", key) < 0)
			r = -EEXIST;
		/* vx<BRIDGE>: the name follows the bridge's key */
		if (p->nets[i].vxlan_dev && check_ours(s, p->nets[i].vxlan_dev, "vxlan", key) < 0)
			r = -EEXIST;
		for (unsigned k = 0; k < p->nets[i].nports; k++)
			if (check_port(s, &p->nets[i], p->nets[i].ports[k]) < 0)
				r = -EEXIST;
	}
	for (unsigned i = 0; i < p->ntaps; i++) {
		char key[40];

		snprintf(key, sizeof(key), "CONFIG_GUEST%u_NAME", p->taps[i].slot);
		if (check_ours(s, p->taps[i].name, p->taps[i].macvtap ? "macvtap" : "tun", key) < 0)
			r = -EEXIST;
	}
	if (check_default_route(s, p) < 0)
		r = -EEXIST;
	for (unsigned i = 0; i < p->nnets; i++) {
		if (!p->nets[i].host_addr)
			continue;
		bridge_index = rtnl_link_get(s, p->nets[i].bridge_name, &br) == 0 ? br.index : -1;
		if (check_subnet(s, &p->nets[i], bridge_index) < 0)
			r = -EADDRINUSE;
	}
	return r;
}
