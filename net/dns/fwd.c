/* The forwarder: outside names go to the upstream resolvers over UDP with a
 * fresh random ID and source port per try (RFC 5452 §9.2); an answer is
 * taken only from the upstream asked, with that ID and the same question
 * (RFC 5452 §9.1). A try that times out or is refused moves on to the next
 * upstream; when the tries or the time run out the client gets SERVFAIL. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "net/dns/dnsd.h"

static bool same_question(const struct dns_question *a, const struct dns_question *b)
{
	return a->qtype == b->qtype && a->qclass == b->qclass && dns_name_equal(&a->name, &b->name);
}

static void close_fd(struct dnsd *d, struct dnsd_pending *p)
{
	if (p->fd < 0)
		return;
	if (d->loop)
		loop_del(d->loop, p->fd);
	close(p->fd);
	p->fd = -1;
}

void dnsd_pending_free(struct dnsd *d, struct dnsd_pending *p)
{
	if (!p->used)
		return;
	close_fd(d, p);
	free(p->rbuf);
	if (p->client.conn)
		p->client.conn->inflight--;
	memset(p, 0, sizeof(*p));
	p->d = d;
	p->fd = -1;
}

/* The answer goes out after p is freed, so a TCP client's bookkeeping
 * (its in-flight count) is already up to date when it is written. */
void dnsd_pending_answer(struct dnsd *d, struct dnsd_pending *p, uint8_t *msg, size_t len)
{
	struct dnsd_client c = p->client;

	dns_set_id(msg, p->query.h.id);
	dnsd_pending_free(d, p);
	dnsd_send_client(d, &c, msg, len);
}

void dnsd_pending_fail(struct dnsd *d, struct dnsd_pending *p, uint8_t rcode)
{
	uint8_t out[DNS_UDP_MAX];
	struct dns_builder b;
	int n;

	dns_build_reply(&b, out, sizeof(out), &p->query, rcode, DNS_F_RA);
	n = dns_build_finish(&b);
	if (rcode == DNS_RCODE_SERVFAIL)
		d->stats.servfail++;
	if (n > 0)
		dnsd_pending_answer(d, p, out, (size_t)n);
	else
		dnsd_pending_free(d, p);
}

bool dnsd_pending_match(const struct dnsd_pending *p, const uint8_t *msg, size_t len)
{
	struct dns_msg m;

	return dns_parse_response(msg, len, &m) == 0 && m.h.id == p->up_id && same_question(&m.q, &p->query.q);
}

static void on_upstream(struct loop *l, int fd, uint32_t events, void *data);

/* One try: a new socket connected to the upstream (the kernel then drops
 * datagrams from anyone else and reports ICMP refusals), a new ID. */
static int try_udp(struct dnsd *d, struct dnsd_pending *p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(DNS_PORT) };
	int r;

	if (!d->nup)
		return -ENETUNREACH;
	p->server = d->up[p->next_up % d->nup];
	sa.sin_addr.s_addr = htonl(p->server);
	r = dnsd_random16(d, &p->up_id);
	if (r < 0)
		return r;
	dns_set_id(p->msg, p->up_id);
	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0)
		return -errno;
	if (connect(p->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || send(p->fd, p->msg, p->len, 0) < 0) {
		r = -errno;
		close(p->fd);
		p->fd = -1;
		return r;
	}
	r = loop_add(d->loop, p->fd, EPOLLIN, on_upstream, p);
	if (r < 0) {
		close(p->fd);
		p->fd = -1;
		return r;
	}
	p->deadline = loop_now_ms() + DNSD_TRY_MS;
	if (p->deadline > p->give_up)
		p->deadline = p->give_up;
	return 0;
}

static struct dnsd_failure *failure_find(struct dnsd *d, const struct dns_question *q, uint64_t now)
{
	for (unsigned i = 0; i < DNSD_FAILURES; i++)
		if (d->failures[i].until > now && same_question(&d->failures[i].q, q))
			return &d->failures[i];
	return NULL;
}

/* Remembers that q could not be resolved: the slot that expires first. */
static void failure_add(struct dnsd *d, const struct dns_question *q)
{
	uint64_t now = loop_now_ms();
	struct dnsd_failure *f = failure_find(d, q, now);

	if (!f) {
		f = &d->failures[0];
		for (unsigned i = 1; i < DNSD_FAILURES; i++)
			if (d->failures[i].until < f->until)
				f = &d->failures[i];
	}
	f->q = *q;
	f->until = now + DNSD_FAILURE_MS;
}

/* Tries until one is under way, or SERVFAIL when tries or time run out. */
static void send_try(struct dnsd *d, struct dnsd_pending *p)
{
	char name[64], ip[16];

	while (p->tries < DNSD_MAX_TRIES && loop_now_ms() < p->give_up) {
		int r;

		p->tries++;
		r = try_udp(d, p);
		if (r == 0)
			return;
		log_debug("dns: forwarding: %s", strerror(-r));
		p->next_up++;
	}
	dns_name_to_text(&p->query.q.name, name, sizeof(name));
	addr_format_ip4(p->server, ip);
	dnsd_log_limited(d, "SERVFAIL for %s: no answer after %u tries (last: %s)", name, p->tries, ip);
	failure_add(d, &p->query.q);
	dnsd_pending_fail(d, p, DNS_RCODE_SERVFAIL);
}

static void next_try(struct dnsd *d, struct dnsd_pending *p)
{
	close_fd(d, p);
	p->next_up++;
	send_try(d, p);
}

/* An answer from the upstream asked. Errors that another upstream may not
 * share (SERVFAIL, REFUSED, NOTIMP) move on while another one is left. */
static void upstream_answer(struct dnsd *d, struct dnsd_pending *p, uint8_t *msg, size_t len)
{
	unsigned rcode = msg[3] & DNS_F_RCODE;

	if ((rcode == DNS_RCODE_SERVFAIL || rcode == DNS_RCODE_REFUSED || rcode == DNS_RCODE_NOTIMP) &&
	    d->nup > 1 && p->tries < DNSD_MAX_TRIES) {
		next_try(d, p);
		return;
	}
	if (d->nup)
		d->up_pref = p->next_up % d->nup;
	/* RFC 7766 §5: a truncated answer is asked again over TCP for a TCP
	 * client; a UDP client gets TC and does that itself. */
	if ((msg[2] & (DNS_F_TC >> 8)) && p->client.conn && dnsd_fwd_tcp_start(d, p) == 0)
		return;
	d->stats.answered++;
	dnsd_pending_answer(d, p, msg, len);
}

static void on_upstream(struct loop *l, int fd, uint32_t events, void *data)
{
	static uint8_t rx[DNS_TCP_MAX]; /* one loop per process: never re-entered */
	struct dnsd_pending *p = data;
	struct dnsd *d = p->d;

	(void)l;
	(void)events;
	for (int i = 0; i < 16; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, rx, sizeof(rx), 0, (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				next_try(d, p); /* ECONNREFUSED: ICMP port unreachable */
			break;
		}
		if (ntohl(from.sin_addr.s_addr) != p->server || ntohs(from.sin_port) != DNS_PORT ||
		    !dnsd_pending_match(p, rx, (size_t)n)) {
			d->stats.stray++;
			continue;
		}
		upstream_answer(d, p, rx, (size_t)n);
		break;
	}
	dnsd_after_event(d);
}

static bool is_repeat(const struct dnsd *d, const struct dnsd_client *c, const struct dns_msg *m)
{
	for (unsigned i = 0; i < DNSD_MAX_PENDING; i++) {
		const struct dnsd_pending *p = &d->pending[i];

		if (p->used && !c->conn && !p->client.conn && p->client.ip == c->ip && p->client.v6 == c->v6 &&
		    !memcmp(p->client.ip6, c->ip6, 16) && p->client.port == c->port && p->query.h.id == m->h.id &&
		    same_question(&p->query.q, &m->q))
			return true;
	}
	return false;
}

/* An answer for a query that never got a pending slot. */
static void fail_now(struct dnsd *d, const struct dnsd_client *c, const struct dns_msg *m)
{
	uint8_t out[DNS_UDP_MAX];
	struct dns_builder b;
	int n;

	dns_build_reply(&b, out, sizeof(out), m, DNS_RCODE_SERVFAIL, DNS_F_RA);
	n = dns_build_finish(&b);
	d->stats.servfail++;
	if (n > 0)
		dnsd_send_client(d, c, out, (size_t)n);
}

static struct dnsd_pending *pending_alloc(struct dnsd *d)
{
	for (unsigned i = 0; i < DNSD_MAX_PENDING; i++)
		if (!d->pending[i].used)
			return &d->pending[i];
	return NULL;
}

void dnsd_forward(struct dnsd *d, const uint8_t *q, size_t len, const struct dnsd_client *c)
{
	struct dnsd_pending *p;
	struct dns_msg m;

	if (dns_parse_query(q, len, &m) != 0 || len > DNSD_QUERY_MAX || !d->loop)
		return;
	if (is_repeat(d, c, &m)) { /* the client's retransmission: the first one is on its way */
		d->stats.duplicates++;
		return;
	}
	if (failure_find(d, &m.q, loop_now_ms())) {
		d->stats.failure_hits++;
		fail_now(d, c, &m);
		return;
	}
	dnsd_upstreams_refresh(d);
	p = pending_alloc(d);
	if (!d->nup || !p) {
		dnsd_log_limited(d, "SERVFAIL: %s", !d->nup ? "no upstream resolver known" :
			         "too many queries pending upstream");
		fail_now(d, c, &m);
		return;
	}
	d->stats.forwarded++;
	p->used = true;
	p->client = *c;
	if (c->conn)
		c->conn->inflight++;
	p->query = m;
	memcpy(p->msg, q, len);
	p->len = len;
	p->next_up = d->up_pref;
	p->give_up = loop_now_ms() + DNSD_BUDGET_MS;
	send_try(d, p);
}

void dnsd_fwd_expire(struct dnsd *d, uint64_t now)
{
	for (unsigned i = 0; i < DNSD_MAX_PENDING; i++) {
		struct dnsd_pending *p = &d->pending[i];

		if (!p->used || p->deadline > now)
			continue;
		d->stats.timeouts++;
		if (p->tcp_up)
			dnsd_pending_fail(d, p, DNS_RCODE_SERVFAIL);
		else
			next_try(d, p);
	}
}

/* The client hung up: its queries are forgotten, their sockets closed. */
void dnsd_fwd_drop_conn(struct dnsd *d, const struct dnsd_tcp *c)
{
	for (unsigned i = 0; i < DNSD_MAX_PENDING; i++)
		if (d->pending[i].used && d->pending[i].client.conn == c)
			dnsd_pending_free(d, &d->pending[i]);
}

void dnsd_fwd_close_all(struct dnsd *d)
{
	for (unsigned i = 0; i < DNSD_MAX_PENDING; i++)
		dnsd_pending_free(d, &d->pending[i]);
}
