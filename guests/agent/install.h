/* The agent for guests labinit did not build: the files it is offered as
 * (on the debug share, guests/share/offer.c; on the cloud-init seed,
 * guests/cloudinit/) and the systemd unit that runs it. */
#ifndef LAB_AGENT_INSTALL_H
#define LAB_AGENT_INSTALL_H

#define AGENT_BINARY_NAME "labinit-agent"
#define AGENT_UNIT_NAME "labinit-agent.service"
/* Where the unit expects the binary in the guest. */
#define AGENT_INSTALL_PATH "/usr/local/sbin/" AGENT_BINARY_NAME

/* The unit's text: runs `labinit-agent agent --wait 0` from
 * AGENT_INSTALL_PATH and restarts it for ever, every RestartSec; no port
 * yet is an exit and a retry, not a process waiting. */
extern const char agent_unit_text[];

#endif
