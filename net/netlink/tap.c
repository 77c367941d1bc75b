/* tap devices. IFF_VNET_HDR lets QEMU's virtio-net pass offloads through;
 * IFF_NO_PI because QEMU and UML expect bare frames. */
#include "net/netlink/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* The first line of a sysfs file, NUL-terminated, without its newline. */
static int read_line(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The device number of macvtap NAME: drivers/net/macvtap.c names its
 * class device tapN after the link's ifindex, under the link in sysfs. */
static int macvtap_devt(const char *name, int *ifindex, dev_t *dev)
{
	char path[128], line[32];
	unsigned maj, min;
	int r;

	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", name);
	if ((r = read_line(path, line, sizeof(line))) < 0)
		return r;
	if (sscanf(line, "%d", ifindex) != 1 || *ifindex <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%d/dev", name, *ifindex);
	if ((r = read_line(path, line, sizeof(line))) < 0)
		return r == -ENOENT ? -ENOTTY : r; /* not a macvtap */
	if (sscanf(line, "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	*dev = makedev(maj, min);
	return 0;
}

/* /dev/tapN as devtmpfs makes it, when it is there and is this device
 * (an ifindex names a link in one network namespace only; the device
 * number is the kernel's own). Otherwise a node made for this open under
 * /dev (/run is nodev) and unlinked once open, so that none lingers to
 * name another namespace's link. */
static int open_devt(int ifindex, dev_t dev)
{
	struct stat st;
	char node[64];
	int fd, r;

	snprintf(node, sizeof(node), "/dev/tap%d", ifindex);
	if (stat(node, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == dev)
		return (fd = open(node, O_RDWR | O_CLOEXEC)) < 0 ? -errno : fd;
	snprintf(node, sizeof(node), "/dev/.labinit-tap%d.%ld", ifindex, (long)getpid());
	unlink(node);
	if (mknod(node, S_IFCHR | 0600, dev) < 0)
		return -errno;
	fd = open(node, O_RDWR | O_CLOEXEC);
	r = fd < 0 ? -errno : fd;
	unlink(node);
	return r;
}

int tap_macvtap_open(const char *name)
{
	struct ifreq ifr;
	dev_t dev;
	int fd, ifindex, r;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if ((r = macvtap_devt(name, &ifindex, &dev)) < 0)
		return r;
	if ((fd = open_devt(ifindex, dev)) < 0)
		return fd;
	/* drivers/net/tap.c: TUNSETIFF takes IFF_TAP|IFF_NO_PI plus
	 * IFF_VNET_HDR; QEMU's tap_probe_vnet_hdr reads it back (TUNGETIFF). */
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}
