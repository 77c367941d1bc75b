/* The lease journal: group commit for the lease file. Beside the lease
 * file PATH (the snapshot, dnsmasq's format, net/dhcpd/leasefile.c) lies
 * PATH.journal, one line per change of a bound lease since the snapshot:
 *   + EXPIRY MAC IP HOSTNAME CLIENT-ID    the lease of IP is this (a snapshot line)
 *   - IP                                  IP holds no lease
 * A batch's records go in with one write and one fdatasync, before the
 * batch's ACKs. The journal is folded into the snapshot (compaction: the
 * whole file written by rename, then the journal emptied) when the server
 * is quiet, when it grows past DHCPD_JOURNAL_MAX records and at a clean
 * stop. While the server is quiet every save is a compaction, so
 * the lease file users read is exact; under load it lags by at most
 * DHCPD_JOURNAL_QUIET_MS of quiet, and labctl reads both.
 * Reading: the snapshot, then the journal's records in order, the last
 * word for an IP winning. Records are whole states, not deltas, so a
 * journal replayed over the snapshot it was already folded into (a crash
 * between the rename and the emptying) gives that snapshot again. A last
 * record without its newline is a write cut short: ignored and reported,
 * and cut off at start before anything is appended. */
#ifndef LAB_DHCPD_JOURNAL_H
#define LAB_DHCPD_JOURNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "net/dhcpd/pool.h"

#define DHCPD_JOURNAL_MAX 8192          /* records before a compaction (~0.7 MB) */
#define DHCPD_JOURNAL_QUIET_MS 100      /* no save for this long: the next one compacts */
#define DHCPD_JOURNAL_READ_MAX (64u << 20) /* a reader reads no more of a journal */

struct dhcpd_journal {
	int fd;                         /* O_APPEND; -1: the next save compacts */
	unsigned records;               /* appended since the last compaction */
	uint64_t last_ms;               /* the last save, loop_now_ms() */
	unsigned long appends, compactions;
	char path[PATH_MAX];            /* the snapshot */
	char jpath[PATH_MAX];           /* PATH.journal */
};

struct dhcpd_read_stats {
	unsigned leases;                /* handed on (or loaded) */
	unsigned bad;                   /* malformed lines, snapshot and journal */
	unsigned records;               /* well-formed journal records */
	bool torn;                      /* the journal ended inside a record */
	size_t whole;                   /* the journal's octets up to its last newline */
};

/* Pure: calls fn for each well-formed record of buf[0..len) in order,
 * bound false for "- IP" (l->ip alone set). Counts into st. */
typedef void (*dhcpd_record_fn)(void *arg, const struct dhcpd_lease *l, bool bound);
void dhcpd_journal_parse(const char *buf, size_t len, dhcpd_record_fn fn, void *arg, struct dhcpd_read_stats *st);

/* The current leases of a lease file and its journal, one call of fn per
 * IP, in IP order. 0 or -errno (-ENOENT: neither file exists). */
int dhcpd_leases_read(const char *path, dhcpd_lease_fn fn, void *arg, struct dhcpd_read_stats *st);

/* Sets up j for the lease file path (nothing opened). 0 or -ENAMETOOLONG. */
int dhcpd_journal_init(struct dhcpd_journal *j, const char *path);
void dhcpd_journal_close(struct dhcpd_journal *j);
/* Loads what dhcpd_leases_read gives into p (unexpired, fitting the pool). */
int dhcpd_journal_load(struct dhcpd_journal *j, struct dhcpd_pool *p, time_t now, struct dhcpd_read_stats *st);
/* Puts p's changes on disk before the caller acknowledges them: appended
 * to the journal (one write, one fdatasync), or, when quiet (nothing
 * saved for DHCPD_JOURNAL_QUIET_MS), with no journal open, or with the
 * journal full, by a compaction. 0 or -errno (then nothing is on disk
 * that was not before, as far as the caller may assume). */
int dhcpd_journal_commit(struct dhcpd_journal *j, struct dhcpd_pool *p, uint64_t now_ms);
/* At start, after dhcpd_journal_load gave st: the journal opened for
 * appending, a torn last record cut off first (truncated to st->whole and
 * synced), a new journal's directory entry synced. No compaction: a start
 * costs no fsync of the whole file (a server restarted in a loop under
 * load must come back fast); the quiet timer folds the records in. */
int dhcpd_journal_open(struct dhcpd_journal *j, const struct dhcpd_read_stats *st);
/* The snapshot written whole (leasefile.c), then the journal emptied. */
int dhcpd_journal_compact(struct dhcpd_journal *j, struct dhcpd_pool *p);
/* Whether the journal holds records a compaction at now_ms should fold
 * (quiet for DHCPD_JOURNAL_QUIET_MS). */
bool dhcpd_journal_idle(const struct dhcpd_journal *j, uint64_t now_ms);

#endif
