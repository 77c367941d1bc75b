/* The DHCP worker process's entry point (`labinit dhcpd`). */
#ifndef LAB_DHCPD_WORKER_H
#define LAB_DHCPD_WORKER_H

struct profile;

/* Serves until SIGTERM/SIGINT; returns an exit status. */
int dhcpd_worker_main(const struct profile *p);

#endif
