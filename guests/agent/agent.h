/* `labinit agent`: the guest side of `labctl run`. It runs in a guest
 * (not as PID 1), talks to the lab host over the virtio-serial port named
 * AGENT_PORT_NAME, never over the guest network, and runs one command at
 * a time for whoever said hello last. docs/AGENT.md has the protocol. */
#ifndef LAB_AGENT_H
#define LAB_AGENT_H

#include <stddef.h>

#include "guests/agent/proto.h"

/* /dev/vportNpM of the port named name (from /sys/class/virtio-ports/),
 * waiting up to wait_ms for it to appear: 0, or -ENOENT. */
int agent_find_port(const char *name, int wait_ms, char *path, size_t size);

/* Serves the port at path until an unrecoverable error: returns -errno. */
int agent_serve(const char *path);

/* The same on the appliance's control port (AGENT_CONTROL_PORT_NAME,
 * docs/CONTROL.md): an EXEC runs this binary as labctl with the EXEC's
 * arguments, and only that; agent_control_refusal says what is refused. */
int agent_serve_control(const char *path);

/* Why the control port refuses this EXEC, or NULL: argv[0] other than
 * "labctl", environment entries, a working directory. */
const char *agent_control_refusal(const struct agent_msg *m);

#endif
