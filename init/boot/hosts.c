/* /etc/hosts naming the lab host, bind-mounted over the one in the image
 * (or the machine's, seen from a test's private mount namespace). The
 * address is Debian's 127.0.1.1 convention: it is there before the network
 * and whatever the profile's subnet. */
#include "init/boot/hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/core/paths.h"

#define HOSTS_RUN_DIR PATH_RUN_DIR
#define HOSTS_RUN_PATH PATH_HOSTS
#define HOSTS_ETC_PATH "/etc/hosts"

int hosts_format(char *buf, size_t size, const char *hostname, const char *domain)
{
	int n;

	if (domain && domain[0])
		n = snprintf(buf, size, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s.%s %s\n",
			     HOSTS_SELF_ADDR, hostname, domain, hostname);
	else
		n = snprintf(buf, size, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n",
			     HOSTS_SELF_ADDR, hostname);
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

/* Written once, before the bind mount: nobody reads it half-written. */
static int write_whole(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), r = 0;
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, data, len);
	if (w < 0)
		r = -errno;
	else if ((size_t)w != len)
		r = -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	return r;
}

int hosts_publish(const char *hostname, const char *domain)
{
	char buf[512];
	int n = hosts_format(buf, sizeof(buf), hostname, domain), r;

	if (n < 0)
		return n;
	if (mkdir(HOSTS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	if ((r = write_whole(HOSTS_RUN_PATH, buf, (size_t)n)) < 0)
		return r;
	/* a bind mount needs a file to cover; the image carries one */
	if (mount(HOSTS_RUN_PATH, HOSTS_ETC_PATH, NULL, MS_BIND, NULL) < 0)
		return -errno;
	return 0;
}
