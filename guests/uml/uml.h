/* User-Mode Linux's command line for one guest, built from its model and
 * the run-time facts (the tap's fd, the run directory, the disks' COW
 * files). Pure: no I/O, so unit tests check every argument. */
#ifndef LAB_UML_H
#define LAB_UML_H

#include <stdbool.h>
#include <stddef.h>

#include "guests/model.h"
#include "lib/core/argvbuf.h"

#define UML_MAX_ARGS 64
/* The guest's network card as the UML kernel names it (the vector driver
 * calls its devices vecN). */
#define UML_IFNAME "vec0"
/* What UML makes in uml_dir: a directory named after umid holding its pid
 * file and the mconsole socket. */
#define UML_MCONSOLE "mconsole"

struct uml_env {
	int tap_fd;                          /* the fd UML inherits for the tap, or -1 */
	int console_fd;                      /* the console's fd (stdin and stdout) */
	int agent_fd;                        /* the agent line's fd (ssl1), or 0: none (0 is the console's) */
	const char *run_dir;                 /* uml_dir: umid's directory goes in it */
	const char *cow[GUEST_MAX_DISKS];    /* a snapshot disk's COW file, else NULL */
	const char *share_dir;               /* hostfs's root, or NULL: no share */
};

/* Returns 0, -E2BIG (too long) or -EINVAL (a disk beyond ubd7). */
int uml_build_argv(const struct guest_config *g, const struct uml_env *env, struct argv_buf *out);

#endif
