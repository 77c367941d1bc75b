/* `labinit agent`: the guest side of `labctl run`. It runs in a guest
 * (not as PID 1), talks to the lab host over the virtio-serial port named
 * AGENT_PORT_NAME, never over the guest network, and runs one command at
 * a time for whoever said hello last. docs/AGENT.md has the protocol. */
#ifndef LAB_AGENT_H
#define LAB_AGENT_H

#include <stddef.h>

/* /dev/vportNpM of the port named name (from /sys/class/virtio-ports/),
 * waiting up to wait_ms for it to appear: 0, or -ENOENT. */
int agent_find_port(const char *name, int wait_ms, char *path, size_t size);

/* Serves the port at path until an unrecoverable error: returns -errno. */
int agent_serve(const char *path);

#endif
