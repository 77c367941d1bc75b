/* The guest hardware a profile names and QEMU emulates: architectures,
 * NIC models and disk buses, each in one table that the profile's
 * validator and QEMU's command line both read, so a name the validator
 * accepts is one the command line knows, on the architecture it is given
 * for. Names are QEMU's own (`qemu-system-ARCH -M MACHINE -device help`),
 * plus the older spellings profiles already use. */
#ifndef LAB_GUESTHW_H
#define LAB_GUESTHW_H

#include <stdbool.h>
#include <stddef.h>

/* In the order of guesthw_archs[]. */
enum guesthw_arch {
	GUESTHW_ARCH_X86_64,   /* pc machine */
	GUESTHW_ARCH_AARCH64,  /* virt machine */
	GUESTHW_ARCH_RISCV64,  /* virt machine, OpenSBI */
	GUESTHW_ARCHS
};

#define GUESTHW_ON(arch) (1u << (arch))
#define GUESTHW_ON_ALL ((1u << GUESTHW_ARCHS) - 1)

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
	unsigned archs;      /* GUESTHW_ON() of each architecture whose machine has it */
	const char *mmio;    /* the -device driver on virtio-mmio (microvm); NULL: PCI only */
};

/* An architecture: what QEMU calls it, the machine, the CPU model under
 * TCG and the serial console's device name in the guest. */
struct guesthw_arch_info {
	const char *name;      /* CONFIG_GUESTn_ARCH's value, qemu-system-<name> */
	const char *machine;
	const char *tcg_cpu;
	const char *console;   /* the kernel's console= */
	bool power_button;     /* QMP system_powerdown reaches the guest */
};

extern const struct guesthw_arch_info guesthw_archs[GUESTHW_ARCHS];

extern const struct guesthw_name guesthw_nics[GUESTHW_NICS];
extern const struct guesthw_name guesthw_buses[GUESTHW_BUSES];

/* The index of s (a name or an alias) in table, or -1. */
int guesthw_lookup(const struct guesthw_name *table, unsigned n, const char *s);
/* "a, b or c": the names of table that arch has, for an error message. */
void guesthw_list(const struct guesthw_name *table, unsigned n, enum guesthw_arch arch, char *buf, size_t size);
/* The index of an architecture's name in guesthw_archs[], or -1. */
int guesthw_arch_lookup(const char *s);
/* The architecture this program was built for: a guest of another one
 * runs under TCG whatever KVM offers. */
enum guesthw_arch guesthw_arch_native(void);

#endif
