/* The agent channel of a UML guest (docs/AGENT.md): UML has no
 * virtio-serial, so the agent talks over a serial line of its own, ssl1
 * (/dev/ttyS1 in the guest), whose host end is one side of a socket pair
 * (`ssl1=fd:N,fd:N`, guests/uml/uml.c). `labinit agent-relay RUN_DIR`, a
 * service PID 1 runs beside the guest (NAME.agent), holds the other side
 * and serves it on RUN_DIR/agent.sock, so `labctl run` connects as it does
 * to QEMU's chardev: one client at a time, the next waits in the backlog.
 *
 * What a serial line lacks and the relay makes up for:
 *  - no hangup: the guest never learns that a client left, so the relay
 *    drops what the guest sends while no client is there (the agent's
 *    writes never stall) and forwards only whole client frames (a client
 *    gone mid-frame leaves nothing half-sent in the agent's buffer);
 *  - a tty starts cooked: until the agent has made its line raw, bytes
 *    that arrive are echoed back and mangled. So a new client's bytes are
 *    held until the agent has proved it is there: the relay sends its own
 *    HELLO (a probe, every PROBE_MS while unanswered) and opens the way
 *    for the client at the first well-formed HELLO that comes back,
 *    dropping whatever came before it (an echo, an old command's output).
 *    The probes reach the agent before the client's bytes (one stream), so
 *    a probe never cuts into the client's command; their extra answers
 *    are HELLOs, which labctl ignores after the first. */
#ifndef LAB_UML_AGENT_RELAY_H
#define LAB_UML_AGENT_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guests/agent/proto.h"

#define UML_AGENT_LINE 1              /* ssl1 */
#define UML_AGENT_TTY "/dev/ttyS1"    /* what the guest's kernel calls it */
#define UML_AGENT_PROBE_MS 1000

/* What a gated relay does with buf[0..len) from the guest: returns how
 * many bytes to drop, up to and including the first whole, well-formed
 * HELLO frame (then *hello is set); a byte that cannot start a frame is
 * dropped, an incomplete frame is kept (0 when nothing can be dropped
 * yet). scratch: parse space. Pure. */
size_t uml_relay_scan(const uint8_t *buf, size_t len, struct agent_msg *scratch, bool *hello);

/* The relay on guest_fd until SIGTERM: the exit status. */
int uml_relay_run(const char *run_dir, int guest_fd);

#endif
