/* The console socket of a guest whose runner does not serve one (UML):
 * the logger holds one end of a socket pair whose other end is the
 * guest's console, logs what comes from it and relays it to the client of
 * RUN_DIR/console.sock (`labctl console`), and the client's keys back.
 * What QEMU's chardev socket does for its guests, so `labctl console`
 * and the console log work the same for both kinds. One client at a time;
 * a new one takes over from the old (a `labctl console` left open does
 * not lock the console). A client that cannot keep up misses output
 * (the log has it): the guest never waits for a reader. */
#ifndef LAB_CONLOG_RELAY_H
#define LAB_CONLOG_RELAY_H

#include <stddef.h>

#include "lib/core/loop.h"

struct conlog_relay {
	int guest_fd, listen_fd, client_fd;
	struct loop *loop;
	/* what the guest printed, for the log */
	void (*output)(void *ctx, const char *buf, size_t len);
	void *ctx;
};

/* Listens on run_dir/console.sock and relays guest_fd (non-blocking from
 * here on) through loop. 0 or -errno. */
int conlog_relay_start(struct conlog_relay *r, struct loop *loop, const char *run_dir, int guest_fd);
void conlog_relay_close(struct conlog_relay *r);

#endif
