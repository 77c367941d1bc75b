/* Link impairments as text: "delay=20ms,jitter=5ms,loss=1%", the netem
 * settings a profile or a command names, parsed and printed without a
 * socket (net/netlink/qdisc.h installs them). */
#ifndef LAB_NETEM_H
#define LAB_NETEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
