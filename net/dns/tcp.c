/* DNS over TCP from the guests (RFC 7766): length-framed queries (RFC 1035
 * §4.2.2), pipelined and answered in any order (RFC 7766 §6.2.1.1), a
 * bounded number of connections, of queries in flight per connection and
 * of unsent answers, and idle connections closed (§6.2.3). Connections are
 * only closed in dnsd_tcp_tidy(), after an event, so nothing below it ever
 * sees one vanish. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/dns/dnsd.h"

/* Local answers over TCP; larger ones would be truncated with TC. */
#define TCP_LOCAL_MAX 8192

static void on_conn(struct loop *l, int fd, uint32_t events, void *data);

static void conn_close(struct dnsd *d, struct dnsd_tcp *c)
{
	dnsd_fwd_drop_conn(d, c);
	if (d->loop)
		loop_del(d->loop, c->fd);
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->d = d;
	c->fd = -1;
}

static struct dnsd_tcp *conn_alloc(struct dnsd *d)
{
	for (unsigned i = 0; i < DNSD_MAX_TCP; i++)
		if (d->tcp[i].fd < 0)
			return &d->tcp[i];
	return NULL;
}

static void accept_one(struct dnsd *d, int cfd, const struct sockaddr_in *sa)
{
	struct dnsd_tcp *c;
	char ip[16];

	addr_format_ip4(ntohl(sa->sin_addr.s_addr), ip);
	if (!dnsd_client_ok(d, ntohl(sa->sin_addr.s_addr), ntohs(sa->sin_port))) {
		d->stats.dropped++;
		dnsd_log_limited(d, "closed a TCP connection from %s, outside the lab", ip);
		close(cfd);
		return;
	}
	c = conn_alloc(d);
	if (!c || loop_add(d->loop, cfd, EPOLLIN, on_conn, c) < 0) {
		d->stats.tcp_refused++;
		dnsd_log_limited(d, "refused a TCP connection from %s: %u open already", ip, DNSD_MAX_TCP);
		close(cfd);
		return;
	}
	d->stats.tcp_accepted++;
	c->fd = cfd;
	c->peer.ip = ntohl(sa->sin_addr.s_addr);
	c->peer.port = ntohs(sa->sin_port);
	c->peer.conn = c;
	c->events = EPOLLIN;
	c->idle_deadline = loop_now_ms() + DNSD_TCP_IDLE_MS;
}

void dnsd_tcp_on_accept(struct loop *l, int fd, uint32_t events, void *data)
{
	struct dnsd *d = data;

	(void)l;
	(void)events;
	for (int i = 0; i < 8; i++) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		int cfd = accept4(fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0)
			break;
		accept_one(d, cfd, &sa);
	}
	dnsd_after_event(d);
}

static void conn_flush(struct dnsd_tcp *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				c->closing = true;
			return;
		}
		c->outoff += (size_t)n;
		c->idle_deadline = loop_now_ms() + DNSD_TCP_IDLE_MS;
	}
	free(c->out);
	c->out = NULL;
	c->outlen = c->outoff = 0;
}

void dnsd_tcp_send(struct dnsd *d, struct dnsd_tcp *c, const uint8_t *msg, size_t len)
{
	uint8_t *out;

	if (c->fd < 0 || c->closing || len > DNS_TCP_MAX)
		return;
	if (c->outlen - c->outoff + 2 + len > DNSD_TCP_OUT_MAX) {
		dnsd_log_limited(d, "closed a TCP connection that does not read its answers");
		c->closing = true;
		return;
	}
	if (c->outoff) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	out = realloc(c->out, c->outlen + 2 + len);
	if (!out) {
		c->closing = true;
		return;
	}
	c->out = out;
	out[c->outlen] = (uint8_t)(len >> 8);
	out[c->outlen + 1] = (uint8_t)len;
	memcpy(out + c->outlen + 2, msg, len);
	c->outlen += 2 + len;
	conn_flush(c);
}

static void tcp_query(struct dnsd *d, struct dnsd_tcp *c, const uint8_t *q, size_t len)
{
	uint8_t out[TCP_LOCAL_MAX];
	int r = dnsd_answer_local(d, q, len, out, sizeof(out));

	d->stats.queries++;
	if (r < 0 || (r >= 4 && (out[3] & DNS_F_RCODE) == DNS_RCODE_FORMERR)) {
		d->stats.malformed++;
		dnsd_log_limited(d, "%s a malformed query over TCP", r < 0 ? "dropped" : "FORMERR for");
	}
	if (r > 0) {
		d->stats.local++;
		dnsd_tcp_send(d, c, out, (size_t)r);
	} else if (r == 0) {
		dnsd_forward(d, q, len, &c->peer);
	}
}

static bool may_take_more(const struct dnsd_tcp *c)
{
	return !c->closing && c->inflight < DNSD_TCP_INFLIGHT && c->outlen < DNSD_TCP_OUT_MAX / 2;
}

/* The complete frames in c->in, while the connection may take more. */
static void conn_process(struct dnsd *d, struct dnsd_tcp *c)
{
	while (may_take_more(c) && c->inlen >= 2) {
		size_t len = (size_t)c->in[0] << 8 | c->in[1];

		if (len < DNS_HDR_LEN || len > DNSD_QUERY_MAX) {
			d->stats.malformed++;
			dnsd_log_limited(d, "closed a TCP connection: a frame of %zu octets", len);
			c->closing = true;
			return;
		}
		if (c->inlen < 2 + len)
			return;
		tcp_query(d, c, c->in + 2, len);
		c->inlen -= 2 + len;
		memmove(c->in, c->in + 2 + len, c->inlen);
	}
}

static void conn_read(struct dnsd_tcp *c)
{
	ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);

	if (n == 0) {
		c->eof = true; /* the client may still wait for its answers */
	} else if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			c->closing = true;
	} else {
		c->inlen += (size_t)n;
		c->idle_deadline = loop_now_ms() + DNSD_TCP_IDLE_MS;
	}
}

static void on_conn(struct loop *l, int fd, uint32_t events, void *data)
{
	struct dnsd_tcp *c = data;
	struct dnsd *d = c->d;

	(void)l;
	(void)fd;
	if (events & (EPOLLERR | EPOLLHUP))
		c->closing = true;
	if (!c->closing && (events & EPOLLOUT))
		conn_flush(c);
	if (!c->closing && (events & EPOLLIN))
		conn_read(c);
	conn_process(d, c);
	dnsd_after_event(d);
}

static bool has_frame(const struct dnsd_tcp *c)
{
	return c->inlen >= 2 && c->inlen >= 2 + ((size_t)c->in[0] << 8 | c->in[1]);
}

/* What the loop should watch: input while we may take more and the client
 * has not finished sending, output while answers wait. */
static uint32_t wanted_events(const struct dnsd_tcp *c)
{
	uint32_t ev = 0;

	if (!c->eof && may_take_more(c) && c->inlen < sizeof(c->in))
		ev |= EPOLLIN;
	if (c->outlen)
		ev |= EPOLLOUT;
	return ev;
}

static void conn_tidy(struct dnsd *d, struct dnsd_tcp *c)
{
	uint32_t ev;

	if (!c->closing)
		conn_process(d, c); /* input paused while queries were in flight */
	if (c->eof && !c->inflight && !c->outlen && !has_frame(c))
		c->closing = true;
	if (c->closing) {
		conn_close(d, c);
		return;
	}
	ev = wanted_events(c);
	if (ev == c->events)
		return;
	/* The loop has no "modify": a new registration replaces the old one. */
	loop_del(d->loop, c->fd);
	if (loop_add(d->loop, c->fd, ev, on_conn, c) < 0) {
		conn_close(d, c);
		return;
	}
	c->events = ev;
}

void dnsd_tcp_tidy(struct dnsd *d)
{
	for (unsigned i = 0; i < DNSD_MAX_TCP; i++)
		if (d->tcp[i].fd >= 0)
			conn_tidy(d, &d->tcp[i]);
}

/* Idle past its deadline: closed, unless its queries are still upstream
 * (they end by their own deadlines, then the clock starts again). */
void dnsd_tcp_expire(struct dnsd *d, uint64_t now)
{
	for (unsigned i = 0; i < DNSD_MAX_TCP; i++) {
		struct dnsd_tcp *c = &d->tcp[i];

		if (c->fd < 0 || c->idle_deadline > now)
			continue;
		if (c->inflight)
			c->idle_deadline = now + DNSD_TCP_IDLE_MS;
		else
			c->closing = true;
	}
}

void dnsd_tcp_close_all(struct dnsd *d)
{
	for (unsigned i = 0; i < DNSD_MAX_TCP; i++)
		if (d->tcp[i].fd >= 0)
			conn_close(d, &d->tcp[i]);
}
