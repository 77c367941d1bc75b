/* The lab network as one unit: `labinit up` / `labinit down` and PID 1's
 * boot step. Checks everything it can before it changes anything; undoes
 * what it did if a later step fails. */
#ifndef LAB_LABNET_H
#define LAB_LABNET_H

#include <stdbool.h>

#include "lib/profile/profile.h"

/* With spawn_dhcp, a DHCP uplink gets a background client (labinit up on a
 * host); PID 1 supervises its own client instead. */
int labnet_up(const struct profile *p, bool spawn_dhcp);
int labnet_down(const struct profile *p);

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
