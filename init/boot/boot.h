/* The boot, PID 1's "stage 2" (after s6-linux-init): `labinit boot`, a
 * one-shot service that does everything in the lab's start that waits or
 * talks to the kernel — the profile and the lab's files, device waits, the
 * host name, the network's bring-up, the KVM probe, the guests' taps — and
 * hands PID 1 what to supervise, in start order, as records (msg.h) on
 * fd 3. PID 1 meanwhile reaps and answers labctl. */
#ifndef LAB_BOOT_H
#define LAB_BOOT_H

#include <stdbool.h>

#define BOOT_FD 3  /* the socket to PID 1 (the supervisor's pass_fd) */

struct boot_opts {
	const char *config_path;
	bool hotplug;          /* PID 1's "modules" service loads drivers for new devices */
};

/* Returns the process's exit status: 0 once it has handed everything over
 * (a broken profile included: PID 1 then starts a rescue shell), 1 when it
 * cannot reach PID 1. */
int boot_main(const struct boot_opts *o);

#endif
