/* The .config syntax (Kconfig's output format) and the kernel command line's
 * labinit.KEY=VALUE overrides. Pure: no files, no globals; each assignment is
 * handed to a callback and each syntax error to a diag. */
#ifndef LAB_CONFIG_H
#define LAB_CONFIG_H

#include <stddef.h>

#include "lib/core/diag.h"

#define CONFIG_LINE_MAX 4096
#define CONFIG_KEY_MAX 64

/* key is the name without CONFIG_; value is unquoted and unescaped; a
 * "# CONFIG_X is not set" line arrives as value "n". */
typedef void (*config_assign_fn)(void *ctx, const char *key, const char *value,
				 const char *source, unsigned line);

void config_parse(const char *buf, size_t len, const char *source,
		  config_assign_fn assign, void *ctx, struct diag *d);

/* Reads a whole file (at most 1 MiB) and parses it; returns -errno if the
 * file cannot be read, after recording why in d. */
int config_parse_file(const char *path, config_assign_fn assign, void *ctx, struct diag *d);

/* Splits a kernel command line the way the kernel does (spaces separate,
 * double quotes group) and passes every labinit.KEY=VALUE on; the key may be
 * given with or without CONFIG_. */
void config_parse_cmdline(const char *cmdline, config_assign_fn assign, void *ctx,
			  struct diag *d);

#endif
