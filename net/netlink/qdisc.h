/* Link impairments: a netem root qdisc over rtnetlink (no tc process). The
 * spec codec (netem_parse, netem_format) and the message codec
 * (netem_build, netem_decode) touch no socket; rtnl_netem_* send one
 * request each through net/netlink/nl.c. The kernel side is
 * net/sched/sch_netem.c (module sch_netem), uapi <linux/pkt_sched.h>. */
#ifndef LAB_QDISC_H
#define LAB_QDISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/netem.h"
#include "net/netlink/nl.h"

/* The RTM_NEWQDISC request (NLM_F_CREATE|NLM_F_REPLACE, root, handle
 * chosen by the kernel) into buf: the same as `tc qdisc replace dev X root
 * netem ...`, every option we manage present, so replacing a netem resets
 * what the new configuration leaves out. -EMSGSIZE if buf is too small. */
int netem_build(struct nl_msg *m, void *buf, size_t size, int ifindex, const struct netem_cfg *c);
/* netem's TCA_OPTIONS as the kernel fills it (struct tc_netem_qopt, then
 * attributes; netem_dump) into out. -EBADMSG on a short or broken one. */
int netem_decode(const void *data, size_t len, struct netem_cfg *out);

/* Installs c as the root qdisc of ifindex (replacing any root qdisc), or
 * removes a netem root if c is off. */
int rtnl_netem_set(struct nl_sock *s, int ifindex, const struct netem_cfg *c, struct nl_error *e);
/* Removes the root qdisc if it is a netem; any other root (or none) is not
 * ours and stays: 0. */
int rtnl_netem_del(struct nl_sock *s, int ifindex, struct nl_error *e);
/* The netem root qdisc of ifindex, or -ENOENT if the root is not netem. */
int rtnl_netem_get(struct nl_sock *s, int ifindex, struct netem_cfg *out);

#endif
