/* rtnetlink requests. Every change asks for an ACK (nl_request); creation
 * uses NLM_F_CREATE|NLM_F_REPLACE where the kernel supports it, so applying
 * the same configuration twice changes nothing. */
#include "net/netlink/rtnl.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/core/bytes.h"

#define MSG_BUF 1024

static void put_ip(struct nl_msg *m, uint16_t type, uint32_t ip)
{
	nl_attr_put_be32(m, type, ip);
}

static uint32_t get_ip(const struct nlattr *a)
{
	return nl_attr_len(a) < 4 ? 0 : get_be32(nl_attr_data(a));
}

static void copy_str(char *dst, size_t size, const struct nlattr *a)
{
	const char *s = a ? nl_attr_str(a) : NULL;

	dst[0] = '\0';
	if (s) {
		strncpy(dst, s, size - 1);
		dst[size - 1] = '\0';
	}
}

static void link_kind(const struct nlattr *linkinfo, char *kind, size_t size)
{
	const struct nlattr *tb[IFLA_INFO_MAX + 1];

	kind[0] = '\0';
	if (linkinfo && nl_attr_parse(nl_attr_data(linkinfo), nl_attr_len(linkinfo), tb, IFLA_INFO_MAX) == 0)
		copy_str(kind, size, tb[IFLA_INFO_KIND]);
}

static int parse_link(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	const struct nlattr *tb[IFLA_MAX + 1];
	struct rtnl_link *l = data;

	if (nlh->nlmsg_type != RTM_NEWLINK || nl_msg_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	memset(l, 0, sizeof(*l));
	l->index = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	copy_str(l->name, sizeof(l->name), tb[IFLA_IFNAME]);
	copy_str(l->alias, sizeof(l->alias), tb[IFLA_IFALIAS]);
	if (tb[IFLA_MTU])
		l->mtu = nl_attr_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER])
		l->master = (int)nl_attr_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l->link = (int)nl_attr_u32(tb[IFLA_LINK]);
	if (tb[IFLA_ADDRESS] && nl_attr_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(l->mac, nl_attr_data(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_CARRIER])
		l->carrier = nl_attr_u8(tb[IFLA_CARRIER]);
	link_kind(tb[IFLA_LINKINFO], l->kind, sizeof(l->kind));
	return 0;
}

int rtnl_link_get(struct nl_sock *s, const char *name, struct rtnl_link *out)
{
	uint8_t buf[MSG_BUF];
	struct nl_msg m;
	struct ifinfomsg *ifi;
	struct nl_error e;
	int r;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	nl_msg_init(&m, buf, sizeof(buf), RTM_GETLINK, 0);
	ifi = nl_msg_put_header(&m, sizeof(*ifi));
	if (ifi)
		ifi->ifi_family = AF_UNSPEC;
	nl_attr_put_str(&m, IFLA_IFNAME, name);
	nl_attr_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	out->index = 0;
	r = nl_request(s, &m, parse_link, out, &e);
	if (r == 0 && out->index == 0)
		r = -ENODEV;
	return r;
}

static struct ifinfomsg *link_msg(struct nl_msg *m, void *buf, size_t size, uint16_t type,
				  uint16_t flags, int index)
{
	struct ifinfomsg *ifi;

	nl_msg_init(m, buf, size, type, flags);
	ifi = nl_msg_put_header(m, sizeof(*ifi));
	if (ifi) {
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = index;
	}
	return ifi;
}

/* IFLA_BR_FORWARD_DELAY is in clock_t (USER_HZ = 100) units. */
static void put_bridge_data(struct nl_msg *m, const struct rtnl_bridge_cfg *cfg)
{
	struct nlattr *info = nl_nest_start(m, IFLA_LINKINFO), *data;

	nl_attr_put_str(m, IFLA_INFO_KIND, "bridge");
	data = nl_nest_start(m, IFLA_INFO_DATA);
	nl_attr_put_u32(m, IFLA_BR_STP_STATE, cfg->stp);
	nl_attr_put_u32(m, IFLA_BR_FORWARD_DELAY, cfg->forward_delay * 100);
	nl_nest_end(m, data);
	nl_nest_end(m, info);
}

/* No IPv6 link-local address, hence no autoconfiguration, unless asked. */
static void put_ipv6_mode(struct nl_msg *m, bool ipv6)
{
	struct nlattr *spec = nl_nest_start(m, IFLA_AF_SPEC), *in6;

	in6 = nl_nest_start(m, AF_INET6);
	nl_attr_put_u8(m, IFLA_INET6_ADDR_GEN_MODE, ipv6 ? IN6_ADDR_GEN_MODE_EUI64 : IN6_ADDR_GEN_MODE_NONE);
	nl_nest_end(m, in6);
	nl_nest_end(m, spec);
}

int rtnl_bridge_apply(struct nl_sock *s, const struct rtnl_bridge_cfg *cfg, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct rtnl_link cur;
	struct nl_msg m;
	bool exists = rtnl_link_get(s, cfg->name, &cur) == 0;
	int r;

	if (exists && strcmp(cur.kind, "bridge") != 0) {
		e->err = -EEXIST;
		snprintf(e->msg, sizeof(e->msg), "%s exists and is a %s, not a bridge", cfg->name,
			 cur.kind[0] ? cur.kind : "plain device");
		return e->err;
	}
	link_msg(&m, buf, sizeof(buf), RTM_NEWLINK, exists ? 0 : NLM_F_CREATE | NLM_F_EXCL,
		 exists ? cur.index : 0);
	nl_attr_put_str(&m, IFLA_IFNAME, cfg->name);
	/* A fixed MAC: otherwise the bridge takes the lowest port MAC and changes
	 * it as taps come and go, and the guests' ARP caches go stale. */
	nl_attr_put(&m, IFLA_ADDRESS, cfg->mac, 6);
	if (cfg->mtu)
		nl_attr_put_u32(&m, IFLA_MTU, cfg->mtu);
	put_bridge_data(&m, cfg);
	if ((r = nl_request(s, &m, NULL, NULL, e)) < 0 || (r = rtnl_link_get(s, cfg->name, &cur)) < 0)
		return r;
	/* The kernel takes neither IFLA_AF_SPEC (no inet6 device yet) nor
	 * IFLA_IFALIAS while creating: a second request, before the link is up. */
	link_msg(&m, buf, sizeof(buf), RTM_NEWLINK, 0, cur.index);
	if (!exists)
		nl_attr_put_str(&m, IFLA_IFALIAS, RTNL_ALIAS);
	put_ipv6_mode(&m, cfg->ipv6);
	return nl_request(s, &m, NULL, NULL, e);
}

/* linux/if_link.h: IFLA_LINK the lower device, IFLA_MACVLAN_MODE inside
 * IFLA_INFO_DATA of kind "macvtap" (drivers/net/macvtap.c shares macvlan's
 * netlink policy). */
int rtnl_macvtap_add(struct nl_sock *s, const char *name, int lower, const uint8_t mac[6], struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct rtnl_link cur;
	struct nl_msg m;
	struct nlattr *info, *data;
	int r;

	link_msg(&m, buf, sizeof(buf), RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	nl_attr_put_str(&m, IFLA_IFNAME, name);
	nl_attr_put_u32(&m, IFLA_LINK, (uint32_t)lower);
	nl_attr_put(&m, IFLA_ADDRESS, mac, 6);
	info = nl_nest_start(&m, IFLA_LINKINFO);
	nl_attr_put_str(&m, IFLA_INFO_KIND, "macvtap");
	data = nl_nest_start(&m, IFLA_INFO_DATA);
	nl_attr_put_u32(&m, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
	nl_nest_end(&m, data);
	nl_nest_end(&m, info);
	if ((r = nl_request(s, &m, NULL, NULL, e)) < 0 || (r = rtnl_link_get(s, name, &cur)) < 0)
		return r;
	/* As for a bridge: the alias and the IPv6 mode in a second request. */
	link_msg(&m, buf, sizeof(buf), RTM_NEWLINK, 0, cur.index);
	nl_attr_put_str(&m, IFLA_IFALIAS, RTNL_ALIAS);
	put_ipv6_mode(&m, false);
	return nl_request(s, &m, NULL, NULL, e);
}

static int link_change(struct nl_sock *s, int index, unsigned flags, unsigned change, uint16_t attr,
		       const void *data, size_t len, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct nl_msg m;
	struct ifinfomsg *ifi = link_msg(&m, buf, sizeof(buf), RTM_NEWLINK, 0, index);

	if (ifi) {
		ifi->ifi_flags = flags;
		ifi->ifi_change = change;
	}
	if (attr)
		nl_attr_put(&m, attr, data, len);
	return nl_request(s, &m, NULL, NULL, e);
}

int rtnl_link_set_up(struct nl_sock *s, int index, bool up, struct nl_error *e)
{
	return link_change(s, index, up ? IFF_UP : 0, IFF_UP, 0, NULL, 0, e);
}

int rtnl_link_set_master(struct nl_sock *s, int index, int master, struct nl_error *e)
{
	uint32_t m = (uint32_t)master;

	return link_change(s, index, 0, 0, IFLA_MASTER, &m, sizeof(m), e);
}

int rtnl_link_set_alias(struct nl_sock *s, int index, const char *alias, struct nl_error *e)
{
	return link_change(s, index, 0, 0, IFLA_IFALIAS, alias, strlen(alias) + 1, e);
}

int rtnl_link_set_mtu(struct nl_sock *s, int index, unsigned mtu, struct nl_error *e)
{
	uint32_t m = mtu;

	return link_change(s, index, 0, 0, IFLA_MTU, &m, sizeof(m), e);
}

int rtnl_link_set_ipv6(struct nl_sock *s, int index, bool ipv6, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct nl_msg m;

	link_msg(&m, buf, sizeof(buf), RTM_NEWLINK, 0, index);
	put_ipv6_mode(&m, ipv6);
	return nl_request(s, &m, NULL, NULL, e);
}

int rtnl_link_del(struct nl_sock *s, int index, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct nl_msg m;

	link_msg(&m, buf, sizeof(buf), RTM_DELLINK, 0, index);
	return nl_request(s, &m, NULL, NULL, e);
}

static void addr_msg(struct nl_msg *m, void *buf, size_t size, uint16_t type, uint16_t flags,
		     int index, uint32_t addr, uint8_t len)
{
	struct ifaddrmsg *ifa;

	nl_msg_init(m, buf, size, type, flags);
	ifa = nl_msg_put_header(m, sizeof(*ifa));
	if (ifa) {
		ifa->ifa_family = AF_INET;
		ifa->ifa_prefixlen = len;
		ifa->ifa_index = (uint32_t)index;
	}
	put_ip(m, IFA_LOCAL, addr);
	put_ip(m, IFA_ADDRESS, addr);
}

int rtnl_addr_add(struct nl_sock *s, int index, uint32_t addr, uint8_t len, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct nl_msg m;
	uint32_t bcast = len < 31 ? addr | ~(len ? ~0u << (32 - len) : 0u) : 0;

	addr_msg(&m, buf, sizeof(buf), RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, index, addr, len);
	if (bcast)
		put_ip(&m, IFA_BROADCAST, bcast);
	nl_attr_put_u8(&m, IFA_PROTO, RTNL_PROTO_LABINIT);
	return nl_request(s, &m, NULL, NULL, e);
}

int rtnl_addr6_add(struct nl_sock *s, int index, const uint8_t addr[16], uint8_t len, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct nl_msg m;
	struct ifaddrmsg *ifa;

	nl_msg_init(&m, buf, sizeof(buf), RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
	ifa = nl_msg_put_header(&m, sizeof(*ifa));
	if (ifa) {
		ifa->ifa_family = AF_INET6;
		ifa->ifa_prefixlen = len;
		ifa->ifa_index = (uint32_t)index;
	}
	nl_attr_put(&m, IFA_LOCAL, addr, 16);
	nl_attr_put(&m, IFA_ADDRESS, addr, 16);
	/* The lab's own prefix: nobody else on the bridge may hold ::1, and
	 * DAD would keep the address tentative (no RA source, no DNS) for
	 * a second or more. */
	nl_attr_put_u32(&m, IFA_FLAGS, IFA_F_NODAD);
	nl_attr_put_u8(&m, IFA_PROTO, RTNL_PROTO_LABINIT);
	return nl_request(s, &m, NULL, NULL, e);
}

int rtnl_addr_del(struct nl_sock *s, const struct rtnl_addr *a, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct nl_msg m;

	addr_msg(&m, buf, sizeof(buf), RTM_DELADDR, 0, a->index, a->addr, a->len);
	return nl_request(s, &m, NULL, NULL, e);
}

struct addr_walk {
	int (*fn)(const struct rtnl_addr *a, void *data);
	void *data;
};

struct route_walk {
	int (*fn)(const struct rtnl_route *r, void *data);
	void *data;
};

static int parse_addr(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nlh);
	const struct nlattr *tb[IFA_MAX + 1];
	struct addr_walk *w = data;
	struct rtnl_addr a = { 0 };

	if (nlh->nlmsg_type != RTM_NEWADDR || nl_msg_attrs(nlh, sizeof(*ifa), tb, IFA_MAX) < 0)
		return -EBADMSG;
	if (ifa->ifa_family != AF_INET)
		return 0;
	a.index = (int)ifa->ifa_index;
	a.len = ifa->ifa_prefixlen;
	a.addr = tb[IFA_LOCAL] ? get_ip(tb[IFA_LOCAL]) : tb[IFA_ADDRESS] ? get_ip(tb[IFA_ADDRESS]) : 0;
	a.proto = tb[IFA_PROTO] ? nl_attr_u8(tb[IFA_PROTO]) : 0;
	return w->fn(&a, w->data);
}

int rtnl_addr_each(struct nl_sock *s, int (*fn)(const struct rtnl_addr *a, void *data), void *data)
{
	uint8_t buf[MSG_BUF];
	struct addr_walk w = { fn, data };
	struct ifaddrmsg *ifa;
	struct nl_msg m;
	struct nl_error e;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETADDR, NLM_F_DUMP);
	ifa = nl_msg_put_header(&m, sizeof(*ifa));
	if (ifa)
		ifa->ifa_family = AF_INET;
	return nl_request(s, &m, parse_addr, &w, &e);
}

static void route_msg(struct nl_msg *m, void *buf, size_t size, uint16_t type, uint16_t flags,
		      const struct rtnl_route *r)
{
	struct rtmsg *rtm;

	nl_msg_init(m, buf, size, type, flags);
	rtm = nl_msg_put_header(m, sizeof(*rtm));
	if (rtm) {
		rtm->rtm_family = AF_INET;
		rtm->rtm_dst_len = r->len;
		rtm->rtm_table = RT_TABLE_MAIN;
		rtm->rtm_protocol = r->protocol;
		rtm->rtm_scope = r->gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
		rtm->rtm_type = RTN_UNICAST;
	}
	if (r->len)
		put_ip(m, RTA_DST, r->dst);
	if (r->gateway)
		put_ip(m, RTA_GATEWAY, r->gateway);
	if (r->oif)
		nl_attr_put_u32(m, RTA_OIF, (uint32_t)r->oif);
}

int rtnl_route_add(struct nl_sock *s, uint32_t dst, uint8_t len, uint32_t gateway, int oif,
		   struct nl_error *e)
{
	struct rtnl_route r = { dst, len, gateway, oif, RT_TABLE_MAIN, RTNL_PROTO_LABINIT, RTN_UNICAST };
	uint8_t buf[MSG_BUF];
	struct nl_msg m;

	route_msg(&m, buf, sizeof(buf), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &r);
	return nl_request(s, &m, NULL, NULL, e);
}

int rtnl_route_del(struct nl_sock *s, const struct rtnl_route *r, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct nl_msg m;

	route_msg(&m, buf, sizeof(buf), RTM_DELROUTE, 0, r);
	return nl_request(s, &m, NULL, NULL, e);
}

static int parse_route(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = NLMSG_DATA(nlh);
	const struct nlattr *tb[RTA_MAX + 1];
	struct route_walk *w = data;
	struct rtnl_route r = { 0 };

	if (nlh->nlmsg_type != RTM_NEWROUTE || nl_msg_attrs(nlh, sizeof(*rtm), tb, RTA_MAX) < 0)
		return -EBADMSG;
	if (rtm->rtm_family != AF_INET)
		return 0;
	r.len = rtm->rtm_dst_len;
	r.dst = tb[RTA_DST] ? get_ip(tb[RTA_DST]) : 0;
	r.gateway = tb[RTA_GATEWAY] ? get_ip(tb[RTA_GATEWAY]) : 0;
	r.oif = tb[RTA_OIF] ? (int)nl_attr_u32(tb[RTA_OIF]) : 0;
	r.table = tb[RTA_TABLE] ? nl_attr_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r.protocol = rtm->rtm_protocol;
	r.type = rtm->rtm_type;
	return w->fn(&r, w->data);
}

int rtnl_route_each(struct nl_sock *s, int (*fn)(const struct rtnl_route *r, void *data), void *data)
{
	uint8_t buf[MSG_BUF];
	struct route_walk w = { fn, data };
	struct rtmsg *rtm;
	struct nl_msg m;
	struct nl_error e;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETROUTE, NLM_F_DUMP);
	rtm = nl_msg_put_header(&m, sizeof(*rtm));
	if (rtm)
		rtm->rtm_family = AF_INET;
	return nl_request(s, &m, parse_route, &w, &e);
}
