/* The lab network as one unit: `labinit up` / `labinit down` and PID 1's
 * boot step. Checks everything it can before it changes anything; undoes
 * what it did if a later step fails. */
#ifndef LAB_LABNET_H
#define LAB_LABNET_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/core/addr.h"
#include "net/netlink/qdisc.h"
#include "net/nft/nft.h"

#define LABNET_MAX_TAPS 64  /* every NIC of every guest slot (init/labcfg/ checks it) */
#define LABNET_MAX_NETS 4
#define LABNET_MAX_DNS 4
#define LABNET_MAX_PORTS 4  /* PROFILE_NET_PORTS */

/* A guest's tap: its name, and the profile slot that named it (errors cite
 * CONFIG_GUESTn_NAME). A macvtap NIC's link is a macvtap on the uplink in
 * bridge mode (the guest on the LAN, as libvirt's type='direct'). */
struct labnet_tap {
	const char *name;
	unsigned slot;
	unsigned net;                  /* its bridge: nets[net]; unused for a macvtap */
	struct netem_cfg impair;       /* netem on the tap (what the guest receives; on a macvtap what it sends);
					* all zero: none */
	bool macvtap;
	uint8_t mac[6];                /* a macvtap's: the guest NIC's MAC */
};

/* A lab network: its bridge, and the host's addresses on it. */
struct labnet_net {
	const char *name, *bridge_name;
	unsigned num;                  /* the profile's network number: errors cite its keys */
	uint8_t bridge_mac[6];         /* all zero (a bridge network): the uplink's */
	bool host_addr;                /* gateway (and gateway6) on the bridge */
	bool uplink_port;              /* the bridge network: the uplink is its port */
	struct ip4_prefix subnet;
	uint32_t gateway;
	unsigned mtu, forward_delay;
	bool stp, bridge_ipv6;
	bool ipv6;
	uint8_t prefix6[16], gateway6[16];
	/* A span network: a VXLAN device over the uplink as a port of the
	 * bridge. mtu 0: the bridge and the device take the uplink's minus
	 * RTNL_VXLAN4_OVERHEAD. */
	const char *vxlan_dev;         /* NULL: not a span network */
	uint32_t vni, group;           /* group 0: the peers, by FDB entries */
	uint16_t vxlan_port;
	const uint32_t *peers;
	unsigned npeers;
	/* The host's NICs made ports of the bridge (boards plugged into them
	 * are on the network): CONFIG_BRIDGE_PORTS / CONFIG_NETn_PORTS. */
	const char *ports[LABNET_MAX_PORTS];
	unsigned nports;
};

/* The lab network as `up` builds it and `down` removes it. */
struct labnet_config {
	/* the uplink: DHCP (its client gets hostname) or a static address */
	const char *uplink_ifname, *hostname;
	bool uplink_dhcp;
	uid_t uplink_client_uid;       /* the DHCP client drops to it (net/dhcpc/dhcpc.h) */
	struct ip4_prefix uplink_addr;
	uint32_t uplink_gateway;
	/* the networks, network 1 first. With IPv6 on any, forwarding is on
	 * and the uplink still takes router advertisements. */
	struct labnet_net nets[LABNET_MAX_NETS];
	unsigned nnets;
	struct labnet_tap taps[LABNET_MAX_TAPS];
	unsigned ntaps;
	struct nft_config nft;         /* the ruleset */
};

/* With spawn_dhcp, a DHCP uplink gets a background client (labinit up on a
 * host); PID 1 supervises its own client instead. */
int labnet_up(const struct labnet_config *p, bool spawn_dhcp);
/* Where the host's own uplink address is: the uplink, or the bridge of
 * the bridge network that took it as a port. */
const char *labnet_l3_uplink(const struct labnet_config *p);
int labnet_down(const struct labnet_config *p);

/* Pure helpers, for the unit tests. */
#define LABNET_MAX_USED 4096
struct labnet_used {
	struct ip4_prefix prefix[LABNET_MAX_USED];
	char what[LABNET_MAX_USED][48];
	unsigned n;
	bool full;             /* more than LABNET_MAX_USED: the check is incomplete */
};
/* The first of the used prefixes that overlaps subnet, or -1. */
int labnet_find_overlap(const struct labnet_used *u, const struct ip4_prefix *subnet);
/* A /len subnet overlapping nothing in u, preferring 10.x.0.0, then
 * 192.168.x.0, then 172.16-31.x.0; returns 0 or -ENOENT. */
int labnet_suggest_subnet(const struct labnet_used *u, uint8_t len, struct ip4_prefix *out);

#endif
