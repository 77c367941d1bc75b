/* `labinit up` and `labinit down`: the uplink, the bridge and its address,
 * forwarding, one tap per guest, and the nftables ruleset, in that order,
 * each step printed with its outcome. Everything labinit creates is marked
 * (link alias "labinit", address and route protocol 77, its own nft table),
 * so down removes exactly that. */
#include "net/labnet/labnet_priv.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/dhcpc/dhcpc.h"
#include "net/nft/nft.h"
#include "net/netlink/tap.h"

static int step_result(const char *what, int r, const struct nl_error *e, double t0)
{
	if (r < 0)
		log_err("%s: %s%s%s", what, strerror(-r), e && e->msg[0] ? ": " : "", e ? e->msg : "");
	else
		log_info("%s: ok (%.2f ms)", what, (log_uptime() - t0) * 1000.0);
	return r;
}

int labnet_step_result(const char *what, int r, const struct nl_error *e, double t0)
{
	return step_result(what, r, e, t0);
}

static int write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int up_link(struct nl_sock *s, const char *name, int *index, struct nl_error *e)
{
	struct rtnl_link l;
	int r = rtnl_link_get(s, name, &l);

	if (r < 0)
		return r;
	*index = l.index;
	return (l.flags & IFF_UP) ? 0 : rtnl_link_set_up(s, l.index, true, e);
}

static int step_lo(struct nl_sock *s)
{
	struct nl_error e = { 0 };
	double t0 = log_uptime();
	int index;

	return step_result("link lo up", up_link(s, "lo", &index, &e), &e, t0);
}

struct find_addr {
	int index;
	struct ip4_prefix want;
	bool found;
};

static int match_addr(const struct rtnl_addr *a, void *data)
{
	struct find_addr *f = data;

	if (a->index == f->index && a->addr == f->want.addr && a->len == f->want.len && a->proto != RTNL_PROTO_LABINIT)
		f->found = true;
	return 0;
}

/* The host configured this address itself (not labinit). */
static bool has_addr(struct nl_sock *s, int index, const struct ip4_prefix *want)
{
	struct find_addr f = { index, *want, false };

	rtnl_addr_each(s, match_addr, &f);
	return f.found;
}

/* A default route via gateway that someone else added. */
static bool has_default_via(struct nl_sock *s, uint32_t gateway)
{
	struct rtnl_route r[16];
	int n = labnet_default_routes(s, r, 16);

	for (int i = 0; i < n; i++)
		if (r[i].gateway == gateway && r[i].protocol != RTNL_PROTO_LABINIT)
			return true;
	return false;
}

const char *labnet_l3_uplink(const struct labnet_config *p)
{
	for (unsigned i = 0; i < p->nnets; i++)
		if (p->nets[i].uplink_port)
			return p->nets[i].bridge_name;
	return p->uplink_ifname;
}

static int bridge_cfg_apply(struct nl_sock *s, const struct labnet_net *n, const uint8_t mac[6], struct nl_error *e)
{
	struct rtnl_bridge_cfg cfg = { n->bridge_name, { 0 }, n->mtu, n->stp, n->forward_delay, n->bridge_ipv6 };

	memcpy(cfg.mac, mac, 6);
	return rtnl_bridge_apply(s, &cfg, e);
}

/* The public bridge: the uplink becomes a port of the bridge network's
 * bridge, which takes the uplink's MAC (the LAN's DHCP server and
 * switches see the same host) and, below, its address. */
static int uplink_into_bridge(struct nl_sock *s, const struct labnet_config *p, int *index, struct nl_error *e)
{
	const struct labnet_net *n = NULL;
	struct rtnl_link up;
	uint8_t mac[6];
	int r;

	for (unsigned i = 0; i < p->nnets; i++)
		if (p->nets[i].uplink_port)
			n = &p->nets[i];
	if ((r = rtnl_link_get(s, p->uplink_ifname, &up)) < 0)
		return r;
	memcpy(mac, n->bridge_mac, 6);
	if (!memcmp(mac, "\0\0\0\0\0\0", 6))
		memcpy(mac, up.mac, 6);
	if ((r = bridge_cfg_apply(s, n, mac, e)) < 0 || (r = up_link(s, n->bridge_name, index, e)) < 0)
		return r;
	if (up.master != *index && (r = rtnl_link_set_master(s, up.index, *index, e)) < 0)
		return r;
	return (up.flags & IFF_UP) ? 0 : rtnl_link_set_up(s, up.index, true, e);
}

static int step_uplink(struct nl_sock *s, const struct labnet_config *p)
{
	struct nl_error e = { 0 };
	double t0 = log_uptime();
	const char *l3 = labnet_l3_uplink(p);
	char what[128], ip[16], gw[16], port[48] = "";
	int index, r;

	if (l3 != p->uplink_ifname) {
		r = uplink_into_bridge(s, p, &index, &e);
		snprintf(port, sizeof(port), " as a port of bridge %s", l3);
	} else {
		r = up_link(s, p->uplink_ifname, &index, &e);
	}
	if (r < 0 || p->uplink_dhcp) {
		snprintf(what, sizeof(what), "uplink %s up%s%s%s%s", p->uplink_ifname, port,
			 p->uplink_dhcp ? " (address by DHCP" : "", p->uplink_dhcp && *port ? " on the bridge" : "",
			 p->uplink_dhcp ? ")" : "");
		return step_result(what, r, &e, t0);
	}
	addr_format_ip4(p->uplink_addr.addr, ip);
	/* What the host already has is left as it is, and so is not ours to
	 * remove at `down`. */
	if (!has_addr(s, index, &p->uplink_addr))
		r = rtnl_addr_add(s, index, p->uplink_addr.addr, p->uplink_addr.len, &e);
	if (r == 0 && p->uplink_gateway && !has_default_via(s, p->uplink_gateway))
		r = rtnl_route_add(s, 0, 0, p->uplink_gateway, index, &e);
	addr_format_ip4(p->uplink_gateway, gw);
	snprintf(what, sizeof(what), "uplink %s%s %s/%u%s%s", p->uplink_ifname, port, ip, p->uplink_addr.len,
		 p->uplink_gateway ? " via " : "", p->uplink_gateway ? gw : "");
	return step_result(what, r, &e, t0);
}

static int step_bridge(struct nl_sock *s, const struct labnet_net *n, int *index)
{
	struct nl_error e = { 0 };
	double t0 = log_uptime();
	char what[128], mac[18], ip[16];
	int r;

	addr_format_mac(n->bridge_mac, mac);
	addr_format_ip4(n->gateway, ip);
	r = bridge_cfg_apply(s, n, n->bridge_mac, &e);
	if (r == 0)
		r = up_link(s, n->bridge_name, index, &e);
	if (r == 0 && n->host_addr)
		r = rtnl_addr_add(s, *index, n->gateway, n->subnet.len, &e);
	if (r == 0 && n->ipv6)
		r = rtnl_addr6_add(s, *index, n->gateway6, 64, &e);
	if (n->host_addr)
		snprintf(what, sizeof(what), "bridge %s %s %s/%u stp %s", n->bridge_name, mac, ip, n->subnet.len,
			 n->stp ? "on" : "off");
	else
		snprintf(what, sizeof(what), "bridge %s %s (no host address) stp %s", n->bridge_name, mac,
			 n->stp ? "on" : "off");
	if (n->ipv6) {
		char ip6[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, n->gateway6, ip6, sizeof(ip6));
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s/64", ip6);
	}
	return step_result(what, r, &e, t0);
}

/* The host's NICs given to a network (boards plugged into them): ports
 * of its bridge, up, with no address of their own (the preflight checked
 * they have none). An existing port is left as it is. */
static int step_ports(struct nl_sock *s, const struct labnet_net *n, int bridge)
{
	for (unsigned i = 0; i < n->nports; i++) {
		struct nl_error e = { 0 };
		struct rtnl_link l;
		double t0 = log_uptime();
		char what[96];
		int r = rtnl_link_get(s, n->ports[i], &l);

		if (r == 0 && l.master != bridge)
			r = rtnl_link_set_master(s, l.index, bridge, &e);
		if (r == 0 && !(l.flags & IFF_UP))
			r = rtnl_link_set_up(s, l.index, true, &e);
		snprintf(what, sizeof(what), "port %s of bridge %s", n->ports[i], n->bridge_name);
		if (step_result(what, r, &e, t0) < 0)
			return r;
	}
	return 0;
}

/* Every network's bridge; the bridge network's came with the uplink. */
static int step_bridges(struct nl_sock *s, const struct labnet_config *p, int *index)
{
	struct rtnl_link l;
	int r;

	for (unsigned i = 0; i < p->nnets; i++) {
		if (p->nets[i].uplink_port)
			r = rtnl_link_get(s, p->nets[i].bridge_name, &l) < 0 ? -ENODEV : (index[i] = l.index, 0);
		else
			r = step_bridge(s, &p->nets[i], &index[i]);
		if (r < 0 || (r = step_ports(s, &p->nets[i], index[i])) < 0)
			return r;
	}
	return 0;
}

/* IPv6 forwarding turns a host into a router, and a router ignores
 * router advertisements (RFC 4861 §6.2.8) unless accept_ra is 2: set on
 * the uplink first, so it keeps configuring itself by SLAAC. */
static int step_forwarding(const struct labnet_config *p)
{
	double t0 = log_uptime();
	char path[96];
	int r = step_result("net.ipv4.ip_forward=1", write_sysctl("/proc/sys/net/ipv4/ip_forward", "1"), NULL, t0);
	bool ipv6 = false;

	for (unsigned i = 0; i < p->nnets; i++)
		ipv6 |= p->nets[i].ipv6;
	if (r < 0 || !ipv6)
		return r;
	t0 = log_uptime();
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_ra", p->uplink_ifname);
	if ((r = write_sysctl(path, "2")) == 0)
		r = write_sysctl("/proc/sys/net/ipv6/conf/all/forwarding", "1");
	snprintf(path, sizeof(path), "net.ipv6.conf.%s.accept_ra=2, net.ipv6.conf.all.forwarding=1", p->uplink_ifname);
	return step_result(path, r, NULL, t0);
}

static int tap_up(struct nl_sock *s, const char *name, int bridge, struct nl_error *e)
{
	struct rtnl_link l;
	int fd, r;

	/* An existing tap is left as it is: attaching to it would flap its
	 * carrier, which is a change a second `up` must not make. */
	if (rtnl_link_get(s, name, &l) < 0 || strcmp(l.kind, "tun") != 0) {
		if ((fd = tap_open(name, true)) < 0)
			return fd;
		close(fd); /* persistent: QEMU attaches to it by name or PID 1 reopens it */
		if ((r = rtnl_link_get(s, name, &l)) < 0)
			return r;
	}
	if (strcmp(l.alias, RTNL_ALIAS) != 0 && (r = rtnl_link_set_alias(s, l.index, RTNL_ALIAS, e)) < 0)
		return r;
	if (l.master != bridge && (r = rtnl_link_set_master(s, l.index, bridge, e)) < 0)
		return r;
	/* A bridge port needs no address of its own, IPv6 link-local included. */
	if (!(l.flags & IFF_UP) && (r = rtnl_link_set_ipv6(s, l.index, false, e)) < 0)
		return r;
	return (l.flags & IFF_UP) ? 0 : rtnl_link_set_up(s, l.index, true, e);
}

/* A tap's impairments: a kernel without netem (sch_netem) leaves the link
 * as it is, with a warning; the lab runs without them. */
static void tap_impair(struct nl_sock *s, const struct labnet_tap *t)
{
	struct nl_error e = { 0 };
	char spec[NETEM_SPEC_MAX];
	struct rtnl_link l;
	double t0 = log_uptime();
	int r;

	netem_format(&t->impair, spec, sizeof(spec));
	if ((r = rtnl_link_get(s, t->name, &l)) == 0)
		r = rtnl_netem_set(s, l.index, &t->impair, &e);
	if (r < 0)
		log_warn("tap %s impaired: %s: %s%s%s; the link is left unimpaired%s", t->name, spec, strerror(-r),
			 e.msg[0] ? ": " : "", e.msg, r == -ENOENT || r == -EOPNOTSUPP ? " (no sch_netem in this kernel?)" : "");
	else
		log_info("tap %s impaired: %s: ok (%.2f ms)", t->name, spec, (log_uptime() - t0) * 1000.0);
}

/* A macvtap NIC's link on the uplink. One that is already there with the
 * right lower link and MAC is left as it is (a guest may hold its
 * /dev/tapN); another of ours is made again. */
static int macvtap_up(struct nl_sock *s, const struct labnet_config *p, const struct labnet_tap *t,
		      struct nl_error *e)
{
	struct rtnl_link up, l;
	int r;

	if ((r = rtnl_link_get(s, p->uplink_ifname, &up)) < 0)
		return r;
	if (rtnl_link_get(s, t->name, &l) == 0 && (l.link != up.index || memcmp(l.mac, t->mac, 6) != 0)) {
		if ((r = rtnl_link_del(s, l.index, e)) < 0)
			return r;
		l.index = 0;
	} else if (l.index == 0 || strcmp(l.kind, "macvtap") != 0) {
		l.index = 0;
	}
	if (l.index == 0 && ((r = rtnl_macvtap_add(s, t->name, up.index, t->mac, e)) < 0 ||
			     (r = rtnl_link_get(s, t->name, &l)) < 0))
		return r;
	return (l.flags & IFF_UP) ? 0 : rtnl_link_set_up(s, l.index, true, e);
}

static int step_taps(struct nl_sock *s, const struct labnet_config *p, const int *bridge)
{
	for (unsigned i = 0; i < p->ntaps; i++) {
		const struct labnet_tap *t = &p->taps[i];
		struct nl_error e = { 0 };
		double t0 = log_uptime();
		char what[64], mac[18];
		int r;

		if (t->macvtap) {
			addr_format_mac(t->mac, mac);
			snprintf(what, sizeof(what), "macvtap %s on %s %s", t->name, p->uplink_ifname, mac);
			r = macvtap_up(s, p, t, &e);
		} else {
			snprintf(what, sizeof(what), "tap %s on %s", t->name, p->nets[t->net].bridge_name);
			r = tap_up(s, t->name, bridge[t->net], &e);
		}
		if (step_result(what, r, &e, t0) < 0)
			return -EIO;
		if (!netem_is_off(&t->impair))
			tap_impair(s, t);
	}
	return 0;
}

static int step_ruleset(const struct labnet_config *p)
{
	struct nl_error e = { 0 };
	double t0 = log_uptime();
	int r = nft_apply(&p->nft, &e);

	if (r < 0 && e.what[0])
		log_err("nftables: %s", e.what);
	char what[96];
	bool nat = false;

	for (unsigned i = 0; i < p->nft.nnets; i++)
		nat |= p->nft.nets[i].mode == NFT_NAT;
	snprintf(what, sizeof(what), "nftables table inet labinit (%s", nat ? "NAT, filter" : "filter, no NAT");
	if (p->nft.nnets > 1)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), ", %u networks", p->nft.nnets);
	strcat(what, ")");
	return step_result(what, r, &e, t0);
}

int labnet_up(const struct labnet_config *p, bool spawn_dhcp)
{
	struct nl_sock s;
	int r, bridge[LABNET_MAX_NETS] = { 0 };

	if ((r = nl_open(&s, NETLINK_ROUTE)) < 0)
		return step_result("rtnetlink socket", r, NULL, log_uptime());
	if ((r = labnet_preflight(&s, p)) < 0) {
		nl_close(&s);
		return r; /* nothing changed */
	}
	if ((r = step_lo(&s)) == 0 && (r = step_uplink(&s, p)) == 0 && (r = step_bridges(&s, p, bridge)) == 0 &&
	    (r = labnet_step_spans(&s, p, bridge)) == 0 &&
	    (r = step_forwarding(p)) == 0 && (r = step_taps(&s, p, bridge)) == 0 && (r = step_ruleset(p)) == 0 &&
	    p->uplink_dhcp && spawn_dhcp)
		r = dhcpc_start_background(labnet_l3_uplink(p), p->hostname, &p->nets[0].subnet, p->uplink_client_uid);
	nl_close(&s);
	if (r < 0) {
		log_err("up failed; removing what labinit set up");
		labnet_down(p);
	}
	return r;
}
