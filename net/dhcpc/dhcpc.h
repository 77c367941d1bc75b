/* The uplink's DHCP client process: `labinit dhcpc IFNAME`. It runs the
 * pure state machine of dhcpc_fsm.c over a raw packet socket, applies the
 * lease with rtnetlink (address and default route, protocol 77), writes the
 * resolvers for the DNS forwarder, and follows carrier changes. */
#ifndef LAB_DHCPC_H
#define LAB_DHCPC_H

#include <sys/types.h>

#include "lib/core/addr.h"
#include "lib/core/paths.h"

/* The client's files: its pid file and log (written by root) in
 * DHCPC_DIR; the resolvers of the current lease, one "nameserver A.B.C.D"
 * per line, in DHCPC_RESOLV_DIR, the one directory the unprivileged client
 * owns (a client taken over cannot plant links where root writes). */
#define DHCPC_DIR PATH_DHCPC_DIR
#define DHCPC_RESOLV_DIR PATH_DHCPC_DIR "/resolv"

struct dhcpc_opts {
	const char *ifname;
	const char *hostname;
	int ready_fd;          /* >= 0: write one byte when first bound, then close */
	struct ip4_prefix lab; /* the lab's subnet, refused on the uplink (len 0: none) */
	uid_t uid;             /* who it becomes once its sockets are open, keeping CAP_NET_ADMIN; 0: stays */
};

/* Runs until SIGTERM or SIGINT (then releases the lease). Returns an exit status. */
int dhcpc_main(const struct dhcpc_opts *o);

/* The pid file of a client in the background, per network namespace and
 * interface. */
void dhcpc_pidfile_path(const char *ifname, char *buf, unsigned size);
/* `labinit up` on a host: the client in the background (net/dhcpc/
 * background.c), waited for until its first lease or for 30 s; one that
 * already runs is kept. 0, or -errno when it could not start or died. */
int dhcpc_start_background(const char *ifname, const char *hostname, const struct ip4_prefix *lab, uid_t uid);
/* `labinit down`: stops it (it releases its lease) and forgets its pid. */
void dhcpc_stop_background(const char *ifname);

#endif
