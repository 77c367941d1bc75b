/* rtnetlink: links, bridges, addresses and routes, each call one request
 * through net/netlink/nl.c. Addresses and routes labinit adds carry its own
 * protocol number, so `labinit down` can find exactly what it added. */
#ifndef LAB_RTNL_H
#define LAB_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#include "net/netlink/nl.h"

/* Our rtm_protocol / ifa_proto (values above 4 are free for daemons;
 * iproute2 prints it as a number). */
#define RTNL_PROTO_LABINIT 77
/* IFLA_IFALIAS of links labinit creates: `down` deletes only those. */
#define RTNL_ALIAS "labinit"

struct rtnl_link {
	int index;
	char name[16];
	unsigned flags;       /* IFF_* */
	unsigned mtu;
	uint8_t mac[6];
	int master;           /* 0: none */
	int link;             /* IFLA_LINK, the lower device (a macvtap's); 0: none */
	char kind[16];        /* IFLA_INFO_KIND, e.g. "bridge", "tun"; empty if none */
	char alias[64];
	bool carrier;
};

struct rtnl_bridge_cfg {
	const char *name;
	uint8_t mac[6];
	unsigned mtu;            /* 0: kernel default */
	bool stp;
	unsigned forward_delay;  /* seconds */
	bool ipv6;               /* false: no IPv6 address generation */
};

struct rtnl_addr {
	int index;
	uint32_t addr;
	uint8_t len;
	uint8_t proto;
};

struct rtnl_route {
	uint32_t dst;
	uint8_t len;
	uint32_t gateway;
	int oif;
	uint32_t table;
	uint8_t protocol, type;
};

int rtnl_link_get(struct nl_sock *s, const char *name, struct rtnl_link *out);
/* Creates the bridge, or updates an existing one to the configuration. */
int rtnl_bridge_apply(struct nl_sock *s, const struct rtnl_bridge_cfg *cfg, struct nl_error *e);
/* Creates the macvtap name on the link lower, in bridge mode (its
 * macvtaps reach each other and the LAN; not the lower link's own host),
 * with the MAC mac and alias RTNL_ALIAS, no IPv6 address, down. */
int rtnl_macvtap_add(struct nl_sock *s, const char *name, int lower, const uint8_t mac[6], struct nl_error *e);
int rtnl_link_set_up(struct nl_sock *s, int index, bool up, struct nl_error *e);
int rtnl_link_set_master(struct nl_sock *s, int index, int master, struct nl_error *e);
int rtnl_link_set_alias(struct nl_sock *s, int index, const char *alias, struct nl_error *e);
int rtnl_link_set_mtu(struct nl_sock *s, int index, unsigned mtu, struct nl_error *e);
/* IPv6 address generation on (EUI-64) or off; set it before the link is up. */
int rtnl_link_set_ipv6(struct nl_sock *s, int index, bool ipv6, struct nl_error *e);
int rtnl_link_del(struct nl_sock *s, int index, struct nl_error *e);

int rtnl_addr_add(struct nl_sock *s, int index, uint32_t addr, uint8_t len, struct nl_error *e);
/* An IPv6 address, without duplicate address detection (IFA_F_NODAD). */
int rtnl_addr6_add(struct nl_sock *s, int index, const uint8_t addr[16], uint8_t len, struct nl_error *e);
int rtnl_addr_del(struct nl_sock *s, const struct rtnl_addr *a, struct nl_error *e);
/* Calls fn for each IPv4 address; a negative return stops the walk. */
int rtnl_addr_each(struct nl_sock *s, int (*fn)(const struct rtnl_addr *a, void *data), void *data);

/* dst/len via gateway (0: on-link) out of oif, in the main table. */
int rtnl_route_add(struct nl_sock *s, uint32_t dst, uint8_t len, uint32_t gateway, int oif,
		   struct nl_error *e);
int rtnl_route_del(struct nl_sock *s, const struct rtnl_route *r, struct nl_error *e);
int rtnl_route_each(struct nl_sock *s, int (*fn)(const struct rtnl_route *r, void *data), void *data);

#endif
