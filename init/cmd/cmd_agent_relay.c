/* `labinit agent-relay RUN_DIR`: a UML guest's agent channel (fd 3, the
 * host end of its serial line ssl1) served on RUN_DIR/agent.sock for
 * `labctl run`; PID 1 runs one per UML guest (guests/uml/agent_relay.h). */
#include <stdio.h>

#include "guests/uml/agent_relay.h"
#include "init/cmd/commands.h"

#define CHANNEL_FD 3

int cmd_agent_relay(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: labinit agent-relay RUN_DIR  (fd 3: the guest's agent line)\n");
		return 2;
	}
	return uml_relay_run(argv[1], CHANNEL_FD);
}
