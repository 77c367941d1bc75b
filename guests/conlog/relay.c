/* The console relay: see relay.h. */
#include "guests/conlog/relay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CONSOLE_SOCK "console.sock"

static void drop_client(struct conlog_relay *r)
{
	if (r->client_fd < 0)
		return;
	loop_del(r->loop, r->client_fd);
	close(r->client_fd);
	r->client_fd = -1;
}

/* Never blocks: the guest's output is not held up by a slow client. */
static void to_client(struct conlog_relay *r, const char *buf, size_t len)
{
	if (r->client_fd >= 0 && send(r->client_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN &&
	    errno != EINTR)
		drop_client(r);
}

static void on_guest(struct loop *lp, int fd, uint32_t events, void *data)
{
	static char buf[65536];
	struct conlog_relay *r = data;
	ssize_t n;

	(void)lp;
	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0) {
			r->output(r->ctx, buf, (size_t)n);
			to_client(r, buf, (size_t)n);
		}
}

/* Keys to the guest; what its console cannot take now is dropped. */
static void on_client(struct loop *lp, int fd, uint32_t events, void *data)
{
	char buf[4096];
	struct conlog_relay *r = data;
	ssize_t n = read(fd, buf, sizeof(buf));

	(void)lp;
	(void)events;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		drop_client(r);
		return;
	}
	if (n > 0)
		(void)!send(r->guest_fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void on_listen(struct loop *lp, int fd, uint32_t events, void *data)
{
	struct conlog_relay *r = data;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)events;
	if (c < 0)
		return;
	drop_client(r);
	if (loop_add(lp, c, EPOLLIN, on_client, r) < 0) {
		close(c);
		return;
	}
	r->client_fd = c;
}

/* The socket file is ours (the run directory is the guest's user's, and
 * we run as that user): one left by an earlier logger is replaced. */
static int listen_on(const char *run_dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/" CONSOLE_SOCK, run_dir) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int conlog_relay_start(struct conlog_relay *r, struct loop *loop, const char *run_dir, int guest_fd)
{
	int flags = fcntl(guest_fd, F_GETFL), e;

	r->loop = loop;
	r->guest_fd = guest_fd;
	r->client_fd = -1;
	if (flags < 0 || fcntl(guest_fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	if ((r->listen_fd = listen_on(run_dir)) < 0)
		return r->listen_fd;
	if ((e = loop_add(loop, r->listen_fd, EPOLLIN, on_listen, r)) < 0 ||
	    (e = loop_add(loop, guest_fd, EPOLLIN, on_guest, r)) < 0)
		return e;
	return 0;
}

void conlog_relay_close(struct conlog_relay *r)
{
	drop_client(r);
	if (r->listen_fd >= 0)
		close(r->listen_fd);
	r->listen_fd = -1;
}
