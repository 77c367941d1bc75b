/* The guest hardware tables; see guesthw.h. */
#include "lib/core/guesthw.h"

#include <stdio.h>
#include <string.h>

/* The machines QEMU 7.2 boots a kernel on directly. aarch64: "max" with
 * the implementation-defined pointer-authentication algorithm, because
 * emulating the architected QARMA5 makes TCG several times slower; riscv64
 * 7.2 has no "max", rv64 is its generic CPU. Consoles: the pc machine's
 * 16550, the aarch64 virt machine's PL011, the riscv64 virt machine's
 * 16550. Power: ACPI on pc; on aarch64 virt booted with -kernel (a device
 * tree, no ACPI firmware) a gpio-keys KEY_POWER; riscv64 virt has no power
 * button in 7.2 (hw/riscv/virt.c registers no powerdown notifier). */
const struct guesthw_arch_info guesthw_archs[GUESTHW_ARCHS] = {
	[GUESTHW_ARCH_X86_64] = { "x86_64", "pc", "max", "ttyS0", true },
	[GUESTHW_ARCH_AARCH64] = { "aarch64", "virt", "max,pauth-impdef=on", "ttyAMA0", true },
	[GUESTHW_ARCH_RISCV64] = { "riscv64", "virt", "rv64", "ttyS0", false },
};

/* Every NIC qemu-system-x86_64 emulates on PCI, the bus the pc machine has
 * room on; the aarch64 and riscv64 virt machines have a PCIe host bridge
 * and QEMU offers the same models there (`-M virt -device help`).
 * "virtio-net" is how profiles named virtio-net-pci before. */
const struct guesthw_name guesthw_nics[GUESTHW_NICS] = {
	[GUESTHW_NIC_NE2K_PCI] = { "ne2k_pci", NULL, 0, GUESTHW_ON_ALL },
	[GUESTHW_NIC_I82551] = { "i82551", NULL, 0, GUESTHW_ON_ALL },
	[GUESTHW_NIC_I82557B] = { "i82557b", NULL, 0, GUESTHW_ON_ALL },
	[GUESTHW_NIC_I82559ER] = { "i82559er", NULL, 0, GUESTHW_ON_ALL },
	[GUESTHW_NIC_RTL8139] = { "rtl8139", NULL, 0, GUESTHW_ON_ALL },
	[GUESTHW_NIC_E1000] = { "e1000", NULL, 0, GUESTHW_ON_ALL },
	[GUESTHW_NIC_E1000E] = { "e1000e", NULL, 0, GUESTHW_ON_ALL },
	[GUESTHW_NIC_PCNET] = { "pcnet", NULL, 0, GUESTHW_ON_ALL },
	[GUESTHW_NIC_VMXNET3] = { "vmxnet3", NULL, 0, GUESTHW_ON_ALL },
	[GUESTHW_NIC_VIRTIO] = { "virtio-net-pci", "virtio-net", 0, GUESTHW_ON_ALL, "virtio-net-device" },
};

/* The pc machine's PIIX controller has two IDE buses of two units each
 * (there is no CD-ROM: -nodefaults); one ich9-ahci has six ports. The
 * virt machines have no IDE controller of their own (and QEMU no PCI IDE
 * for them); the other buses are PCI devices, which they all take.
 * microvm (x86_64, no PCI) takes the virtio ones on virtio-mmio. */
const struct guesthw_name guesthw_buses[GUESTHW_BUSES] = {
	[GUESTHW_BUS_VIRTIO] = { "virtio", NULL, 0, GUESTHW_ON_ALL, "virtio-blk-device" },
	[GUESTHW_BUS_SCSI] = { "scsi", NULL, 0, GUESTHW_ON_ALL, "virtio-scsi-device" },
	[GUESTHW_BUS_IDE] = { "ide", NULL, 4, GUESTHW_ON(GUESTHW_ARCH_X86_64) },
	[GUESTHW_BUS_SATA] = { "sata", NULL, 6, GUESTHW_ON_ALL },
	[GUESTHW_BUS_NVME] = { "nvme", NULL, 0, GUESTHW_ON_ALL },
	[GUESTHW_BUS_USB] = { "usb", NULL, 0, GUESTHW_ON_ALL },
};

int guesthw_arch_lookup(const char *s)
{
	for (unsigned i = 0; i < GUESTHW_ARCHS; i++)
		if (!strcmp(guesthw_archs[i].name, s))
			return (int)i;
	return -1;
}

enum guesthw_arch guesthw_arch_native(void)
{
#if defined(__aarch64__)
	return GUESTHW_ARCH_AARCH64;
#elif defined(__riscv)
	return GUESTHW_ARCH_RISCV64;
#else
	return GUESTHW_ARCH_X86_64;
#endif
}

int guesthw_lookup(const struct guesthw_name *table, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(table[i].name, s) || (table[i].alias && !strcmp(table[i].alias, s)))
			return (int)i;
	return -1;
}

void guesthw_list(const struct guesthw_name *table, unsigned n, enum guesthw_arch arch, char *buf, size_t size)
{
	unsigned total = 0, listed = 0;
	size_t used = 0;

	for (unsigned i = 0; i < n; i++)
		total += (table[i].archs & GUESTHW_ON(arch)) != 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < n && used < size; i++) {
		int k;

		if (!(table[i].archs & GUESTHW_ON(arch)))
			continue;
		k = snprintf(buf + used, size - used, "%s%s", listed == 0 ? "" : listed + 1 == total ? " or " : ", ",
			     table[i].name);
		if (k < 0)
			return;
		used += (size_t)k;
		listed++;
	}
}
