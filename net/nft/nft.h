/* labinit's firewall: libvirt's NAT network rules and the host's input
 * policy in our own nftables table (table inet labinit: IPv4 and IPv6 in one
 * ruleset), built as one nfnetlink transaction with net/netlink/nl.c and
 * the encoders of net/nft/expr.h. No libnftnl, no nft process. */
#ifndef LAB_NFT_H
#define LAB_NFT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/core/addr.h"
#include "net/netlink/nl.h"

#define NFT_TABLE_NAME "labinit"
#define NFT_MAX_FORWARDS 32
#define NFT_MAX_PORTS 48

/* Where a host service answers: a set of these bits. */
#define NFT_ON_BRIDGE 1u
#define NFT_ON_UPLINK 2u

/* A port of the host's forwarded to a guest (DNAT): reached at any of the
 * host's addresses outside the lab, from the uplink, from the host itself
 * and from other guests (hairpin). */
struct nft_forward {
	uint8_t proto;                 /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t host_port, guest_port;
	uint32_t guest_ip;
	bool has6;                     /* and over IPv6, to guest_ip6 */
	uint8_t guest_ip6[16];
	/* Bound to one address of the host: bind4 (IPv4 only) or bind6 (IPv6
	 * only); neither: every address of the host's outside the lab. */
	uint32_t bind4;
	bool bound6;
	uint8_t bind6[16];
};

/* A port of a service of the host's own (the SMB share, a gdb stub, an
 * extra service) and the interfaces it answers on. */
struct nft_port {
	uint8_t proto;                 /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;
	uint8_t on;                    /* NFT_ON_* bits */
};

#define NFT_MAX_NETS 4

/* A lab network's mode (the profile's enum net_mode, in its order). */
enum nft_mode { NFT_NAT, NFT_ROUTED, NFT_ISOLATED, NFT_PRIVATE, NFT_BRIDGE, NFT_SPAN };

/* A lab network: its bridge and what crosses it. A bridge network is
 * the uplink's side (its bridge is uplink_ifname): only its guests'
 * traffic among themselves is the ruleset's business there. */
struct nft_net {
	const char *bridge_name;
	enum nft_mode mode;
	bool host_addr;                /* the host has an address in subnet */
	struct ip4_prefix subnet;
	bool ipv6;                     /* the network's IPv6 /64, prefix6, beside subnet */
	uint8_t prefix6[16];
	bool dhcp, dns;                /* the lab's own services on the bridge */
	bool dhcp6;                    /* and DHCPv6 (CONFIG_LAB_DHCPV6, NETn_DHCPV6) */
	/* NFT_SPAN: forwarded as isolated; the uplink takes its VXLAN (UDP to
	 * span_port) from the peers, or from anyone with a multicast group */
	uint16_t span_port;
	bool span_group;
	const uint32_t *span_peers;
	unsigned span_npeers;
	bool tftp;                     /* the lab's TFTP (CONFIG_TFTP_ROOT) on the bridge */
};

/* What the ruleset is built from. */
struct nft_config {
	const char *uplink_ifname;     /* where the host's own address is: the uplink, or a bridge network's bridge */
	struct nft_net nets[NFT_MAX_NETS];
	unsigned nnets;                /* the port forwards lead into nets[0] */
	struct nft_port ports[NFT_MAX_PORTS];
	unsigned nports;
	/* false (the appliance): the host answers nothing but what this
	 * config lists, on any interface (input policy drop). true (`labinit
	 * up` on a machine that has services of its own): interfaces other
	 * than the bridge keep the host's own policy, and only the lab's
	 * addresses and ports are closed to them. */
	bool host_shared;
	struct nft_forward forwards[NFT_MAX_FORWARDS];
	unsigned nforwards;
};

/* The largest ruleset (NFT_MAX_NETS dual-stack NAT networks,
 * NFT_MAX_FORWARDS forwards over both families, NFT_MAX_PORTS ports on
 * both sides) stays under 3/4 of this;
 * tests/unit/net/nft checks it. */
#define NFT_BATCH_SIZE (512 * 1024)

/* Builds the whole ruleset into b (pure: no I/O; b needs a socket only for
 * its sequence numbers) as one transaction: BATCH_BEGIN, then when the
 * table exists NEWTABLE (create if absent) + DELTABLE, then NEWTABLE,
 * chains, rules, BATCH_END. Re-applying thus replaces our table atomically
 * and never touches another table.
 * Returns 0, -EINVAL (an interface name too long) or -EMSGSIZE. */
int nft_build_ruleset(struct nl_batch *b, const struct nft_config *p, bool exists);
/* NEWTABLE + DELTABLE in one transaction: removing an absent table is fine. */
int nft_build_remove(struct nl_batch *b);

/* Open NETLINK_NETFILTER, build, send, read every ACK. On failure e->what
 * names the object (e.g. "rule forward #3: iifname virbr0 reject") and
 * e->msg carries the kernel's extended ACK. Nothing changes unless all of
 * it succeeds. */
int nft_apply(const struct nft_config *p, struct nl_error *e);
/* 0 removed, 1 there was no table, or -errno. */
int nft_remove(struct nl_error *e);

/* A rule appended to a chain of table labinit: nft_rule_begin, then
 * nft_match_* / nft_stmt_* / nft_expr_* (net/nft/expr.h) on r->m, then
 * nft_rule_end with what names the rule in errors. */
struct nft_rule {
	struct nl_msg m;
	struct nlattr *exprs;
};

void nft_rule_begin(struct nl_batch *b, struct nft_rule *r, const char *chain);
void nft_rule_end(struct nl_batch *b, struct nft_rule *r, const char *what);

#endif
