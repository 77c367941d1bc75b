/* tap devices through /dev/net/tun, one per guest. */
#ifndef LAB_TAP_H
#define LAB_TAP_H

#include <stdbool.h>

/* Creates the tap NAME, or attaches to it if it exists (persistent), and
 * returns its fd (close-on-exec) or -errno. persist keeps the device after
 * the fd is closed, for `labinit up` on a host where QEMU comes later. */
int tap_open(const char *name, bool persist);
/* The same without the virtio-net header in front of each frame: for a
 * reader that takes bare frames (User-Mode Linux's fd transport). */
int tap_open_plain(const char *name, bool persist);
/* Opens the character device of the macvtap link NAME (/dev/tapN, N its
 * ifindex) with the virtio-net header on, as tap_open does for a tap, and
 * returns its fd (close-on-exec) or -errno. There is no udev: without
 * devtmpfs's /dev/tapN the node is made from sysfs (CAP_MKNOD) under /dev
 * and unlinked once open. */
int tap_macvtap_open(const char *name);

#endif
