/* The DHCP worker process (`labinit dhcpd`): the server on the bridge,
 * with DNS in the same loop when it is on. */
#ifndef LAB_DHCPD_WORKER_H
#define LAB_DHCPD_WORKER_H

#include <stdbool.h>
#include <sys/types.h>

#include "net/dhcp6/server.h"
#include "net/dhcpd/dhcpd.h"
#include "net/dns/dnsd.h"
#include "net/ndp/ndp.h"
#include "net/netboot/netboot.h"
#include "net/tftp/tftpd.h"

struct dhcpd_worker_config {
	const char *bridge_name, *lease_file;
	bool dhcp, dns;                /* CONFIG_DHCP_SERVER, CONFIG_DNS */
	uid_t uid;                     /* who it becomes once its sockets are open (lib/core/sandbox.h) */
	gid_t gid;
	struct dhcpd_config dhcpd;
	/* dhcpd.mtu 0: offer the bridge's MTU where `up` set one below the
	 * Ethernet default (a span network's, under VXLAN) */
	bool mtu_from_bridge;
	struct dnsd_config dnsd;
	/* IPv6 router advertisements on the bridge (CONFIG_LAB_IPV6) */
	bool ra;
	struct ndp_config ndp;
	/* stateful DHCPv6 on the bridge (CONFIG_LAB_DHCPV6); its lease file
	 * is lease_file + DHCP6_LEASE_SUFFIX */
	bool dhcp6;
	struct dhcp6_config dhcp6d;         /* (as dhcpd, dnsd: the flag is dhcp6) */
	/* TFTP on the bridge (CONFIG_TFTP_ROOT set): its socket, root and
	 * exports are opened before the sandbox; a failure costs the lab its
	 * TFTP, not its DHCP */
	bool tftp;
	struct tftpd_config tftpd;
	/* the menus written into tftpd.generated before TFTP starts */
	struct netboot_config netboot;
};

/* Serves until SIGTERM/SIGINT; returns an exit status. */
int dhcpd_worker_main(const struct dhcpd_worker_config *p);

#endif
