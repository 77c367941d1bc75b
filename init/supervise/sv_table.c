/* Supervision transitions. A cell with next == -1 means "event ignored in
 * this state" (e.g. a stray timer after a stop). */
#include "init/supervise/sv_table.h"

#define SV_KEEP ((enum sv_state) - 1)
#define T(n, a) { n, a }
#define IGNORE T(SV_KEEP, 0)

/* Exits while running are resolved by policy in sv_step; the table holds the
 * "restart" answer. */
static const struct sv_transition table[SV_NSTATES][SV_NEVENTS] = {
	[SV_DOWN] = {
		[SV_EV_START] = T(SV_STARTING, SV_ACT_SPAWN),
		[SV_EV_STOP] = IGNORE, [SV_EV_EXEC_OK] = IGNORE, [SV_EV_EXEC_FAILED] = IGNORE,
		[SV_EV_EXIT_CLEAN] = IGNORE, [SV_EV_EXIT_FAIL] = IGNORE, [SV_EV_TIMER] = IGNORE,
	},
	[SV_STARTING] = {
		[SV_EV_START] = IGNORE,
		[SV_EV_STOP] = T(SV_STOPPING, SV_ACT_TERM),
		[SV_EV_EXEC_OK] = T(SV_RUNNING, 0),
		[SV_EV_EXEC_FAILED] = T(SV_FAILED, SV_ACT_REPORT),
		[SV_EV_EXIT_CLEAN] = T(SV_BACKOFF, SV_ACT_BACKOFF),
		[SV_EV_EXIT_FAIL] = T(SV_BACKOFF, SV_ACT_BACKOFF | SV_ACT_REPORT),
		[SV_EV_TIMER] = IGNORE,
	},
	[SV_RUNNING] = {
		[SV_EV_START] = IGNORE,
		[SV_EV_STOP] = T(SV_STOPPING, SV_ACT_TERM),
		[SV_EV_EXEC_OK] = IGNORE, [SV_EV_EXEC_FAILED] = IGNORE,
		[SV_EV_EXIT_CLEAN] = T(SV_BACKOFF, SV_ACT_BACKOFF),
		[SV_EV_EXIT_FAIL] = T(SV_BACKOFF, SV_ACT_BACKOFF | SV_ACT_REPORT),
		[SV_EV_TIMER] = IGNORE,
	},
	[SV_BACKOFF] = {
		[SV_EV_START] = IGNORE,
		[SV_EV_STOP] = T(SV_DOWN, SV_ACT_CANCEL_TIMER),
		[SV_EV_EXEC_OK] = IGNORE, [SV_EV_EXEC_FAILED] = IGNORE,
		[SV_EV_EXIT_CLEAN] = IGNORE, [SV_EV_EXIT_FAIL] = IGNORE,
		[SV_EV_TIMER] = T(SV_STARTING, SV_ACT_SPAWN),
	},
	[SV_STOPPING] = {
		[SV_EV_START] = IGNORE, [SV_EV_STOP] = IGNORE,
		[SV_EV_EXEC_OK] = IGNORE,
		[SV_EV_EXEC_FAILED] = T(SV_DOWN, SV_ACT_CANCEL_TIMER),
		[SV_EV_EXIT_CLEAN] = T(SV_DOWN, SV_ACT_CANCEL_TIMER),
		[SV_EV_EXIT_FAIL] = T(SV_DOWN, SV_ACT_CANCEL_TIMER),
		[SV_EV_TIMER] = T(SV_STOPPING, SV_ACT_KILL),
	},
	[SV_FAILED] = {
		[SV_EV_START] = T(SV_STARTING, SV_ACT_SPAWN),
		[SV_EV_STOP] = T(SV_DOWN, 0),
		[SV_EV_EXEC_OK] = IGNORE, [SV_EV_EXEC_FAILED] = IGNORE,
		[SV_EV_EXIT_CLEAN] = IGNORE, [SV_EV_EXIT_FAIL] = IGNORE, [SV_EV_TIMER] = IGNORE,
	},
};

static bool policy_says_stay_down(enum sv_event e, enum sv_policy policy)
{
	if (policy == SV_RESTART_NEVER)
		return true;
	return policy == SV_RESTART_ON_FAILURE && e == SV_EV_EXIT_CLEAN;
}

struct sv_transition sv_step(enum sv_state s, enum sv_event e, enum sv_policy policy)
{
	struct sv_transition t;

	if (s >= SV_NSTATES || e >= SV_NEVENTS)
		return (struct sv_transition){ s, 0 };
	t = table[s][e];
	if (t.next == SV_KEEP)
		return (struct sv_transition){ s, 0 };
	if ((s == SV_RUNNING || s == SV_STARTING) && t.next == SV_BACKOFF &&
	    policy_says_stay_down(e, policy))
		return (struct sv_transition){ SV_DOWN, t.actions & SV_ACT_REPORT };
	return t;
}

const char *sv_state_name(enum sv_state s)
{
	static const char *const names[SV_NSTATES] = {
		"down", "starting", "running", "backoff", "stopping", "failed",
	};

	return s < SV_NSTATES ? names[s] : "?";
}

unsigned sv_backoff_ms(unsigned streak)
{
	unsigned ms = 1000;

	while (streak-- > 0 && ms < 60000)
		ms *= 2;
	return ms > 60000 ? 60000 : ms;
}
