/* PID 1's state, shared by its loop, the boot's records, shutdown and the
 * control handlers. PID 1 holds no profile: what it needs of one comes
 * from the boot (init/boot/) as settings. */
#ifndef LAB_PID1_H
#define LAB_PID1_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guests/model.h"
#include "init/boot/msg.h"
#include "init/supervise/supervise.h"
#include "lib/core/loop.h"

enum pid1_phase {
	PHASE_UP,        /* booting or booted (or in rescue), supervising */
	PHASE_STOPPING,  /* stopping services in reverse start order */
	PHASE_KILLING,   /* SIGTERM/SIGKILL to whatever is left */
	PHASE_FINAL,     /* unmounted, reboot() child forked */
};

/* A guest as PID 1 knows it: enough to stop it and to tell labctl where
 * its files are. */
struct pid1_guest {
	enum guest_kind kind;
	char run_dir[128];
	uint8_t mac[6];
	uint32_t ip;
	uint16_t gdb_port;
	bool power_button;
};

struct pid1 {
	struct loop loop;
	struct supervisor sup;
	const char *config_path;   /* for the boot */
	struct boot_settings settings;
	bool have_settings;        /* the boot sent them (a valid profile) */
	bool booted;               /* the boot said "ready" */
	bool rescue;
	bool hotplug;              /* the "modules" service loads drivers for new devices */
	bool console_direct;       /* 0..2 opened on CONFIG_CONSOLE itself, not via /dev/console */
	int sigfd;
	int modules_fd;            /* the modules service's readiness pipe, or -1 */
	int boot_fd;               /* PID 1's end of the boot's socket pair, or -1 */
	int reboot_cmd;            /* RB_AUTOBOOT or RB_POWER_OFF once shutting down */
	enum pid1_phase phase;
	unsigned kill_stage;
	pid_t reboot_pid;          /* the child that calls reboot() */
	uint64_t boot_ms;          /* PID 1 started (loop_now_ms) */
	uint64_t boot_start_ms;    /* the boot service started: the modules it needs are in */
	double kernel_s;           /* the kernel's time before PID 1 (CLOCK_BOOTTIME then) */
	struct loop_timer modules_timer;
	struct loop_timer shutdown_timer;
};

/* Reaps every child that has exited; tells shutdown when none are left. */
void pid1_reap(struct pid1 *p);
void shutdown_begin(struct pid1 *p, int reboot_cmd, const char *why);
void shutdown_on_change(struct supervisor *sup, struct service *s);
void shutdown_on_no_children(struct pid1 *p);
/* labctl's requests (init/pid1/control.c). */
void pid1_control(void *data, int argc, char **argv, char *reply, size_t size);
/* A guest from the boot's record: supervised, stopped by ACPI power-down
 * over QMP (init/pid1/guests.c). */
/* console_fd: UML's console (its fds 0-2), or -1. */
/* tap_fds: the guest's taps, one per NIC (fds 3, 4, ... of its QEMU). */
/* agent_fd: UML's agent line (its fd after the taps), or -1. */
struct service *pid1_add_guest(struct pid1 *p, struct boot_service *r, char **argv, const int *tap_fds, unsigned ntaps,
			       int console_fd, int agent_fd);

#endif
