/* Kernel uevents as the kernel multicasts them on NETLINK_KOBJECT_UEVENT
 * (lib/kobject_uevent.c): "ACTION@DEVPATH" then "KEY=VALUE" strings, each
 * NUL-terminated. Parsed into fixed fields; no I/O. */
#ifndef LAB_UEVENT_H
#define LAB_UEVENT_H

#include <stddef.h>

#define UEVENT_MODALIAS_MAX 512 /* longest seen: ACPI and USB ones, ~200 */

struct uevent {
	char action[16];        /* "add", "remove", "bind", ... */
	char subsystem[32];     /* "pci", "usb", "scsi", ... ("" if none) */
	char modalias[UEVENT_MODALIAS_MAX]; /* "" if the device has none */
	unsigned long long seqnum;
};

/* 0, or -EBADMSG (no "ACTION@/DEVPATH" header, no ACTION=, or ACTION= other
 * than the header's), -E2BIG (a value longer than its field). */
int uevent_parse(const char *buf, size_t len, struct uevent *ev);

#endif
