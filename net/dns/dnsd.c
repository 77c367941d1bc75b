/* The DNS server's life cycle and its UDP side: setup from its config,
 * the listening sockets on the bridge, queries in, answers out, the one
 * timer, rate-limited logging and random IDs. */
#include "net/dns/dnsd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "net/dhcpc/dhcpc.h"

static void setup_upstreams(struct dnsd *d, const struct dnsd_config *p)
{
	const uint32_t *list = p->dns_upstreams;
	unsigned n = p->ndns_upstreams;

	d->no_forward = p->dns_no_forward;
	if (d->no_forward)
		return;
	if (!n && !p->uplink_dhcp) { /* Kconfig: else UPLINK_DNS of a static uplink */
		list = p->uplink_dns;
		n = p->uplink_ndns;
	}
	if (!n && p->uplink_dhcp) { /* else what the uplink's DHCP client learnt */
		d->up_from_file = true;
		snprintf(d->resolv_path, sizeof(d->resolv_path), "%s/resolv.%s", DHCPC_RESOLV_DIR,
			 p->uplink_ifname);
		return;
	}
	for (unsigned i = 0; i < n && d->nup < DNSD_MAX_UPSTREAMS; i++)
		if (list[i] != d->gateway) /* ourselves: a forwarding loop */
			d->up[d->nup++] = list[i];
}

/* The gateway's names get its IPv6 address as AAAA. */
static void pin_gateway6(struct dnsd *d, const char *hostname)
{
	const char *names[2] = { hostname, "gateway" };

	for (unsigned i = 0; i < 2; i++)
		for (unsigned j = 0; j < DNSD_MAX_HOSTS; j++)
			if (d->hosts[j].pinned && !strcasecmp(d->hosts[j].name, names[i])) {
				memcpy(d->hosts[j].ip6, d->gateway6, 16);
				d->hosts[j].has6 = true;
			}
}

int dnsd_setup(struct dnsd *d, const struct dnsd_config *p)
{
	memset(d, 0, sizeof(*d));
	d->udp_fd = d->tcp_fd = d->rand_fd = -1;
	for (unsigned i = 0; i < DNSD_MAX_PENDING; i++) {
		d->pending[i].d = d;
		d->pending[i].fd = -1;
	}
	for (unsigned i = 0; i < DNSD_MAX_TCP; i++) {
		d->tcp[i].d = d;
		d->tcp[i].fd = -1;
	}
	snprintf(d->bridge, sizeof(d->bridge), "%s", p->bridge_name);
	d->udp6_fd = -1;
	d->ipv6 = p->ipv6;
	memcpy(d->prefix6, p->prefix6, sizeof(d->prefix6));
	memcpy(d->gateway6, p->gateway6, sizeof(d->gateway6));
	d->gateway = p->gateway;
	d->subnet = p->subnet;
	if (dns_name_from_text(&d->domain, p->dns_domain) < 0)
		return -EINVAL;
	setup_upstreams(d, p);
	/* The lab host by its name and as "gateway"; a clash is no error. */
	dnsd_host_pin(d, p->hostname, p->gateway);
	dnsd_host_pin(d, "gateway", p->gateway);
	if (d->ipv6)
		pin_gateway6(d, p->hostname);
	return 0;
}

static int open_listener(const struct dnsd *d, int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(DNS_PORT),
				  .sin_addr.s_addr = htonl(d->gateway) };
	int one = 1, fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* The worker may start before the gateway address is back on the bridge. */
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, d->bridge, (socklen_t)strlen(d->bridge)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0)) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* UDP on the gateway's IPv6 address (what the RAs' RDNSS names), bound
 * to the bridge like the IPv4 one. */
static int open_listener6(const struct dnsd *d)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(DNS_PORT) };
	int one = 1, fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memcpy(&sa.sin6_addr, d->gateway6, 16);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, d->bridge, (socklen_t)strlen(d->bridge)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static void on_udp(struct loop *l, int fd, uint32_t events, void *data);
static void on_timer(struct loop *l, struct loop_timer *t);

int dnsd_init(struct dnsd *d, struct loop *l, const struct dnsd_config *p)
{
	int r = dnsd_setup(d, p);

	if (r < 0)
		return r;
	d->timer.fn = on_timer;
	d->timer.data = d;
	d->rand_fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (d->rand_fd < 0)
		return -errno;
	r = d->udp_fd = open_listener(d, SOCK_DGRAM);
	if (r >= 0)
		r = d->tcp_fd = open_listener(d, SOCK_STREAM);
	if (r >= 0)
		r = loop_add(l, d->udp_fd, EPOLLIN, on_udp, d);
	if (r >= 0) {
		d->loop = l;
		r = loop_add(l, d->tcp_fd, EPOLLIN, dnsd_tcp_on_accept, d);
	}
	if (r >= 0 && d->ipv6 && (r = d->udp6_fd = open_listener6(d)) >= 0)
		r = loop_add(l, d->udp6_fd, EPOLLIN, on_udp, d);
	if (r < 0) {
		dnsd_close(d);
		return r;
	}
	return 0;
}

static void close_listener(struct dnsd *d, int *fd)
{
	if (*fd < 0)
		return;
	if (d->loop)
		loop_del(d->loop, *fd);
	close(*fd);
	*fd = -1;
}

void dnsd_close(struct dnsd *d)
{
	dnsd_fwd_close_all(d);
	dnsd_tcp_close_all(d);
	if (d->loop)
		loop_timer_cancel(d->loop, &d->timer);
	close_listener(d, &d->udp_fd);
	close_listener(d, &d->udp6_fd);
	close_listener(d, &d->tcp_fd);
	if (d->rand_fd >= 0)
		close(d->rand_fd);
	d->rand_fd = -1;
	d->loop = NULL;
}

void dnsd_log_limited(struct dnsd *d, const char *fmt, ...)
{
	uint64_t now = loop_now_ms();
	char msg[256];
	va_list ap;

	if (d->log_last_ms && now - d->log_last_ms < 1000) {
		d->log_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->log_suppressed)
		log_warn("dns: %s (and %lu more such messages)", msg, d->log_suppressed);
	else
		log_warn("dns: %s", msg);
	d->log_last_ms = now;
	d->log_suppressed = 0;
}

int dnsd_random16(struct dnsd *d, uint16_t *out)
{
	if (d->rand_left < 2) {
		ssize_t n = d->rand_fd < 0 ? -1 : read(d->rand_fd, d->rand_pool, sizeof(d->rand_pool));

		if (n != (ssize_t)sizeof(d->rand_pool))
			return n < 0 ? -errno : -EIO;
		d->rand_left = sizeof(d->rand_pool);
	}
	d->rand_left -= 2;
	*out = (uint16_t)(d->rand_pool[d->rand_left] << 8 | d->rand_pool[d->rand_left + 1]);
	return 0;
}

/* Sends the queued answers; what the socket does not take is dropped, as a
 * failed sendto() is. */
static void flush_answers(struct dnsd *d)
{
	struct dnsd_txq *q = &d->txq;
	struct mmsghdr mm[DNSD_BATCH];
	struct iovec iov[DNSD_BATCH];
	unsigned i = 0;

	for (unsigned k = 0; k < q->n; k++) {
		iov[k] = (struct iovec){ q->msg[k], q->len[k] };
		mm[k] = (struct mmsghdr){ .msg_hdr = { .msg_name = &q->to[k], .msg_namelen = q->tolen[k],
						      .msg_iov = &iov[k], .msg_iovlen = 1 } };
	}
	while (i < q->n) {
		int r = sendmmsg(q->fd, mm + i, q->n - i, MSG_DONTWAIT);

		if (r <= 0) {
			d->stats.dropped += q->n - i;
			break;
		}
		i += (unsigned)r;
	}
	q->n = 0;
}

void dnsd_send_client(struct dnsd *d, const struct dnsd_client *c, const uint8_t *msg, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(c->port),
				  .sin_addr.s_addr = htonl(c->ip) };
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6, .sin6_port = htons(c->port), .sin6_scope_id = c->scope };

	if (c->conn) {
		dnsd_tcp_send(d, c->conn, msg, len);
		return;
	}
	memcpy(&sa6.sin6_addr, c->ip6, 16);
	if (d->batching && len <= DNS_UDP_MAX) {
		struct dnsd_txq *q = &d->txq;
		int fd = c->v6 ? d->udp6_fd : d->udp_fd;

		if (q->n && (q->n == DNSD_BATCH || q->fd != fd))
			flush_answers(d);
		q->fd = fd;
		if (c->v6)
			memcpy(&q->to[q->n], &sa6, q->tolen[q->n] = sizeof(sa6));
		else
			memcpy(&q->to[q->n], &sa, q->tolen[q->n] = sizeof(sa));
		memcpy(q->msg[q->n], msg, len);
		q->len[q->n++] = (uint16_t)len;
		return;
	}
	if ((c->v6 ? sendto(d->udp6_fd, msg, len, MSG_DONTWAIT, (struct sockaddr *)&sa6, sizeof(sa6))
		   : sendto(d->udp_fd, msg, len, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa))) < 0)
		d->stats.dropped++;
}

/* RFC 5358 §4: answer and recurse only for the lab, whose addresses are
 * the only ones that may arrive on the bridge; a spoofed outside source
 * would make us reflect answers out of the uplink. */
bool dnsd_client_ok(const struct dnsd *d, uint32_t ip, uint16_t port)
{
	return port != 0 && addr_in_prefix(ip, &d->subnet) && ip != d->gateway;
}

/* An IPv6 client: the lab's /64, or a link-local address (the socket
 * hears the bridge only, so fe80:: is a guest on it). */
static bool client6_ok(const struct dnsd *d, const struct dnsd_client *c)
{
	return c->port != 0 && (!memcmp(c->ip6, d->prefix6, 8) || (c->ip6[0] == 0xfe && (c->ip6[1] & 0xc0) == 0x80)) &&
	       memcmp(c->ip6, d->gateway6, 16);
}

/* The client's address, for a log line (not on the path of a good query). */
static const char *client_text(const struct dnsd_client *c, char ip[INET6_ADDRSTRLEN])
{
	if (c->v6)
		inet_ntop(AF_INET6, c->ip6, ip, INET6_ADDRSTRLEN);
	else
		addr_format_ip4(c->ip, ip);
	return ip;
}

static void udp_query(struct dnsd *d, const uint8_t *q, size_t len, const struct dnsd_client *c)
{
	uint8_t out[DNS_UDP_MAX];
	char ip[INET6_ADDRSTRLEN];
	int r;

	if (c->v6 ? !client6_ok(d, c) : !dnsd_client_ok(d, c->ip, c->port)) {
		d->stats.dropped++;
		dnsd_log_limited(d, "dropped a query from %s:%u, outside the lab", client_text(c, ip), c->port);
		return;
	}
	d->stats.queries++;
	if (len > DNSD_QUERY_MAX) {
		d->stats.malformed++;
		dnsd_log_limited(d, "dropped a query of more than %u octets from %s", DNSD_QUERY_MAX,
				 client_text(c, ip));
		return;
	}
	r = dnsd_answer_local(d, q, len, out, sizeof(out));
	if (r < 0 || (r >= 4 && (out[3] & DNS_F_RCODE) == DNS_RCODE_FORMERR)) {
		d->stats.malformed++;
		dnsd_log_limited(d, "%s a malformed query from %s", r < 0 ? "dropped" : "FORMERR for",
				 client_text(c, ip));
	}
	if (r > 0) {
		d->stats.local++;
		dnsd_send_client(d, c, out, (size_t)r);
	} else if (r == 0) {
		dnsd_forward(d, q, len, c);
	}
}

/* Both listeners, IPv4 and IPv6: the client by its source's family. At
 * most DNSD_UDP_ROUNDS batches a wakeup, so TCP clients and the other
 * services of the loop get their turn under a flood. */
#define DNSD_UDP_ROUNDS 4

static void on_udp(struct loop *l, int fd, uint32_t events, void *data)
{
	struct dnsd *d = data;
	uint8_t buf[DNSD_BATCH][DNSD_QUERY_MAX + 1]; /* one more: a longer datagram shows */
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} from[DNSD_BATCH];
	struct mmsghdr mm[DNSD_BATCH];
	struct iovec iov[DNSD_BATCH];

	(void)l;
	(void)events;
	for (int round = 0; round < DNSD_UDP_ROUNDS; round++) {
		int n;

		for (unsigned i = 0; i < DNSD_BATCH; i++) {
			iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
			mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &from[i], .msg_namelen = sizeof(from[i]),
							      .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		if ((n = recvmmsg(fd, mm, DNSD_BATCH, MSG_DONTWAIT, NULL)) <= 0)
			break;
		d->batching = true;
		for (int i = 0; i < n; i++) {
			struct dnsd_client c = { 0 };

			if (from[i].sa.sa_family == AF_INET6) {
				c.v6 = true;
				memcpy(c.ip6, &from[i].in6.sin6_addr, 16);
				c.scope = from[i].in6.sin6_scope_id;
				c.port = ntohs(from[i].in6.sin6_port);
			} else {
				c.ip = ntohl(from[i].in.sin_addr.s_addr);
				c.port = ntohs(from[i].in.sin_port);
			}
			udp_query(d, buf[i], mm[i].msg_len, &c);
		}
		d->batching = false;
		flush_answers(d);
		if (n < DNSD_BATCH)
			break;
	}
	dnsd_after_event(d);
}

static void schedule(struct dnsd *d)
{
	uint64_t next = 0;

	for (unsigned i = 0; i < DNSD_MAX_PENDING; i++)
		if (d->pending[i].used && (!next || d->pending[i].deadline < next))
			next = d->pending[i].deadline;
	for (unsigned i = 0; i < DNSD_MAX_TCP; i++)
		if (d->tcp[i].fd >= 0 && (!next || d->tcp[i].idle_deadline < next))
			next = d->tcp[i].idle_deadline;
	if (!next)
		loop_timer_cancel(d->loop, &d->timer);
	else if (d->timer.when_ms != next && loop_timer_arm(d->loop, &d->timer, next) < 0)
		log_err("dns: no timer left in the event loop: timeouts will not fire");
}

void dnsd_after_event(struct dnsd *d)
{
	if (!d->loop)
		return;
	dnsd_tcp_tidy(d);
	schedule(d);
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	struct dnsd *d = t->data;
	uint64_t now = loop_now_ms();

	(void)l;
	dnsd_fwd_expire(d, now);
	dnsd_tcp_expire(d, now);
	dnsd_after_event(d);
}

void dnsd_log_stats(const struct dnsd *d)
{
	const struct dnsd_stats *s = &d->stats;

	log_info("dns: %lu queries: %lu answered here, %lu forwarded (%lu answered, %lu SERVFAIL, "
		 "%lu timeouts, %lu stray answers), %lu failures repeated from the cache, %lu malformed, "
		 "%lu dropped, %lu repeats; TCP: %lu connections, %lu refused",
		 s->queries, s->local, s->forwarded, s->answered, s->servfail, s->timeouts, s->stray,
		 s->failure_hits, s->malformed, s->dropped, s->duplicates, s->tcp_accepted, s->tcp_refused);
}
