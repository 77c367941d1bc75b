/* QMP for a memory dump: a conversation that stays open (the dump runs
 * detached and ends with an event), a command that carries a file
 * descriptor (getfd, SCM_RIGHTS: QEMU runs as the guest's unprivileged
 * user under -sandbox and could not open a file in the share itself), and
 * the parsers of the few answers it reads. QEMU's QMP lines are one JSON
 * object each, keys in a fixed order ("return" or "error" first in an
 * answer, "timestamp" then "event" in an event); the parsers look for
 * the keys they need and nothing else. */
#include "guests/qemu/qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* The value after "key": in s (spaces skipped), or NULL. */
static const char *value_of(const char *s, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	if (!(p = strstr(s, k)))
		return NULL;
	for (p += strlen(k); *p == ' '; p++)
		;
	return p;
}

/* The JSON string after "key": into out (escapes kept as written). */
static void string_of(const char *s, const char *key, char *out, size_t size)
{
	const char *p = value_of(s, key);
	size_t o = 0;

	if (p && *p == '"')
		for (p++; *p && *p != '"' && o + 1 < size; p++) {
			if (*p == '\\' && p[1])
				out[o++] = *p++;
			if (o + 1 < size)
				out[o++] = *p;
		}
	if (size)
		out[o] = '\0';
}

void qmp_json_string(const char *line, const char *key, char *out, size_t size)
{
	string_of(line, key, out, size);
}

const char *qmp_dump_pick_format(const char *reply)
{
	const char *f = value_of(reply, "formats"), *end;
	size_t n;

	if (!f || *f != '[' || !(end = strchr(f, ']')))
		return NULL;
	n = (size_t)(end - f);
	if (memmem(f, n, "\"kdump-zlib\"", 12))
		return "kdump-zlib";
	return memmem(f, n, "\"elf\"", 5) ? "elf" : NULL;
}

int qmp_base_memory(const char *reply, unsigned long long *bytes)
{
	const char *p = value_of(reply, "base-memory");
	char *end;

	if (!p || *p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	*bytes = strtoull(p, &end, 10);
	return errno || (*end != ',' && *end != '}' && *end != ' ') ? -EINVAL : 0;
}

int qmp_dump_command(char *buf, size_t size, const char *fdname, const char *format)
{
	int n = snprintf(buf, size,
			 "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":false,"
			 "\"protocol\":\"fd:%s\",\"detach\":true,\"format\":\"%s\"}}\n",
			 fdname, format);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

int qmp_classify(const char *line, char *desc, size_t size)
{
	if (!strncmp(line, "{\"return\"", 9))
		return 'r';
	if (!strncmp(line, "{\"error\"", 8)) {
		string_of(line, "desc", desc, size);
		return 'e';
	}
	return 'v';
}

int qmp_dump_event(const char *line, char *err, size_t size)
{
	char ev[32], status[16];

	string_of(line, "event", ev, sizeof(ev));
	if (strcmp(ev, "DUMP_COMPLETED"))
		return 0;
	string_of(line, "status", status, sizeof(status));
	string_of(line, "error", err, size);
	if (!strcmp(status, "completed") && !err[0])
		return 1;
	if (!err[0])
		snprintf(err, size, "the dump ended with status \"%s\"", status);
	return -EIO;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A complete line from c->buf into line, if there is one. */
static bool take_line(struct qmp_conn *c, char *line, size_t size)
{
	char *nl = memchr(c->buf, '\n', c->len);
	size_t n;

	if (!nl)
		return false;
	n = (size_t)(nl - c->buf) + 1;
	snprintf(line, size, "%.*s", (int)(n > 1 && nl[-1] == '\r' ? n - 2 : n - 1), c->buf);
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	return true;
}

int qmp_read_line(struct qmp_conn *c, char *line, size_t size, int ms)
{
	long long end = now_ms() + ms;

	while (!take_line(c, line, size)) {
		struct pollfd p = { c->fd, POLLIN, 0 };
		long long left = end - now_ms();
		ssize_t n;

		if (c->len == sizeof(c->buf))
			return -EMSGSIZE;  /* a line longer than QMP_LINE_MAX */
		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			return -ETIMEDOUT;
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		c->len += (size_t)n;
	}
	return 0;
}

static int send_cmd(int sock, const char *cmd, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)cmd, strlen(cmd) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *h;

		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)iov.iov_len ? 0 : -errno;
}

int qmp_call(struct qmp_conn *c, const char *cmd, int fd, char *reply, size_t size)
{
	long long end = now_ms() + QMP_REPLY_MS;
	int r;

	if ((r = send_cmd(c->fd, cmd, fd)) < 0)
		return r;
	for (;;) {
		if ((r = qmp_read_line(c, reply, size, (int)(end - now_ms()))) < 0)
			return r;
		switch (qmp_classify(reply, c->error, sizeof(c->error))) {
		case 'r':
			return 0;
		case 'e':
			return -EIO;
		}
	}
}

int qmp_open(struct qmp_conn *c, const char *run_dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[QMP_LINE_MAX];
	int r;

	memset(c, 0, sizeof(*c));
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/qmp.sock", run_dir) >= (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		snprintf(c->error, sizeof(c->error), "connect %s: %s", sa.sun_path, strerror(-r));
	} else if ((r = qmp_read_line(c, line, sizeof(line), QMP_REPLY_MS)) < 0 || !strstr(line, "\"QMP\"")) {
		snprintf(c->error, sizeof(c->error), "no QMP greeting on %s: %s", sa.sun_path,
			 r < 0 ? strerror(-r) : "another line");
		r = r < 0 ? r : -EPROTO;
	} else if ((r = qmp_call(c, "{\"execute\":\"qmp_capabilities\"}\n", -1, line, sizeof(line))) < 0 &&
		   r != -EIO) {
		snprintf(c->error, sizeof(c->error), "qmp_capabilities: %s", strerror(-r));
	}
	if (r < 0)
		qmp_close(c);
	return r;
}

void qmp_close(struct qmp_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
