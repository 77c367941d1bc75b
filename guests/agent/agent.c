/* The guest agent's loop (agent.h). One process, poll over the port and
 * the running command's pipes with a 200 ms tick for its deadline.
 * A session starts with the host's HELLO and ends when the host side of
 * the port closes (the kernel's virtio_console reports POLLHUP and reads
 * return 0 then): a command still running is killed, its output dropped,
 * so a new `labctl run` never reads what an old one left. The port is
 * non-blocking and every write has a bound (WRITE_TIMEOUT_MS). STDIN
 * (version 2) is flow-controlled: while a chunk waits for room in the
 * command's stdin pipe the port is not read, so the host's writes wait
 * in QEMU and the socket, never in an unbounded buffer here. */
#include "guests/agent/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guests/agent/port.h"
#include "guests/agent/proto.h"

#define TICK_MS 200
#define WRITE_TIMEOUT_MS 10000
#define DRAIN_MS 1000   /* output read after the command exits (its children may hold the pipes) */

struct cmd {
	pid_t pid;          /* 0: none */
	uint32_t id;
	int in, out, err;   /* pipes, -1 when closed; in only in a version 2 session */
	uint8_t inbuf[AGENT_CHUNK_MAX];
	size_t inlen;       /* STDIN bytes not yet in the pipe */
	bool in_eof;        /* a 0-byte STDIN came: close in once inlen is 0 */
	uint64_t deadline;  /* ms, 0: none */
	uint64_t reaped_at; /* ms, 0: still running */
	bool timed_out;
	int status, exec_errno;
};

struct agent {
	int port;
	bool session, hup;
	bool control;       /* the appliance's control port: only labctl runs */
	unsigned version;   /* the session's: the lower of both HELLOs */
	uint8_t rx[AGENT_FRAME_MAX];
	size_t rxlen;
	uint8_t tx[AGENT_FRAME_MAX];
	struct agent_msg msg;
	struct cmd cmd;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int agent_find_port(const char *name, int wait_ms, char *path, size_t size)
{
	uint64_t end = now_ms() + (uint64_t)wait_ms;

	do {
		DIR *d = opendir("/sys/class/virtio-ports");
		struct dirent *e;
		bool found = false;

		while (d && !found && (e = readdir(d))) {
			char f[300], got[64] = "";
			FILE *fp;

			if (e->d_name[0] == '.' || snprintf(f, sizeof(f), "/sys/class/virtio-ports/%s/name", e->d_name) >= (int)sizeof(f))
				continue;
			if ((fp = fopen(f, "re"))) {
				if (!fgets(got, sizeof(got), fp))
					got[0] = '\0';
				fclose(fp);
			}
			got[strcspn(got, "\n")] = '\0';
			found = !strcmp(got, name) && snprintf(path, size, "/dev/%s", e->d_name) < (int)size;
		}
		if (d)
			closedir(d);
		if (found && access(path, R_OK | W_OK) == 0)
			return 0;
		poll(NULL, 0, TICK_MS);
	} while (now_ms() < end);
	return -ENOENT;
}

/* Writes the whole frame or fails (-EPIPE: the host went away; -ETIMEDOUT). */
static int send_frame(struct agent *a, int n)
{
	uint64_t end = now_ms() + WRITE_TIMEOUT_MS;
	size_t done = 0;

	if (n < 0)
		return n;
	while (done < (size_t)n) {
		struct pollfd p = { a->port, POLLOUT, 0 };
		ssize_t w = write(a->port, a->tx + done, (size_t)n - done);

		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		if (poll(&p, 1, TICK_MS) > 0 && (p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLOUT))
			return -EPIPE;
	}
	return 0;
}

static void send_error(struct agent *a, uint32_t id, const char *text)
{
	(void)send_frame(a, agent_build_error(a->tx, sizeof(a->tx), id, text));
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_stdin(struct cmd *c)
{
	close_fd(&c->in);
	c->inlen = 0;
	c->in_eof = false;
}

/* Ends the command (its whole process group) and drops its output. */
static void kill_cmd(struct agent *a)
{
	if (a->cmd.pid > 0 && !a->cmd.reaped_at) {
		kill(-a->cmd.pid, SIGKILL);
		waitpid(a->cmd.pid, NULL, 0);
	}
	close_stdin(&a->cmd);
	close_fd(&a->cmd.out);
	close_fd(&a->cmd.err);
	a->cmd.pid = 0;
}

/* The host went away: end the command, forget the session. */
static void end_session(struct agent *a)
{
	kill_cmd(a);
	a->session = false;
	a->rxlen = 0;
}

const char *agent_control_refusal(const struct agent_msg *m)
{
	if (m->argc < 1 || strcmp(m->argv[0], "labctl"))
		return "control port: only labctl runs here";
	if (m->envc)
		return "control port: no environment entries";
	if (m->cwd[0] && strcmp(m->cwd, "/"))
		return "control port: no working directory";
	return NULL;
}

/* In the child: its own session and process group (a timeout kills the
 * group), stdin from the pipe in (version 2) or /dev/null, the pipes as
 * stdout and stderr. On the control port the command is this binary
 * under the name labctl (init/cmd/main.c dispatches on it), not a PATH
 * search. Reports an exec failure's errno through the close-on-exec pipe
 * ep. */
static void child(bool control, const struct agent_msg *m, int in, int out, int err, int ep)
{
	sigset_t none;

	if (in < 0)
		in = open("/dev/null", O_RDONLY);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setsid();
	if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 || chdir(m->cwd[0] ? m->cwd : "/") < 0)
		goto fail;
	for (unsigned i = 0; i < m->envc; i++)
		putenv(m->env[i]);
	if (control)
		execv("/proc/self/exe", m->argv);
	else
		execvp(m->argv[0], m->argv);
fail:
	(void)!write(ep, &errno, sizeof(errno));
	_exit(127);
}

static int start(struct agent *a, const struct agent_msg *m)
{
	int pi[2] = { -1, -1 }, po[2] = { -1, -1 }, pe[2] = { -1, -1 }, ep[2] = { -1, -1 }, e = 0;
	pid_t pid = -1;

	if ((a->version >= 2 && pipe2(pi, O_CLOEXEC) < 0) || pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
	    pipe2(ep, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		e = -errno;
		for (int i = 0; i < 2; i++)
			close_fd(&pi[i]), close_fd(&po[i]), close_fd(&pe[i]), close_fd(&ep[i]);
		return e;
	}
	if (pid == 0)
		child(a->control, m, pi[0], po[1], pe[1], ep[1]);
	close_fd(&pi[0]), close(po[1]), close(pe[1]), close(ep[1]);
	if (read(ep[0], &e, sizeof(e)) != sizeof(e))
		e = 0;
	close(ep[0]);
	if (pi[1] >= 0)
		fcntl(pi[1], F_SETFL, O_NONBLOCK);
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	a->cmd = (struct cmd){ .pid = pid, .id = m->id, .in = pi[1], .out = po[0], .err = pe[0], .exec_errno = e };
	a->cmd.deadline = m->timeout_s ? now_ms() + (uint64_t)m->timeout_s * 1000 : 0;
	return 0;
}

/* Moves pending STDIN bytes into the pipe; closes it after a 0-byte
 * STDIN once all are in, or when the command closed its end (EPIPE). */
static void feed_stdin(struct cmd *c)
{
	while (c->in >= 0 && c->inlen > 0) {
		ssize_t w = write(c->in, c->inbuf, c->inlen);

		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (w <= 0)
			return close_stdin(c);
		memmove(c->inbuf, c->inbuf + w, c->inlen - (size_t)w);
		c->inlen -= (size_t)w;
	}
	if (c->in_eof)
		close_stdin(c);
}

/* STDIN for the running command; dropped when it is for no command (one
 * that just ended) or its stdin is already closed. */
static void handle_stdin(struct agent *a, const struct agent_msg *m)
{
	struct cmd *c = &a->cmd;

	if (!a->session || a->version < 2 || !c->pid || m->id != c->id || c->in < 0)
		return;
	memcpy(c->inbuf + c->inlen, m->data, m->data_len);  /* inlen is 0: read_frames waits while it is not */
	c->inlen += m->data_len;
	c->in_eof = m->data_len == 0;
	feed_stdin(c);
}

static void handle_exec(struct agent *a, const struct agent_msg *m)
{
	const char *why;
	int r;

	if (!a->session)
		return send_error(a, m->id, "exec before hello");
	if (a->cmd.pid)
		return send_error(a, m->id, "busy: one command at a time");
	if (a->control && (why = agent_control_refusal(m)))
		return send_error(a, m->id, why);
	if ((r = start(a, m)) < 0)
		return send_error(a, m->id, strerror(-r));
}

static void handle(struct agent *a, const struct agent_msg *m)
{
	struct utsname u;
	char info[AGENT_TEXT_MAX + 64];  /* cut to AGENT_TEXT_MAX below */
	int v;

	switch (m->type) {
	case AGENT_HELLO:
		kill_cmd(a);  /* a new host: the old one's command has no reader */
		a->session = false;
		if ((v = agent_session_version(m->version)) < 0) {
			snprintf(info, sizeof(info), "protocol version %u: this agent speaks %d..%d", m->version,
				 AGENT_VERSION_MIN, AGENT_VERSION);
			return send_error(a, 0, info);
		}
		a->version = (unsigned)v;
		uname(&u);
		snprintf(info, sizeof(info), "labinit %s; %s %s %s; %s", LABINIT_VERSION, u.sysname, u.release, u.machine,
			 u.nodename);
		info[AGENT_TEXT_MAX] = '\0';
		a->session = send_frame(a, agent_build_hello(a->tx, sizeof(a->tx), info)) == 0;
		return;
	case AGENT_EXEC:
		return handle_exec(a, m);
	case AGENT_STDIN:
		return handle_stdin(a, m);
	default:
		return send_error(a, m->id, "unexpected message type");
	}
}

/* Handles the whole frames received, stopping while STDIN bytes wait for
 * room in the command's pipe (they are read again after feed_stdin). */
static void read_frames(struct agent *a)
{
	long want;
	bool bad = false;

	while (!a->cmd.inlen && (want = agent_frame_len(a->rx, a->rxlen)) > 0 && (size_t)want <= a->rxlen) {
		if ((bad = agent_parse(a->rx, (size_t)want, &a->msg) < 0)) {
			send_error(a, 0, "malformed frame");
			break;
		}
		memmove(a->rx, a->rx + want, a->rxlen - (size_t)want);  /* msg is a copy */
		a->rxlen -= (size_t)want;
		handle(a, &a->msg);
	}
	if (bad || agent_frame_len(a->rx, a->rxlen) < 0) {  /* no way to find the next frame: start over */
		send_error(a, 0, "malformed frame header");
		end_session(a);
	}
}

/* Reads what the port has; 0, or -EPIPE when the host side is closed. */
static int read_port(struct agent *a)
{
	ssize_t n = read(a->port, a->rx + a->rxlen, sizeof(a->rx) - a->rxlen);

	if (n == 0)
		return -EPIPE;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	a->rxlen += (size_t)n;
	read_frames(a);
	return 0;
}

/* Forwards what a pipe has as STDOUT/STDERR frames; closes it at EOF. */
static int pump(struct agent *a, int *fd, enum agent_type type)
{
	uint8_t buf[AGENT_CHUNK_MAX];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		close_fd(fd);
		return 0;
	}
	return send_frame(a, agent_build_data(a->tx, sizeof(a->tx), type, a->cmd.id, buf, (size_t)n));
}

/* Deadline, reaping, and the EXIT frame once the command is done. */
static int tend(struct agent *a)
{
	struct cmd *c = &a->cmd;
	uint64_t now = now_ms();
	enum agent_exit_kind kind;
	int32_t value;

	if (!c->pid)
		return 0;
	if (c->deadline && now >= c->deadline && !c->timed_out && !c->reaped_at) {
		kill(-c->pid, SIGKILL);
		c->timed_out = true;
	}
	if (!c->reaped_at && waitpid(c->pid, &c->status, WNOHANG) == c->pid) {
		c->reaped_at = now;
		close_stdin(c);  /* no reader left: pending bytes go, the port is read again */
	}
	if (!c->reaped_at || ((c->out >= 0 || c->err >= 0) && now < c->reaped_at + DRAIN_MS))
		return 0;
	close_fd(&c->out);
	close_fd(&c->err);
	if (c->timed_out)
		kind = AGENT_TIMEDOUT, value = 0;
	else if (c->exec_errno)
		kind = AGENT_NOEXEC, value = c->exec_errno;
	else if (WIFSIGNALED(c->status))
		kind = AGENT_SIGNALED, value = WTERMSIG(c->status);
	else
		kind = AGENT_EXITED, value = WEXITSTATUS(c->status);
	c->pid = 0;
	return send_frame(a, agent_build_exit(a->tx, sizeof(a->tx), c->id, kind, value));
}

static int step(struct agent *a)
{
	struct pollfd p[4] = { { a->hup ? -1 : a->port, (short)(a->cmd.inlen ? 0 : POLLIN), 0 },
			       { a->cmd.out, POLLIN, 0 },
			       { a->cmd.err, POLLIN, 0 },
			       { a->cmd.inlen ? a->cmd.in : -1, POLLOUT, 0 } };
	int r = 0;

	if (poll(p, 4, TICK_MS) < 0 && errno != EINTR)
		return -errno;
	if (p[3].revents) {
		feed_stdin(&a->cmd);
		read_frames(a);  /* what waited behind the chunk */
	}
	a->hup = false;
	if (p[0].revents & POLLIN)
		r = read_port(a);
	else if (p[0].revents & (POLLHUP | POLLERR))
		r = -EPIPE;
	if (r == 0 && p[1].revents)
		r = pump(a, &a->cmd.out, AGENT_STDOUT);
	if (r == 0 && p[2].revents)
		r = pump(a, &a->cmd.err, AGENT_STDERR);
	if (r == 0 && (r = tend(a)) == 0 && !a->cmd.inlen && a->rxlen)
		read_frames(a);
	if (r == -EPIPE || r == -ETIMEDOUT) {  /* the host is gone: wait for the next */
		if (a->session || a->cmd.pid)
			end_session(a);
		a->hup = true;
		r = 0;
	}
	return r;
}

static int serve(const char *path, bool control)
{
	static struct agent a;
	int r;

	a.port = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (a.port < 0)
		return -errno;
	if ((r = agent_port_setup(a.port)) < 0) {
		close(a.port);
		return r;
	}
	a.control = control;
	a.cmd.in = a.cmd.out = a.cmd.err = -1;
	signal(SIGPIPE, SIG_IGN);
	while ((r = step(&a)) == 0)
		;
	close(a.port);
	return r;
}

int agent_serve(const char *path)
{
	return serve(path, false);
}

int agent_serve_control(const char *path)
{
	return serve(path, true);
}
