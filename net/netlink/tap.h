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

#endif
