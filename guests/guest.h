/* A guest as a service: what PID 1 needs to supervise its QEMU (argv, the
 * tap fd to pass, how to stop it), prepared from the profile. */
#ifndef LAB_GUEST_H
#define LAB_GUEST_H

#include <stddef.h>

#include "lib/core/paths.h"
#include "lib/profile/profile.h"
#include "guests/qemu/qemu.h"

#define GUEST_RUN_DIR PATH_GUESTS_DIR

struct guest_service {
	const struct guest_cfg *cfg;
	struct qemu_argv argv;
	int tap_fd;            /* close-on-exec; the child gets it as fd 3 */
	char run_dir[128];     /* console.sock, console.log, qmp.sock */
};

/* Opens the tap, creates the run directory, detects the disk format and
 * builds QEMU's argv. On error, why names the guest's problem. */
int guest_prepare(const struct profile *p, const struct guest_cfg *g, enum qemu_accel accel,
		  struct guest_service *out, char *why, size_t size);
/* Asks QEMU to power the guest down (ACPI) over QMP. Blocks for up to a
 * few seconds: PID 1 calls it in a child process. */
int guest_powerdown(const char *run_dir);
const char *guest_qemu_binary(void);

#endif
