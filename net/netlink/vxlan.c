/* VXLAN links and their all-zero FDB entries; see vxlan.h. Layouts:
 * <linux/if_link.h> (IFLA_VXLAN_*), <linux/neighbour.h> (NDA_*), as
 * iproute2's ip/iplink_vxlan.c and bridge/fdb.c send them. */
#include "net/netlink/vxlan.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/core/bytes.h"
#include "net/netlink/rtnl.h"

#define MSG_BUF 1024

struct vxlan_reply {
	struct rtnl_vxlan_cfg *cfg;
	int index;
	bool vxlan;
};

static uint32_t be32_attr(const struct nlattr *a)
{
	return a && nl_attr_len(a) == 4 ? get_be32(nl_attr_data(a)) : 0;
}

static void parse_vxlan_data(const struct nlattr *data, struct rtnl_vxlan_cfg *cfg)
{
	const struct nlattr *tb[IFLA_VXLAN_MAX + 1];

	if (nl_attr_parse(nl_attr_data(data), nl_attr_len(data), tb, IFLA_VXLAN_MAX) < 0)
		return;
	if (tb[IFLA_VXLAN_ID] && nl_attr_len(tb[IFLA_VXLAN_ID]) == 4)
		cfg->vni = nl_attr_u32(tb[IFLA_VXLAN_ID]);
	if (tb[IFLA_VXLAN_LINK] && nl_attr_len(tb[IFLA_VXLAN_LINK]) == 4)
		cfg->link = (int)nl_attr_u32(tb[IFLA_VXLAN_LINK]);
	cfg->group = be32_attr(tb[IFLA_VXLAN_GROUP]);
	cfg->local = be32_attr(tb[IFLA_VXLAN_LOCAL]);
	if (tb[IFLA_VXLAN_PORT] && nl_attr_len(tb[IFLA_VXLAN_PORT]) == 2)
		cfg->port = get_be16(nl_attr_data(tb[IFLA_VXLAN_PORT]));
}

static int parse_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	struct vxlan_reply *v = data;
	const char *kind;

	if (nlh->nlmsg_type != RTM_NEWLINK || nl_msg_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	v->index = ifi->ifi_index;
	if (tb[IFLA_MTU])
		v->cfg->mtu = nl_attr_u32(tb[IFLA_MTU]);
	if (!tb[IFLA_LINKINFO] ||
	    nl_attr_parse(nl_attr_data(tb[IFLA_LINKINFO]), nl_attr_len(tb[IFLA_LINKINFO]), info, IFLA_INFO_MAX) < 0)
		return 0;
	kind = info[IFLA_INFO_KIND] ? nl_attr_str(info[IFLA_INFO_KIND]) : NULL;
	v->vxlan = kind && !strcmp(kind, "vxlan");
	if (v->vxlan && info[IFLA_INFO_DATA])
		parse_vxlan_data(info[IFLA_INFO_DATA], v->cfg);
	return 0;
}

static struct ifinfomsg *link_msg(struct nl_msg *m, void *buf, uint16_t type, uint16_t flags, int index)
{
	struct ifinfomsg *ifi;

	nl_msg_init(m, buf, MSG_BUF, type, flags);
	ifi = nl_msg_put_header(m, sizeof(*ifi));
	if (ifi) {
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = index;
	}
	return ifi;
}

int rtnl_vxlan_get(struct nl_sock *s, const char *name, struct rtnl_vxlan_cfg *out, int *index)
{
	uint8_t buf[MSG_BUF];
	struct vxlan_reply v = { out, 0, false };
	struct nl_error e;
	struct nl_msg m;
	const char *keep = out->name;
	int r;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	memset(out, 0, sizeof(*out));
	out->name = keep;
	link_msg(&m, buf, RTM_GETLINK, 0, 0);
	nl_attr_put_str(&m, IFLA_IFNAME, name);
	nl_attr_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if ((r = nl_request(s, &m, parse_reply, &v, &e)) < 0)
		return r;
	if (!v.index)
		return -ENODEV;
	*index = v.index;
	return v.vxlan ? 0 : -EMEDIUMTYPE;
}

static bool same_segment(const struct rtnl_vxlan_cfg *a, const struct rtnl_vxlan_cfg *b)
{
	return a->vni == b->vni && a->group == b->group && a->local == b->local && a->link == b->link &&
	       a->port == b->port;
}

static int create(struct nl_sock *s, const struct rtnl_vxlan_cfg *cfg, struct nl_error *e)
{
	uint8_t buf[MSG_BUF], port[2];
	struct nlattr *info, *data;
	struct nl_msg m;

	link_msg(&m, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	nl_attr_put_str(&m, IFLA_IFNAME, cfg->name);
	if (cfg->mtu)
		nl_attr_put_u32(&m, IFLA_MTU, cfg->mtu);
	info = nl_nest_start(&m, IFLA_LINKINFO);
	nl_attr_put_str(&m, IFLA_INFO_KIND, "vxlan");
	data = nl_nest_start(&m, IFLA_INFO_DATA);
	nl_attr_put_u32(&m, IFLA_VXLAN_ID, cfg->vni);
	if (cfg->group)
		nl_attr_put_be32(&m, IFLA_VXLAN_GROUP, cfg->group);
	if (cfg->local)
		nl_attr_put_be32(&m, IFLA_VXLAN_LOCAL, cfg->local);
	nl_attr_put_u32(&m, IFLA_VXLAN_LINK, (uint32_t)cfg->link);
	put_be16(port, cfg->port); /* the one attribute in network order besides addresses */
	nl_attr_put(&m, IFLA_VXLAN_PORT, port, sizeof(port));
	/* Learning: a guest's MAC is reached at the host it was last seen
	 * behind, not flooded to every peer. */
	nl_attr_put_u8(&m, IFLA_VXLAN_LEARNING, 1);
	nl_nest_end(&m, data);
	nl_nest_end(&m, info);
	if (m.overflow)
		return -EMSGSIZE;
	return nl_request(s, &m, NULL, NULL, e);
}

int rtnl_vxlan_apply(struct nl_sock *s, const struct rtnl_vxlan_cfg *cfg, int *index, struct nl_error *e)
{
	struct rtnl_vxlan_cfg cur = { 0 };
	int r = rtnl_vxlan_get(s, cfg->name, &cur, index);

	if (r == 0 && same_segment(&cur, cfg))
		return cfg->mtu && cur.mtu != cfg->mtu ? rtnl_link_set_mtu(s, *index, cfg->mtu, e) : 0;
	if (r == 0 || r == -EMEDIUMTYPE) {
		/* The caller's preflight has made sure it is one labinit made. */
		if ((r = rtnl_link_del(s, *index, e)) < 0)
			return r;
	} else if (r != -ENODEV) {
		return r;
	}
	if ((r = create(s, cfg, e)) < 0 || (r = rtnl_vxlan_get(s, cfg->name, &cur, index)) < 0)
		return r;
	/* As for a bridge: no alias while creating; no address of its own
	 * on a bridge port, IPv6 link-local included. */
	if ((r = rtnl_link_set_alias(s, *index, RTNL_ALIAS, e)) < 0)
		return r;
	return rtnl_link_set_ipv6(s, *index, false, e);
}

static void fdb_msg(struct nl_msg *m, void *buf, uint16_t type, uint16_t flags, int index, uint32_t peer)
{
	static const uint8_t all_zero[6];
	struct ndmsg *nd;

	nl_msg_init(m, buf, MSG_BUF, type, flags);
	nd = nl_msg_put_header(m, sizeof(*nd));
	if (nd) {
		nd->ndm_family = AF_BRIDGE;
		nd->ndm_ifindex = index;
		/* iproute2's defaults for `bridge fdb append`: permanent, on
		 * the device itself (NTF_SELF), not on a bridge above it. */
		nd->ndm_state = NUD_NOARP | NUD_PERMANENT;
		nd->ndm_flags = NTF_SELF;
	}
	nl_attr_put(m, NDA_LLADDR, all_zero, sizeof(all_zero));
	nl_attr_put_be32(m, NDA_DST, peer);
}

#define FDB_SEEN_MAX 64

struct fdb_walk {
	int index;
	uint32_t dst[FDB_SEEN_MAX];
	unsigned n;
};

/* The link's all-zero entries: their destinations. */
static int parse_fdb(const struct nlmsghdr *nlh, void *data)
{
	static const uint8_t all_zero[6];
	const struct ndmsg *nd = NLMSG_DATA(nlh);
	const struct nlattr *tb[NDA_MAX + 1];
	struct fdb_walk *w = data;

	if (nlh->nlmsg_type != RTM_NEWNEIGH || nl_msg_attrs(nlh, sizeof(*nd), tb, NDA_MAX) < 0)
		return -EBADMSG;
	if (nd->ndm_family != AF_BRIDGE || nd->ndm_ifindex != w->index || !tb[NDA_LLADDR] ||
	    nl_attr_len(tb[NDA_LLADDR]) != 6 || memcmp(nl_attr_data(tb[NDA_LLADDR]), all_zero, 6) ||
	    !tb[NDA_DST] || nl_attr_len(tb[NDA_DST]) != 4)
		return 0;
	if (w->n < FDB_SEEN_MAX)
		w->dst[w->n++] = get_be32(nl_attr_data(tb[NDA_DST]));
	return 0;
}

static bool listed(const uint32_t *peers, unsigned n, uint32_t a)
{
	for (unsigned i = 0; i < n; i++)
		if (peers[i] == a)
			return true;
	return false;
}

int rtnl_vxlan_set_peers(struct nl_sock *s, int index, const uint32_t *peers, unsigned n, struct nl_error *e)
{
	uint8_t buf[MSG_BUF];
	struct fdb_walk w = { .index = index };
	struct ndmsg *nd;
	struct nl_msg m;
	int r;

	for (unsigned i = 0; i < n; i++) {
		fdb_msg(&m, buf, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, index, peers[i]);
		if ((r = nl_request(s, &m, NULL, NULL, e)) < 0)
			return r;
	}
	nl_msg_init(&m, buf, sizeof(buf), RTM_GETNEIGH, NLM_F_DUMP);
	if ((nd = nl_msg_put_header(&m, sizeof(*nd))))
		nd->ndm_family = AF_BRIDGE;
	if ((r = nl_request(s, &m, parse_fdb, &w, e)) < 0)
		return r;
	for (unsigned i = 0; i < w.n; i++) {
		if (listed(peers, n, w.dst[i]))
			continue;
		fdb_msg(&m, buf, RTM_DELNEIGH, 0, index, w.dst[i]);
		if ((r = nl_request(s, &m, NULL, NULL, e)) < 0)
			return r;
	}
	return 0;
}
