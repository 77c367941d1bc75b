/* tap devices. IFF_VNET_HDR lets QEMU's virtio-net pass offloads through;
 * IFF_NO_PI because QEMU and UML expect bare frames. */
#include "net/netlink/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int tap_open_flags(const char *name, bool persist, short flags)
{
	struct ifreq ifr;
	int fd, r;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags;
	strcpy(ifr.ifr_name, name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || (persist && ioctl(fd, TUNSETPERSIST, 1) < 0)) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int tap_open(const char *name, bool persist)
{
	return tap_open_flags(name, persist, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
}

int tap_open_plain(const char *name, bool persist)
{
	return tap_open_flags(name, persist, IFF_TAP | IFF_NO_PI);
}
