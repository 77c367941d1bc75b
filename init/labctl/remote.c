/* `labctl --lab SOCK [--lab-timeout S] [--lab-wait S] COMMAND ARGS...`:
 * labctl from the workstation. SOCK is `make run`'s control socket (QEMU's
 * end of the appliance's virtio-serial port org.labinit.control); the
 * appliance's control agent runs `labctl COMMAND ARGS...` there and nothing
 * else (docs/CONTROL.md). The agent protocol, version 2 (docs/AGENT.md):
 * our stdin goes as STDIN frames, STDOUT/STDERR come back to our fds, the
 * EXIT is our exit status. QEMU's socket takes one client at a time: the
 * clients queue on a lock file beside it (--lab-wait S). Connecting and
 * the hello are bounded (--lab-timeout S); the command itself is not
 * (`run` has its own --timeout). `console` puts a terminal in raw mode. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "guests/agent/proto.h"
#include "init/cmd/commands.h"
#include "init/labctl/labctl_priv.h"
#include "lib/core/loop.h"

#define REMOTE_TICK_MS 250
#define REMOTE_RETRY_MS 2000

struct remote {
	struct labctl_remote_opts o;
	int fd;
	unsigned version;          /* the session's */
	bool stdin_open;           /* still forwarding our stdin */
	uint8_t rx[AGENT_FRAME_MAX];
	size_t rxlen;
	uint8_t tx[AGENT_FRAME_MAX];
	size_t txlen, txoff;       /* a frame being sent */
	struct agent_msg msg;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static bool parse_secs(const char *s, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v < 1 || v > 86400)
		return false;
	*out = (unsigned)v;
	return true;
}

int labctl_remote_parse(int argc, char **argv, struct labctl_remote_opts *o)
{
	int i = 1;

	*o = (struct labctl_remote_opts){ .timeout_s = REMOTE_TIMEOUT_S, .wait_s = REMOTE_WAIT_S };
	for (; i + 1 < argc && !strncmp(argv[i], "--lab", 5); i += 2) {
		if (!strcmp(argv[i], "--lab") && argv[i + 1][0])
			o->sock = argv[i + 1];
		else if (!(!strcmp(argv[i], "--lab-timeout") && parse_secs(argv[i + 1], &o->timeout_s)) &&
			 !(!strcmp(argv[i], "--lab-wait") && parse_secs(argv[i + 1], &o->wait_s)))
			return -EINVAL;
	}
	if (!o->sock || i >= argc || argc - i + 1 > AGENT_ARGS_MAX)
		return -EINVAL;
	o->argv = argv + i;
	o->argc = argc - i;
	o->console = !strcmp(argv[i], "console");
	return 0;
}

int labctl_remote_lock_path(const char *sock, char *buf, size_t size)
{
	return snprintf(buf, size, "%s.lock", sock) < (int)size ? 0 : -ENAMETOOLONG;
}

int labctl_remote_exit_code(const struct agent_msg *m)
{
	switch (m->exit_kind) {
	case AGENT_EXITED:
		return m->exit_value;
	case AGENT_SIGNALED:
		return 128 + m->exit_value;
	case AGENT_TIMEDOUT:  /* no timeout is asked for: the agent is wrong */
	case AGENT_NOEXEC:    /* the appliance's own labinit binary did not start */
		break;
	}
	return REMOTE_LAB_ERROR;
}

__attribute__((format(printf, 1, 2))) static int lab_error(const char *fmt, ...)
{
	va_list ap;

	fputs("labctl --lab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return REMOTE_LAB_ERROR;
}

/* Waits (bounded) for the lock beside the socket: one client at a time. */
static int take_lock(const struct remote *r)
{
	uint64_t end = loop_now_ms() + (uint64_t)r->o.wait_s * 1000;
	char path[4200];
	int fd;

	if (labctl_remote_lock_path(r->o.sock, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (loop_now_ms() >= end || stop_signal) {
			close(fd);
			return -EBUSY;
		}
		poll(NULL, 0, REMOTE_TICK_MS);
	}
	return fd;
}

static int connect_sock(struct remote *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int e;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", r->o.sock) >= (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	if ((r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return -errno;
	if (connect(r->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	e = -errno;
	close(r->fd);
	r->fd = -1;
	return e;
}

/* Queues a built frame; 0, or the builder's error. */
static int queue(struct remote *r, int n)
{
	if (n < 0)
		return n;
	r->txlen = (size_t)n;
	r->txoff = 0;
	return 0;
}

/* Sends what it can of the queued frame: 0, or -EPIPE. */
static int flush_tx(struct remote *r)
{
	while (r->txoff < r->txlen) {
		ssize_t w = send(r->fd, r->tx + r->txoff, r->txlen - r->txoff, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -EPIPE;
		r->txoff += (size_t)w;
	}
	r->txlen = r->txoff = 0;
	return 0;
}

/* Reads the socket; 0, or -EPIPE at its end. */
static int fill_rx(struct remote *r)
{
	ssize_t n = recv(r->fd, r->rx + r->rxlen, sizeof(r->rx) - r->rxlen, 0);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return -EPIPE;
	r->rxlen += n > 0 ? (size_t)n : 0;
	return 0;
}

/* The next whole frame into r->msg: 1, 0 for none yet, -EBADMSG. */
static int take_frame(struct remote *r)
{
	long want = agent_frame_len(r->rx, r->rxlen);
	int e;

	if (want < 0)
		return -EBADMSG;
	if (want == 0 || (size_t)want > r->rxlen)
		return 0;
	e = agent_parse(r->rx, (size_t)want, &r->msg);
	memmove(r->rx, r->rx + want, r->rxlen - (size_t)want);
	r->rxlen -= (size_t)want;
	return e < 0 ? e : 1;
}

/* A fresh connection with our HELLO queued: 0 or -errno. */
static int reconnect(struct remote *r)
{
	int e;

	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->rxlen = r->txlen = r->txoff = 0;
	if ((e = connect_sock(r)) < 0)
		return e;
	return queue(r, agent_build_hello(r->tx, sizeof(r->tx), "labctl " LABINIT_VERSION));
}

/* The agent's HELLO into r->version: 1, 0 not yet, or a lab error's
 * status. Frames before it are an earlier client's leftovers. */
static int take_hello(struct remote *r)
{
	int e, v;

	while ((e = take_frame(r)) == 1) {
		if (r->msg.type == AGENT_ERROR)
			return lab_error("the appliance: %s", r->msg.text);
		if (r->msg.type != AGENT_HELLO)
			continue;
		if ((v = agent_session_version(r->msg.version)) < 0)
			return lab_error("the appliance speaks protocol version %u, this labctl %d..%d", r->msg.version,
					 AGENT_VERSION_MIN, AGENT_VERSION);
		r->version = (unsigned)v;
		return -1;
	}
	return e < 0 ? lab_error("the appliance sent a malformed frame") : 0;
}

/* HELLO both ways within the timeout: 0, or the exit status. A silent
 * appliance gets a new connection now and then (REMOTE_RETRY_MS,
 * doubling): QEMU tells the guest that a host is there when a client
 * connects (VIRTIO_CONSOLE_PORT_OPEN), and once, on a loaded machine,
 * the first client of a fresh appliance got no answer for a minute while
 * the next ones did at once. */
static int hello(struct remote *r)
{
	uint64_t now = loop_now_ms(), end = now + (uint64_t)r->o.timeout_s * 1000, retry = now + REMOTE_RETRY_MS;
	unsigned backoff = REMOTE_RETRY_MS;
	int e;

	if ((e = reconnect(r)) < 0)
		return e == -ENOENT || e == -ECONNREFUSED ? lab_error("no appliance on %s (is make run running?)", r->o.sock)
							  : lab_error("cannot connect to %s: %s", r->o.sock, strerror(-e));
	while ((now = loop_now_ms()) < end && !stop_signal) {
		struct pollfd p = { r->fd, (short)(POLLIN | (r->txlen ? POLLOUT : 0)), 0 };

		if ((e = take_hello(r)) != 0)
			return e < 0 ? 0 : e;
		if (now >= retry) {
			backoff *= 2;
			retry = now + backoff;
			(void)reconnect(r);  /* QEMU gone for now: fd -1, tried again at the next retry */
			continue;
		}
		if (poll(&p, 1, REMOTE_TICK_MS) <= 0)
			continue;
		if ((p.revents & POLLOUT && flush_tx(r) < 0) || (p.revents & (POLLIN | POLLHUP) && fill_rx(r) < 0)) {
			close(r->fd);  /* QEMU closed it: the next retry connects again */
			r->fd = -1;
		}
	}
	if (stop_signal)
		return 128 + stop_signal;
	return lab_error("no answer on %s within %u s (still booting? is the control-agent service running? "
			 "--lab-timeout S waits longer)", r->o.sock, r->o.timeout_s);
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno != EINTR && errno != EAGAIN)
			return;  /* our reader is gone: the command goes on */
		if (w < 0)
			poll(&(struct pollfd){ fd, POLLOUT, 0 }, 1, REMOTE_TICK_MS);
		p += w > 0 ? w : 0;
		n -= w > 0 ? (size_t)w : 0;
	}
}

/* One read of our stdin into a STDIN frame; at its end (or an error) the
 * 0-byte STDIN that closes the command's. */
static int forward_stdin(struct remote *r)
{
	static uint8_t buf[AGENT_CHUNK_MAX];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		r->stdin_open = false;
	return queue(r, agent_build_data(r->tx, sizeof(r->tx), AGENT_STDIN, 1, buf, n > 0 ? (size_t)n : 0));
}

/* A frame during the command: 1 done (*code set), 0 go on. */
static int on_frame(struct remote *r, int *code)
{
	switch (r->msg.type) {
	case AGENT_STDOUT:
	case AGENT_STDERR:
		write_all(r->msg.type == AGENT_STDOUT ? STDOUT_FILENO : STDERR_FILENO, r->msg.data, r->msg.data_len);
		return 0;
	case AGENT_EXIT:
		*code = labctl_remote_exit_code(&r->msg);
		if (*code == REMOTE_LAB_ERROR)
			lab_error("labctl did not run on the appliance (%s)",
				  r->msg.exit_kind == AGENT_NOEXEC ? strerror(r->msg.exit_value) : "timed out");
		return 1;
	case AGENT_ERROR:
		*code = lab_error("the appliance refused: %s", r->msg.text);
		return 1;
	default:
		return 0;
	}
}

/* The socket closed before EXIT: what poweroff and reboot are for (PID 1
 * ends the agent, then QEMU ends or restarts), a lab error otherwise. */
static int gone(const struct remote *r)
{
	if (!strcmp(r->o.argv[0], "poweroff") || !strcmp(r->o.argv[0], "reboot")) {
		fprintf(stderr, "labctl --lab: the appliance went away (%s)\n", r->o.argv[0]);
		return 0;
	}
	return lab_error("the appliance went away during \"%s\" (did it power off?)", r->o.argv[0]);
}

/* EXEC, then relay until EXIT. Our stdin is read only when no frame is
 * waiting to go out, so a command that does not read it holds us back,
 * not the appliance. */
static int relay(struct remote *r)
{
	char *argv[AGENT_ARGS_MAX + 1] = { "labctl" };
	int code = REMOTE_LAB_ERROR, e;

	memcpy(argv + 1, r->o.argv, (size_t)r->o.argc * sizeof(*argv));  /* labctl_remote_parse checked argc */
	if ((e = queue(r, agent_build_exec(r->tx, sizeof(r->tx), 1, 0, "", argv, NULL))) < 0)
		return lab_error("the command does not fit a frame: %s", strerror(-e));
	r->stdin_open = r->version >= 2;
	for (;;) {
		struct pollfd p[2] = { { r->fd, (short)(POLLIN | (r->txlen ? POLLOUT : 0)), 0 },
				       { r->stdin_open && !r->txlen ? STDIN_FILENO : -1, POLLIN, 0 } };

		while ((e = take_frame(r)) == 1)
			if (on_frame(r, &code))
				return code;
		if (e < 0)
			return lab_error("the appliance sent a malformed frame");
		if (stop_signal)
			return 128 + stop_signal;
		if (poll(p, 2, REMOTE_TICK_MS) < 0 && errno != EINTR)  /* the tick: a signal just before poll */
			return lab_error("poll: %s", strerror(errno));
		if ((p[0].revents & POLLOUT && flush_tx(r) < 0) || (p[0].revents & (POLLIN | POLLHUP | POLLERR) && fill_rx(r) < 0))
			return gone(r);
		if (p[1].revents && (e = forward_stdin(r)) < 0)
			return lab_error("cannot forward stdin: %s", strerror(-e));
		if (p[1].revents && flush_tx(r) < 0)
			return gone(r);
	}
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int session(struct remote *r)
{
	int code = hello(r);

	if (code == 0)
		code = relay(r);
	if (r->fd >= 0)
		close(r->fd);
	return code;
}

int labctl_remote(int argc, char **argv)
{
	static struct remote r;
	struct termios saved, raw;
	bool tty;
	int lock, code;

	r = (struct remote){ .fd = -1 };
	if (labctl_remote_parse(argc, argv, &r.o) < 0) {
		fprintf(stderr, "usage: labctl --lab SOCKET [--lab-timeout S] [--lab-wait S] COMMAND [ARGS...]\n"
				"  COMMAND runs as labctl on the appliance that make run serves on SOCKET (build/lab.sock);\n"
				"  --lab-timeout: for the connection and the hello (default %d s), --lab-wait: for another\n"
				"  client to finish (default %d s); exit status: the command's, 125 for a lab error\n",
			REMOTE_TIMEOUT_S, REMOTE_WAIT_S);
		return REMOTE_LAB_ERROR;
	}
	catch_signals();
	if ((lock = take_lock(&r)) < 0 && stop_signal)
		return 128 + stop_signal;
	if (lock == -EBUSY)
		return lab_error("another labctl --lab still holds %s.lock after %u s (--lab-wait S)", r.o.sock,
				 r.o.wait_s);
	if (lock < 0)
		return lab_error("cannot take the lock %s.lock: %s", r.o.sock, strerror(-lock));
	tty = r.o.console && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	code = session(&r);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(lock);
	return code;
}
