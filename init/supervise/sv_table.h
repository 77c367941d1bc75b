/* The supervision state machine as a pure table: (state, event, policy) →
 * (next state, actions). No processes, clocks or globals, so the unit tests
 * walk every transition. After s6-supervise. */
#ifndef LAB_SV_TABLE_H
#define LAB_SV_TABLE_H

#include <stdbool.h>

enum sv_state {
	SV_DOWN,      /* not running, not wanted */
	SV_STARTING,  /* forked; waiting to learn whether exec succeeded */
	SV_RUNNING,
	SV_BACKOFF,   /* exited; waiting out the respawn delay */
	SV_STOPPING,  /* SIGTERM sent; SIGKILL when the stop timer fires */
	SV_FAILED,    /* cannot be run (exec failed); waits for an explicit start */
	SV_NSTATES
};

enum sv_event {
	SV_EV_START,       /* wanted up (boot, labctl start) */
	SV_EV_STOP,        /* wanted down (shutdown, labctl stop) */
	SV_EV_EXEC_OK,     /* the close-on-exec pipe closed without an errno */
	SV_EV_EXEC_FAILED, /* the child wrote exec's errno into the pipe */
	SV_EV_EXIT_CLEAN,  /* exited with status 0 */
	SV_EV_EXIT_FAIL,   /* non-zero status or killed by a signal */
	SV_EV_TIMER,       /* backoff over, or stop timeout reached */
	SV_NEVENTS
};

enum sv_policy { SV_RESTART_ALWAYS, SV_RESTART_ON_FAILURE, SV_RESTART_NEVER };

enum sv_action {
	SV_ACT_SPAWN = 1 << 0,
	SV_ACT_TERM = 1 << 1,        /* SIGTERM, arm the stop timer */
	SV_ACT_KILL = 1 << 2,        /* SIGKILL */
	SV_ACT_BACKOFF = 1 << 3,     /* arm the respawn timer */
	SV_ACT_CANCEL_TIMER = 1 << 4,
	SV_ACT_REPORT = 1 << 5,      /* log the failure */
};

struct sv_transition {
	enum sv_state next;
	unsigned actions;
};

struct sv_transition sv_step(enum sv_state s, enum sv_event e, enum sv_policy policy);
const char *sv_state_name(enum sv_state s);

/* Respawn delay after `streak` quick failures in a row: 1 s, 2 s, 4 s … 60 s. */
unsigned sv_backoff_ms(unsigned streak);

#endif
