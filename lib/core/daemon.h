/* The frame of every long-running worker (the DHCP server, DNS on its own,
 * the uplink's DHCP client): one event loop, with the stop signals SIGTERM
 * and SIGINT blocked and read from a signalfd in that loop, so a stop is an
 * event like any other and nothing runs in a signal handler. */
#ifndef LAB_DAEMON_H
#define LAB_DAEMON_H

#include <stdbool.h>

#include "lib/core/loop.h"

struct daemon {
	struct loop loop;
	int sigfd;
	bool stopping;                       /* a stop signal came */
	/* Optional: called at each stop signal, before the loop ends (the
	 * DHCP client releases its lease there). */
	void (*on_stop)(struct daemon *d);
};

/* Blocks the stop signals, makes the loop and adds their signalfd to it:
 * 0 or -errno. */
int daemon_init(struct daemon *d);
/* Runs the loop until a stop signal: 0, or the loop's -errno. */
int daemon_run(struct daemon *d);
void daemon_close(struct daemon *d);

#endif
