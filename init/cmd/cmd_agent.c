/* `labinit agent [--control] [--port PATH] [--wait S]`: the guest agent
 * (guests/agent/). Without --port it takes the port labinit_agent.port=
 * names on the kernel command line (a UML guest's serial line), else looks
 * up the virtio-serial port named org.labinit.agent, waiting up to S
 * seconds (default 60) for its driver. --control: the appliance's control
 * agent on org.labinit.control, which runs labctl only (docs/CONTROL.md);
 * PID 1's boot starts it under QEMU. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/agent/agent.h"
#include "guests/agent/port.h"
#include "guests/agent/proto.h"
#include "init/cmd/commands.h"

int cmd_agent(int argc, char **argv)
{
	char path[300] = "";
	bool control = false;
	long wait_s = 60;
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--control"))
			control = true;
		else if (i + 1 < argc && !strcmp(argv[i], "--port"))
			snprintf(path, sizeof(path), "%s", argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--wait") && (wait_s = strtol(argv[++i], NULL, 10)) >= 0 &&
			 wait_s <= 3600)
			;
		else {
			fprintf(stderr, "usage: labinit agent [--control] [--port PATH] [--wait S (0..3600)]\n");
			return 2;
		}
	}
	if (control && !path[0] &&
	    agent_find_port(AGENT_CONTROL_PORT_NAME, (int)wait_s * 1000, path, sizeof(path)) < 0) {
		/* a virtio console that is not make run's: nothing to serve, no restart */
		fprintf(stderr, "labinit agent: no virtio-serial port named %s: no control channel\n",
			AGENT_CONTROL_PORT_NAME);
		return 0;
	}
	if (!path[0] && agent_port_find((int)wait_s * 1000, path, sizeof(path)) < 0) {
		fprintf(stderr, "labinit agent: no %s= on the kernel command line and no virtio-serial port named %s "
				"after %ld s (virtio_console loaded? QEMU's -device virtserialport,name=%s?)\n",
			AGENT_HINT, AGENT_PORT_NAME, wait_s, AGENT_PORT_NAME);
		return 1;
	}
	r = control ? agent_serve_control(path) : agent_serve(path);
	fprintf(stderr, "labinit agent: %s: %s\n", path, strerror(-r));
	return 1;
}
