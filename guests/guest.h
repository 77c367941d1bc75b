/* A guest as a service: what PID 1 needs to supervise its QEMU (argv, the
 * tap fd to pass, how to stop it), prepared from its model. The part that
 * does not depend on what runs the guest; QEMU's own is in guests/qemu/. */
#ifndef LAB_GUEST_H
#define LAB_GUEST_H

#include <stddef.h>

#include "guests/model.h"
#include "guests/qemu/qemu.h"
#include "lib/core/paths.h"

#define GUEST_RUN_DIR PATH_GUESTS_DIR

struct guest_service {
	struct qemu_argv argv;
	int tap_fd;            /* close-on-exec; the child gets it as fd 3 */
	char run_dir[128];     /* console.sock, console.fifo, console.log, qmp.sock */
	/* its console logger's command line (a service of its own) */
	char *log_argv[6];
	char log_kib[16];
};

/* Opens the tap, creates the run directory and its console FIFO, detects
 * the disk format and builds QEMU's and the console logger's argv. On error, why names the guest's problem. */
int guest_prepare(const struct guest_config *g, enum qemu_accel accel, struct guest_service *out, char *why,
		  size_t size);
/* Asks QEMU to press the guest's power button over QMP (ACPI on pc,
 * gpio-keys on aarch64 virt). Blocks for up to a
 * few seconds: PID 1 calls it in a child process. */
int guest_powerdown(const char *run_dir);
/* qemu-system-<arch>'s path, or NULL if it is not installed. */
const char *guest_qemu_binary(enum guesthw_arch arch);
/* Where qemu-system-<arch> comes from, for a message. */
const char *guest_qemu_package(enum guesthw_arch arch);

#endif
