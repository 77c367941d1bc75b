/* A guest's console log kept under a bound (issue 12, defect 5): the log
 * is rotated at the bound keeping its tail (console.log, console.log.1),
 * and the first crash report is kept apart (console.oops) so no amount of
 * output after it rotates it away.
 *
 * Why a logger process at all: QEMU's chardev logfile= appends for ever
 * and cannot rotate, and /run is RAM. So QEMU's logfile= is a FIFO in the
 * guest's run directory (console.fifo), and `labinit conlog RUN_DIR` (a
 * service PID 1 supervises, started before its guest; conlog_run below)
 * reads it and owns the files. PID 1 does no file I/O for it. The console
 * socket is untouched: QEMU writes the log beside it, so `labctl console`
 * works whatever the logger does. The logger holds the FIFO open
 * read-write, so QEMU's open of it never waits once the logger runs and a
 * QEMU restart is no end of file; if the logger dies QEMU's log writes
 * fail with EPIPE (QEMU ignores SIGPIPE), the guest runs on and what it
 * prints meanwhile is not logged, until PID 1 restarts the logger on the
 * same FIFO (tests/guests/test_conlog_guest.sh kills it mid-flood). The
 * costs: a QEMU (re)started while its logger is down waits in its open of
 * the FIFO until the logger is back, and a logger that cannot keep up
 * slows QEMU's console writes, which block on a full pipe; the logger
 * takes ~100 MB/s here, a guest's 16550 under TCG gives ~100 KB/s.
 *
 * The rotation and the crash keeping are a pure core (conlog_feed) that
 * writes through a sink, so unit tests drive it without files. */
#ifndef LAB_CONLOG_H
#define LAB_CONLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONLOG_FIFO "console.fifo"
#define CONLOG_LOG "console.log"
#define CONLOG_OLD "console.log.1"
#define CONLOG_OOPS "console.oops"
/* The head of a line that is searched for a crash marker: the kernel
 * prints them within the first few dozen bytes ("[   12.3] BUG: ..."). */
#define CONLOG_LINE_MAX 256

struct conlog_sink {
	/* Each returns 0 or -errno; write_* write all of buf or fail. */
	int (*write_log)(void *ctx, const char *buf, size_t len);
	int (*rotate)(void *ctx);  /* console.log becomes console.log.1; a new, empty console.log */
	int (*write_oops)(void *ctx, const char *buf, size_t len);
	void *ctx;
};

enum conlog_oops_state { CONLOG_OOPS_LOOKING, CONLOG_OOPS_KEEPING, CONLOG_OOPS_KEPT };

struct conlog {
	size_t file_max;           /* console.log and console.log.1, each */
	size_t oops_max;           /* console.oops */
	size_t log_len, oops_len;  /* what the files hold */
	enum conlog_oops_state oops;
	char line[CONLOG_LINE_MAX];
	size_t line_len;
	bool skip_line;            /* the rest of a line longer than CONLOG_LINE_MAX */
	uint64_t dropped;          /* bytes a sink refused (ENOSPC, ...) */
};

/* bound: bytes for all three files together; an eighth goes to the crash
 * report, the rest is split between console.log and console.log.1.
 * log_len and oops_len: what the files hold already (a restarted logger);
 * a kept crash report is not replaced. */
void conlog_init(struct conlog *c, size_t bound, size_t log_len, size_t oops_len);
/* Logs len bytes of console output. Returns 0, or the first error of a
 * sink; the bytes it refused are counted in c->dropped, and the files
 * never grow past their bound, whatever fails. */
int conlog_feed(struct conlog *c, const char *buf, size_t len, const struct conlog_sink *s);
/* The first crash marker (a panic, an oops, a BUG or a WARNING, as
 * the kernel prints them) in buf, or NULL. labctl uses the same table. */
const char *conlog_find_marker(const char *buf, size_t len);

/* The logger: reads RUN_DIR/console.fifo (made if missing) until SIGTERM,
 * into RUN_DIR's files under bound bytes; with console_fd >= 0 (a UML
 * guest's console) also that, served on RUN_DIR/console.sock
 * (guests/conlog/relay.h). With crash_dir, the output is also scanned for
 * crash reports, filed there (guests/triage/: crash triage, issue 16;
 * vmlinux, the guest's kernel or NULL, decodes their frames). Returns the
 * exit status. */
int conlog_run(const char *run_dir, size_t bound, int console_fd, const char *crash_dir, const char *vmlinux);

#endif
