/* The lab networks: network 1 is the lab network of the keys that came
 * before there were several (BRIDGE_NAME, LAB_SUBNET, DHCP_SERVER, ...)
 * with CONFIG_NET1_NAME and CONFIG_NET1_MODE; networks 2..PROFILE_NETS are
 * the CONFIG_NETn slots. Each gets its mode, bridge, addresses and
 * services here, checked against the others: names, bridges and subnets
 * are unique, and at most one network takes the uplink. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/name.h"
#include "lib/profile/config.h"
#include "lib/profile/validate_priv.h"

static const char *const mode_names[] = { "nat", "routed", "isolated", "private", "bridge", "span", NULL };

const char *profile_net_mode_name(enum net_mode m)
{
	return mode_names[m];
}

static bool parse_mode(struct vctx *c, unsigned key, enum net_mode *out)
{
	for (unsigned i = 0; mode_names[i]; i++)
		if (!strcmp(vc_str(c, key), mode_names[i])) {
			*out = (enum net_mode)i;
			return true;
		}
	vc_error(c, key, "\"%s\": expected nat, routed, isolated, private, bridge or span", vc_str(c, key));
	return false;
}

/* "auto", "y" or "n": auto is on where the host has the network's gateway
 * address and the mode serves guests (nat, routed, isolated). Not in a
 * span network: its hosts share the segment, and which of them serves is
 * the profiles' choice (one NETn_DHCP=y, or disjoint ranges). */
static bool tristate(struct vctx *c, unsigned key, enum net_mode mode)
{
	const char *v = vc_str(c, key);

	if (!strcmp(v, "y"))
		return true;
	if (!strcmp(v, "n"))
		return false;
	if (strcmp(v, "auto"))
		vc_error(c, key, "\"%s\": expected auto, y or n", v);
	return mode == NET_NAT || mode == NET_ROUTED || mode == NET_ISOLATED;
}

static void lease_file_beside(struct vctx *c, struct net_cfg *n)
{
	const char *first = vc_str(c, K_DHCP_LEASE_FILE), *slash = strrchr(first, '/');
	int dir = slash ? (int)(slash - first) : 0;

	snprintf(n->lease_file, sizeof(n->lease_file), "%.*s/%s.leases", dir, first, n->name);
}

/* BRIDGE_PORTS, NETn_PORTS: interface names, separated by spaces. */
static void net_ports(struct vctx *c, struct net_cfg *n, unsigned key)
{
	char buf[256], *w, *save = NULL;

	n->nports = 0;
	if (snprintf(buf, sizeof(buf), "%s", vc_str(c, key)) >= (int)sizeof(buf)) {
		vc_error(c, key, "too long: at most %d interface names", PROFILE_NET_PORTS);
		return;
	}
	for (w = strtok_r(buf, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		if (strlen(w) > 15 || strpbrk(w, "/:") || !strcmp(w, ".") || !strcmp(w, "..")) {
			vc_error(c, key, "\"%s\" is not a valid interface name (at most 15 characters)", w);
			return;
		}
		if (n->nports == PROFILE_NET_PORTS) {
			vc_error(c, key, "more than %d ports", PROFILE_NET_PORTS);
			return;
		}
		snprintf(n->ports[n->nports++], sizeof(n->ports[0]), "%s", w);
	}
}

static void net1(struct vctx *c)
{
	struct profile *p = c->p;
	struct net_cfg *n = &p->nets[0];
	bool explicit_mode = p->v[K_NET1_MODE].source != NULL;

	memset(n, 0, sizeof(*n));
	n->num = 1;
	n->name = vc_str(c, K_NET1_NAME);
	if (parse_mode(c, K_NET1_MODE, &n->mode) &&
	    (n->mode == NET_PRIVATE || n->mode == NET_BRIDGE || n->mode == NET_SPAN))
		vc_error(c, K_NET1_MODE, "%s: network 1 has the lab's address and services; a %s network is "
			 "one of CONFIG_NET2..%d", vc_str(c, K_NET1_MODE), vc_str(c, K_NET1_MODE), PROFILE_NETS);
	/* CONFIG_NAT=n came first: an isolated network 1. */
	if (!vc_num(c, K_NAT)) {
		if (explicit_mode && n->mode != NET_ISOLATED)
			vc_error(c, K_NAT, "CONFIG_NAT=n makes network 1 isolated, but CONFIG_NET1_MODE is \"%s\"",
				 vc_str(c, K_NET1_MODE));
		n->mode = NET_ISOLATED;
	}
	p->nat = n->mode == NET_NAT;
	n->bridge_name = p->bridge_name;
	memcpy(n->bridge_mac, p->bridge_mac, 6);
	n->host_addr = true;
	n->subnet = p->subnet;
	n->gateway = p->gateway;
	n->mtu = p->mtu;
	n->forward_delay = p->forward_delay;
	n->stp = p->stp;
	n->bridge_ipv6 = p->bridge_ipv6;
	n->ipv6 = p->ipv6;
	memcpy(n->prefix6, p->prefix6, 16);
	memcpy(n->gateway6, p->gateway6, 16);
	n->dhcp = p->dhcp;
	n->range_start = p->range_start;
	n->range_end = p->range_end;
	n->dns = p->dns;
	n->dns_domain = p->dns_domain;
	n->dhcp6 = p->dhcp6;
	snprintf(n->lease_file, sizeof(n->lease_file), "%s", p->lease_file);
	net_ports(c, n, K_BRIDGE_PORTS);
	p->nnets = 1;
}

/* Set by the profile, or the default that follows the subnet. */
static bool addr_or_host(struct vctx *c, unsigned key, const struct ip4_prefix *sn, uint32_t host, uint32_t *out)
{
	if (!*vc_str(c, key)) {
		*out = sn->addr | host;
		return true;
	}
	if (!vc_parse_ip(c, key, out))
		return false;
	if (vc_is_host_in(*out, sn))
		return true;
	vc_error(c, key, "%s is not a host address inside the network's subnet", vc_str(c, key));
	return false;
}

static void net_subnet(struct vctx *c, struct net_cfg *n)
{
	unsigned num = n->num, key = K_NET(num, NF_SUBNET);
	uint32_t hosts;

	if (addr_parse_prefix(vc_str(c, key), &n->subnet) < 0 || n->subnet.len < 8 || n->subnet.len > 30) {
		vc_error(c, key, "\"%s\" is not a subnet /8 to /30 (e.g. 10.77.1.0/24)", vc_str(c, key));
		n->subnet.len = 0;
		return;
	}
	if (n->subnet.addr & ~addr_mask(n->subnet.len)) {
		vc_error(c, key, "%s has host bits set", vc_str(c, key));
		n->subnet.addr &= addr_mask(n->subnet.len);
	}
	hosts = ~addr_mask(n->subnet.len);
	if (!addr_or_host(c, K_NET(num, NF_GATEWAY), &n->subnet, 1, &n->gateway))
		return;
	if (!n->dhcp)
		return;
	if (addr_or_host(c, K_NET(num, NF_RANGE_START), &n->subnet, 2, &n->range_start) &&
	    addr_or_host(c, K_NET(num, NF_RANGE_END), &n->subnet, hosts - 1, &n->range_end) &&
	    n->range_start > n->range_end)
		vc_error(c, K_NET(num, NF_RANGE_END), "%s is below the range start", vc_str(c, K_NET(num, NF_RANGE_END)));
}

static void net_mac(struct vctx *c, struct net_cfg *n)
{
	unsigned key = K_NET(n->num, NF_BRIDGE_MAC);
	char seed[96];
	uint32_t h;

	if (!*vc_str(c, key)) {
		/* As network 1's: locally administered, from the host name. */
		snprintf(seed, sizeof(seed), "%s/%u", c->p->hostname, n->num);
		h = addr_fnv1a(seed);
		n->bridge_mac[0] = 0x02;
		n->bridge_mac[1] = 0x4c;
		memcpy(&n->bridge_mac[2], &h, 4);
	} else if (addr_parse_mac(vc_str(c, key), n->bridge_mac) < 0 || (n->bridge_mac[0] & 1)) {
		vc_error(c, key, "\"%s\" is not a unicast MAC address", vc_str(c, key));
	}
}

static void net_ipv6(struct vctx *c, struct net_cfg *n)
{
	unsigned key = K_NET(n->num, NF_IPV6_PREFIX);

	if (!n->ipv6)
		return;
	if (!*vc_str(c, key))
		vc_derive_ula(n->bridge_mac, n->bridge_name, n->num, n->prefix6);
	else if (!vc_parse_prefix6(c, key, n->prefix6))
		return;
	memcpy(n->gateway6, n->prefix6, 16);
	n->gateway6[15] = 1;
	n->bridge_ipv6 = true;
}

/* The services a mode cannot have: refused by key. */
static void net_services(struct vctx *c, struct net_cfg *n)
{
	unsigned num = n->num;
	const char *mode = mode_names[n->mode];

	n->dhcp = tristate(c, K_NET(num, NF_DHCP), n->mode);
	n->dns = tristate(c, K_NET(num, NF_DNS), n->mode);
	n->ipv6 = tristate(c, K_NET(num, NF_IPV6), n->mode);
	if (n->mode == NET_BRIDGE) {
		/* The LAN's own servers answer there. */
		static const enum net_field lan[] = { NF_DHCP, NF_DNS, NF_IPV6 };

		for (unsigned i = 0; i < 3; i++)
			if (!strcmp(vc_str(c, K_NET(num, lan[i])), "y"))
				vc_error(c, K_NET(num, lan[i]), "a bridge network is the LAN: its own DHCP, DNS and router "
					 "advertisements serve the guests");
		n->dhcp = n->dns = n->ipv6 = false;
		return;
	}
	/* A private link has the host on it only to serve DHCP when asked. */
	n->host_addr = n->mode != NET_PRIVATE || n->dhcp;
	if (!n->host_addr && (n->dns || n->ipv6))
		vc_error(c, K_NET(num, n->dns ? NF_DNS : NF_IPV6),
			 "a %s network without DHCP gives the host no address to answer from", mode);
}

/* 0.0.0.0/8, 127.0.0.0/8 and 224.0.0.0 and up (multicast, reserved,
 * broadcast) are no host's uplink address. */
static bool is_unicast(uint32_t a)
{
	return (a >> 24) != 0 && (a >> 24) != 127 && a < 0xe0000000u;
}

static void span_peers(struct vctx *c, struct net_cfg *n)
{
	unsigned key = K_NET(n->num, NF_SPAN_PEERS);
	char buf[CONFIG_LINE_MAX], *tok, *save = NULL;
	struct span_cfg *sp = &n->span;

	snprintf(buf, sizeof(buf), "%s", vc_str(c, key));
	for (tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		uint32_t a;

		if (addr_parse_ip4(tok, &a) < 0 || !is_unicast(a)) {
			vc_error(c, key, "\"%s\" is not a unicast IPv4 address (another lab host's uplink)", tok);
			continue;
		}
		if (c->p->uplink_addr.len && a == c->p->uplink_addr.addr)
			vc_error(c, key, "%s is this host's own uplink address (CONFIG_UPLINK_ADDRESS)", tok);
		for (unsigned i = 0; i < sp->npeers; i++)
			if (sp->peers[i] == a)
				vc_error(c, key, "%s is listed twice", tok);
		if (sp->npeers == PROFILE_SPAN_PEERS) {
			vc_error(c, key, "more than %d peers", PROFILE_SPAN_PEERS);
			return;
		}
		sp->peers[sp->npeers++] = a;
	}
}

/* A span network: exactly one way to reach the other hosts, static peers
 * (head-end replication of broadcasts) or a multicast group. */
static void net_span(struct vctx *c, struct net_cfg *n)
{
	unsigned num = n->num, kp = K_NET(num, NF_SPAN_PEERS), kg = K_NET(num, NF_SPAN_GROUP);
	bool peers = *vc_str(c, kp), group = *vc_str(c, kg);
	struct span_cfg *sp = &n->span;

	if (n->mode != NET_SPAN) {
		if (peers || group)
			vc_error(c, peers ? kp : kg, "only a span network (CONFIG_NET%u_MODE=\"span\") has peers or a group",
				 num);
		return;
	}
	if (strlen(n->bridge_name) > 13)
		vc_error(c, K_NET(num, NF_BRIDGE), "\"%s\": a span network's VXLAN device is vx<BRIDGE>, so the bridge "
			 "name has at most 13 characters", n->bridge_name);
	snprintf(sp->dev, sizeof(sp->dev), "vx%.13s", n->bridge_name);
	sp->vni = (uint32_t)vc_num(c, K_NET(num, NF_SPAN_VNI));
	sp->port = (uint16_t)vc_num(c, K_NET(num, NF_SPAN_PORT));
	if (peers == group)
		vc_error(c, peers ? kg : kp, "a span network needs exactly one of CONFIG_NET%u_SPAN_PEERS (the other "
			 "hosts' uplink addresses) and CONFIG_NET%u_SPAN_GROUP (a multicast group)", num, num);
	if (peers)
		span_peers(c, n);
	else if (group && vc_parse_ip(c, kg, &sp->group) && (sp->group >> 28) != 0xe)
		vc_error(c, kg, "%s is not a multicast address (224.0.0.0/4)", vc_str(c, kg));
	/* Every host of the segment shares the subnet: the default .1 on
	 * each would be one address on several hosts. */
	if (!c->p->v[K_NET(num, NF_GATEWAY)].source)
		vc_error(c, K_NET(num, NF_GATEWAY), "a span network's hosts share its subnet: set this host's own "
			 "address in it, a different one in each host's profile");
}

static void net_slot(struct vctx *c, unsigned num)
{
	struct profile *p = c->p;
	struct net_cfg *n = &p->nets[p->nnets];
	unsigned key = K_NET(num, NF_NAME);

	memset(n, 0, sizeof(*n));
	n->num = num;
	n->name = vc_str(c, key);
	if (!name_is_label(n->name, strlen(n->name), 15) || !strcmp(n->name, "macvtap"))
		vc_error(c, key, "\"%s\": a network name is 1-15 letters, digits or '-', not \"macvtap\"", n->name);
	parse_mode(c, K_NET(num, NF_MODE), &n->mode);
	n->bridge_name = vc_str(c, K_NET(num, NF_BRIDGE));
	vc_check_ifname(c, K_NET(num, NF_BRIDGE));
	net_mac(c, n);
	net_services(c, n);
	n->mtu = (unsigned)vc_num(c, K_NET(num, NF_MTU));
	if (n->mtu && n->mtu < 576)
		vc_error(c, K_NET(num, NF_MTU), "%u: use 0 (the kernel's default) or 576..65535", n->mtu);
	n->stp = vc_num(c, K_NET(num, NF_STP));
	n->forward_delay = n->stp ? 2 : 0;
	net_ports(c, n, K_NET(num, NF_PORTS));
	if (n->host_addr)
		net_subnet(c, n);
	if (n->dns) {
		n->dns_domain = vc_str(c, K_NET(num, NF_DNS_DOMAIN));
		if (!*n->dns_domain) { /* NAME.DNS_DOMAIN */
			snprintf(n->domain_buf, sizeof(n->domain_buf), "%s.%s", n->name, p->dns_domain);
			n->dns_domain = n->domain_buf;
		}
		if (!vc_valid_domain(n->dns_domain))
			vc_error(c, K_NET(num, NF_DNS_DOMAIN), "\"%s\" is not a domain name", n->dns_domain);
	}
	net_ipv6(c, n);
	n->dhcp6 = vc_num(c, K_NET(num, NF_DHCPV6));
	if (n->dhcp6 && (!n->ipv6 || !n->dhcp))
		vc_error(c, K_NET(num, NF_DHCPV6), "DHCPv6 serves the network's IPv6 /64 from its DHCP worker: "
			 "it needs CONFIG_NET%u_IPV6 and CONFIG_NET%u_DHCP on", num, num);
	net_span(c, n);
	lease_file_beside(c, n);
	p->nnets++;
}

static unsigned ports_key(const struct net_cfg *n)
{
	return n->num == 1 ? K_BRIDGE_PORTS : K_NET(n->num, NF_PORTS);
}

/* A port is no network's bridge, not the uplink, and in one network only. */
static void ports_unique(struct vctx *c, const struct net_cfg *n)
{
	const struct profile *p = c->p;

	for (unsigned i = 0; i < n->nports; i++) {
		if (!strcmp(n->ports[i], p->uplink_ifname))
			vc_error(c, ports_key(n), "\"%s\" is the uplink (a network in the bridge mode takes the uplink "
				 "into its bridge)", n->ports[i]);
		for (const struct net_cfg *o = p->nets; o <= n; o++) {
			if (!strcmp(o->bridge_name, n->ports[i]))
				vc_error(c, ports_key(n), "\"%s\" is the bridge of network %u", n->ports[i], o->num);
			for (unsigned j = 0; j < (o == n ? i : o->nports); j++)
				if (!strcmp(o->ports[j], n->ports[i]))
					vc_error(c, ports_key(n), "\"%s\" is already a port of network %u", n->ports[i],
						 o->num);
		}
	}
}

/* Names, bridges and subnets differ from every network's before. */
static void net_unique(struct vctx *c, const struct net_cfg *n)
{
	const struct profile *p = c->p;
	unsigned num = n->num;

	ports_unique(c, n);
	if (!strcmp(n->bridge_name, p->uplink_ifname))
		vc_error(c, K_NET(num, NF_BRIDGE), "\"%s\" is also the uplink's name", n->bridge_name);
	if (n->host_addr && n->subnet.len && vc_num(c, K_UPLINK_STATIC) && p->uplink_addr.len &&
	    addr_prefixes_overlap(&n->subnet, &p->uplink_addr))
		vc_error(c, K_NET(num, NF_SUBNET), "%s overlaps the uplink's %s", vc_str(c, K_NET(num, NF_SUBNET)),
			 vc_str(c, K_UPLINK_ADDRESS));
	for (const struct net_cfg *o = p->nets; o < n; o++) {
		if (!strcmp(o->name, n->name))
			vc_error(c, K_NET(num, NF_NAME), "\"%s\" is also the name of network %u", n->name, o->num);
		if (!strcmp(o->bridge_name, n->bridge_name))
			vc_error(c, K_NET(num, NF_BRIDGE), "\"%s\" is also the bridge of network %u", n->bridge_name,
				 o->num);
		for (unsigned i = 0; i < o->nports; i++)
			if (!strcmp(o->ports[i], n->bridge_name)) {
				vc_error(c, K_NET(num, NF_BRIDGE), "\"%s\" is a port of network %u", n->bridge_name,
					 o->num);
				break;
			}
		if (n->host_addr && o->host_addr && n->subnet.len && o->subnet.len &&
		    addr_prefixes_overlap(&n->subnet, &o->subnet))
			vc_error(c, K_NET(num, NF_SUBNET), "%s overlaps the subnet of network %u (%s)",
				 vc_str(c, K_NET(num, NF_SUBNET)), o->num, o->name);
		if (n->mode == NET_BRIDGE && o->mode == NET_BRIDGE)
			vc_error(c, K_NET(num, NF_MODE), "network %u already takes the uplink into its bridge", o->num);
		if (n->mode == NET_SPAN && o->mode == NET_SPAN && n->span.vni == o->span.vni &&
		    n->span.port == o->span.port)
			vc_error(c, K_NET(num, NF_SPAN_VNI), "%u is also the VNI of network %u", n->span.vni, o->num);
		if (n->ipv6 && o->ipv6 && !memcmp(n->prefix6, o->prefix6, 8))
			vc_error(c, K_NET(num, NF_IPV6_PREFIX), "the IPv6 prefix of network %u too", o->num);
	}
}

void vc_nets(struct vctx *c)
{
	struct profile *p = c->p;

	if (!name_is_label(vc_str(c, K_NET1_NAME), strlen(vc_str(c, K_NET1_NAME)), 15) ||
	    !strcmp(vc_str(c, K_NET1_NAME), "macvtap"))
		vc_error(c, K_NET1_NAME, "\"%s\": a network name is 1-15 letters, digits or '-', not \"macvtap\"",
			 vc_str(c, K_NET1_NAME));
	net1(c);
	ports_unique(c, &p->nets[0]);
	for (unsigned num = 2; num <= PROFILE_NETS; num++) {
		if (!vc_num(c, K_NET(num, NF_ENABLE)))
			continue;
		net_slot(c, num);
		net_unique(c, &p->nets[p->nnets - 1]);
	}
}

int profile_find_net(const struct profile *p, const char *name_or_num)
{
	char *end;
	unsigned long num = strtoul(name_or_num, &end, 10);

	for (unsigned i = 0; i < p->nnets; i++)
		if ((*name_or_num && !*end && p->nets[i].num == num) || !strcmp(p->nets[i].name, name_or_num))
			return (int)i;
	return -1;
}
