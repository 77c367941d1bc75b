/* The lab's DNS server: answers for the lab's names (guests, leases, the
 * gateway and the lab host) on LAB_GATEWAY port 53, UDP and TCP, on the
 * bridge only, and forwards everything else to the upstream resolvers.
 * It lives in one event loop (lib/core/loop.h) beside whatever else the process
 * serves; its policy, dnsd_answer_local(), runs without sockets. */
#ifndef LAB_DNSD_H
#define LAB_DNSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

#include "lib/core/addr.h"
#include "lib/core/loop.h"
#include "net/dns/codec.h"

#define DNSD_MAX_HOSTS 256          /* names: profile guests, leases, the host */
#define DNSD_CFG_SERVERS 4          /* resolvers a profile or an uplink names */
#define DNSD_MAX_UPSTREAMS DNSD_CFG_SERVERS
#define DNSD_MAX_PENDING 64         /* forwarded queries awaiting an answer */
#define DNSD_MAX_TCP 16             /* TCP client connections */
#define DNSD_MAX_TCP_UP 8           /* pending queries retried over TCP upstream */
#define DNSD_TCP_INFLIGHT 8         /* forwarded queries per TCP connection */
/* A query longer than this is hostile (one question and an OPT record
 * take a few hundred octets) and is dropped; it bounds what we store. */
#define DNSD_QUERY_MAX 1024
#define DNSD_LOCAL_TTL 0            /* names follow DHCP leases; dnsmasq's local-ttl */
#define DNSD_TRY_MS 2000            /* one upstream try */
#define DNSD_BUDGET_MS 4000         /* all tries: SERVFAIL before a stub's 5 s gives up */
#define DNSD_MAX_TRIES 4
/* Resolution failures are cached (RFC 2308 §7.1, required by RFC 9520 for
 * at least 1 s), so a stub's immediate retries after SERVFAIL (musl,
 * busybox) get it at once instead of starting over upstream. */
#define DNSD_FAILURES 32
#define DNSD_FAILURE_MS 5000
#define DNSD_TCP_UP_MS 3000         /* the TCP retry of a truncated answer */
#define DNSD_TCP_IDLE_MS 10000      /* RFC 7766 §6.2.3: idle connections are closed */
#define DNSD_TCP_OUT_MAX (2 * (2 + DNS_TCP_MAX)) /* unsent answers per connection */

struct dnsd_host {
	char name[DNS_MAX_LABEL + 1];   /* one RFC 1123 label; empty: a free slot */
	uint32_t ip;
	uint8_t ip6[16];                /* its AAAA, when has6 */
	bool has6;
	bool pinned;                    /* the gateway's own names: not replaced, not deleted */
};

struct dnsd_tcp;

/* Where an answer goes: a UDP client's address, or a TCP connection. */
struct dnsd_client {
	uint32_t ip;
	uint16_t port;
	bool v6;                        /* came over IPv6: ip6 and scope, not ip */
	uint8_t ip6[16];
	uint32_t scope;
	struct dnsd_tcp *conn;
};

/* A forwarded query. It is matched to an upstream answer by its own socket
 * (one per try, so a fresh random source port: RFC 5452 §9.2), the
 * upstream's address and port, the rewritten ID and the question. */
struct dnsd_pending {
	struct dnsd *d;                 /* the owner, for the loop's callbacks */
	bool used;
	int fd;                         /* this try's upstream socket; -1 */
	struct dnsd_client client;
	struct dns_msg query;           /* the client's ID, flags and question */
	uint16_t up_id;                 /* the ID upstream sees (/dev/urandom) */
	uint32_t server;                /* the upstream of this try */
	unsigned next_up, tries;
	uint64_t deadline, give_up;     /* this try; all tries */
	uint8_t msg[DNSD_QUERY_MAX];    /* the query as forwarded */
	size_t len;
	/* the TCP retry (RFC 7766 §5) of an answer that came back truncated */
	bool tcp_up, sent;
	size_t woff;
	uint8_t rlen_buf[2];
	size_t rgot, rwant;
	uint8_t *rbuf;
};

struct dnsd_failure {
	struct dns_question q;
	uint64_t until;                 /* 0: a free slot */
};

struct dnsd_tcp {
	struct dnsd *d;                 /* the owner, for the loop's callbacks */
	int fd;                         /* -1: a free slot */
	struct dnsd_client peer;
	uint8_t in[2 + DNSD_QUERY_MAX]; /* RFC 1035 §4.2.2: a 2-octet length, then the query */
	size_t inlen;
	uint8_t *out;
	size_t outlen, outoff;
	unsigned inflight;              /* its forwarded queries still pending */
	uint32_t events;                /* what the loop watches for it now */
	bool eof, closing;
	uint64_t idle_deadline;
};

struct dnsd_stats {
	unsigned long queries, local, forwarded, answered, servfail, failure_hits, malformed, dropped,
		stray, timeouts, duplicates, tcp_accepted, tcp_refused;
};

#define DNSD_CFG_GUESTS 16   /* the profile's guest slots (init/labcfg/ checks it) */

/* A guest with a fixed address: its name answers before any lease's. */
struct dnsd_guest {
	const char *name;
	uint32_t ip;
	uint8_t mac[6];                 /* its AAAA: the EUI-64 address in prefix6 */
};

/* What the server is set up from; dnsd_setup copies what it keeps. */
struct dnsd_config {
	const char *bridge_name, *dns_domain, *hostname;
	uint32_t gateway;
	struct ip4_prefix subnet;
	/* IPv6 (CONFIG_LAB_IPV6): the lab's /64 and the gateway's address in
	 * it, where the server also listens (UDP) */
	bool ipv6;
	uint8_t prefix6[16], gateway6[16];
	/* Where outside names go: dns_upstreams if any; else a static
	 * uplink's resolvers (uplink_dns); else those the uplink's DHCP client
	 * learnt on uplink_ifname; none with dns_no_forward. */
	bool dns_no_forward, uplink_dhcp;
	const char *uplink_ifname;
	uint32_t dns_upstreams[DNSD_CFG_SERVERS];
	unsigned ndns_upstreams;
	uint32_t uplink_dns[DNSD_CFG_SERVERS];
	unsigned uplink_ndns;
	struct dnsd_guest guests[DNSD_CFG_GUESTS];
	unsigned nguests;
	uid_t uid;                     /* `labinit dns` alone: who it becomes once its sockets are open */
	gid_t gid;
};

/* Datagrams per recvmmsg(2) and per sendmmsg(2): a burst of queries costs
 * two system calls a batch instead of two a query, which is most of what a
 * local answer costs (tests/bench/dns.sh). */
#define DNSD_BATCH 32

/* Local answers to a batch of UDP queries, sent together at its end. */
struct dnsd_txq {
	unsigned n;
	int fd;
	struct sockaddr_in6 to[DNSD_BATCH];   /* or a sockaddr_in in its first bytes */
	socklen_t tolen[DNSD_BATCH];
	uint16_t len[DNSD_BATCH];
	uint8_t msg[DNSD_BATCH][DNS_UDP_MAX];
};

struct dnsd {
	struct loop *loop;              /* NULL: set up without sockets (tests) */
	int udp_fd, tcp_fd, rand_fd, udp6_fd;
	char bridge[16];
	uint32_t gateway;
	struct ip4_prefix subnet;
	bool ipv6;
	uint8_t prefix6[16], gateway6[16];
	struct dns_name domain;
	bool no_forward;                /* DNS_UPSTREAMS="none": REFUSED for outside names */
	/* upstreams: fixed, or read from the uplink client's file on change */
	uint32_t up[DNSD_MAX_UPSTREAMS];
	unsigned nup, up_pref;
	bool up_from_file;
	char resolv_path[128];
	bool resolv_seen;
	long long resolv_ino, resolv_size, resolv_mtime_ns;
	struct dnsd_host hosts[DNSD_MAX_HOSTS];
	struct dnsd_pending pending[DNSD_MAX_PENDING];
	struct dnsd_failure failures[DNSD_FAILURES];
	struct dnsd_tcp tcp[DNSD_MAX_TCP];
	struct loop_timer timer;
	uint8_t rand_pool[64];
	unsigned rand_left;
	struct dnsd_stats stats;
	uint64_t log_last_ms;
	unsigned long log_suppressed;
	bool batching;                  /* in on_udp(): UDP answers wait in txq */
	struct dnsd_txq txq;
};

/* Copies what it needs from p (p may go away afterwards) and names the
 * gateway "gateway" and HOSTNAME; no sockets, no loop. Returns 0 or
 * -EINVAL (a domain that does not encode). */
int dnsd_setup(struct dnsd *d, const struct dnsd_config *p);
/* Names the guests with a fixed address (dynamic ones come with leases),
 * pinned: no lease's name replaces or removes them, in any case. A name
 * that cannot be had is logged. */
void dnsd_add_guests(struct dnsd *d, const struct dnsd_config *p);
/* `labinit dns`: the server on its own, until SIGTERM or SIGINT; the exit
 * status. */
int dnsd_main(const struct dnsd_config *p);
/* dnsd_setup, then the UDP and TCP sockets on LAB_GATEWAY:53 bound to the
 * bridge (SO_BINDTODEVICE: nothing answers on the uplink), in l. The loop
 * keeps pointers into d: it must not move until dnsd_close(). */
int dnsd_init(struct dnsd *d, struct loop *l, const struct dnsd_config *p);
/* Closes every socket and connection and frees what it holds; safe after
 * a failed or socket-less init. */
void dnsd_close(struct dnsd *d);

/* NAME and NAME.DOMAIN -> ip, and ip's PTR -> NAME.DOMAIN. name is one
 * RFC 1123 label; ip lies in the lab subnet. Setting a name again moves it.
 * Returns 0, -EINVAL, -ENOSPC (table full) or -EEXIST (a pinned name). */
int dnsd_host_set(struct dnsd *d, const char *name, uint32_t ip);
/* Gives a name already in the table its AAAA: the EUI-64 address of mac in
 * the lab's /64 (what SLAAC gives it). 0, -ENOENT, or -EINVAL without IPv6. */
int dnsd_host_set6(struct dnsd *d, const char *name, const uint8_t mac[6]);
/* Returns 0, -ENOENT or -EPERM (a pinned name). */
int dnsd_host_del(struct dnsd *d, const char *name);

/*
 * The policy, without sockets: the answer to query q if it is ours.
 * Returns the response length (written to out), 0 for "forward this", or
 * a negative errno to drop it. Ours: the lab's names (A; other types get
 * NOERROR without data), anything else under DOMAIN (NXDOMAIN), reverse
 * names in the lab subnet (PTR or NXDOMAIN, never forwarded), malformed
 * queries (FORMERR/NOTIMP), zone transfers and other classes, and, with
 * no_forward, every outside name (REFUSED). Answers that do not fit
 * outsize are truncated with TC set.
 */
int dnsd_answer_local(const struct dnsd *d, const uint8_t *q, size_t qlen, uint8_t *out, size_t outsize);

/* The "nameserver A.B.C.D" lines of a resolv.conf-style file, in order,
 * without duplicates or IPv6; returns how many (at most max). */
unsigned dnsd_parse_resolv(const char *buf, size_t len, uint32_t *out, unsigned max);
/* Re-reads resolv_path when it changed (inode, size or mtime). */
void dnsd_upstreams_refresh(struct dnsd *d);

void dnsd_log_stats(const struct dnsd *d);

/* --- shared by net/dnsd*.c only ----------------------------------------- */

/* dnsd_host_set for the gateway's own names, from dnsd_setup. */
int dnsd_host_pin(struct dnsd *d, const char *name, uint32_t ip);
/* Runs after every event: closes what is closing, resumes paused TCP
 * input, updates what the loop watches, re-arms the timer. */
void dnsd_after_event(struct dnsd *d);
/* At most one line a second; the rest are counted and summed up. */
void dnsd_log_limited(struct dnsd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dnsd_random16(struct dnsd *d, uint16_t *out);
/* Clients: the lab subnet only (RFC 5358 §4), never our own address. */
bool dnsd_client_ok(const struct dnsd *d, uint32_t ip, uint16_t port);
/* Sends a complete message to a client (UDP datagram or TCP frame). */
void dnsd_send_client(struct dnsd *d, const struct dnsd_client *c, const uint8_t *msg, size_t len);

void dnsd_forward(struct dnsd *d, const uint8_t *q, size_t len, const struct dnsd_client *c);
void dnsd_fwd_expire(struct dnsd *d, uint64_t now);
void dnsd_fwd_drop_conn(struct dnsd *d, const struct dnsd_tcp *c);
void dnsd_fwd_close_all(struct dnsd *d);
void dnsd_pending_free(struct dnsd *d, struct dnsd_pending *p);
void dnsd_pending_fail(struct dnsd *d, struct dnsd_pending *p, uint8_t rcode);
/* Hands p's matched answer (ID restored by the caller) to its client. */
void dnsd_pending_answer(struct dnsd *d, struct dnsd_pending *p, uint8_t *msg, size_t len);
/* True when msg is the answer to p: the rewritten ID and the question. */
bool dnsd_pending_match(const struct dnsd_pending *p, const uint8_t *msg, size_t len);
int dnsd_fwd_tcp_start(struct dnsd *d, struct dnsd_pending *p);

void dnsd_tcp_on_accept(struct loop *l, int fd, uint32_t events, void *data);
void dnsd_tcp_send(struct dnsd *d, struct dnsd_tcp *c, const uint8_t *msg, size_t len);
void dnsd_tcp_expire(struct dnsd *d, uint64_t now);
void dnsd_tcp_tidy(struct dnsd *d);
void dnsd_tcp_close_all(struct dnsd *d);

#endif
