/* A guest as a service: what PID 1 needs to supervise its QEMU or its UML
 * kernel (argv, the fds to pass, how to stop it), prepared from its model.
 * The part that does not depend on what runs the guest; QEMU's own is in
 * guests/qemu/, UML's in guests/uml/. */
#ifndef LAB_GUEST_H
#define LAB_GUEST_H

#include <stddef.h>

#include "guests/model.h"
#include "guests/qemu/qemu.h"
#include "guests/uml/uml.h"
#include "lib/core/paths.h"

#define GUEST_RUN_DIR PATH_GUESTS_DIR
/* In the run directory: "snapshot" when CONFIG_GUESTn_RESET=snapshot,
 * absent otherwise; what `labctl reset` reads (init/labctl/reset.c). */
#define GUEST_RESET_FILE "reset"

struct guest_service {
	struct argv_buf argv;
	struct argv_buf uml;
	char **cmd;            /* the guest's command line: argv.argv or uml.argv */
	int tap_fds[GUEST_MAX_NICS]; /* close-on-exec; the child gets them as fds 3, 4, ... */
	unsigned ntaps;
	/* UML: a socket pair for the console, the guest's end (its fds 0-2)
	 * and its logger's (the logger's fd 3, which serves console.sock);
	 * -1 for QEMU, which serves the console socket itself */
	int console_fd, log_fd;
	/* UML: a socket pair for the agent's line, the guest's end (its fd
	 * after the taps, ssl1) and the agent relay's (its fd 3, served on
	 * agent.sock; guests/uml/agent_relay.h); -1 for QEMU */
	int agent_fd, relay_fd;
	char *relay_argv[4];   /* the relay's command line, a service of its own */
	char run_dir[128];     /* console.sock, console.fifo, console.log, qmp.sock */
	/* its console logger's command line (a service of its own) */
	char *log_argv[12];
	char log_kib[16];
	char crash_dir[384];   /* guests/triage/store.h */
	char vmlinux[512];     /* to decode crash reports with, or "" */
	/* QEMU's x86_64 machine and, when MACHINE=auto chose it, why (a line
	 * for the console); "" otherwise */
	enum guest_machine machine;
	char machine_why[640];
};

/* Opens the tap, creates the run directory and its console FIFO, detects
 * the disk format and builds QEMU's and the console logger's argv. On error, why names the guest's problem. */
int guest_prepare(const struct guest_config *g, enum qemu_accel accel, struct guest_service *out, char *why,
		  size_t size);
/* Closes what guest_prepare opened (after handing it to PID 1). */
void guest_service_close(struct guest_service *gs);
/* Asks the guest to shut down: QEMU by pressing its power button over QMP
 * (ACPI on pc, gpio-keys on aarch64 virt), UML by a ctrl-alt-del over its
 * mconsole. Blocks for up to a few seconds: PID 1 calls it in a child
 * process. */
int guest_powerdown(enum guest_kind kind, const char *name, const char *run_dir);
/* qemu-system-<arch>'s path, or NULL if it is not installed. */
const char *guest_qemu_binary(enum guesthw_arch arch);
/* Where qemu-system-<arch> comes from, for a message. */
const char *guest_qemu_package(enum guesthw_arch arch);

#endif
