/* The guest hardware a profile names and QEMU emulates: NIC models and
 * disk buses, each in one table that the profile's validator and QEMU's
 * command line both read, so a name the validator accepts is one the
 * command line knows. Names are QEMU's own (`qemu-system-x86_64 -device
 * help`), plus the older spellings profiles already use. */
#ifndef LAB_GUESTHW_H
#define LAB_GUESTHW_H

#include <stddef.h>

/* In the order of guesthw_nics[]. */
enum guesthw_nic {
	GUESTHW_NIC_NE2K_PCI,
	GUESTHW_NIC_I82551,
	GUESTHW_NIC_I82557B,
	GUESTHW_NIC_I82559ER,
	GUESTHW_NIC_RTL8139,
	GUESTHW_NIC_E1000,
	GUESTHW_NIC_E1000E,
	GUESTHW_NIC_PCNET,
	GUESTHW_NIC_VMXNET3,
	GUESTHW_NIC_VIRTIO,
	GUESTHW_NICS
};

/* In the order of guesthw_buses[]. */
enum guesthw_bus {
	GUESTHW_BUS_VIRTIO,  /* virtio-blk-pci: vda */
	GUESTHW_BUS_SCSI,    /* virtio-scsi-pci + scsi-hd: sda */
	GUESTHW_BUS_IDE,     /* the pc machine's PIIX IDE: sda (libata) */
	GUESTHW_BUS_SATA,    /* ich9-ahci + ide-hd: sda */
	GUESTHW_BUS_NVME,    /* nvme: nvme0n1 */
	GUESTHW_BUS_USB,     /* qemu-xhci + usb-storage: sda */
	GUESTHW_BUSES
};

struct guesthw_name {
	const char *name;    /* QEMU's spelling, the -device driver for a NIC */
	const char *alias;   /* an older spelling still accepted, or NULL */
	unsigned max;        /* disks a bus takes on the pc machine; 0: no bound here */
};

extern const struct guesthw_name guesthw_nics[GUESTHW_NICS];
extern const struct guesthw_name guesthw_buses[GUESTHW_BUSES];

/* The index of s (a name or an alias) in table, or -1. */
int guesthw_lookup(const struct guesthw_name *table, unsigned n, const char *s);
/* "a, b or c": the names of table, for an error message. */
void guesthw_list(const struct guesthw_name *table, unsigned n, char *buf, size_t size);

#endif
