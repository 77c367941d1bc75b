/* The guest hardware tables; see guesthw.h. */
#include "lib/core/guesthw.h"

#include <stdio.h>
#include <string.h>

/* Every NIC qemu-system-x86_64 emulates on PCI, the bus the pc machine has
 * room on. "virtio-net" is how profiles named virtio-net-pci before. */
const struct guesthw_name guesthw_nics[GUESTHW_NICS] = {
	[GUESTHW_NIC_NE2K_PCI] = { "ne2k_pci", NULL, 0 },
	[GUESTHW_NIC_I82551] = { "i82551", NULL, 0 },
	[GUESTHW_NIC_I82557B] = { "i82557b", NULL, 0 },
	[GUESTHW_NIC_I82559ER] = { "i82559er", NULL, 0 },
	[GUESTHW_NIC_RTL8139] = { "rtl8139", NULL, 0 },
	[GUESTHW_NIC_E1000] = { "e1000", NULL, 0 },
	[GUESTHW_NIC_E1000E] = { "e1000e", NULL, 0 },
	[GUESTHW_NIC_PCNET] = { "pcnet", NULL, 0 },
	[GUESTHW_NIC_VMXNET3] = { "vmxnet3", NULL, 0 },
	[GUESTHW_NIC_VIRTIO] = { "virtio-net-pci", "virtio-net", 0 },
};

/* The pc machine's PIIX controller has two IDE buses of two units each
 * (there is no CD-ROM: -nodefaults); one ich9-ahci has six ports. */
const struct guesthw_name guesthw_buses[GUESTHW_BUSES] = {
	[GUESTHW_BUS_VIRTIO] = { "virtio", NULL, 0 },
	[GUESTHW_BUS_SCSI] = { "scsi", NULL, 0 },
	[GUESTHW_BUS_IDE] = { "ide", NULL, 4 },
	[GUESTHW_BUS_SATA] = { "sata", NULL, 6 },
	[GUESTHW_BUS_NVME] = { "nvme", NULL, 0 },
	[GUESTHW_BUS_USB] = { "usb", NULL, 0 },
};

int guesthw_lookup(const struct guesthw_name *table, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(table[i].name, s) || (table[i].alias && !strcmp(table[i].alias, s)))
			return (int)i;
	return -1;
}

void guesthw_list(const struct guesthw_name *table, unsigned n, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && used < size; i++) {
		int k = snprintf(buf + used, size - used, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
				 table[i].name);
		if (k < 0)
			return;
		used += (size_t)k;
	}
}
