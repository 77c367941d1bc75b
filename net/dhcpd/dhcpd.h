/* The DHCP server (RFC 2131, RFC 2132): a message handler with no sockets,
 * so unit tests and the fuzzer call it directly, and the worker process
 * (net/dhcpd/worker.c) that gives it sockets on the bridge. */
#ifndef LAB_DHCPD_H
#define LAB_DHCPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "net/dhcp/codec.h"
#include "net/dhcpd/pool.h"

/* The lab's guests the server knows by MAC: as many as the profile has
 * slots (init/labcfg/ checks it at compile time). */
#define DHCPD_KNOWN_MAX 16

/* A profile guest: its MAC names its lease (and its DNS name), whether or
 * not it has a fixed address. */
struct dhcpd_known {
	uint8_t mac[6];
	char name[64];
	uint32_t ip;               /* a fixed address (reserved), or 0 */
	/* netboot (net/dhcpd/boot.c): a guest that boots from the network
	 * gets the boot options whatever it says it is and whether or not
	 * dhcpd_boot.enabled; boot_file (empty: the loader's default) is
	 * its file whenever it gets them */
	bool netboots;
	char boot_file[DHCP_FILE_MAX + 1];
};

/* What a request says about the loader asking (dhcpd_loader_of). */
enum dhcpd_loader {
	DHCPD_LOADER_NONE,         /* not a netboot client, or one we have no file for */
	DHCPD_LOADER_BIOS,         /* a PC's PXE ROM (arch 0) */
	DHCPD_LOADER_UEFI_X64,
	DHCPD_LOADER_UEFI_ARM64,
	DHCPD_LOADER_UEFI_RISCV64,
	DHCPD_LOADER_IPXE,         /* iPXE itself, whatever its platform: it runs scripts */
	DHCPD_LOADER_UBOOT,
	DHCPD_LOADERS
};

/* The boot options (siaddr, 'file', 66, 67) the server gives. */
struct dhcpd_boot {
	bool enabled;              /* clients that are not netbooting profile guests get them too */
	uint32_t next_server;      /* siaddr and 66; 0: server_ip (the lab's own TFTP) */
	char file[DHCPD_LOADERS][DHCP_FILE_MAX + 1]; /* per loader; empty: no file */
};

struct dhcpd_config {
	uint32_t server_ip;        /* the gateway: server id, router */
	bool no_router;            /* a private link: the host routes nothing there */
	uint32_t network;          /* the lab subnet's address */
	uint8_t prefix;
	uint32_t range_start, range_end;
	uint32_t dns;              /* 0: no DNS option */
	char domain[256];
	uint32_t lease_time;
	uint16_t mtu;              /* 0: not sent */
	struct dhcpd_known known[DHCPD_KNOWN_MAX];
	unsigned nknown;
	struct dhcpd_boot boot;
};

struct dhcpd_stats {
	unsigned long received, dropped, discover, request, decline, release, inform;
	unsigned long offer, ack, nak, exhausted;
	unsigned long reclaimed;   /* offers freed early: over the cap (pool.h) */
};

struct dhcpd {
	struct dhcpd_config cfg;
	struct dhcpd_pool pool;
	struct dhcpd_stats st;
};

enum dhcpd_dest {
	DHCPD_NONE,       /* no reply */
	DHCPD_BROADCAST,  /* 255.255.255.255 on the link */
	DHCPD_CHADDR,     /* unicast frame to chaddr / yiaddr: the client has no address yet */
	DHCPD_CIADDR,     /* unicast UDP to ciaddr:68 */
	DHCPD_RELAY,      /* unicast UDP to giaddr:67 (RFC 2131 §4.1) */
};

/* dhcpd_handle() sets every field (msg up to len) for each request. */
struct dhcpd_reply {
	enum dhcpd_dest dest;
	uint8_t type;
	uint8_t msg[1472];
	size_t len;
	uint32_t dst_ip;
	uint8_t dst_mac[6];
	bool commit;               /* the lease table changed: write it before sending */
	bool exhausted;            /* no address was left for this client */
	char log[256];             /* a line worth logging, or empty */
};

/* Sets up the server from its config: the pool over the range, the known
 * guests with a fixed IP reserved by their MAC, the options. */
int dhcpd_init(struct dhcpd *d, const struct dhcpd_config *c);
void dhcpd_free(struct dhcpd *d);
/* The DNS name a bound lease may publish: its host name, unless that is,
 * in any case, the name of a profile guest (a known MAC) it does not
 * belong to, or of a guest with a fixed address (named already). NULL:
 * none. As dnsmasq refuses a name configured for another host. */
const char *dhcpd_lease_dns_name(const struct dhcpd_config *c, const struct dhcpd_lease *l);
/* One request in, at most one reply out. Never fails: what is wrong with
 * the request is counted and answered with nothing (or a NAK). */
void dhcpd_handle(struct dhcpd *d, const struct dhcp_msg *m, time_t now, struct dhcpd_reply *out);

/* Netboot (net/dhcpd/boot.c). What a reply tells a booting client. */
struct dhcpd_boot_choice {
	bool boot;                 /* send siaddr (and 'file', 66, 67 below) */
	enum dhcpd_loader loader;
	uint32_t next_server;
	const char *file;          /* "" : none (siaddr and 66 only) */
	bool guest_file;           /* file is the profile guest's own */
};
enum dhcpd_loader dhcpd_loader_of(const struct dhcp_msg *m);
/* "bios", "uefi-x64", ...; "none". */
const char *dhcpd_loader_name(enum dhcpd_loader l);
/* Whether and what the reply to m carries; see boot.c for the rules. */
void dhcpd_boot_choose(const struct dhcpd_config *c, const struct dhcp_msg *m, struct dhcpd_boot_choice *out);

#endif
