/* The control port's policy (guests/agent/agent.c): an EXEC runs labctl
 * and nothing else, with no environment and no working directory. */
#include <string.h>

#include "guests/agent/agent.h"
#include "t.h"

static uint8_t buf[AGENT_FRAME_MAX];
static struct agent_msg m;

/* The EXEC as the agent parses it off the port. */
static const char *refusal(const char *cwd, char *const argv[], char *const env[])
{
	int n = agent_build_exec(buf, sizeof(buf), 1, 0, cwd, argv, env);

	if (n < 0 || agent_parse(buf, (size_t)n, &m) < 0)
		return "(did not build)";
	return agent_control_refusal(&m);
}

int main(void)
{
	CHECK(refusal("", (char *[]){ "labctl", "status", NULL }, NULL) == NULL);
	CHECK(refusal("/", (char *[]){ "labctl", NULL }, NULL) == NULL);
	CHECK(refusal("", (char *[]){ "labctl", "run", "vm1", "--", "sh", NULL }, NULL) == NULL);
	CHECK(refusal("", (char *[]){ "sh", "-c", "labctl status", NULL }, NULL) != NULL);
	CHECK(refusal("", (char *[]){ "/bin/labctl", "status", NULL }, NULL) != NULL);
	CHECK(refusal("", (char *[]){ "labinit", "agent", NULL }, NULL) != NULL);
	CHECK(refusal("", (char *[]){ "labctlx", NULL }, NULL) != NULL);
	CHECK(refusal("", (char *[]){ "labctl", "status", NULL }, (char *[]){ "LD_PRELOAD=/x.so", NULL }) != NULL);
	CHECK(refusal("/tmp", (char *[]){ "labctl", "status", NULL }, NULL) != NULL);
	return T_DONE();
}
