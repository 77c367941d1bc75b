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

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
