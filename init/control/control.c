/* Control socket server. PID 1 must never block on a client: the accepted
 * socket is non-blocking, the request is read when epoll says it is there,
 * the reply is sent with MSG_DONTWAIT and a client that cannot take it is
 * dropped. Only root may connect (SO_PEERCRED, and the socket is 0600). */
#include "init/control/control.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/core/log.h"

/* A connected client has CTL_CLIENT_MS to send its request; at most
 * CTL_MAX_CLIENTS wait at once. A root process that connects and never
 * sends must not hold PID 1's fds or timers for ever. */
#define CTL_CLIENT_MS 2000
#define CTL_MAX_CLIENTS 8

struct ctl_server;

struct ctl_client {
	int fd;                    /* -1: free */
	struct loop_timer timer;
	struct ctl_server *srv;
};

struct ctl_server {
	ctl_handler_fn fn;
	void *data;
	struct ctl_client clients[CTL_MAX_CLIENTS];
};

static void client_close(struct loop *l, struct ctl_client *c)
{
	loop_timer_cancel(l, &c->timer);
	loop_del(l, c->fd);
	close(c->fd);
	c->fd = -1;
}

static void on_client_timeout(struct loop *l, struct loop_timer *t)
{
	struct ctl_client *c = t->data;

	log_warn("control: a client sent no request within %d ms; dropped", CTL_CLIENT_MS);
	client_close(l, c);
}

static int split_words(char *s, char **argv, int max)
{
	int argc = 0;

	for (char *save = NULL, *w = strtok_r(s, " \t\n", &save); w && argc < max;
	     w = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return argc;
}

static void on_client(struct loop *l, int fd, uint32_t events, void *data)
{
	struct ctl_client *c = data;
	struct ctl_server *srv = c->srv;
	char req[CTL_REQUEST_MAX + 1], *argv[17];
	char *reply = NULL;
	ssize_t n;
	int argc;

	(void)events;
	n = recv(fd, req, CTL_REQUEST_MAX, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && (reply = malloc(CTL_REPLY_MAX))) {
		req[n] = '\0';
		argc = split_words(req, argv, 16);
		reply[0] = '\0';
		if (argc > 0)
			srv->fn(srv->data, argc, argv, reply, CTL_REPLY_MAX);
		else
			strcpy(reply, "error: empty request\n");
		if (send(fd, reply, strlen(reply), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			log_debug("control: reply dropped: %s", strerror(errno));
	}
	free(reply);
	client_close(l, c);
}

static bool peer_is_root(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == 0;
}

static struct ctl_client *free_client(struct ctl_server *srv)
{
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (srv->clients[i].fd < 0)
			return &srv->clients[i];
	return NULL;
}

static void on_accept(struct loop *l, int fd, uint32_t events, void *data)
{
	struct ctl_server *srv = data;
	struct ctl_client *c;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)events;
	if (cfd < 0)
		return;
	if (!peer_is_root(cfd) || !(c = free_client(srv)) || loop_add(l, cfd, EPOLLIN, on_client, c) < 0) {
		close(cfd);
		return;
	}
	c->fd = cfd;
	c->timer.fn = on_client_timeout;
	c->timer.data = c;
	if (loop_timer_arm(l, &c->timer, loop_now_ms() + CTL_CLIENT_MS) < 0)
		client_close(l, c);
}

int ctl_listen(struct loop *l, const char *path, ctl_handler_fn fn, void *data)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_server *srv;
	char dir[sizeof(sa.sun_path)];
	char *slash;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	srv = calloc(1, sizeof(*srv));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!srv || fd < 0) {
		free(srv);
		return fd < 0 ? -errno : -ENOMEM;
	}
	srv->fn = fn;
	srv->data = data;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		srv->clients[i] = (struct ctl_client){ .fd = -1, .srv = srv };
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 16) < 0 || (r = loop_add(l, fd, EPOLLIN, on_accept, srv)) < 0) {
		r = -errno;
		close(fd);
		free(srv);
		return r;
	}
	return 0;
}
