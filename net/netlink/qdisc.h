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

#include "net/netlink/nl.h"

/* Probabilities (loss, duplicate, reorder) are in the kernel's scale:
 * 0 none, UINT32_MAX 100%. All zero (limit aside) is no impairment. */
struct netem_cfg {
	uint32_t delay_us, jitter_us;
	uint32_t loss, duplicate, reorder;
	uint64_t rate_bytes_per_s;   /* 0: no rate limit */
	uint32_t limit;              /* queue length in packets; 0: NETEM_LIMIT_DEFAULT,
	                              * which is also how that one is read */
};

/* tc's default queue length; the kernel drops everything with 0. */
#define NETEM_LIMIT_DEFAULT 1000
/* The kernel caps jitter at INT_MAX ns (sch_netem.c, netem_change). */
#define NETEM_JITTER_MAX_US 2147483u
/* A spec's longest accepted text, and netem_format's longest output. */
#define NETEM_SPEC_MAX 256

/* Reads a list of items separated by commas or blanks, each "key=value" or
 * "key value": delay, jitter (us, ms, s; a number with up to 6 decimals),
 * loss, duplicate, reorder (percent, up to 4 decimals, with %), rate
 * (bit, kbit, mbit, gbit per second, or bytes: bps, kbps, mbps, gbps;
 * k = 1000 as in tc), limit (packets). "off" alone, or nothing, is no
 * impairment. Refused, with err naming the item: an unknown key or unit, a
 * key given twice, a percentage above 100, jitter or reorder without delay
 * (netem reorders by sending some packets undelayed). Returns 0 or
 * -EINVAL. */
int netem_parse(const char *spec, struct netem_cfg *out, char *err, size_t errlen);
/* The inverse, in the "key value" form ("delay 20ms jitter 5ms loss 1%",
 * "off"), which netem_parse reads back to the same configuration. Returns
 * the length, or -ENOSPC if buf is too small (buf then holds a cut
 * string). */
int netem_format(const struct netem_cfg *c, char *buf, size_t size);
bool netem_is_off(const struct netem_cfg *c);

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
