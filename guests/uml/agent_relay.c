/* The UML agent channel's relay: see agent_relay.h. One loop, level
 * triggered; each fd is watched only for what can be done now (a buffer
 * with room, bytes to write), so a slow side holds the other back instead
 * of being dropped, except the guest while no client is there. */
#include "guests/uml/agent_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "guests/qemu/qemu.h"
#include "lib/core/daemon.h"
#include "lib/core/log.h"

#define NOT_WATCHED 0xffffffffu

struct relay {
	struct daemon d;
	const char *run_dir;
	int guest, listen, client;
	uint32_t ev[3];           /* what guest, listen, client are watched for */
	bool open;                /* the agent answered: the client's bytes may pass */
	bool failed;              /* the guest's end closed or failed */
	/* to the guest: whole frames only; in_frame is the one being written */
	uint8_t in[AGENT_FRAME_MAX];
	size_t in_len, in_frame, in_off;
	/* from the guest: scanned for the HELLO while closed, then the client's */
	uint8_t out[AGENT_FRAME_MAX];
	size_t out_len, out_off;
	uint64_t dropped;
	struct loop_timer probe;
	struct agent_msg msg;
};

size_t uml_relay_scan(const uint8_t *buf, size_t len, struct agent_msg *scratch, bool *hello)
{
	size_t pos = 0;

	*hello = false;
	while (pos < len) {
		long want = agent_frame_len(buf + pos, len - pos);
		bool magic = buf[pos] == AGENT_MAGIC0 && (len - pos < 2 || buf[pos + 1] == AGENT_MAGIC1);

		if (want < 0 || !magic) {  /* not a frame's start: resynchronise a byte on */
			pos++;
			continue;
		}
		if (want == 0 || (size_t)want > len - pos)
			break;
		if (agent_parse(buf + pos, (size_t)want, scratch) == 0 && scratch->type == AGENT_HELLO) {
			*hello = true;
			return pos + (size_t)want;
		}
		pos += (size_t)want;
	}
	return pos;
}

static void rearm(struct relay *r);

static void watch(struct relay *r, int slot, int fd, uint32_t events, loop_fd_fn fn)
{
	if (r->ev[slot] == events)
		return;
	if (r->ev[slot] != NOT_WATCHED)
		loop_del(&r->d.loop, fd);
	r->ev[slot] = NOT_WATCHED;
	if (events && loop_add(&r->d.loop, fd, events, fn, r) == 0)
		r->ev[slot] = events;
}

static void drop_client(struct relay *r)
{
	if (r->client < 0)
		return;
	watch(r, 2, r->client, 0, NULL);
	close(r->client);
	r->client = -1;
	r->open = false;
	r->out_len = r->out_off = 0;
	r->in_len = r->in_frame;  /* a frame half written goes on; nothing after it */
	loop_timer_cancel(&r->d.loop, &r->probe);
}

/* The next whole frame of in[] becomes the one to write; a client that
 * sends what is no frame is not labctl. */
static void take_frame(struct relay *r)
{
	long want;

	if (r->in_frame || !r->in_len)
		return;
	if ((want = agent_frame_len(r->in, r->in_len)) < 0) {
		log_warn("agent relay %s: a client sent a malformed frame; dropped", r->run_dir);
		r->in_len = 0;
		drop_client(r);
	} else if (want > 0 && (size_t)want <= r->in_len) {
		r->in_frame = (size_t)want;
		r->in_off = 0;
	}
}

static void to_guest(struct relay *r)
{
	while (r->in_frame) {
		ssize_t n = send(r->guest, r->in + r->in_off, r->in_frame - r->in_off, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				r->failed = true;
			return;
		}
		if ((r->in_off += (size_t)n) < r->in_frame)
			continue;
		memmove(r->in, r->in + r->in_frame, r->in_len - r->in_frame);
		r->in_len -= r->in_frame;
		r->in_frame = r->in_off = 0;
		take_frame(r);
	}
}

static void to_client(struct relay *r)
{
	ssize_t n;

	if (r->client < 0 || !r->open || r->out_off >= r->out_len)
		return;
	n = send(r->client, r->out + r->out_off, r->out_len - r->out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return drop_client(r);
	if (n > 0 && (r->out_off += (size_t)n) == r->out_len)
		r->out_len = r->out_off = 0;
}

/* The relay's own HELLO, when nothing else is on its way to the guest. */
static void send_probe(struct relay *r)
{
	int n;

	if (!r->in_len && (n = agent_build_hello(r->in, sizeof(r->in), "labinit agent-relay")) > 0) {
		r->in_len = (size_t)n;
		take_frame(r);
		to_guest(r);
	}
	loop_timer_arm(&r->d.loop, &r->probe, loop_now_ms() + UML_AGENT_PROBE_MS);
}

static void on_probe(struct loop *l, struct loop_timer *t)
{
	struct relay *r = t->data;

	(void)l;
	if (r->client >= 0 && !r->open)
		send_probe(r);
	rearm(r);
}

/* Closed: drop up to the agent's HELLO, which opens the way. */
static void from_guest_closed(struct relay *r)
{
	bool hello;
	size_t drop = uml_relay_scan(r->out, r->out_len, &r->msg, &hello);

	memmove(r->out, r->out + drop, r->out_len - drop);
	r->out_len -= drop;
	r->dropped += drop;
	if (r->out_len == sizeof(r->out)) {  /* cannot happen with frames of at most its size */
		r->dropped += r->out_len;
		r->out_len = 0;
	}
	if (hello) {
		r->open = true;
		loop_timer_cancel(&r->d.loop, &r->probe);
	}
}

static void on_guest(struct loop *l, int fd, uint32_t events, void *data)
{
	struct relay *r = data;
	ssize_t n = 0;

	(void)l;
	if (events & EPOLLOUT)
		to_guest(r);
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		n = read(fd, r->out + r->out_len, sizeof(r->out) - r->out_len);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			r->failed = true;
	}
	if (n > 0 && r->client < 0)
		r->dropped += (uint64_t)n;
	else if (n > 0 && (r->out_len += (size_t)n) && !r->open)
		from_guest_closed(r);
	to_client(r);
	rearm(r);
}

static void on_client(struct loop *l, int fd, uint32_t events, void *data)
{
	struct relay *r = data;
	ssize_t n;

	(void)l;
	if (events & EPOLLOUT)
		to_client(r);
	if (r->client >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		n = read(fd, r->in + r->in_len, sizeof(r->in) - r->in_len);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			drop_client(r);
		else if (n > 0) {
			r->in_len += (size_t)n;
			take_frame(r);
			to_guest(r);
		}
	}
	rearm(r);
}

static void on_listen(struct loop *l, int fd, uint32_t events, void *data)
{
	struct relay *r = data;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)l;
	(void)events;
	if (c >= 0 && r->client < 0) {
		r->client = c;
		r->open = false;
		send_probe(r);
	} else if (c >= 0) {
		close(c);
	}
	rearm(r);
}

/* Each fd watched for what can be done now. The guest is always read
 * while no client is there (its output is dropped) and, while closed,
 * while the scan has room; the client is read only once the way is open
 * and no frame of its is on its way; a second client waits in the backlog. */
static void rearm(struct relay *r)
{
	uint32_t g = 0, c = 0;

	if (r->failed) {
		r->d.stopping = true;
		return;
	}
	if (r->client < 0 || (!r->open && r->out_len < sizeof(r->out)) || (r->open && !r->out_len))
		g |= EPOLLIN;
	if (r->in_frame)
		g |= EPOLLOUT;
	if (r->client >= 0 && r->open && !r->in_frame && r->in_len < sizeof(r->in))
		c |= EPOLLIN;
	if (r->client >= 0 && r->open && r->out_len)
		c |= EPOLLOUT;
	watch(r, 0, r->guest, g, on_guest);
	watch(r, 1, r->listen, r->client < 0 ? EPOLLIN : 0, on_listen);
	if (r->client >= 0)
		watch(r, 2, r->client, c, on_client);
}

/* The socket file is ours (the run directory is the guest's user's, and
 * we run as that user): one left by an earlier relay is replaced. */
static int listen_on(const char *run_dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/" QEMU_AGENT_SOCK, run_dir) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int uml_relay_run(const char *run_dir, int guest_fd)
{
	static struct relay r;
	int e;

	log_set_prefix("labinit-agent-relay");
	memset(&r, 0, sizeof(r));
	r.run_dir = run_dir;
	r.guest = guest_fd;
	r.client = r.listen = -1;
	r.d.sigfd = -1;
	r.ev[0] = r.ev[1] = r.ev[2] = NOT_WATCHED;
	r.probe = (struct loop_timer){ .fn = on_probe, .data = &r };
	if (fcntl(guest_fd, F_SETFL, fcntl(guest_fd, F_GETFL) | O_NONBLOCK) < 0)
		e = -errno;
	else if ((r.listen = listen_on(run_dir)) < 0)
		e = r.listen;
	else if ((e = daemon_init(&r.d)) == 0) {
		rearm(&r);
		e = daemon_run(&r.d);
		if (e == 0 && r.failed)
			e = -EPIPE;
	}
	if (e < 0)
		log_err("agent relay %s: %s", run_dir,
			e == -EPIPE ? "the guest's end of the channel closed" : strerror(-e));
	drop_client(&r);
	if (r.listen >= 0)
		close(r.listen);
	daemon_close(&r.d);
	return e < 0;
}
