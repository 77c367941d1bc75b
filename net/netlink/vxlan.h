/* VXLAN links (RFC 7348) and their flood entries over rtnetlink: what
 * `ip link add NAME type vxlan id VNI dev UPLINK dstport PORT` and `bridge
 * fdb append 00:00:00:00:00:00 dst PEER dev NAME` send, without either
 * process. */
#ifndef LAB_VXLAN_H
#define LAB_VXLAN_H

#include <stdint.h>

#include "net/netlink/nl.h"

/* IPv4 VXLAN encapsulation (RFC 7348 §5): outer Ethernet 14, IPv4 20,
 * UDP 8 and VXLAN 8 bytes: a segment's MTU is its uplink's minus this. */
#define RTNL_VXLAN4_OVERHEAD 50

struct rtnl_vxlan_cfg {
	const char *name;
	uint32_t vni;
	uint32_t group;                /* a multicast group; 0: none, the FDB's peers */
	uint32_t local;                /* the source address; 0: the kernel's choice */
	int link;                      /* the uplink's ifindex: where it sends and joins */
	uint16_t port;                 /* UDP destination port */
	unsigned mtu;                  /* 0: the kernel's (the link's minus the overhead) */
};

/* The link's VXLAN settings (name is left as it is); -ENODEV if there is
 * no link by that name, -EMEDIUMTYPE if it is not a vxlan. */
int rtnl_vxlan_get(struct nl_sock *s, const char *name, struct rtnl_vxlan_cfg *out, int *index);
/* Creates the link (learning on, alias "labinit", no IPv6 address, left
 * down), keeps an existing one with the same settings (setting its MTU), or
 * replaces one that differs: the kernel changes no VNI or port in place.
 * Sets *index. */
int rtnl_vxlan_apply(struct nl_sock *s, const struct rtnl_vxlan_cfg *cfg, int *index, struct nl_error *e);
/* The link's flood list is exactly peers: `bridge fdb append
 * 00:00:00:00:00:00 dst PEER dev INDEX` for each (broadcast, multicast and
 * unknown unicast frames go to every peer; appending one that is there
 * changes nothing), then `bridge fdb del` of all-zero entries to anyone
 * else (a peer an earlier profile listed). */
int rtnl_vxlan_set_peers(struct nl_sock *s, int index, const uint32_t *peers, unsigned n, struct nl_error *e);

#endif
