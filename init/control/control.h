/* The control socket: a unix SOCK_SEQPACKET socket under /run that labctl
 * talks to. One request message, one reply message, then the server closes.
 * Replies begin with "ok\n" or "error: REASON\n". */
#ifndef LAB_CONTROL_H
#define LAB_CONTROL_H

#include <stddef.h>

#include "lib/core/loop.h"
#include "lib/core/paths.h"

#define CTL_SOCKET_PATH PATH_CONTROL
#define CTL_REQUEST_MAX 512
#define CTL_REPLY_MAX 65536

/* Fills reply (NUL-terminated, at most size bytes) for the request words. */
typedef void (*ctl_handler_fn)(void *data, int argc, char **argv, char *reply, size_t size);

int ctl_listen(struct loop *l, const char *path, ctl_handler_fn fn, void *data);

#endif
