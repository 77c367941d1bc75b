/* The lab host's own name in /etc/hosts, so that programs which look it up
 * (smbd does, for every session) get it from the file and never wait on
 * an upstream DNS server that does not answer. */
#ifndef LAB_HOSTS_H
#define LAB_HOSTS_H

#include <stddef.h>

#define HOSTS_SELF_ADDR "127.0.1.1"

/* The hosts file: localhost, and the host name with its domain (may be
 * NULL or empty) on HOSTS_SELF_ADDR. Returns its length, -ENOSPC if it
 * does not fit. */
int hosts_format(char *buf, size_t size, const char *hostname, const char *domain);

/* Writes that file under /run/labinit and bind-mounts it on /etc/hosts:
 * PID 1 only, in its own mount namespace (the appliance's, or a test's),
 * where the machine's file is never written. Returns 0 or -errno. */
int hosts_publish(const char *hostname, const char *domain);

#endif
