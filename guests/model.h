/* The guest model: what the guests layer knows of a guest, whatever runs
 * it. init/labcfg/ fills it from the profile; guests/qemu/ turns it into a
 * command line. The strings are borrowed (from the profile). */
#ifndef LAB_GUEST_MODEL_H
#define LAB_GUEST_MODEL_H

#include <stdbool.h>
#include <stdint.h>

enum guest_nic { GUEST_NIC_VIRTIO, GUEST_NIC_E1000, GUEST_NIC_RTL8139 };

struct guest_config {
	const char *name;
	const char *kernel, *initrd, *disk;  /* "" when absent */
	bool disk_persistent;                /* writes reach the disk image */
	const char *append;                  /* the kernel's command line */
	unsigned memory_mib, cpus;
	enum guest_nic nic;
	uint8_t mac[6];
	uint16_t gdb_port;                   /* 0: no gdb stub */
	bool gdb_wait;                       /* halted until gdb attaches */
	/* the debug-file share over 9p: none when share_dir is NULL */
	const char *share_dir, *share_tag;
	bool share_per_guest;                /* each guest its own subdirectory */
	unsigned console_log_kib;            /* the bound of its console's files */
	/* QEMU and the console logger run as this user and group; 0: root */
	uint32_t uid, gid;
};

#endif
