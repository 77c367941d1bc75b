/* Shared between the lab network's files (net/labnet/). */
#ifndef LAB_LABNET_PRIV_H
#define LAB_LABNET_PRIV_H

#include <stdlib.h>

#include "lib/core/log.h"
#include "net/labnet/labnet.h"
#include "net/netlink/rtnl.h"

int labnet_collect_used(struct nl_sock *s, int bridge_index, struct labnet_used *u);
/* The main table's default routes, the first max of them: how many, or
 * -errno. */
int labnet_default_routes(struct nl_sock *s, struct rtnl_route *out, unsigned max);
int labnet_preflight(struct nl_sock *s, const struct labnet_config *p);
/* Logs a step of `up` with its outcome ("WHAT: ok (1.23 ms)"); returns r. */
int labnet_step_result(const char *what, int r, const struct nl_error *e, double t0);
/* The span networks' VXLAN devices (span.c), onto their bridges. */
int labnet_step_spans(struct nl_sock *s, const struct labnet_config *p, const int *bridge);

#endif
