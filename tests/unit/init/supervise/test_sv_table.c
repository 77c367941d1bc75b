/* The supervision state machine, transition by transition. */
#include "init/supervise/sv_table.h"
#include "t.h"

static void step(enum sv_state s, enum sv_event e, enum sv_policy pol, enum sv_state next, unsigned act)
{
	struct sv_transition t = sv_step(s, e, pol);

	CHECK_MSG(t.next == next && t.actions == act, "%s + event %d (policy %d) -> %s/0x%x, wanted %s/0x%x",
		  sv_state_name(s), e, pol, sv_state_name(t.next), t.actions, sv_state_name(next), act);
}

int main(void)
{
	const enum sv_policy A = SV_RESTART_ALWAYS, F = SV_RESTART_ON_FAILURE, N = SV_RESTART_NEVER;

	step(SV_DOWN, SV_EV_START, A, SV_STARTING, SV_ACT_SPAWN);
	step(SV_STARTING, SV_EV_EXEC_OK, A, SV_RUNNING, 0);
	step(SV_STARTING, SV_EV_EXEC_FAILED, A, SV_FAILED, SV_ACT_REPORT);
	step(SV_RUNNING, SV_EV_EXIT_FAIL, A, SV_BACKOFF, SV_ACT_BACKOFF | SV_ACT_REPORT);
	step(SV_RUNNING, SV_EV_EXIT_CLEAN, A, SV_BACKOFF, SV_ACT_BACKOFF);
	step(SV_RUNNING, SV_EV_EXIT_CLEAN, F, SV_DOWN, 0);
	step(SV_RUNNING, SV_EV_EXIT_FAIL, F, SV_BACKOFF, SV_ACT_BACKOFF | SV_ACT_REPORT);
	step(SV_RUNNING, SV_EV_EXIT_FAIL, N, SV_DOWN, SV_ACT_REPORT);
	step(SV_BACKOFF, SV_EV_TIMER, A, SV_STARTING, SV_ACT_SPAWN);
	step(SV_BACKOFF, SV_EV_STOP, A, SV_DOWN, SV_ACT_CANCEL_TIMER);
	step(SV_BACKOFF, SV_EV_START, A, SV_BACKOFF, 0);
	step(SV_RUNNING, SV_EV_STOP, A, SV_STOPPING, SV_ACT_TERM);
	step(SV_STARTING, SV_EV_STOP, A, SV_STOPPING, SV_ACT_TERM);
	step(SV_STOPPING, SV_EV_TIMER, A, SV_STOPPING, SV_ACT_KILL);
	step(SV_STOPPING, SV_EV_EXIT_FAIL, A, SV_DOWN, SV_ACT_CANCEL_TIMER);
	step(SV_STOPPING, SV_EV_EXIT_CLEAN, F, SV_DOWN, SV_ACT_CANCEL_TIMER);
	step(SV_FAILED, SV_EV_START, A, SV_STARTING, SV_ACT_SPAWN);
	step(SV_FAILED, SV_EV_TIMER, A, SV_FAILED, 0);
	step(SV_DOWN, SV_EV_EXIT_FAIL, A, SV_DOWN, 0);
	step(SV_DOWN, SV_EV_TIMER, A, SV_DOWN, 0);
	/* Out-of-range input is ignored, not indexed. */
	step(SV_NSTATES, SV_EV_START, A, SV_NSTATES, 0);

	CHECK(sv_backoff_ms(0) == 1000);
	CHECK(sv_backoff_ms(1) == 2000);
	CHECK(sv_backoff_ms(2) == 4000);
	CHECK(sv_backoff_ms(5) == 32000);
	CHECK(sv_backoff_ms(6) == 60000);
	CHECK(sv_backoff_ms(1000) == 60000);
	return T_DONE();
}
