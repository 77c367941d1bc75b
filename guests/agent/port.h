/* Where the guest agent talks, and how its line is set up: a QEMU guest's
 * virtio-serial port (found by its name), a UML guest's serial line (named
 * on the kernel command line by AGENT_HINT, guests/uml/uml.c), or what
 * --port says. Kept apart from the agent's loop (agent.c). */
#ifndef LAB_AGENT_PORT_H
#define LAB_AGENT_PORT_H

#include <stddef.h>

/* AGENT_HINT=PATH on the kernel command line names the agent's port. */
#define AGENT_HINT "labinit_agent.port"

/* The value of AGENT_HINT in cmdline (a kernel command line) into path:
 * 0, -ENOENT (not there) or -ENAMETOOLONG. Pure. */
int agent_port_hint(const char *cmdline, char *path, size_t size);

/* The port when --port does not say: the kernel command line's hint, else
 * the virtio-serial port named AGENT_PORT_NAME, waited for up to wait_ms.
 * 0 with path filled, or -ENOENT. */
int agent_port_find(int wait_ms, char *path, size_t size);

/* A tty (a serial line) is made raw: no echo, no line editing, no CR/LF
 * translation, 8 bits, and what came before is dropped (it was read
 * cooked). Anything else is left as it is. 0 or -errno. */
int agent_port_setup(int fd);

#endif
