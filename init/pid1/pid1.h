/* PID 1's state, shared by its boot sequence, shutdown and control handlers. */
#ifndef LAB_PID1_H
#define LAB_PID1_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/core/loop.h"
#include "lib/profile/profile.h"
#include "init/supervise/supervise.h"

enum pid1_phase {
	PHASE_UP,        /* booted (or in rescue), supervising */
	PHASE_STOPPING,  /* stopping services in reverse start order */
	PHASE_KILLING,   /* SIGTERM/SIGKILL to whatever is left */
	PHASE_FINAL,     /* unmounted, reboot() child forked */
};

struct pid1 {
	struct loop loop;
	struct supervisor sup;
	struct profile *profile;
	const char *config_path;   /* for the workers PID 1 starts */
	bool rescue;
	bool hotplug;              /* the "modules" service loads drivers for new devices */
	bool console_direct;       /* 0..2 opened on CONFIG_CONSOLE itself, not via /dev/console */
	int sigfd;
	int reboot_cmd;            /* RB_AUTOBOOT or RB_POWER_OFF once shutting down */
	enum pid1_phase phase;
	unsigned kill_stage;
	pid_t reboot_pid;          /* the child that calls reboot() */
	uint64_t boot_ms;
	struct loop_timer shutdown_timer;
};

/* Reaps every child that has exited; tells shutdown when none are left. */
void pid1_reap(struct pid1 *p);
void shutdown_begin(struct pid1 *p, int reboot_cmd, const char *why);
void shutdown_on_change(struct supervisor *sup, struct service *s);
void shutdown_on_no_children(struct pid1 *p);
void pid1_control(void *data, int argc, char **argv, char *reply, size_t size);
void pid1_start_guests(struct pid1 *p);
void pid1_guests_status(struct pid1 *p, bool json, char *reply, size_t size);
void pid1_leases(struct pid1 *p, bool json, char *reply, size_t size);

#endif
