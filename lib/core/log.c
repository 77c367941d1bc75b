/* Console logging. Writes whole lines with one write(2) so lines from PID 1
 * and its children do not interleave mid-line on the console. */
#include "lib/core/log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_level = LOG_LVL_INFO;
static const char *log_prefix = "labinit";

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
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
