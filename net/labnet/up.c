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

static int step_uplink(struct nl_sock *s, const struct labnet_config *p)
{
	struct nl_error e = { 0 };
	double t0 = log_uptime();
	char what[96], ip[16], gw[16];
	int index, r;

	r = up_link(s, p->uplink_ifname, &index, &e);
	if (r < 0 || p->uplink_dhcp) {
		snprintf(what, sizeof(what), "uplink %s up%s", p->uplink_ifname,
			 p->uplink_dhcp ? " (address by DHCP)" : "");
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
	snprintf(what, sizeof(what), "uplink %s %s/%u%s%s", p->uplink_ifname, ip, p->uplink_addr.len,
		 p->uplink_gateway ? " via " : "", p->uplink_gateway ? gw : "");
	return step_result(what, r, &e, t0);
}

static int step_bridge(struct nl_sock *s, const struct labnet_config *p, int *index)
{
	struct rtnl_bridge_cfg cfg = { p->bridge_name, { 0 }, p->mtu, p->stp, p->forward_delay, p->bridge_ipv6 };
	struct nl_error e = { 0 };
	double t0 = log_uptime();
	char what[96], mac[18], ip[16];
	int r;

	memcpy(cfg.mac, p->bridge_mac, 6);
	addr_format_mac(p->bridge_mac, mac);
	addr_format_ip4(p->gateway, ip);
	r = rtnl_bridge_apply(s, &cfg, &e);
	if (r == 0)
		r = up_link(s, p->bridge_name, index, &e);
	if (r == 0)
		r = rtnl_addr_add(s, *index, p->gateway, p->subnet.len, &e);
	if (r == 0 && p->ipv6)
		r = rtnl_addr6_add(s, *index, p->gateway6, 64, &e);
	snprintf(what, sizeof(what), "bridge %s %s %s/%u stp %s", p->bridge_name, mac, ip, p->subnet.len,
		 p->stp ? "on" : "off");
	if (p->ipv6) {
		char ip6[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, p->gateway6, ip6, sizeof(ip6));
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s/64", ip6);
	}
	return step_result(what, r, &e, t0);
}

/* IPv6 forwarding turns a host into a router, and a router ignores
 * router advertisements (RFC 4861 §6.2.8) unless accept_ra is 2: set on
 * the uplink first, so it keeps configuring itself by SLAAC. */
static int step_forwarding(const struct labnet_config *p)
{
	double t0 = log_uptime();
	char path[96];
	int r = step_result("net.ipv4.ip_forward=1", write_sysctl("/proc/sys/net/ipv4/ip_forward", "1"), NULL, t0);

	if (r < 0 || !p->ipv6)
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

static int step_taps(struct nl_sock *s, const struct labnet_config *p, int bridge)
{
	for (unsigned i = 0; i < p->ntaps; i++) {
		struct nl_error e = { 0 };
		double t0 = log_uptime();
		char what[64];

		snprintf(what, sizeof(what), "tap %s on %s", p->taps[i].name, p->bridge_name);
		if (step_result(what, tap_up(s, p->taps[i].name, bridge, &e), &e, t0) < 0)
			return -EIO;
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
	return step_result(p->nat ? "nftables table inet labinit (NAT, filter)" : "nftables table inet labinit (filter, no NAT)",
			   r, &e, t0);
}

int labnet_up(const struct labnet_config *p, bool spawn_dhcp)
{
	struct nl_sock s;
	int r, bridge = 0;

	if ((r = nl_open(&s, NETLINK_ROUTE)) < 0)
		return step_result("rtnetlink socket", r, NULL, log_uptime());
	if ((r = labnet_preflight(&s, p)) < 0) {
		nl_close(&s);
		return r; /* nothing changed */
	}
	if ((r = step_lo(&s)) == 0 && (r = step_uplink(&s, p)) == 0 && (r = step_bridge(&s, p, &bridge)) == 0 &&
	    (r = step_forwarding(p)) == 0 && (r = step_taps(&s, p, bridge)) == 0 && (r = step_ruleset(p)) == 0 &&
	    p->uplink_dhcp && spawn_dhcp)
		r = dhcpc_start_background(p->uplink_ifname, p->hostname, &p->subnet, p->uplink_client_uid);
	nl_close(&s);
	if (r < 0) {
		log_err("up failed; removing what labinit set up");
		labnet_down(p);
	}
	return r;
}
