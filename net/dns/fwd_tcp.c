/* The TCP retry of a truncated upstream answer for a TCP client (RFC 7766
 * §5: TC means "ask again over TCP"; a TCP client cannot do that through
 * us, so we do it). One connection per retry to the upstream that answered,
 * the query framed by its 2-octet length (RFC 1035 §4.2.2), one answer
 * read back the same way. If it fails the client gets SERVFAIL. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/dns/dnsd.h"

static void on_tcp_up(struct loop *l, int fd, uint32_t events, void *data);

static unsigned count_tcp_up(const struct dnsd *d)
{
	unsigned n = 0;

	for (unsigned i = 0; i < DNSD_MAX_PENDING; i++)
		n += d->pending[i].used && d->pending[i].tcp_up;
	return n;
}

/* The loop has no "modify": watching other events is a new registration. */
static int watch(struct dnsd *d, struct dnsd_pending *p, uint32_t events)
{
	loop_del(d->loop, p->fd);
	return loop_add(d->loop, p->fd, events, on_tcp_up, p);
}

int dnsd_fwd_tcp_start(struct dnsd *d, struct dnsd_pending *p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(DNS_PORT),
				  .sin_addr.s_addr = htonl(p->server) };
	int fd;

	if (count_tcp_up(d) >= DNSD_MAX_TCP_UP)
		return -EBUSY;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -errno;
	}
	loop_del(d->loop, p->fd);
	close(p->fd);
	p->fd = fd;
	if (loop_add(d->loop, fd, EPOLLOUT, on_tcp_up, p) < 0) {
		close(fd);
		p->fd = -1;
		return -ENOMEM;
	}
	p->tcp_up = true;
	p->deadline = loop_now_ms() + DNSD_TCP_UP_MS;
	return 0;
}

/* Connected (or failed): write the framed query, then wait for the answer. */
static int tcp_up_write(struct dnsd *d, struct dnsd_pending *p)
{
	uint8_t frame[2 + DNSD_QUERY_MAX];
	size_t total = 2 + p->len;
	int err = 0;
	socklen_t el = sizeof(err);
	ssize_t n;

	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err)
		return -ECONNREFUSED;
	frame[0] = (uint8_t)(p->len >> 8);
	frame[1] = (uint8_t)p->len;
	memcpy(frame + 2, p->msg, p->len);
	n = send(p->fd, frame + p->woff, total - p->woff, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	p->woff += (size_t)n;
	if (p->woff < total)
		return 0;
	p->sent = true;
	return watch(d, p, EPOLLIN);
}

/* Reads the length, then the answer; 1 when it is complete. */
static int tcp_up_read(struct dnsd_pending *p)
{
	ssize_t n;

	if (p->rgot < 2) {
		n = recv(p->fd, p->rlen_buf + p->rgot, 2 - p->rgot, 0);
		if (n <= 0)
			return n == 0 ? -ECONNRESET : (errno == EAGAIN ? 0 : -errno);
		p->rgot += (size_t)n;
		if (p->rgot < 2)
			return 0;
		p->rwant = (size_t)p->rlen_buf[0] << 8 | p->rlen_buf[1];
		if (p->rwant < DNS_HDR_LEN || !(p->rbuf = malloc(p->rwant)))
			return -EBADMSG;
	}
	n = recv(p->fd, p->rbuf + (p->rgot - 2), p->rwant - (p->rgot - 2), 0);
	if (n <= 0)
		return n == 0 ? -ECONNRESET : (errno == EAGAIN ? 0 : -errno);
	p->rgot += (size_t)n;
	return p->rgot - 2 == p->rwant;
}

/* The whole answer is in: p->rbuf is handed over, since freeing p (before
 * the answer is sent) would release it. */
static void tcp_up_done(struct dnsd *d, struct dnsd_pending *p)
{
	uint8_t *msg = p->rbuf;
	size_t len = p->rwant;

	if (!dnsd_pending_match(p, msg, len)) {
		d->stats.stray++;
		dnsd_pending_fail(d, p, DNS_RCODE_SERVFAIL);
		return;
	}
	d->stats.answered++;
	p->rbuf = NULL;
	dnsd_pending_answer(d, p, msg, len);
	free(msg);
}

static void on_tcp_up(struct loop *l, int fd, uint32_t events, void *data)
{
	struct dnsd_pending *p = data;
	struct dnsd *d = p->d;
	int r;

	(void)l;
	(void)fd;
	(void)events;
	r = p->sent ? tcp_up_read(p) : tcp_up_write(d, p);
	if (r < 0)
		dnsd_pending_fail(d, p, DNS_RCODE_SERVFAIL);
	else if (r == 1 && p->sent)
		tcp_up_done(d, p);
	dnsd_after_event(d);
}
