/* Requests as a table: each names its word, how many arguments it takes
 * and its handler, so the server decides by lookup, not by peeking at
 * letters of the request. */
#ifndef LAB_CTL_DISPATCH_H
#define LAB_CTL_DISPATCH_H

#include <stddef.h>

struct ctl_command;

typedef void (*ctl_command_fn)(void *data, const struct ctl_command *c, int argc, char **argv, char *reply,
			       size_t size);

struct ctl_command {
	const char *name;
	int min_args, max_args;    /* words after the name */
	ctl_command_fn fn;
	int arg;                   /* the handler's own parameter (a reboot command, say) */
};

/* Runs the command argv[0] names with its arguments, or replies with an
 * error naming what is wrong with the request. */
void ctl_dispatch(const struct ctl_command *table, size_t n, void *data, int argc, char **argv, char *reply,
		  size_t size);

#endif
