/* UML's management console (mconsole): the unix datagram socket a UML
 * kernel opens in its umid directory and answers commands on. The wire
 * format, from the kernel's arch/um/drivers/mconsole.h: a request is
 * { u32 magic 0xcafebabe, u32 version 2, u32 len, char data[len] } and a
 * reply { u32 err, u32 more, u32 len, char data[len] } (data
 * NUL-terminated, len counting the NUL), in the host's byte order, each
 * at most 512 bytes of data. The kernel sends the reply to the address the
 * request came from, so the client's socket must have one. */
#ifndef LAB_UML_MCONSOLE_H
#define LAB_UML_MCONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UML_MC_MAGIC 0xcafebabeu
#define UML_MC_VERSION 2u
#define UML_MC_MAX_DATA 512u
#define UML_MC_HEADER 12u  /* three u32 */

struct uml_mc_reply {
	bool error;                  /* the kernel refused the command */
	bool more;                   /* another packet follows */
	char text[UML_MC_MAX_DATA];  /* NUL-terminated */
};

/* A request for cmd into buf: its length, or -E2BIG. Pure. */
int uml_mc_encode(const char *cmd, uint8_t *buf, size_t size);
/* A reply of len bytes: 0, or -EBADMSG (short, or len beyond the packet).
 * Pure. */
int uml_mc_decode(const uint8_t *buf, size_t len, struct uml_mc_reply *out);

/* Sends cmd to the mconsole socket at path and reads the first reply,
 * waiting up to timeout_ms: 0, -EREMOTEIO (the kernel refused it; out
 * says why) or -errno. Blocks: PID 1 calls it from a child. */
int uml_mc_command(const char *path, const char *cmd, int timeout_ms, struct uml_mc_reply *out);

#endif
