/* The stateful DHCPv6 server of the lab network (RFC 8415 §18.3): a
 * message handler with no sockets (the worker, net/dhcpd/worker.c, gives
 * it one on the bridge), its bounded binding table, and its lease file
 * beside the IPv4 one. The caller passes the time. */
#ifndef LAB_DHCP6_SERVER_H
#define LAB_DHCP6_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "net/dhcp6/codec.h"

#define DHCP6_KNOWN_MAX 16
#define DHCP6_LEASES_MAX 1024        /* bindings held at once, all states */
#define DHCP6_RANGE_MAX 65536        /* the range is the last 16 bits of PREFIX::/112 */
#define DHCP6_DECLINE_HOLD_S 600     /* a declined address stays out of the pool */
#define DHCP6_PREFERENCE 255         /* §18.2.1: a client takes us at once */
#define DHCP6_REPLY_MAX 1232         /* 1280 - IPv6 40 - UDP 8: never fragmented */
#define DHCP6_LEASE_SUFFIX ".v6"     /* the lease file: the IPv4 one's path + this */

/* A profile guest: its MAC (from a DUID-LL/LLT) names its binding, and
 * gets its fixed address when it has one. */
struct dhcp6_known {
	uint8_t mac[6];
	char name[64];
	uint8_t addr[16];            /* all zero: from the pool */
};

struct dhcp6_config {
	uint8_t prefix[16];          /* the lab's /64 */
	uint8_t server_mac[6];       /* the bridge's: our DUID-LL */
	uint16_t range_first, range_last; /* PREFIX::first .. PREFIX::last (the last 16 bits) */
	uint8_t dns[16];             /* all zero: no DNS_SERVERS */
	char domain[DHCP6_DOMAIN_LEN]; /* empty: no DOMAIN_LIST */
	uint32_t lease_time;         /* valid = preferred lifetime; T1 = 1/2, T2 = 4/5 (§21.4) */
	struct dhcp6_known known[DHCP6_KNOWN_MAX];
	unsigned nknown;
};

enum dhcp6_lease_state { DHCP6_FREE, DHCP6_BOUND, DHCP6_DECLINED };

struct dhcp6_lease {
	enum dhcp6_lease_state state;
	uint8_t addr[16];
	struct dhcp6_duid duid;
	uint32_t iaid;
	time_t expires;
	char name[64];               /* a profile guest's, or empty */
};

struct dhcp6_stats {
	unsigned long received, dropped, ignored, advertise, reply, exhausted;
};

struct dhcp6_server {
	struct dhcp6_config cfg;
	struct dhcp6_duid duid;      /* ours: DUID-LL of the bridge */
	struct dhcp6_lease lease[DHCP6_LEASES_MAX];
	bool dirty;                  /* changed since the lease file was written */
	struct dhcp6_stats st;
};

struct dhcp6_reply {
	bool send;                   /* false: no answer (§16: discarded) */
	uint8_t type;
	uint8_t msg[DHCP6_REPLY_MAX];
	size_t len;
	bool commit;                 /* a binding changed: on disk before this goes out */
	bool exhausted;              /* an IA got NoAddrsAvail */
	char log[160];
};

/* 0, or -EINVAL: a range outside 2..0xffff or reversed, more known guests
 * than fit, a lease time of 0. */
int dhcp6_server_init(struct dhcp6_server *s, const struct dhcp6_config *c);
/* One message in, at most one out. Never fails: a message the server must
 * discard (§16) is counted and answered with nothing. */
void dhcp6_handle(struct dhcp6_server *s, const struct dhcp6_msg *m, time_t now, struct dhcp6_reply *out);
/* A binding read back from the lease file, if it still fits (range,
 * fixed addresses, no collision): true when taken. */
bool dhcp6_server_restore(struct dhcp6_server *s, const struct dhcp6_lease *l, time_t now);
/* Frees expired bindings and ends declined addresses' quarantine. */
unsigned dhcp6_expire(struct dhcp6_server *s, time_t now);
unsigned dhcp6_count(const struct dhcp6_server *s, enum dhcp6_lease_state st);

/* The lease file: dnsmasq's IPv6 lines, "EXPIRY IAID ADDRESS NAME DUID"
 * (IAID in decimal, DUID as colon-separated hex, '*' for no name), the
 * bound leases only, written by net/dhcpd/leasefile.c's rename-and-fsync
 * discipline. path6 is the IPv4 file's path with DHCP6_LEASE_SUFFIX. */
int dhcp6_lease_path(const char *v4_path, char *out, size_t size);
int dhcp6_leases_save(struct dhcp6_server *s, const char *path);
/* Loads the unexpired lines that still fit the server's prefix and range
 * (or a known guest's fixed address); a missing file is a first start. */
int dhcp6_leases_load(struct dhcp6_server *s, const char *path, time_t now, unsigned *loaded, unsigned *bad);
int dhcp6_lease_parse_line(const char *line, struct dhcp6_lease *out);
int dhcp6_lease_format_line(const struct dhcp6_lease *l, char *out, size_t size);
typedef void (*dhcp6_lease_fn)(void *arg, const struct dhcp6_lease *l);
/* fn for each well-formed line; *bad counts the others. 0 or -errno. */
int dhcp6_leasefile_foreach(const char *path, dhcp6_lease_fn fn, void *arg, unsigned *bad);

#endif
