/* Console logging: one line per event, prefixed with the uptime, filtered by level. */
#ifndef LAB_LOG_H
#define LAB_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

void log_set_level(int level);
void log_set_prefix(const char *prefix);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
double log_uptime(void);
/* From now on a line that cannot be written at once is dropped, not
 * waited for: for a process that serves the network while its stderr is
 * a slow console (a serial line) or a pipe nobody reads. The drops are
 * counted, and said in a line of their own when lines go through again.
 * 0, or -errno when stderr could not be made private and non-blocking
 * (each line is then written only when poll(2) says it can be). */
int log_set_nonblocking(void);
/* Lines dropped so far because stderr would have blocked. */
unsigned long log_dropped(void);

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
