/* The DHCP server's lease table and address choice (RFC 2131 §4.3.1), pure:
 * the caller passes the time. Also the lease file in dnsmasq's format
 * ("EXPIRY MAC IP HOSTNAME CLIENT-ID", '*' for none), read back on start. */
#ifndef LAB_DHCPD_LEASES_H
#define LAB_DHCPD_LEASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define DHCPD_OFFER_HOLD_S 30      /* an offered address waits this long for its REQUEST */
#define DHCPD_DECLINE_HOLD_S 600   /* a declined address is not offered again this long */
#define DHCPD_MAX_RESERVATIONS 16

enum lease_state { LEASE_FREE, LEASE_OFFERED, LEASE_BOUND, LEASE_DECLINED };

struct dhcpd_lease {
	enum lease_state state;
	uint32_t ip;
	uint8_t mac[6];
	uint8_t client_id[255];
	uint8_t client_id_len;
	char hostname[64];
	time_t expires;
	/* An offer's place in line (the pool's offer_seq when it was made):
	 * the smallest live one is the oldest, reclaimed first under a flood. */
	unsigned long offer_seq;
	bool pinned;                    /* a profile guest's offer: never reclaimed */
	/* Free, its offer reclaimed by the cap (handler.c): its client may
	 * still REQUEST it, so a new client gets it only when no other
	 * address is free. */
	bool reclaimed;
	bool queued;                    /* in the pool's changed list */
	/* Its lease-file line, formatted once per change: a save happens for
	 * every batch with an ACK, and formatting every line each time was
	 * most of an ACK's cost. line_len 0: not cached. */
	uint8_t line_len;
	char line[120];
};

struct dhcpd_reservation {
	uint8_t mac[6];
	uint32_t ip;
	char name[64];
};

/* The client as the server knows it: its client identifier (61) when it
 * sent one, else its hardware address (RFC 2131 §4.2). */
struct dhcpd_client {
	uint8_t mac[6];
	const uint8_t *client_id;
	uint8_t client_id_len;
};

struct dhcpd_pool {
	uint32_t first, last;           /* the range, inclusive */
	uint32_t network, broadcast, gateway;
	uint8_t prefix;
	/* One per address of the range (slot[ip - first]), then one per
	 * reservation outside the range: count = size + extra. */
	struct dhcpd_lease *slot;
	size_t size, count;
	struct dhcpd_reservation res[DHCPD_MAX_RESERVATIONS];
	unsigned nres;
	bool dirty;                     /* changed since the lease file was written */
	/* The slots whose bound state changed since the last save, each
	 * once: what the journal's next records say (net/dhcpd/journal.h). */
	size_t *changed;
	size_t nchanged;
	unsigned long offer_seq;        /* offers made so far */
};

int dhcpd_pool_init(struct dhcpd_pool *p, uint32_t first, uint32_t last, uint32_t network,
		    uint8_t prefix, uint32_t gateway);
void dhcpd_pool_free(struct dhcpd_pool *p);
int dhcpd_pool_reserve(struct dhcpd_pool *p, const uint8_t mac[6], uint32_t ip, const char *name);
const struct dhcpd_reservation *dhcpd_reservation_for(const struct dhcpd_pool *p, const uint8_t mac[6]);

/* The lease (any state) held by this client, or NULL. */
struct dhcpd_lease *dhcpd_lease_of(struct dhcpd_pool *p, const struct dhcpd_client *c, time_t now);
/* The lease record for ip (NULL if ip is outside the range). */
struct dhcpd_lease *dhcpd_lease_at(struct dhcpd_pool *p, uint32_t ip);
/* May this client have ip now? In the range or its reservation, not the
 * gateway, network or broadcast, not held by another client, not
 * reserved for another MAC, not declined. */
bool dhcpd_ip_ok_for(struct dhcpd_pool *p, uint32_t ip, const struct dhcpd_client *c, time_t now);
/* The address to offer: reservation, current lease, requested, derived
 * from the MAC, first free; an address whose offer was reclaimed only
 * when no other is free. 0 when the pool is exhausted. */
uint32_t dhcpd_choose(struct dhcpd_pool *p, const struct dhcpd_client *c, uint32_t requested, time_t now);
/* Records a lease in state st until expires. Returns it, or NULL. */
struct dhcpd_lease *dhcpd_lease_set(struct dhcpd_pool *p, uint32_t ip, const struct dhcpd_client *c,
				    enum lease_state st, time_t expires, const char *hostname);
void dhcpd_lease_clear(struct dhcpd_pool *p, struct dhcpd_lease *l);
/* Empties the changed list (the changes are saved) and clears dirty. */
void dhcpd_changes_clear(struct dhcpd_pool *p);
/* Frees every lease of this client other than keep's; returns how many. */
unsigned dhcpd_lease_clear_others(struct dhcpd_pool *p, const struct dhcpd_client *c, uint32_t keep, time_t now);
/* The held offers, as the cap on them sees them (net/dhcpd/handler.c). */
struct dhcpd_offers {
	unsigned held;                  /* live offers, not pinned (a profile guest's) */
	unsigned cap;                   /* how many may be held: half the range's addresses
					 * no bound or declined lease holds, at least one */
	struct dhcpd_lease *oldest;     /* the oldest held offer, or NULL */
};
/* One pass over the pool: frees the live offers made to mac but the one at
 * keep (0: none), whatever client identifier they were made under (one MAC
 * holds one offer), and counts the others into *o. Returns how many it
 * freed. */
unsigned dhcpd_offers_scan(struct dhcpd_pool *p, const uint8_t mac[6], uint32_t keep, time_t now,
			   struct dhcpd_offers *o);
/* Frees expired offers and leases; returns how many. */
unsigned dhcpd_expire(struct dhcpd_pool *p, time_t now);
unsigned dhcpd_count(const struct dhcpd_pool *p, enum lease_state st);

/* Lease file (the snapshot; its journal: net/dhcpd/journal.h): the bound
 * leases, one per line; written to path.tmp, fsynced and renamed over
 * path, so a reader (or a crash) never sees a torn file. Empties the
 * changed list. */
int dhcpd_leases_save(struct dhcpd_pool *p, const char *path);
/* l's lease-file line into out (room octets): its length, 0 if it does
 * not fit. Caches it in l. */
size_t dhcpd_lease_format(struct dhcpd_lease *l, char *out, size_t room);
/* The write discipline of every lease file (IPv4 and DHCPv6): buf whole
 * to path.tmp, fsync, rename over path, fsync the directory. 0 or -errno. */
int dhcpd_leasefile_replace(const char *path, const void *buf, size_t len);
/* fsync of path's directory (a new name made durable), errors ignored. */
void dhcpd_sync_dir(const char *path);
/* A lease file for reading, only if it is a regular file (no link
 * followed, no FIFO blocked on: its directory is the unprivileged
 * server's). NULL with errno set. */
FILE *dhcpd_leasefile_open(const char *path);
/* Before the server gives up root: creates the lease file's directory if
 * it is missing (and its parent, one level up) and hands it, and the file, to
 * uid:gid, so the unprivileged server can replace the file by rename.
 * 0 or -errno. */
int dhcpd_leases_own_dir(const char *path, uid_t uid, gid_t gid);
/* Reads it back with its journal, keeping the leases that are unexpired
 * and still fit the pool; malformed lines are skipped and counted in *bad
 * (journal.c). */
int dhcpd_leases_load(struct dhcpd_pool *p, const char *path, time_t now, unsigned *loaded, unsigned *bad);
/* Parses one lease-file line (pure; for the loader, labctl and the fuzzer). */
int dhcpd_lease_parse_line(const char *line, struct dhcpd_lease *out);
/* The one reader of a lease file and its journal (journal.c): fn for
 * each current lease, in IP order; *bad counts malformed lines (a NUL
 * inside, too long, not five fields) and a torn last journal record.
 * 0, or -errno (-ENOENT: no lease file yet). */
typedef void (*dhcpd_lease_fn)(void *arg, const struct dhcpd_lease *l);
int dhcpd_leasefile_foreach(const char *path, dhcpd_lease_fn fn, void *arg, unsigned *bad);
/* The snapshot alone: fn for each well-formed line, in file order. */
int dhcpd_snapshot_foreach(const char *path, dhcpd_lease_fn fn, void *arg, unsigned *bad);
/* What both lease files' readers share: line(arg, text) for each line
 * shorter than 1024 octets without a NUL (0: well formed, < 0: counted in
 * *bad unless blank), the others counted in *bad. 0 or -errno. */
int dhcpd_leasefile_lines(const char *path, int (*line)(void *arg, const char *text), void *arg, unsigned *bad);

#endif
