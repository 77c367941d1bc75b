/* labinit's nftables ruleset, after libvirt's NAT network (its nftables
 * firewall backend, network_nftables.c) plus an input policy of our own,
 * sent as one nfnetlink batch. One inet table holds both families: what
 * the host answers cannot differ between IPv4 and IPv6 by omission.
 * Message layouts: <linux/netfilter/nfnetlink.h>, <linux/netfilter/nf_tables.h>. */
#include "net/nft/nft.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_ipv4.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "net/nft/expr.h"

/* Source ports libvirt masquerades TCP/UDP to (iptables --to-ports 1024-65535),
 * so a guest's connection never leaves from a privileged port. */
#define MASQ_PORT_MIN 1024
#define MASQ_PORT_MAX 65535

#define CT_ESTABLISHED_RELATED (NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED))
#define CT_NEW NF_CT_STATE_BIT(IP_CT_NEW)

/* Local-network multicast and limited broadcast never leave the link:
 * libvirt returns them from NAT untouched. */
static const struct ip4_prefix mcast_local = { 0xe0000000u, 24 };
static const struct ip4_prefix broadcast = { 0xffffffffu, 32 };
/* A DHCP client without an address yet sends from 0.0.0.0 (RFC 2131 4.1). */
static const struct ip4_prefix unspecified = { 0, 32 };
/* fe80::/10: the only IPv6 sources a lab network has today. */
static const uint8_t link_local6[16] = { 0xfe, 0x80 };

/* Every nfnetlink message starts with struct nfgenmsg; res_id is big-endian. */
static void nfgen_header(struct nl_msg *m, uint8_t family, uint16_t res_id)
{
	struct nfgenmsg *g = nl_msg_put_header(m, sizeof(*g));

	if (!g)
		return;
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = htobe16(res_id);
}

/* BATCH_BEGIN/END frame the transaction; BEGIN's res_id names the subsystem
 * (nfnetlink_rcv_skb_batch). No ACK: the kernel answers neither marker. */
static void batch_marker(struct nl_batch *b, uint16_t type, const char *what)
{
	struct nl_msg m;

	nl_batch_msg(b, &m, type, 0);
	nfgen_header(&m, NFPROTO_UNSPEC, NFNL_SUBSYS_NFTABLES);
	nl_batch_add(b, &m, what);
}

/* Every object message asks for an ACK, so an error comes back on its own
 * sequence number and nl_batch_send can name the object. */
static void nft_msg_begin(struct nl_batch *b, struct nl_msg *m, uint16_t cmd, uint16_t flags)
{
	nl_batch_msg(b, m, (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | cmd), (uint16_t)(NLM_F_ACK | flags));
	nfgen_header(m, NFPROTO_INET, 0);
}

static void table_msg(struct nl_batch *b, uint16_t cmd, const char *what)
{
	struct nl_msg m;

	nft_msg_begin(b, &m, cmd, cmd == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0);
	nl_attr_put_str(&m, NFTA_TABLE_NAME, NFT_TABLE_NAME);
	nl_batch_add(b, &m, what);
}

/* NEWTABLE without NLM_F_EXCL is a no-op on an existing table, so the
 * DELTABLE after it cannot fail with ENOENT: this deletes exactly our table,
 * and only when the whole transaction commits. */
static void table_reset(struct nl_batch *b)
{
	table_msg(b, NFT_MSG_NEWTABLE, "table inet " NFT_TABLE_NAME " (if absent)");
	table_msg(b, NFT_MSG_DELTABLE, "delete table inet " NFT_TABLE_NAME);
}

void nft_rule_begin(struct nl_batch *b, struct nft_rule *r, const char *chain)
{
	nft_msg_begin(b, &r->m, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	nl_attr_put_str(&r->m, NFTA_RULE_TABLE, NFT_TABLE_NAME);
	nl_attr_put_str(&r->m, NFTA_RULE_CHAIN, chain);
	r->exprs = nl_nest_start(&r->m, NFTA_RULE_EXPRESSIONS);
}

void nft_rule_end(struct nl_batch *b, struct nft_rule *r, const char *what)
{
	nl_nest_end(&r->m, r->exprs);
	nl_batch_add(b, &r->m, what);
}

/* The chain being filled: rules are numbered per chain for error messages. */
struct chain_ctx {
	struct nl_batch *b;
	const struct nft_config *p;
	const struct nft_net *net;      /* the network a rule is about (each_net) */
	char p6[INET6_ADDRSTRLEN + 3];  /* its IPv6 prefix as text, for messages */
	const char *chain;
	unsigned n;
	struct nft_rule r;
};

static struct nl_msg *rule(struct chain_ctx *c)
{
	nft_rule_begin(c->b, &c->r, c->chain);
	return &c->r.m;
}

__attribute__((format(printf, 2, 3)))
static void rule_done(struct chain_ctx *c, const char *fmt, ...)
{
	char what[96];
	int n = snprintf(what, sizeof(what), "rule %s #%u: ", c->chain, ++c->n);
	va_list ap;

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(what))
		vsnprintf(what + n, sizeof(what) - (size_t)n, fmt, ap);
	va_end(ap);
	nft_rule_end(c->b, &c->r, what);
}

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "?";
}

/* Points c at network i (and its prefix's text). */
static void set_net(struct chain_ctx *c, unsigned i)
{
	c->net = &c->p->nets[i];
	inet_ntop(AF_INET6, c->net->prefix6, c->p6, sizeof(c->p6));
	strcat(c->p6, "/64");
}

static bool is_lab(const struct nft_net *n)
{
	return n->mode != NFT_BRIDGE;
}

static struct ip4_prefix host(uint32_t addr)
{
	return (struct ip4_prefix){ addr, 32 };
}

/* --- postrouting (nat): libvirt's LIBVIRT_PRT --- */

/* ip saddr S ip daddr DST return: multicast and broadcast keep their
 * source, as libvirt's "-d 224.0.0.0/24 -j RETURN" / "-d 255.255.255.255". */
static void post_return(struct chain_ctx *c, const struct ip4_prefix *dst, const char *text)
{
	struct nl_msg *m = rule(c);

	nft_match_saddr(m, &c->net->subnet, NFT_CMP_EQ);
	nft_match_daddr(m, dst, NFT_CMP_EQ);
	nft_expr_verdict(m, NFT_RETURN);
	rule_done(c, "ip daddr %s return", text);
}

/* ip saddr S ip daddr != S [meta l4proto P] masquerade [to :1024-65535]:
 * libvirt's three MASQUERADE rules, TCP and UDP first with the port range. */
static void post_masq(struct chain_ctx *c, uint8_t proto)
{
	struct nl_msg *m = rule(c);

	nft_match_saddr(m, &c->net->subnet, NFT_CMP_EQ);
	nft_match_daddr(m, &c->net->subnet, NFT_CMP_NEQ);
	if (proto) {
		nft_match_l4proto(m, proto);
		nft_stmt_masq(m, MASQ_PORT_MIN, MASQ_PORT_MAX);
		rule_done(c, "%s masquerade to :%u-%u", proto_name(proto), MASQ_PORT_MIN, MASQ_PORT_MAX);
		return;
	}
	nft_stmt_masq(m, 0, 0);
	rule_done(c, "masquerade");
}

/* ip6 saddr P ip6 daddr != P masquerade: libvirt's <nat ipv6='yes'>,
 * the lab's /64 leaving by the uplink's address. */
static void post_masq6(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_saddr6(m, c->net->prefix6, 64, NFT_CMP_EQ);
	nft_match_daddr6(m, c->net->prefix6, 64, NFT_CMP_NEQ);
	nft_stmt_masq(m, 0, 0);
	rule_done(c, "ip6 saddr %s masquerade", c->p6);
}

/* ip saddr S ip daddr S ct status dnat masquerade: a guest that reached
 * another through a forward of the host's address (hairpin) must see the
 * answer come from the host, or it would come straight from the other
 * guest, from an address it never wrote to, and be dropped. */
static void post_hairpin(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_saddr(m, &c->net->subnet, NFT_CMP_EQ);
	nft_match_daddr(m, &c->net->subnet, NFT_CMP_EQ);
	nft_match_ct(m, NFT_CT_STATUS, IPS_DST_NAT);
	nft_stmt_masq(m, 0, 0);
	rule_done(c, "hairpin: ct status dnat masquerade");
	if (!c->net->ipv6)
		return;
	m = rule(c);
	nft_match_saddr6(m, c->net->prefix6, 64, NFT_CMP_EQ);
	nft_match_daddr6(m, c->net->prefix6, 64, NFT_CMP_EQ);
	nft_match_ct(m, NFT_CT_STATUS, IPS_DST_NAT);
	nft_stmt_masq(m, 0, 0);
	rule_done(c, "hairpin: ip6 ct status dnat masquerade");
}

static void fill_postrouting(struct chain_ctx *c)
{
	set_net(c, 0);
	if (c->p->nforwards)
		post_hairpin(c);
	for (unsigned i = 0; i < c->p->nnets; i++) {
		set_net(c, i);
		if (c->net->mode != NFT_NAT)
			continue;
		post_return(c, &mcast_local, "224.0.0.0/24");
		post_return(c, &broadcast, "255.255.255.255");
		post_masq(c, IPPROTO_TCP);
		post_masq(c, IPPROTO_UDP);
		post_masq(c, 0);
		if (c->net->ipv6)
			post_masq6(c);
	}
}

/* --- prerouting and output (nat): port forwards; libvirt has none, this
 * is the DNAT a libvirt user adds by hook script, done so that the three
 * paths that break by hand all work: from the uplink (prerouting), from
 * the host itself (output: locally made packets skip prerouting) and from
 * a guest to the host's uplink address (prerouting from the bridge, with
 * the masquerade in postrouting that makes the answer come back the same
 * way). A forward answers at the host's own addresses outside the lab
 * only (fib daddr type local): a packet passing through to a guest keeps
 * its destination, and the lab's gateway keeps its ports. --- */

/* [ip daddr != 127.0.0.0/8] ip daddr != S fib daddr type local th dport
 * HOSTPORT dnat ip to GUEST:PORT */
static void nat_dnat4(struct chain_ctx *c, const struct nft_forward *f, bool output)
{
	static const struct ip4_prefix loopback = { 0x7f000000u, 8 };
	struct nl_msg *m = rule(c);
	char ip[16];

	struct ip4_prefix bound = host(f->bind4);

	if (f->bind4) {
		nft_match_daddr(m, &bound, NFT_CMP_EQ);
	} else {
		if (output) /* the host to its own loopback: not the guest's business */
			nft_match_daddr(m, &loopback, NFT_CMP_NEQ);
		for (unsigned i = 0; i < c->p->nnets; i++) /* the lab gateways keep their ports */
			if (c->p->nets[i].host_addr)
				nft_match_daddr(m, &c->p->nets[i].subnet, NFT_CMP_NEQ);
	}
	nft_match_daddr_local(m);
	nft_match_dport(m, f->proto, f->host_port);
	nft_stmt_dnat(m, f->guest_ip, f->guest_port);
	addr_format_ip4(f->guest_ip, ip);
	rule_done(c, "dnat %s/%u to %s:%u", proto_name(f->proto), f->host_port, ip, f->guest_port);
}

/* The same over IPv6, to the guest's address in the lab's /64. */
static void nat_dnat6(struct chain_ctx *c, const struct nft_forward *f, bool output)
{
	static const uint8_t loopback6[16] = { [15] = 1 };
	struct nl_msg *m = rule(c);
	char ip[INET6_ADDRSTRLEN];

	if (f->bound6) {
		nft_match_daddr6(m, f->bind6, 128, NFT_CMP_EQ);
	} else {
		if (output)
			nft_match_daddr6(m, loopback6, 128, NFT_CMP_NEQ);
		for (unsigned i = 0; i < c->p->nnets; i++)
			if (c->p->nets[i].ipv6)
				nft_match_daddr6(m, c->p->nets[i].prefix6, 64, NFT_CMP_NEQ);
	}
	nft_match_daddr_local(m);
	nft_match_dport(m, f->proto, f->host_port);
	nft_stmt_dnat6(m, f->guest_ip6, f->guest_port);
	inet_ntop(AF_INET6, f->guest_ip6, ip, sizeof(ip));
	rule_done(c, "dnat %s/%u to [%s]:%u", proto_name(f->proto), f->host_port, ip, f->guest_port);
}

static void fill_dnat(struct chain_ctx *c, bool output)
{
	set_net(c, 0);
	for (unsigned i = 0; i < c->p->nforwards; i++) {
		const struct nft_forward *f = &c->p->forwards[i];

		if (!f->bound6)
			nat_dnat4(c, f, output);
		if (c->net->ipv6 && f->has6 && !f->bind4)
			nat_dnat6(c, f, output);
	}
}

static void fill_prerouting(struct chain_ctx *c)
{
	fill_dnat(c, false);
}

static void fill_output(struct chain_ctx *c)
{
	fill_dnat(c, true);
}

/* --- forward (filter): libvirt's LIBVIRT_FWI / FWO / FWX --- */

/* oifname B ip daddr GUEST meta l4proto P th dport PORT ct status dnat
 * accept: a forwarded connection may enter the lab, which FWI below
 * otherwise only allows for answers. */
static void fwd_forwarded(struct chain_ctx *c, const struct nft_forward *f)
{
	struct nl_msg *m = rule(c);
	struct ip4_prefix guest = host(f->guest_ip);
	char ip[16];

	nft_match_ifname(m, NFT_META_OIFNAME, c->net->bridge_name);
	nft_match_daddr(m, &guest, NFT_CMP_EQ);
	nft_match_dport(m, f->proto, f->guest_port);
	nft_match_ct(m, NFT_CT_STATUS, IPS_DST_NAT);
	nft_expr_verdict(m, NF_ACCEPT);
	addr_format_ip4(f->guest_ip, ip);
	rule_done(c, "%s %s/%u ct status dnat accept", ip, proto_name(f->proto), f->guest_port);
}

/* The same for a forward's IPv6 side. */
static void fwd_forwarded6(struct chain_ctx *c, const struct nft_forward *f)
{
	struct nl_msg *m = rule(c);
	char ip[INET6_ADDRSTRLEN];

	nft_match_ifname(m, NFT_META_OIFNAME, c->net->bridge_name);
	nft_match_daddr6(m, f->guest_ip6, 128, NFT_CMP_EQ);
	nft_match_dport(m, f->proto, f->guest_port);
	nft_match_ct(m, NFT_CT_STATUS, IPS_DST_NAT);
	nft_expr_verdict(m, NF_ACCEPT);
	inet_ntop(AF_INET6, f->guest_ip6, ip, sizeof(ip));
	rule_done(c, "%s %s/%u ct status dnat accept", ip, proto_name(f->proto), f->guest_port);
}

/* LIBVIRT_FWO: iifname B ip saddr S accept — guests reach out. */
static void fwd_out(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	char net[16];

	nft_match_ifname(m, NFT_META_IIFNAME, c->net->bridge_name);
	nft_match_saddr(m, &c->net->subnet, NFT_CMP_EQ);
	nft_expr_verdict(m, NF_ACCEPT);
	addr_format_ip4(c->net->subnet.addr, net);
	rule_done(c, "iifname %s ip saddr %s/%u accept", c->net->bridge_name, net, c->net->subnet.len);
}

/* LIBVIRT_FWI: oifname B ip daddr S ct state established,related accept —
 * only answers come back in. */
static void fwd_back(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, NFT_META_OIFNAME, c->net->bridge_name);
	nft_match_daddr(m, &c->net->subnet, NFT_CMP_EQ);
	nft_match_ct(m, NFT_CT_STATE, CT_ESTABLISHED_RELATED);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "oifname %s established,related accept", c->net->bridge_name);
}

/* LIBVIRT_FWX: iifname B oifname B accept — guest to guest across the
 * bridge when br_netfilter hands bridged traffic to this hook. */
static void fwd_cross(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, NFT_META_IIFNAME, c->net->bridge_name);
	nft_match_ifname(m, NFT_META_OIFNAME, c->net->bridge_name);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "iifname %s oifname %s accept", c->net->bridge_name, c->net->bridge_name);
}

/* libvirt's final "-i/-o virbr0 -j REJECT": anything else to or from the
 * lab is refused loudly, not dropped silently. */
static void fwd_reject(struct chain_ctx *c, uint32_t key)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, key, c->net->bridge_name);
	nft_stmt_reject(m);
	rule_done(c, "%s %s reject", key == NFT_META_IIFNAME ? "iifname" : "oifname", c->net->bridge_name);
}

/* Routed: oifname B ip daddr S accept (and the /64): the LAN reaches the
 * guests, whose addresses it routes to the host. */
static void fwd_in_routed(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, NFT_META_OIFNAME, c->net->bridge_name);
	nft_match_daddr(m, &c->net->subnet, NFT_CMP_EQ);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "oifname %s routed accept", c->net->bridge_name);
	if (!c->net->ipv6)
		return;
	m = rule(c);
	nft_match_ifname(m, NFT_META_OIFNAME, c->net->bridge_name);
	nft_match_daddr6(m, c->net->prefix6, 64, NFT_CMP_EQ);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "oifname %s ip6 daddr %s routed accept", c->net->bridge_name, c->p6);
}

/* iifname B ip6 saddr P accept: the /64 reaches out (nat, routed). */
static void fwd_out6(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, NFT_META_IIFNAME, c->net->bridge_name);
	nft_match_saddr6(m, c->net->prefix6, 64, NFT_CMP_EQ);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "iifname %s ip6 saddr %s accept", c->net->bridge_name, c->p6);
}

/* oifname B ip6 daddr P established,related accept: answers come back. */
static void fwd_back6(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, NFT_META_OIFNAME, c->net->bridge_name);
	nft_match_daddr6(m, c->net->prefix6, 64, NFT_CMP_EQ);
	nft_match_ct(m, NFT_CT_STATE, CT_ESTABLISHED_RELATED);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "oifname %s ip6 daddr %s established,related accept", c->net->bridge_name, c->p6);
}

/* FWI: what may enter the network, by mode. An isolated or span network
 * (whose other hosts are reached over VXLAN, a bridge port, not by
 * forwarding) and a private link take nothing forwarded. */
static void fwd_in(struct chain_ctx *c)
{
	switch (c->net->mode) {
	case NFT_BRIDGE:
		return; /* the LAN's: not the ruleset's business */
	case NFT_NAT:
		fwd_back(c);
		if (c->net->ipv6)
			fwd_back6(c);
		break;
	case NFT_ROUTED:
		fwd_in_routed(c);
		break;
	case NFT_ISOLATED:
	case NFT_PRIVATE:
	case NFT_SPAN:
		break;
	}
	fwd_reject(c, NFT_META_OIFNAME);
}

/* FWO: what may leave the network, by mode. */
static void fwd_leave(struct chain_ctx *c)
{
	switch (c->net->mode) {
	case NFT_BRIDGE:
		return;
	case NFT_NAT:
	case NFT_ROUTED:
		fwd_out(c);
		if (c->net->ipv6)
			fwd_out6(c);
		break;
	case NFT_ISOLATED:
	case NFT_PRIVATE:
	case NFT_SPAN:
		break;
	}
	fwd_reject(c, NFT_META_IIFNAME);
}

/* libvirt's order, which is what keeps networks apart: every network's
 * guest-to-guest rule (FWX), then what may enter each network (FWI:
 * answers, routed traffic, else reject), then what may leave it (FWO).
 * A NAT network's guest thus reaches an isolated network's bridge only
 * to be refused there, before its own "may leave" accepts it. */
static void fill_forward(struct chain_ctx *c)
{
	const struct nft_config *p = c->p;

	set_net(c, 0);
	if (p->nets[0].mode == NFT_NAT)
		for (unsigned i = 0; i < p->nforwards; i++) {
			fwd_forwarded(c, &p->forwards[i]);
			if (c->net->ipv6 && p->forwards[i].has6)
				fwd_forwarded6(c, &p->forwards[i]);
		}
	for (unsigned i = 0; i < p->nnets; i++) {
		set_net(c, i);
		fwd_cross(c);
	}
	for (unsigned i = 0; i < p->nnets; i++) {
		set_net(c, i);
		fwd_in(c);
	}
	for (unsigned i = 0; i < p->nnets; i++) {
		set_net(c, i);
		fwd_leave(c);
	}
}

/* --- input (filter): what the host itself answers, per interface: on
 * the bridge the lab's services (libvirt's LIBVIRT_INP) and nothing else;
 * on the uplink established traffic and what the profile exposes there;
 * on the appliance nothing anywhere else (policy drop) --- */

static const char *where(const struct chain_ctx *c, uint32_t on)
{
	return on == NFT_ON_BRIDGE ? c->net->bridge_name : c->p->uplink_ifname;
}

/* iifname "lo" accept: the host talking to itself (labctl, DNS from PID 1). */
static void in_loopback(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, NFT_META_IIFNAME, "lo");
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "iifname lo accept");
}

/* iifname B ip saddr 0.0.0.0 udp dport 67 accept: a DHCP client before it
 * has an address, the one source outside the lab subnet the bridge takes. */
static void in_dhcp_unconfigured(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, NFT_META_IIFNAME, c->net->bridge_name);
	nft_match_saddr(m, &unspecified, NFT_CMP_EQ);
	nft_match_dport(m, IPPROTO_UDP, 67);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "iifname %s ip saddr 0.0.0.0 udp dport 67 accept", c->net->bridge_name);
}

/* iifname B ip saddr != SUBNET drop, iifname B ip6 saddr != fe80::/10 drop:
 * a guest cannot pass for another network — say the upstream resolver, to
 * answer the DNS forwarder's queries. Before the established rule below:
 * conntrack matches a reply by addresses and ports, not by interface. */
static void in_source_check(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);
	char net[16];

	nft_match_ifname(m, NFT_META_IIFNAME, c->net->bridge_name);
	nft_match_saddr(m, &c->net->subnet, NFT_CMP_NEQ);
	nft_expr_verdict(m, NF_DROP);
	addr_format_ip4(c->net->subnet.addr, net);
	rule_done(c, "iifname %s ip saddr != %s/%u drop", c->net->bridge_name, net, c->net->subnet.len);
	m = rule(c);
	nft_match_ifname(m, NFT_META_IIFNAME, c->net->bridge_name);
	nft_match_saddr6(m, link_local6, 10, NFT_CMP_NEQ);
	if (c->net->ipv6)
		nft_match_saddr6(m, c->net->prefix6, 64, NFT_CMP_NEQ);
	nft_expr_verdict(m, NF_DROP);
	rule_done(c, "iifname %s ip6 saddr != fe80::/10%s%s drop", c->net->bridge_name, c->net->ipv6 ? ", != " : "",
		  c->net->ipv6 ? c->p6 : "");
}

/* ct state established,related accept: answers to what the host opened
 * (DNS forwarded upstream, the uplink's DHCP renewals, ssh into a guest). */
static void in_established(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_ct(m, NFT_CT_STATE, CT_ESTABLISHED_RELATED);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "ct state established,related accept");
}

/* iifname IF tcp/udp dport PORT accept: a service the host offers there. */
static void in_service(struct chain_ctx *c, uint32_t on, uint8_t proto, uint16_t port)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, NFT_META_IIFNAME, where(c, on));
	nft_match_dport(m, proto, port);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "iifname %s %s dport %u accept", where(c, on), proto_name(proto), port);
}

/* iifname IF icmp(v6) type T accept */
static void in_icmp(struct chain_ctx *c, uint32_t on, bool v6, uint8_t type)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, NFT_META_IIFNAME, where(c, on));
	if (v6)
		nft_match_icmp6_type(m, type);
	else
		nft_match_icmp_type(m, type);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "iifname %s icmp%s type %u accept", where(c, on), v6 ? "v6" : "", type);
}

/* Neighbour discovery (RFC 4861 types 135, 136): without it no IPv6
 * address on the link answers at all. Router advertisements (134) only on
 * the uplink, where the host is a host that configures itself by SLAAC. */
#define ND_NEIGHBOUR_SOLICIT 135
#define ND_NEIGHBOUR_ADVERT 136
#define ND_ROUTER_ADVERT 134
#define ND_ROUTER_SOLICIT 133
#define MLD_LISTENER_QUERY 130

static void in_ports(struct chain_ctx *c, uint32_t on)
{
	for (unsigned i = 0; i < c->p->nports; i++)
		if (c->p->ports[i].on & on)
			in_service(c, on, c->p->ports[i].proto, c->p->ports[i].port);
}

/* iifname B reject: anything else from the lab is refused loudly, as
 * libvirt's forward chain does: a guest's connect() fails at once instead
 * of hanging. */
static void in_reject_rest(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);

	nft_match_ifname(m, NFT_META_IIFNAME, c->net->bridge_name);
	nft_stmt_reject(m);
	rule_done(c, "iifname %s reject", c->net->bridge_name);
}

static void fill_input_bridge(struct chain_ctx *c)
{
	const struct nft_net *p = c->net;

	if (!p->host_addr) { /* a private link: the host is not on it */
		in_reject_rest(c);
		return;
	}
	if (p->dhcp)
		in_service(c, NFT_ON_BRIDGE, IPPROTO_UDP, 67); /* libvirt: DHCP (RFC 2131 server port) */
	if (p->dhcp6)
		in_service(c, NFT_ON_BRIDGE, IPPROTO_UDP, 547); /* DHCPv6 (RFC 8415 §7.2 server port) */
	if (p->tftp) /* the requests; each transfer's own port is "established" */
		in_service(c, NFT_ON_BRIDGE, IPPROTO_UDP, 69);
	if (p->dns) {
		in_service(c, NFT_ON_BRIDGE, IPPROTO_UDP, 53); /* libvirt: DNS, and TCP for large answers */
		in_service(c, NFT_ON_BRIDGE, IPPROTO_TCP, 53);
	}
	if (p->mode != NFT_PRIVATE) /* a private link's host serves DHCP only */
		in_ports(c, NFT_ON_BRIDGE);
	in_icmp(c, NFT_ON_BRIDGE, false, ICMP_ECHO); /* guests may ping their gateway */
	in_icmp(c, NFT_ON_BRIDGE, true, ICMPV6_ECHO_REQUEST);
	in_icmp(c, NFT_ON_BRIDGE, true, ND_NEIGHBOUR_SOLICIT);
	in_icmp(c, NFT_ON_BRIDGE, true, ND_NEIGHBOUR_ADVERT);
	if (p->ipv6)
		in_icmp(c, NFT_ON_BRIDGE, true, ND_ROUTER_SOLICIT); /* answered by the worker's RAs */
	in_reject_rest(c);
}

/* iifname UPLINK [ip saddr PEER] udp dport PORT accept: a span network's
 * VXLAN from its peers; with a multicast group from anyone on the LAN,
 * and the IGMP queries that keep a snooping switch sending the group. */
static void in_span(struct chain_ctx *c)
{
	const struct nft_net *n = c->net;
	const char *up = where(c, NFT_ON_UPLINK);
	struct nl_msg *m;
	char ip[16];

	for (unsigned i = 0; i < n->span_npeers; i++) {
		struct ip4_prefix peer = host(n->span_peers[i]);

		m = rule(c);
		nft_match_ifname(m, NFT_META_IIFNAME, up);
		nft_match_saddr(m, &peer, NFT_CMP_EQ);
		nft_match_dport(m, IPPROTO_UDP, n->span_port);
		nft_expr_verdict(m, NF_ACCEPT);
		addr_format_ip4(peer.addr, ip);
		rule_done(c, "iifname %s ip saddr %s udp dport %u accept", up, ip, n->span_port);
	}
	if (!n->span_group)
		return;
	in_service(c, NFT_ON_UPLINK, IPPROTO_UDP, n->span_port);
	m = rule(c);
	nft_match_ifname(m, NFT_META_IIFNAME, up);
	nft_match_l4proto(m, IPPROTO_IGMP);
	nft_expr_verdict(m, NF_ACCEPT);
	rule_done(c, "iifname %s igmp accept", up);
}

static void fill_input_uplink(struct chain_ctx *c)
{
	for (unsigned i = 0; i < c->p->nnets; i++) {
		set_net(c, i);
		if (c->net->mode == NFT_SPAN)
			in_span(c);
	}
	in_icmp(c, NFT_ON_UPLINK, true, ND_NEIGHBOUR_SOLICIT);
	in_icmp(c, NFT_ON_UPLINK, true, ND_NEIGHBOUR_ADVERT);
	in_icmp(c, NFT_ON_UPLINK, true, ND_ROUTER_ADVERT);
	/* MLD queries: unanswered, a snooping switch stops sending the host
	 * its multicast, neighbour discovery's included. */
	in_icmp(c, NFT_ON_UPLINK, true, MLD_LISTENER_QUERY);
	in_ports(c, NFT_ON_UPLINK);
}

/* On a shared host (host_shared) the policy stays accept for the host's
 * own services; what reaches the lab's gateway address from any interface
 * but the bridge is dropped — the SMB share and every listener bound there
 * (an uplink neighbour can route the lab subnet to the host). */
static void in_lab_address_drop(struct chain_ctx *c)
{
	struct nl_msg *m = rule(c);
	char net[16];

	nft_match_daddr(m, &c->net->subnet, NFT_CMP_EQ);
	nft_expr_verdict(m, NF_DROP);
	addr_format_ip4(c->net->subnet.addr, net);
	rule_done(c, "ip daddr %s/%u drop", net, c->net->subnet.len);
	if (!c->net->ipv6)
		return;
	m = rule(c);
	nft_match_daddr6(m, c->net->prefix6, 64, NFT_CMP_EQ);
	nft_expr_verdict(m, NF_DROP);
	rule_done(c, "ip6 daddr %s drop", c->p6);
}

static void fill_input(struct chain_ctx *c)
{
	const struct nft_config *p = c->p;

	in_loopback(c);
	for (unsigned i = 0; i < p->nnets; i++) {
		set_net(c, i);
		if (is_lab(c->net) && c->net->dhcp)
			in_dhcp_unconfigured(c);
	}
	for (unsigned i = 0; i < p->nnets; i++) {
		set_net(c, i);
		if (is_lab(c->net) && c->net->host_addr)
			in_source_check(c);
	}
	in_established(c);
	for (unsigned i = 0; i < p->nnets; i++) {
		set_net(c, i);
		if (is_lab(c->net))
			fill_input_bridge(c);
	}
	fill_input_uplink(c);
	for (unsigned i = 0; p->host_shared && i < p->nnets; i++) {
		set_net(c, i);
		if (is_lab(c->net) && c->net->host_addr)
			in_lab_address_drop(c);
	}
}

struct base_chain {
	const char *name, *type, *hook_name;
	uint32_t hook;
	int32_t prio;
	void (*fill)(struct chain_ctx *c);
	bool closed;                   /* policy drop unless host_shared */
};

/* libvirt's priorities: NAT at srcnat/dstnat, filtering at filter
 * (<linux/netfilter_ipv4.h> enum nf_ip_hook_priorities; inet uses the same
 * numbers). The NAT chains' policy is accept (they only rewrite). On the
 * appliance, input and forward drop what no rule accepts; on a shared
 * host they accept, and the rules judge only lab traffic. */
static const struct base_chain chain_postrouting = {
	"postrouting", "nat", "postrouting", NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC, fill_postrouting, false
};
static const struct base_chain chain_prerouting = {
	"prerouting", "nat", "prerouting", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST, fill_prerouting, false
};
static const struct base_chain chain_output = {
	"output", "nat", "output", NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST, fill_output, false
};
static const struct base_chain chain_forward = {
	"forward", "filter", "forward", NF_INET_FORWARD, NF_IP_PRI_FILTER, fill_forward, true
};
static const struct base_chain chain_input = {
	"input", "filter", "input", NF_INET_LOCAL_IN, NF_IP_PRI_FILTER, fill_input, true
};

static void chain_msg(struct nl_batch *b, const struct base_chain *bc, bool drop)
{
	struct nl_msg m;
	struct nlattr *hook;
	char what[80];

	nft_msg_begin(b, &m, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	nl_attr_put_str(&m, NFTA_CHAIN_TABLE, NFT_TABLE_NAME);
	nl_attr_put_str(&m, NFTA_CHAIN_NAME, bc->name);
	hook = nl_nest_start(&m, NFTA_CHAIN_HOOK);
	nl_attr_put_be32(&m, NFTA_HOOK_HOOKNUM, bc->hook);
	nl_attr_put_be32(&m, NFTA_HOOK_PRIORITY, (uint32_t)bc->prio);
	nl_nest_end(&m, hook);
	nl_attr_put_be32(&m, NFTA_CHAIN_POLICY, drop ? NF_DROP : NF_ACCEPT);
	nl_attr_put_str(&m, NFTA_CHAIN_TYPE, bc->type);
	snprintf(what, sizeof(what), "chain %s (type %s hook %s priority %d; policy %s)", bc->name,
		 bc->type, bc->hook_name, bc->prio, drop ? "drop" : "accept");
	nl_batch_add(b, &m, what);
}

static void build_chain(struct nl_batch *b, const struct nft_config *p, const struct base_chain *bc)
{
	struct chain_ctx c = { .b = b, .p = p, .chain = bc->name };

	set_net(&c, 0);
	chain_msg(b, bc, bc->closed && !p->host_shared);
	bc->fill(&c);
}

int nft_build_ruleset(struct nl_batch *b, const struct nft_config *p, bool exists)
{
	bool nat = false;

	if (strlen(p->uplink_ifname) >= IFNAMSIZ || p->nnets < 1 || p->nnets > NFT_MAX_NETS)
		return -EINVAL;
	for (unsigned i = 0; i < p->nnets; i++) {
		if (strlen(p->nets[i].bridge_name) >= IFNAMSIZ)
			return -EINVAL;
		nat |= p->nets[i].mode == NFT_NAT;
	}
	batch_marker(b, NFNL_MSG_BATCH_BEGIN, "batch begin");
	/* A delete costs the kernel ~10 ms (it waits for a grace period):
	 * only when there is a table to replace. */
	if (exists)
		table_reset(b);
	table_msg(b, NFT_MSG_NEWTABLE, "table inet " NFT_TABLE_NAME);
	if (nat)
		build_chain(b, p, &chain_postrouting);
	if (p->nets[0].mode == NFT_NAT && p->nforwards) {
		build_chain(b, p, &chain_prerouting);
		build_chain(b, p, &chain_output);
	}
	build_chain(b, p, &chain_forward);
	build_chain(b, p, &chain_input);
	batch_marker(b, NFNL_MSG_BATCH_END, "batch end");
	return b->overflow ? -EMSGSIZE : 0;
}

int nft_build_remove(struct nl_batch *b)
{
	batch_marker(b, NFNL_MSG_BATCH_BEGIN, "batch begin");
	table_reset(b);
	batch_marker(b, NFNL_MSG_BATCH_END, "batch end");
	return b->overflow ? -EMSGSIZE : 0;
}

static int fail(struct nl_error *e, int err, const char *what)
{
	e->err = err;
	if (!e->what[0])
		snprintf(e->what, sizeof(e->what), "%s", what);
	return err;
}

/* 1 if our table exists, 0 if not, or -errno. */
static int table_exists(struct nl_sock *s)
{
	uint8_t buf[256];
	struct nl_error e;
	struct nl_msg m;
	int r;

	nl_msg_init(&m, buf, sizeof(buf), (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE), 0);
	nfgen_header(&m, NFPROTO_INET, 0);
	nl_attr_put_str(&m, NFTA_TABLE_NAME, NFT_TABLE_NAME);
	r = nl_request(s, &m, NULL, NULL, &e);
	return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

/* p NULL: remove. Static buffers: one transaction at a time, as nl.c.
 * Returns 0, 1 when removing found nothing to remove, or -errno. */
static int transact(const struct nft_config *p, struct nl_error *e)
{
	static uint8_t buf[NFT_BATCH_SIZE];
	static struct nl_batch b;
	struct nl_sock s;
	int r, exists;

	memset(e, 0, sizeof(*e));
	if ((r = nl_open(&s, NETLINK_NETFILTER)) < 0)
		return fail(e, r, "netlink socket (NETLINK_NETFILTER)");
	if ((exists = table_exists(&s)) < 0) {
		nl_close(&s);
		return fail(e, exists, "looking up table inet " NFT_TABLE_NAME);
	}
	if (!p && !exists) {
		nl_close(&s);
		return 1;
	}
	nl_batch_init(&b, &s, buf, sizeof(buf));
	r = p ? nft_build_ruleset(&b, p, exists) : nft_build_remove(&b);
	if (r < 0)
		fail(e, r, "building table inet " NFT_TABLE_NAME);
	else if ((r = nl_batch_send(&b, e)) < 0)
		fail(e, r, "transaction on table inet " NFT_TABLE_NAME);
	nl_close(&s);
	return r;
}

int nft_apply(const struct nft_config *p, struct nl_error *e)
{
	return transact(p, e);
}

int nft_remove(struct nl_error *e)
{
	return transact(NULL, e);
}
