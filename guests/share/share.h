/* The debug-file share for guests without 9p: Samba's smbd serving
 * CONFIG_SHARE_DIR on the gateway address, on the bridge only.
 * smbd rather than the kernel's ksmbd: it runs inside a network namespace
 * (the tests need that, and ksmbd's listener is not per-namespace on every
 * kernel), it needs no kernel module the host kernel may lack, and a
 * supervised process is restarted like every other service. */
#ifndef LAB_SHARE_H
#define LAB_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/core/paths.h"

#define SHARE_SMB_DIR PATH_SMB_DIR
#define SHARE_SMB_NAME "debug"

/* What smbd serves, and where: the bridge's gateway address and prefix. */
struct share_config {
	const char *share_dir;
	uint32_t gateway;
	uint8_t prefix_len;
	uint32_t uid, gid;     /* smbd runs as this user, whose guests' sessions are too */
};

/* Writes smb.conf under SHARE_SMB_DIR and fills argv (at most 8 entries,
 * strings in buf). Returns 0 or -errno with why filled. */
int share_smb_prepare(const struct share_config *p, char *argv[8], char *buf, size_t size, char *why,
		      size_t why_size);

/* The guest agent on the share (guests/share/offer.c): self (labinit's
 * binary, /proc/self/exe) as SHARE_DIR/agent/labinit-agent and its
 * systemd unit beside it. 0, or -errno with why filled. */
#define SHARE_AGENT_DIR "agent"
int share_offer_agent(const char *share_dir, const char *self, char *why, size_t size);

#endif
