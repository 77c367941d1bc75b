/* `labinit dhcpd`: the worker process that serves DHCP on the bridge. It
 * parses untrusted packets, so it runs outside PID 1, which restarts it;
 * its leases survive in the lease file. Requests are drained in batches:
 * a batch's lease changes are on disk (appended to the lease journal, or
 * the whole file written when quiet: journal.h) before any ACK of that
 * batch is sent, so an acknowledged lease is never lost to a crash. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/core/addr.h"
#include "lib/core/log.h"
#include "lib/core/daemon.h"
#include "lib/core/loop.h"
#include "lib/core/sandbox.h"
#include "net/dhcp/sock.h"
#include "net/dhcp6/server.h"
#include "net/dhcp6/sock.h"
#include "net/dhcpd/dhcpd.h"
#include "net/dhcpd/journal.h"
#include "net/dhcpd/worker.h"
#include "net/dns/dnsd.h"
#include "net/dhcp/ipudp.h"
#include "net/netlink/rtnl.h"

#define BATCH 64
/* Work per wake-up: at most 4 batches, and no packet read once 20 ms have
 * passed; then back to epoll, so that under a flood a stop signal, DNS and
 * the timers are served in between, even when every packet is slow (a
 * big range: the pool is walked for each DISCOVER). */
#define BATCHES_PER_WAKEUP 4
#define WAKEUP_BUDGET_MS 20
#define EXPIRE_EVERY_MS 10000

/* What the worker logs per packet, each kind with its own budget of lines
 * a second: a flood of one kind neither fills the console nor hides the
 * other kinds. What is over budget is counted and summed up in one line. */
enum log_kind { LK_OFFER, LK_ACK, LK_NAK, LK_DECLINE, LK_RELEASE, LK_EXHAUSTED, LK_MALFORMED, LK_OTHER, LK_DHCP6,
		LK_SAVE, LK_COUNT };

static const struct {
	const char *name;
	unsigned per_s;
} log_kinds[LK_COUNT] = {
	[LK_OFFER] = { "OFFER", 10 },       [LK_ACK] = { "ACK", 10 },
	[LK_NAK] = { "NAK", 10 },           [LK_DECLINE] = { "DECLINE", 10 },
	[LK_RELEASE] = { "RELEASE", 10 },   [LK_EXHAUSTED] = { "pool exhausted", 1 },
	[LK_MALFORMED] = { "malformed packet", 1 }, [LK_OTHER] = { "other", 10 },
	[LK_DHCP6] = { "DHCPv6", 10 },      [LK_SAVE] = { "lease file error", 1 },
};

struct log_budget {
	uint64_t since;                 /* this one-second window's start */
	unsigned used;
	unsigned long suppressed;       /* lines not logged since the last summary */
};

struct worker {
	struct daemon dm;
	struct dhcpd d;
	struct dnsd dns;
	bool dns_up;
	struct ndp_sender ra;           /* fd -1 when not sending */
	char lease_names[256][64];      /* names dnsd learnt from leases */
	unsigned nlease_names;
	const struct dhcpd_worker_config *p;
	struct loop_timer expire;
	struct dhcpd_journal journal;
	struct loop_timer compact;      /* folds the journal in once quiet */
	int udp, raw, ifindex;
	struct dhcpd_reply replies[BATCH];
	struct log_budget budget[LK_COUNT];
	/* DHCPv6 (fd -1 when off): its server, lease file and one batch */
	int udp6;
	struct dhcp6_server d6;
	char lease_file6[PATH_MAX];
	struct dhcp6_reply replies6[BATCH];
	struct sockaddr_in6 to6[BATCH];
	struct tftpd tftp;
	bool tftp_up;
};

/* Send-only: a filter that accepts nothing keeps the bridge's traffic out. */
static int open_raw(int ifindex)
{
	struct sock_filter none[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { 1, none };

	return dhcp_raw_socket(ifindex, &prog, 0);
}

/* To a client without an address: a frame to its MAC (or broadcast),
 * with IP and UDP headers and checksums of our own. */
static void send_frame(struct worker *w, const struct dhcpd_reply *r)
{
	const uint8_t *mac = r->dest == DHCPD_BROADCAST ? NULL : r->dst_mac;
	int e = dhcp_send_frame(w->raw, w->ifindex, mac, r->msg, r->len, w->d.cfg.server_ip, 67, r->dst_ip, 68);

	if (e < 0)
		log_warn("dhcpd: send to %02x:%02x:%02x:%02x:%02x:%02x: %s", r->dst_mac[0], r->dst_mac[1],
			 r->dst_mac[2], r->dst_mac[3], r->dst_mac[4], r->dst_mac[5], strerror(-e));
}

static void send_reply(struct worker *w, const struct dhcpd_reply *r)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(r->dst_ip) };

	if (r->dest == DHCPD_BROADCAST || r->dest == DHCPD_CHADDR) {
		send_frame(w, r);
		return;
	}
	sa.sin_port = htons(r->dest == DHCPD_RELAY ? 67 : 68);
	if (sendto(w->udp, r->msg, r->len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		log_warn("dhcpd: send to %s: %s", r->dest == DHCPD_RELAY ? "relay" : "client", strerror(errno));
}

/* The DNS names of the leases follow the lease table: forget the old set,
 * learn the current one. Guests with a fixed IP are dnsd's already,
 * pinned; a lease never takes a profile guest's name from it. */
static void sync_names(struct worker *w)
{
	const struct dhcpd_pool *pool = &w->d.pool;
	time_t now = time(NULL);

	if (!w->dns_up)
		return;
	for (unsigned i = 0; i < w->nlease_names; i++)
		dnsd_host_del(&w->dns, w->lease_names[i]);
	w->nlease_names = 0;
	for (size_t i = 0; i < pool->count && w->nlease_names < 256; i++) {
		const struct dhcpd_lease *l = &pool->slot[i];
		const char *name = dhcpd_lease_dns_name(&w->p->dhcpd, l);

		if (l->state != LEASE_BOUND || l->expires <= now || !name)
			continue;
		if (dnsd_host_set(&w->dns, name, l->ip) < 0)
			continue;
		snprintf(w->lease_names[w->nlease_names++], 64, "%s", name);
		if (w->p->dnsd.ipv6)
			dnsd_host_set6(&w->dns, name, l->mac);
	}
}

static void log_event(struct worker *w, enum log_kind k, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int save_leases(struct worker *w)
{
	int r = dhcpd_journal_commit(&w->journal, &w->d.pool, loop_now_ms());

	if (r < 0)
		log_event(w, LK_SAVE, LOG_LVL_ERR, "dhcpd: writing %s: %s", w->p->lease_file, strerror(-r));
	if (w->journal.records && !w->compact.when_ms)
		loop_timer_arm(&w->dm.loop, &w->compact, loop_now_ms() + DHCPD_JOURNAL_QUIET_MS);
	sync_names(w);
	return r;
}

/* Quiet since the last append: the journal folded into the lease file, so
 * that the file people and scripts read is exact again. */
static void on_compact(struct loop *l, struct loop_timer *t)
{
	struct worker *w = t->data;
	int r;

	if (!dhcpd_journal_idle(&w->journal, loop_now_ms())) {
		if (w->journal.records)
			loop_timer_arm(l, t, w->journal.last_ms + DHCPD_JOURNAL_QUIET_MS);
		return;
	}
	if ((r = dhcpd_journal_compact(&w->journal, &w->d.pool)) < 0) {
		log_event(w, LK_SAVE, LOG_LVL_ERR, "dhcpd: writing %s: %s", w->p->lease_file, strerror(-r));
		loop_timer_arm(l, t, loop_now_ms() + 1000);
	}
}

static void log_summary(struct worker *w, enum log_kind k)
{
	struct log_budget *b = &w->budget[k];

	if (!b->suppressed)
		return;
	log_info("dhcpd: %lu %s line%s suppressed (at most %u a second)", b->suppressed, log_kinds[k].name,
		 b->suppressed == 1 ? "" : "s", log_kinds[k].per_s);
	b->suppressed = 0;
}

static void log_summaries(struct worker *w)
{
	for (unsigned k = 0; k < LK_COUNT; k++)
		log_summary(w, k);
}

/* May a line of kind k go out now? A new window first sums up what the
 * ones before it suppressed. */
static bool log_allowed(struct worker *w, enum log_kind k)
{
	struct log_budget *b = &w->budget[k];
	uint64_t now = loop_now_ms();

	if (now - b->since >= 1000) {
		log_summary(w, k);
		b->since = now;
		b->used = 0;
	}
	if (b->used < log_kinds[k].per_s) {
		b->used++;
		return true;
	}
	b->suppressed++;
	return false;
}

static void log_event(struct worker *w, enum log_kind k, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!log_allowed(w, k))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_msg(level, "%s", line);
}

static enum log_kind kind_of(const struct dhcp_msg *m, const struct dhcpd_reply *r)
{
	if (r->exhausted)
		return LK_EXHAUSTED;
	if (r->type == DHCPOFFER)
		return LK_OFFER;
	if (r->type == DHCPACK)
		return LK_ACK;
	if (r->type == DHCPNAK)
		return LK_NAK;
	if (m->type == DHCPDECLINE)
		return LK_DECLINE;
	return m->type == DHCPRELEASE ? LK_RELEASE : LK_OTHER;
}

/* Hostile input is counted and logged at most once a second. */
static void note_drop(struct worker *w)
{
	w->d.st.dropped++;
	log_event(w, LK_MALFORMED, LOG_LVL_WARN, "dhcpd: dropped a malformed packet");
}

static void log_reply(struct worker *w, const struct dhcp_msg *m, const struct dhcpd_reply *r)
{
	if (!r->log[0])
		return;
	log_event(w, kind_of(m, r), LOG_LVL_INFO, "dhcpd: %s%s%s from %02x:%02x:%02x:%02x:%02x:%02x: %s",
		  dhcp_type_name(m->type), m->hostname[0] ? " " : "", m->hostname, m->chaddr[0], m->chaddr[1],
		  m->chaddr[2], m->chaddr[3], m->chaddr[4], m->chaddr[5], r->log);
}

static unsigned read_batch(struct worker *w, time_t now, uint64_t until_ms)
{
	uint8_t buf[DHCP_MAX_LEN];
	struct dhcp_msg m;
	unsigned n = 0;

	while (n < BATCH && loop_now_ms() < until_ms) {
		ssize_t len = recv(w->udp, buf, sizeof(buf), 0);

		if (len < 0)
			break;
		if (dhcp_parse(buf, (size_t)len, &m) < 0) {
			note_drop(w);
			continue;
		}
		dhcpd_handle(&w->d, &m, now, &w->replies[n]);
		log_reply(w, &m, &w->replies[n]);
		n++;
	}
	return n;
}

/* One family's batch discipline: read a batch, put what it changed on
 * disk, then send; a reply that commits a lease (an ACK, a DHCPv6 Reply)
 * is not sent unless the lease is on disk: the client asks again, and no
 * acknowledged lease is ever lost. Up to BATCHES_PER_WAKEUP full batches. */
struct family {
	unsigned (*read)(struct worker *w, time_t now, uint64_t until);
	bool (*dirty)(const struct worker *w);
	int (*save)(struct worker *w);
	void (*send)(struct worker *w, unsigned n, bool saved);
};

static void drain(struct worker *w, const struct family *f)
{
	uint64_t until = loop_now_ms() + WAKEUP_BUDGET_MS;
	unsigned n, batches = 0;

	do {
		bool saved = true;

		n = f->read(w, time(NULL), until);
		if (f->dirty(w))
			saved = f->save(w) == 0;
		f->send(w, n, saved);
	} while (n == BATCH && ++batches < BATCHES_PER_WAKEUP);
}

static bool dirty4(const struct worker *w)
{
	return w->d.pool.dirty;
}

static void send4(struct worker *w, unsigned n, bool saved)
{
	for (unsigned i = 0; i < n; i++)
		if (w->replies[i].dest != DHCPD_NONE && (saved || w->replies[i].type != DHCPACK))
			send_reply(w, &w->replies[i]);
}

static void on_packets(struct loop *l, int fd, uint32_t events, void *data)
{
	static const struct family v4 = { read_batch, dirty4, save_leases, send4 };

	(void)l;
	(void)fd;
	(void)events;
	drain(data, &v4);
}

/* DHCPv6: the same batch discipline as DHCPv4, no Reply whose binding
 * is not on disk. */
static int save_leases6(struct worker *w)
{
	int r = dhcp6_leases_save(&w->d6, w->lease_file6);

	if (r < 0)
		log_err("dhcp6: writing %s: %s", w->lease_file6, strerror(-r));
	return r;
}

/* The client as a log line names it: the MAC of a DUID-LL/LLT, else the
 * DUID's first octets. */
static void client_text(const struct dhcp6_duid *d, char *out, size_t size)
{
	uint8_t mac[6];
	size_t n = 0;

	if (dhcp6_duid_mac(d, mac)) {
		addr_format_mac(mac, out);
		return;
	}
	n = (size_t)snprintf(out, size, "duid ");
	for (unsigned i = 0; i < d->len && i < 16 && n + 3 < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%02x", d->id[i]);
}

static unsigned read_batch6(struct worker *w, time_t now, uint64_t until_ms)
{
	uint8_t buf[2048];
	struct dhcp6_msg m;
	unsigned n = 0;

	while (n < BATCH && loop_now_ms() < until_ms) {
		socklen_t alen = sizeof(w->to6[n]);
		ssize_t len = recvfrom(w->udp6, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&w->to6[n], &alen);
		char who[64];

		if (len < 0)
			break;
		if ((size_t)len > sizeof(buf) || alen != sizeof(w->to6[n]) || dhcp6_parse(buf, (size_t)len, &m) < 0) {
			w->d6.st.dropped++;
			log_event(w, LK_MALFORMED, LOG_LVL_WARN, "dhcp6: dropped a malformed packet");
			continue;
		}
		dhcp6_handle(&w->d6, &m, now, &w->replies6[n]);
		client_text(&m.client_id, who, sizeof(who));
		if (w->replies6[n].send)
			log_event(w, LK_DHCP6, LOG_LVL_INFO, "dhcp6: %s from %s: %s %s", dhcp6_type_name(m.type), who,
				  dhcp6_type_name(w->replies6[n].type), w->replies6[n].log);
		n++;
	}
	return n;
}

static bool dirty6(const struct worker *w)
{
	return w->d6.dirty;
}

static void send6(struct worker *w, unsigned n, bool saved)
{
	for (unsigned i = 0; i < n; i++) {
		const struct dhcp6_reply *r = &w->replies6[i];

		if (!r->send || (r->commit && !saved))
			continue;
		if (sendto(w->udp6, r->msg, r->len, 0, (struct sockaddr *)&w->to6[i], sizeof(w->to6[i])) < 0)
			log_event(w, LK_DHCP6, LOG_LVL_WARN, "dhcp6: send %s: %s", dhcp6_type_name(r->type),
				  strerror(errno));
	}
}

static void on_packets6(struct loop *l, int fd, uint32_t events, void *data)
{
	static const struct family v6 = { read_batch6, dirty6, save_leases6, send6 };

	(void)l;
	(void)fd;
	(void)events;
	drain(data, &v6);
}

/* Before dropping root: the socket, the lease file's path and owner, the
 * bindings a restart keeps. */
static int setup6(struct worker *w)
{
	unsigned loaded, bad;
	int r;

	if ((r = dhcp6_lease_path(w->p->lease_file, w->lease_file6, sizeof(w->lease_file6))) < 0 ||
	    (r = dhcp6_server_init(&w->d6, &w->p->dhcp6d)) < 0)
		return r;
	if ((r = dhcp6_leases_load(&w->d6, w->lease_file6, time(NULL), &loaded, &bad)) < 0) {
		log_err("dhcp6: reading %s: %s", w->lease_file6, strerror(-r));
		return r;
	}
	log_info("dhcp6: %u lease%s from %s%s", loaded, loaded == 1 ? "" : "s", w->lease_file6,
		 bad ? " (malformed lines skipped)" : "");
	if (w->p->uid && geteuid() == 0 && (r = dhcpd_leases_own_dir(w->lease_file6, w->p->uid, w->p->gid)) < 0)
		return r;
	if ((w->udp6 = dhcp6_server_socket(w->p->bridge_name, w->ifindex)) < 0)
		return w->udp6;
	return loop_add(&w->dm.loop, w->udp6, EPOLLIN, on_packets6, w);
}

static void on_expire(struct loop *l, struct loop_timer *t)
{
	struct worker *w = t->data;
	unsigned n = dhcpd_expire(&w->d.pool, time(NULL));

	if (n)
		log_info("dhcpd: %u lease%s expired", n, n == 1 ? "" : "s");
	log_summaries(w);
	if (w->d.pool.dirty)
		save_leases(w);
	if (w->udp6 >= 0 && dhcp6_expire(&w->d6, time(NULL)) && w->d6.dirty)
		save_leases6(w);
	loop_timer_arm(l, t, loop_now_ms() + EXPIRE_EVERY_MS);
}

static int load_leases(struct worker *w, struct dhcpd_read_stats *out)
{
	struct dhcpd_read_stats st;
	int r = dhcpd_journal_init(&w->journal, w->p->lease_file);

	if (r == 0)
		r = dhcpd_journal_load(&w->journal, &w->d.pool, time(NULL), &st);
	if (r < 0) {
		log_err("dhcpd: reading %s: %s", w->p->lease_file, strerror(-r));
		return r;
	}
	log_info("dhcpd: %u lease%s from %s%s", st.leases, st.leases == 1 ? "" : "s", w->p->lease_file,
		 st.bad ? " (malformed lines skipped)" : "");
	if (st.records || st.torn)
		log_info("dhcpd: %u journal record%s replayed from %s%s", st.records, st.records == 1 ? "" : "s",
			 w->journal.jpath, st.torn ? "; its last record was cut short (a write killed): ignored" : "");
	*out = st;
	return 0;
}

/* At start the journal is opened where it ends (a torn last record cut
 * off), not folded in: a restart costs no fsync of the whole file. Its
 * records are folded in once quiet; a new journal goes to the
 * unprivileged user. A failure is not fatal: every save compacts then. */
static void open_journal(struct worker *w, const struct dhcpd_read_stats *st)
{
	int r = dhcpd_journal_open(&w->journal, st);

	if (r < 0)
		log_err("dhcpd: opening %s: %s", w->journal.jpath, strerror(-r));
	else if (w->p->uid && geteuid() == 0 && fchown(w->journal.fd, w->p->uid, w->p->gid) < 0)
		log_err("dhcpd: handing %s to uid %u: %s", w->journal.jpath, (unsigned)w->p->uid, strerror(errno));
	if (w->journal.records)
		loop_timer_arm(&w->dm.loop, &w->compact, loop_now_ms() + DHCPD_JOURNAL_QUIET_MS);
}

static int setup(struct worker *w)
{
	struct dhcpd_read_stats st;
	struct rtnl_link link;
	struct nl_sock s;
	int r;

	if ((r = nl_open(&s, NETLINK_ROUTE)) < 0)
		return r;
	r = rtnl_link_get(&s, w->p->bridge_name, &link);
	nl_close(&s);
	if (r < 0)
		return r;
	w->ifindex = link.index;
	if ((r = dhcpd_init(&w->d, &w->p->dhcpd)) < 0 || (r = load_leases(w, &st)) < 0)
		return r;
	if (w->p->mtu_from_bridge && !w->d.cfg.mtu && link.mtu < 1500) /* RFC 2132 §5.1: at least 68 */
		w->d.cfg.mtu = (uint16_t)link.mtu;
	if (w->p->uid && geteuid() == 0 && (r = dhcpd_leases_own_dir(w->p->lease_file, w->p->uid, w->p->gid)) < 0) {
		log_err("dhcpd: handing %s's directory to uid %u: %s", w->p->lease_file, (unsigned)w->p->uid,
			strerror(-r));
		return r;
	}
	/* UDP bound to the bridge: nothing answers on the uplink. */
	if ((r = daemon_init(&w->dm)) < 0 || (w->udp = dhcp_udp_socket(w->p->bridge_name, 67)) < 0 ||
	    (w->raw = open_raw(w->ifindex)) < 0)
		return r < 0 ? r : w->udp < 0 ? w->udp : w->raw;
	if ((r = loop_add(&w->dm.loop, w->udp, EPOLLIN, on_packets, w)) < 0)
		return r;
	w->compact.fn = on_compact;
	w->compact.data = w;
	open_journal(w, &st);
	/* Router advertisements: their raw socket needs CAP_NET_RAW too. A
	 * failure costs the lab its IPv6 autoconfiguration, not its DHCP. */
	if (w->p->ra && ((r = ndp_sender_open(&w->ra, &w->p->ndp, w->ifindex)) < 0 ||
			 (r = ndp_sender_start(&w->ra, &w->dm.loop)) < 0)) {
		log_err("ra: on %s: %s; guests get no IPv6 autoconfiguration", w->p->bridge_name, strerror(-r));
		ndp_sender_close(&w->ra);
	}
	/* DHCPv6: a failure costs the lab its stateful IPv6 addresses; SLAAC
	 * still configures the guests. */
	if (w->p->dhcp6 && (r = setup6(w)) < 0) {
		log_err("dhcp6: on %s: %s; guests get no DHCPv6 addresses", w->p->bridge_name, strerror(-r));
		if (w->udp6 >= 0)
			close(w->udp6);
		w->udp6 = -1;
	}
	/* TFTP: a failure (a missing root) costs the lab its netboot, not
	 * its DHCP. */
	if (w->p->tftp) {
		/* The menus first: missing, they cost the netbooting guests
		 * their boot, not TFTP for the others. */
		if (w->p->netboot.nguests && netboot_write(&w->p->netboot, w->p->tftpd.generated) < 0)
			log_err("netboot: the menus in %s could not be written; guests that boot over the network "
				"will not find them", w->p->tftpd.generated);
		if ((r = tftpd_open(&w->tftp, &w->p->tftpd)) < 0 || (r = tftpd_start(&w->tftp, &w->dm.loop)) < 0) {
			log_err("tftp: on %s: %s; the lab runs without TFTP", w->p->bridge_name, strerror(-r));
			tftpd_close(&w->tftp);
		} else {
			w->tftp_up = true;
		}
	}
	w->expire.fn = on_expire;
	w->expire.data = w;

	if (w->p->dns) {
		/* DNS in the same process: it learns the leases' names directly. */
		if ((r = dnsd_init(&w->dns, &w->dm.loop, &w->p->dnsd)) < 0)
			log_err("dns: %s; the lab runs without its DNS", strerror(-r));
		else
			w->dns_up = true;
		if (w->dns_up)
			dnsd_add_guests(&w->dns, &w->p->dnsd);
		sync_names(w);
	}
	/* Everything that needs root is open: from here on the process that
	 * parses guests' packets is an unprivileged user with a short list
	 * of system calls (lib/core/sandbox.h). */
	if ((r = sandbox_enter(&(struct sandbox){ "dhcpd", w->p->uid, w->p->gid, SANDBOX_NET_DAEMON, 0 })) < 0)
		return r;
	return loop_timer_arm(&w->dm.loop, &w->expire, loop_now_ms() + EXPIRE_EVERY_MS);
}

static void log_dhcp6_range(const struct worker *w)
{
	const struct dhcp6_config *c = &w->p->dhcp6d;
	uint8_t a[16];
	char first[INET6_ADDRSTRLEN], last[INET6_ADDRSTRLEN];

	memcpy(a, c->prefix, 16);
	a[14] = (uint8_t)(c->range_first >> 8);
	a[15] = (uint8_t)c->range_first;
	inet_ntop(AF_INET6, a, first, sizeof(first));
	a[14] = (uint8_t)(c->range_last >> 8);
	a[15] = (uint8_t)c->range_last;
	inet_ntop(AF_INET6, a, last, sizeof(last));
	log_info("dhcp6: serving %s-%s on %s", first, last, w->p->bridge_name);
}

int dhcpd_worker_main(const struct dhcpd_worker_config *p)
{
	static struct worker w;
	char a[16], b[16], who[40];
	int r;

	memset(&w, 0, sizeof(w));
	w.ra.fd = -1;
	w.udp6 = -1;
	w.p = p;
	log_set_prefix("labinit-dhcpd");
	/* Never wait on the console: the guests' DHCP and DNS would wait too. */
	log_set_nonblocking();
	if (!p->dhcp) {
		log_info("dhcpd: CONFIG_DHCP_SERVER is off");
		return 0;
	}
	if (!p->dns)
		log_info("dns: CONFIG_DNS is off");
	if ((r = setup(&w)) < 0) {
		log_err("dhcpd: on %s: %s", p->bridge_name, strerror(-r));
		return 1;
	}
	addr_format_ip4(p->dhcpd.range_start, a);
	addr_format_ip4(p->dhcpd.range_end, b);
	sandbox_describe(who, sizeof(who));
	log_info("dhcpd: serving %s-%s on %s (%s, seccomp)", a, b, p->bridge_name, who);
	if (w.udp6 >= 0)
		log_dhcp6_range(&w);
	if ((r = daemon_run(&w.dm)) < 0)
		log_err("dhcpd: event loop: %s", strerror(-r));
	if ((w.d.pool.dirty || w.journal.records) && (r = dhcpd_journal_compact(&w.journal, &w.d.pool)) < 0)
		log_err("dhcpd: writing %s: %s", w.p->lease_file, strerror(-r));
	dhcpd_journal_close(&w.journal);
	if (w.udp6 >= 0) {
		if (w.d6.dirty)
			save_leases6(&w);
		close(w.udp6);
		log_info("dhcp6: stopped (%lu messages, %lu advertises, %lu replies, %lu ignored, %lu dropped)",
			 w.d6.st.received, w.d6.st.advertise, w.d6.st.reply, w.d6.st.ignored, w.d6.st.dropped);
	}
	if (w.dns_up)
		dnsd_close(&w.dns);
	if (w.tftp_up)
		tftpd_close(&w.tftp);
	ndp_sender_close(&w.ra);
	daemon_close(&w.dm);
	log_summaries(&w);
	log_info("dhcpd: stopped (%lu requests, %lu ACKs, %lu NAKs, %lu dropped, %lu offers reclaimed, %lu journal "
		 "appends, %lu lease file writes, %lu log lines dropped)",
		 w.d.st.received, w.d.st.ack, w.d.st.nak, w.d.st.dropped, w.d.st.reclaimed, w.journal.appends,
		 w.journal.compactions, log_dropped());
	return 0;
}
