/* `labctl dump GUEST [--out FILE] [--timeout S]`: the guest's memory as a
 * kdump-compressed file (ELF where QEMU offers no kdump) in the debug
 * share, SHARE/dumps/GUEST-TIME.kdump, for crash or drgn.
 * labctl speaks QMP to the guest's qmp.sock itself rather than asking PID
 * 1: a dump takes seconds to minutes and PID 1 runs one event loop that
 * must not wait on it, labctl runs on the appliance as root (as `console`
 * and `crashes`, it reaches the guest's files directly), and PID 1 holds
 * no policy. QEMU gets the write end of a pipe (getfd, SCM_RIGHTS): it runs
 * as the guest's own user under -sandbox and opens nothing in the share.
 * labctl reads the pipe, turns QEMU's flattened kdump stream back into a
 * real kdump file (guests/qemu/kdump_flat.h) and waits for DUMP_COMPLETED,
 * all bounded by a timeout that grows with the guest's memory. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guests/qemu/kdump_flat.h"
#include "guests/qemu/qmp.h"
#include "init/labctl/labctl_priv.h"

#define FDNAME          "labdump"
#define PIPE_SIZE       (1 << 20)
#define BASE_TIMEOUT_S  30        /* plus 1 s per 4 MiB of guest memory (TCG, zlib) */
#define MAX_TIMEOUT_S   3600

struct job {
	const char *name, *format;
	int out, in;              /* the file; the pipe's read end */
	bool kdump, eof, ended;
	struct qemu_kdump flat;
	unsigned long long raw, mem;
	char path[512], err[640];
};

static int usage(void)
{
	fprintf(stderr, "usage: labctl dump GUEST [--out FILE] [--timeout S]\n");
	return 2;
}

static int put(void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
	struct job *j = ctx;

	while (n) {
		ssize_t w = pwrite(j->out, p, n, (off_t)off);

		if (w < 0)
			return -errno;
		p += w;
		off += (uint64_t)w;
		n -= (size_t)w;
	}
	return 0;
}

/* What the pipe has: into the file (reassembled for kdump). */
static int drain(struct job *j)
{
	static uint8_t buf[1 << 16];
	ssize_t n = read(j->in, buf, sizeof(buf));
	int r;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0) {
		j->eof = true;
		return 0;
	}
	if (j->kdump) {
		r = qemu_kdump_feed(&j->flat, buf, (size_t)n, put, j);
		if (r == -EINVAL)
			snprintf(j->err, sizeof(j->err), "QEMU's kdump stream: %s", j->flat.why);
	} else {
		r = put(j, j->raw, buf, (size_t)n);
	}
	j->raw += (unsigned long long)n;
	return r;
}

/* Pipe and QMP until the pipe ends and DUMP_COMPLETED came, or timeout_s. */
static int wait_dump(struct job *j, struct qmp_conn *c, unsigned timeout_s)
{
	struct timespec now;
	time_t end;
	char line[QMP_LINE_MAX];
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	end = now.tv_sec + (time_t)timeout_s;
	while (r == 0 && !(j->eof && j->ended)) {
		struct pollfd p[2] = { { j->eof ? -1 : j->in, POLLIN, 0 }, { c->fd, POLLIN, 0 } };

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= end) {
			/* The pipe closes with us: QEMU's next write fails, which
			 * ends its dump and resumes the guest. */
			snprintf(j->err, sizeof(j->err), "not done after %u s (%llu bytes from QEMU so far); "
				 "given up, the guest resumes", timeout_s, j->raw);
			return -ETIMEDOUT;
		}
		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			return -errno;
		if (p[0].revents)
			r = drain(j);
		if (r == 0 && (p[1].revents || c->len) && (r = qmp_read_line(c, line, sizeof(line), 1000)) == 0) {
			r = qmp_dump_event(line, j->err, sizeof(j->err));
			j->ended = j->ended || r == 1;
			r = r < 0 ? r : 0;
		}
	}
	if (r == 0 && j->kdump && !qemu_kdump_done(&j->flat)) {
		snprintf(j->err, sizeof(j->err), "QEMU's kdump stream ended without its end record");
		return -EPROTO;
	}
	return r;
}

/* Format, memory size and the timeout, asked of QEMU. */
static int ask(struct job *j, struct qmp_conn *c, unsigned *timeout_s)
{
	char reply[QMP_LINE_MAX];
	int r;

	if ((r = qmp_call(c, "{\"execute\":\"query-dump-guest-memory-capability\"}\n", -1, reply, sizeof(reply))) < 0)
		return snprintf(j->err, sizeof(j->err), "query-dump-guest-memory-capability: %s",
				r == -EIO ? c->error : strerror(-r)), r;
	if (!(j->format = qmp_dump_pick_format(reply)))
		return snprintf(j->err, sizeof(j->err), "QEMU offers neither kdump-zlib nor elf: %.160s", reply),
		       -ENOTSUP;
	j->kdump = strcmp(j->format, "elf") != 0;
	if ((r = qmp_call(c, "{\"execute\":\"query-memory-size-summary\"}\n", -1, reply, sizeof(reply))) < 0 ||
	    (r = qmp_base_memory(reply, &j->mem)) < 0)
		return snprintf(j->err, sizeof(j->err), "query-memory-size-summary: %s",
				r == -EIO ? c->error : "no base-memory"), r;
	if (!*timeout_s)
		*timeout_s = (unsigned)(BASE_TIMEOUT_S + (j->mem >> 22));
	return 0;
}

/* The pipe, its write end handed to QEMU, the detached dump started. */
static int start(struct job *j, struct qmp_conn *c)
{
	char cmd[256], reply[QMP_LINE_MAX];
	int p[2], r;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return snprintf(j->err, sizeof(j->err), "pipe: %s", strerror(errno)), -errno;
	fcntl(p[1], F_SETFL, 0);    /* QEMU's dump thread writes blocking */
	fcntl(p[0], F_SETPIPE_SZ, PIPE_SIZE);
	j->in = p[0];
	r = qmp_call(c, "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"" FDNAME "\"}}\n", p[1], reply,
		     sizeof(reply));
	close(p[1]);                /* QEMU holds its own copy now: EOF when it closes it */
	if (r < 0)
		return snprintf(j->err, sizeof(j->err), "getfd: %s", r == -EIO ? c->error : strerror(-r)), r;
	qmp_dump_command(cmd, sizeof(cmd), FDNAME, j->format);
	if ((r = qmp_call(c, cmd, -1, reply, sizeof(reply))) < 0)
		return snprintf(j->err, sizeof(j->err), "dump-guest-memory: %s", r == -EIO ? c->error : strerror(-r)),
		       r;
	return 0;
}

/* SHARE/dumps/GUEST-TIME.EXT, created new. */
static int open_out(struct job *j, const char *share, const char *out)
{
	char dir[300], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!out) {
		if (!share[0])
			return snprintf(j->err, sizeof(j->err), "PID 1 names no debug share (SHARE_DIR): give --out FILE"),
			       -ENOENT;
		snprintf(dir, sizeof(dir), "%s/dumps", share);
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return snprintf(j->err, sizeof(j->err), "mkdir %s: %s", dir, strerror(errno)), -errno;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(j->path, sizeof(j->path), "%s/%s-%s.%s", dir, j->name, stamp, j->kdump ? "kdump" : "elf");
	} else {
		snprintf(j->path, sizeof(j->path), "%s", out);
	}
	if ((j->out = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640)) < 0)
		return snprintf(j->err, sizeof(j->err), "create %s: %s", j->path, strerror(errno)), -errno;
	return 0;
}

static int dump(struct job *j, const struct labctl_lab *lab, const struct labctl_guest *g, const char *out,
		unsigned timeout_s)
{
	static struct qmp_conn c;
	struct timespec t0, t1;
	int r;

	if ((r = qmp_open(&c, g->run_dir)) < 0)
		return snprintf(j->err, sizeof(j->err), "QMP: %s", c.error), r;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((r = ask(j, &c, &timeout_s)) == 0 && (r = open_out(j, lab->share_dir, out)) == 0 &&
	    (r = start(j, &c)) == 0 && (r = wait_dump(j, &c, timeout_s)) == 0 && fsync(j->out) < 0)
		r = -errno, snprintf(j->err, sizeof(j->err), "fsync %s: %s", j->path, strerror(-r));
	qmp_close(&c);
	if (j->out >= 0 && r < 0)
		unlink(j->path);
	if (r == 0) {
		struct stat st;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		fstat(j->out, &st);
		fprintf(stderr, "labctl dump: %s: %lld bytes (%s) of a %llu MiB guest in %.1f s\n", j->name,
			(long long)st.st_size, j->format, j->mem >> 20,
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		printf("%s\n", j->path);
	}
	return r;
}

static int parse_timeout(const char *s, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s < '1' || *s > '9' || *end || v > MAX_TIMEOUT_S)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

int labctl_dump(const char *path, int argc, char **argv)
{
	static struct labctl_lab lab;
	struct job j = { .out = -1, .in = -1 };
	const char *out = NULL;
	unsigned timeout_s = 0;
	const struct labctl_guest *g = NULL;
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (parse_timeout(argv[++i], &timeout_s) < 0)
				return fprintf(stderr, "labctl dump: --timeout %s: 1 to %u seconds\n", argv[i],
					       MAX_TIMEOUT_S), 2;
		} else if (!j.name && argv[i][0] != '-')
			j.name = argv[i];
		else
			return usage();
	}
	if (!j.name)
		return usage();
	if (labctl_lab(path, &lab))
		return 1;
	for (unsigned i = 0; i < lab.nguests; i++)
		if (!strcmp(lab.guests[i].name, j.name))
			g = &lab.guests[i];
	if (!g || g->uml || !g->pid) {
		fprintf(stderr, "labctl dump: %s: %s\n", j.name,
			!g ? "no such guest in this profile" : g->uml ? "a UML guest: no QMP, no dump" : "not running");
		return 1;
	}
	j.name = g->name;
	r = dump(&j, &lab, g, out, timeout_s);
	if (j.in >= 0)
		close(j.in);
	if (j.out >= 0)
		close(j.out);
	if (r < 0)
		fprintf(stderr, "labctl dump: %s: %s\n", j.name, j.err[0] ? j.err : strerror(-r));
	return r < 0;
}
