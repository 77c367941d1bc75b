/* Console logging. Writes whole lines with one write(2) so lines from PID 1
 * and its children do not interleave mid-line on the console. */
#include "lib/core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int log_level = LOG_LVL_INFO;
static const char *log_prefix = "labinit";
static bool log_nb, log_nb_poll;
static unsigned long log_ndropped, log_unreported;

void log_set_level(int level)
{
	log_level = level;
}

void log_set_prefix(const char *prefix)
{
	log_prefix = prefix;
}

/* CLOCK_BOOTTIME: seconds since the kernel started, the scale of dmesg. */
double log_uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *level_tag(int level)
{
	if (level <= LOG_LVL_ERR)
		return "error: ";
	if (level == LOG_LVL_WARN)
		return "warning: ";
	return "";
}

/* Not fcntl(2, F_SETFL, O_NONBLOCK): fd 2 shares its open file
 * description with PID 1 and every other service on the console, and the
 * flag lives there. Reopening the file through /proc gives this process a
 * description of its own (a tty, a pipe); a socket cannot be reopened, and
 * then poll(2) with no timeout decides instead. A regular file is left as
 * it is: a write to it does not wait on a reader, and a description of our
 * own would have an offset of its own, so the others' lines, written at
 * the shared offset, would overwrite ours. */
int log_set_nonblocking(void)
{
	struct stat st;
	int fd, e;

	log_nb = true;
	if (fstat(STDERR_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
		log_nb = false;
		return 0;
	}
	fd = open("/proc/self/fd/2", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_APPEND);
	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
		e = -errno;
		if (fd >= 0)
			close(fd);
		log_nb_poll = true;
		return e;
	}
	close(fd);
	return 0;
}

unsigned long log_dropped(void)
{
	return log_ndropped;
}

static bool writable(void)
{
	struct pollfd p = { .fd = STDERR_FILENO, .events = POLLOUT };

	return !log_nb_poll || (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT));
}

/* One write; in non-blocking mode a line that would block is dropped and
 * counted (a partial write on a tty is kept: the rest would block). */
static bool put(const char *line, size_t n)
{
	if (log_nb && !writable()) {
		errno = EAGAIN;
		return false;
	}
	return write(STDERR_FILENO, line, n) > 0;
}

static void drop(void)
{
	log_ndropped++;
	log_unreported++;
}

/* Says how many lines were dropped since the last such line, if any. */
static bool report_drops(void)
{
	char line[160];
	int n;

	if (!log_unreported)
		return true;
	n = snprintf(line, sizeof(line), "%s[%10.6f]: warning: %lu log line%s dropped: stderr would block\n",
		     log_prefix, log_uptime(), log_unreported, log_unreported == 1 ? "" : "s");
	if (n < 0 || (size_t)n >= sizeof(line) || !put(line, (size_t)n))
		return false;
	log_unreported = 0;
	return true;
}

void log_msg(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, m;

	if (level > log_level)
		return;
	n = snprintf(line, sizeof(line), "%s[%10.6f]: %s", log_prefix, log_uptime(), level_tag(level));
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (!log_nb) {
		(void)!write(STDERR_FILENO, line, (size_t)n);
		return;
	}
	if (!report_drops() || !put(line, (size_t)n))
		drop();
}
