/* The console logger process (`labinit conlog RUN_DIR`): reads the FIFO
 * QEMU logs the serial console into and hands what comes to conlog_feed,
 * whose sink writes RUN_DIR's files. See conlog.h for why it exists. With
 * a console to serve (UML's), it also relays it (relay.h). With a crash
 * directory, the same output goes through crash triage (guests/triage/),
 * whose reports are filed there: the logger is the one process that sees
 * every byte a guest prints, as it prints it. */
#include "guests/conlog/conlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "guests/conlog/relay.h"
#include "guests/triage/store.h"
#include "guests/triage/triage.h"
#include "lib/core/daemon.h"
#include "lib/core/log.h"
#include "lib/core/writefile.h"

/* Room for a burst while the logger waits for the CPU: QEMU's log write
 * blocks when the pipe is full. 1 MiB is the kernel's default
 * pipe-max-size; a smaller pipe (the call refused) still works. */
#define PIPE_SIZE (1 << 20)
#define FILE_MODE 0644
/* Room the logger leaves free in its filesystem (/run) for the lease file
 * and the sockets: below it, output is dropped (counted and reported),
 * whatever CONFIG_CONSOLE_LOG_SIZE times the number of guests comes to. */
#define RESERVE_BYTES (4u << 20)
/* A report without an end marker (lockdep, a hung task) that is followed
 * by silence ends after this long: the kernel prints a report in one go. */
#define TRIAGE_QUIET_MS 5000

struct logger {
	struct daemon d;
	const char *run_dir;
	int dirfd, fifo, log_fd, oops_fd;
	int last_err;              /* the last error reported, to say each once */
	struct conlog c;
	struct conlog_sink sink;
	struct conlog_relay relay;
	/* crash triage, when it has a directory */
	bool triage_on;
	int triage_err;            /* the last store error reported */
	struct triage tr;
	struct triage_store store;
	struct loop_timer quiet;
};

static int open_in(struct logger *l, const char *name, int flags)
{
	int fd = openat(l->dirfd, name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | flags, FILE_MODE);

	return fd < 0 ? -errno : fd;
}

/* Writes unless /run would be left with less than RESERVE_BYTES. */
static int write_reserved(int fd, const char *buf, size_t len)
{
	struct statvfs sv;

	if (fstatvfs(fd, &sv) == 0 && (unsigned long long)sv.f_bavail * sv.f_frsize < RESERVE_BYTES + len)
		return -ENOSPC;
	return write_all(fd, buf, len);
}

static int sink_log(void *ctx, const char *buf, size_t len)
{
	struct logger *l = ctx;

	if (l->log_fd < 0 && (l->log_fd = open_in(l, CONLOG_LOG, 0)) < 0)
		return l->log_fd;
	return write_reserved(l->log_fd, buf, len);
}

/* A rename, so a reader holding the old file reads on undisturbed. A
 * console.log already gone (an earlier rotation failed after its rename)
 * is no error. */
static int sink_rotate(void *ctx)
{
	struct logger *l = ctx;

	if (renameat(l->dirfd, CONLOG_LOG, l->dirfd, CONLOG_OLD) < 0 && errno != ENOENT)
		return -errno;
	if (l->log_fd >= 0)
		close(l->log_fd);
	l->log_fd = open_in(l, CONLOG_LOG, O_TRUNC);
	return l->log_fd < 0 ? l->log_fd : 0;
}

static int sink_oops(void *ctx, const char *buf, size_t len)
{
	struct logger *l = ctx;

	if (l->oops_fd < 0 && (l->oops_fd = open_in(l, CONLOG_OOPS, 0)) < 0)
		return l->oops_fd;
	return write_reserved(l->oops_fd, buf, len);
}

/* Each new error once (a full /run would otherwise flood PID 1's console),
 * with the bytes dropped so far; and when writing works again. */
static void report(struct logger *l, int r)
{
	if (r < 0 && r != l->last_err)
		log_err("conlog %s: %s; console output dropped (%llu bytes so far)", l->run_dir, strerror(-r),
			(unsigned long long)l->c.dropped);
	else if (r == 0 && l->last_err)
		log_info("conlog %s: writing again (%llu bytes were dropped)", l->run_dir,
			 (unsigned long long)l->c.dropped);
	l->last_err = r;
}

/* A report triage cut out: filed, each new store error said once. */
static void on_report(void *ctx, const struct triage_report *r)
{
	struct logger *l = ctx;
	int e = triage_store_add(&l->store, r, time(NULL));

	if (e == 0)
		log_info("conlog %s: crash report: %s \"%s\" (%s)", l->run_dir, triage_kind_name(r->kind), r->title,
			 r->fingerprint);
	else if (e != l->triage_err)
		log_err("conlog %s: filing the crash report \"%s\": %s", l->run_dir, r->title, strerror(-e));
	l->triage_err = e;
}

static void on_quiet(struct loop *lp, struct loop_timer *t)
{
	(void)lp;
	triage_flush(&((struct logger *)t->data)->tr);
}

/* The console's bytes, to the log and to crash triage. */
static void feed(struct logger *l, const char *buf, size_t len)
{
	report(l, conlog_feed(&l->c, buf, len, &l->sink));
	if (!l->triage_on)
		return;
	triage_feed(&l->tr, buf, len);
	if (l->tr.open)
		(void)loop_timer_arm(&l->d.loop, &l->quiet, loop_now_ms() + TRIAGE_QUIET_MS);
	else
		loop_timer_cancel(&l->d.loop, &l->quiet);
}

static void drain(struct logger *l)
{
	static char buf[65536];
	ssize_t n;

	while ((n = read(l->fifo, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			feed(l, buf, (size_t)n);
}

/* What the served console printed. */
static void on_console(void *ctx, const char *buf, size_t len)
{
	feed(ctx, buf, len);
}

static void on_fifo(struct loop *lp, int fd, uint32_t events, void *data)
{
	(void)lp;
	(void)fd;
	(void)events;
	drain(data);
}

/* Read-write: QEMU's open for writing never waits once we run, and QEMU
 * closing it (a guest reboot ends QEMU) is no end of file for us. */
static int open_fifo(struct logger *l)
{
	struct stat st;

	if (mkfifoat(l->dirfd, CONLOG_FIFO, 0600) < 0 && errno != EEXIST)
		return -errno;
	if ((l->fifo = openat(l->dirfd, CONLOG_FIFO, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(l->fifo, &st) < 0 || !S_ISFIFO(st.st_mode))
		return -EEXIST;
	(void)fcntl(l->fifo, F_SETPIPE_SZ, PIPE_SIZE);
	return 0;
}

/* What a restarted logger finds: the log's length, a kept crash report. */
static void resume(struct logger *l, size_t bound)
{
	struct stat st;
	size_t log_len = 0, oops_len = 0;

	if (fstatat(l->dirfd, CONLOG_LOG, &st, 0) == 0)
		log_len = (size_t)st.st_size;
	if (fstatat(l->dirfd, CONLOG_OOPS, &st, 0) == 0)
		oops_len = (size_t)st.st_size;
	conlog_init(&l->c, bound, log_len, oops_len);
}

/* Crash triage into crash_dir; without it (an error said) the log goes on. */
static void setup_triage(struct logger *l, const char *crash_dir, const char *vmlinux)
{
	const char *name = strrchr(l->run_dir, '/');
	int r;

	if (!crash_dir)
		return;
	if ((r = triage_store_open(&l->store, crash_dir, name ? name + 1 : l->run_dir, vmlinux)) < 0) {
		log_err("conlog %s: crash directory %s: %s; crash reports are not filed", l->run_dir, crash_dir,
			strerror(-r));
		return;
	}
	triage_init(&l->tr, on_report, l);
	l->quiet = (struct loop_timer){ .fn = on_quiet, .data = l };
	l->triage_on = true;
}

static int setup(struct logger *l, size_t bound, int console_fd)
{
	int r;

	if ((l->dirfd = open(l->run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if ((r = open_fifo(l)) < 0)
		return r;
	resume(l, bound);
	if ((r = daemon_init(&l->d)) < 0)
		return r;
	if ((r = loop_add(&l->d.loop, l->fifo, EPOLLIN, on_fifo, l)) < 0 || console_fd < 0)
		return r;
	l->relay.output = on_console;
	l->relay.ctx = l;
	return conlog_relay_start(&l->relay, &l->d.loop, l->run_dir, console_fd);
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

int conlog_run(const char *run_dir, size_t bound, int console_fd, const char *crash_dir, const char *vmlinux)
{
	static struct logger l;
	int r;

	log_set_prefix("labinit-conlog");
	memset(&l, 0, sizeof(l));
	l.run_dir = run_dir;
	l.dirfd = l.fifo = l.log_fd = l.oops_fd = l.d.sigfd = -1;
	l.relay.listen_fd = l.relay.client_fd = -1;
	l.sink = (struct conlog_sink){ sink_log, sink_rotate, sink_oops, &l };
	l.store.dirfd = -1;
	if ((r = setup(&l, bound, console_fd)) < 0) {
		log_err("conlog %s: %s; the guest's console is not logged", run_dir, strerror(-r));
	} else {
		setup_triage(&l, crash_dir, vmlinux);
		if ((r = daemon_run(&l.d)) == 0)
			drain(&l); /* what QEMU wrote before its stop */
	}
	if (l.triage_on)
		triage_flush(&l.tr); /* a report the stop cut short */
	triage_store_close(&l.store);
	conlog_relay_close(&l.relay);
	daemon_close(&l.d);
	close_fd(l.fifo);
	close_fd(l.log_fd);
	close_fd(l.oops_fd);
	close_fd(l.dirfd);
	return r < 0;
}
