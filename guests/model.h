/* The guest model: what the guests layer knows of a guest, whatever runs
 * it. init/labcfg/ fills it from the profile; guests/qemu/ turns it into a
 * command line, guests/uml/ into User-Mode Linux's. The strings are borrowed (from the profile). */
#ifndef LAB_GUEST_MODEL_H
#define LAB_GUEST_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/core/guesthw.h"

/* What runs the guest: QEMU, or the guest's kernel itself as a host
 * process (User-Mode Linux, guests/uml/). */
enum guest_kind { GUEST_KIND_QEMU, GUEST_KIND_UML };

/* What the guest's CPU runs first. */
enum guest_firmware {
	GUEST_FW_KERNEL,     /* QEMU loads the kernel itself (-kernel) */
	GUEST_FW_BIOS,       /* SeaBIOS, QEMU's default, boots the first disk */
	GUEST_FW_UEFI,       /* OVMF, with the guest's own variable store */
	GUEST_FW_UBOOT,      /* Debian's u-boot-qemu build for the arch (-bios) */
	GUEST_FW_FILE,       /* firmware_file (-bios) */
};

/* The x86_64 machine (CONFIG_GUESTn_MACHINE). AUTO: microvm when the
 * kernel and every device can run there (guest_prepare decides), else
 * pc; on aarch64 and riscv64 always their virt machine. */
enum guest_machine { GUEST_MACHINE_AUTO, GUEST_MACHINE_MICROVM, GUEST_MACHINE_PC };

/* The first disk (CONFIG_GUESTn_DISK) and the extra ones, in order. */
#define GUEST_MAX_DISKS 5
#define GUEST_MAX_NICS 4

struct guest_disk {
	const char *path;
	enum guesthw_bus bus;
	bool persistent;                     /* writes reach the image */
};

struct guest_config {
	const char *name;
	enum guest_kind kind;
	enum guesthw_arch arch;              /* the machine: pc, or virt */
	enum guest_machine machine;
	const char *kernel, *initrd;         /* "" when absent */
	struct guest_disk disks[GUEST_MAX_DISKS];
	unsigned ndisks;
	enum guest_firmware firmware;
	const char *firmware_file;           /* GUEST_FW_FILE's */
	/* CONFIG_GUESTn_BOOT=network: the firmware netboots from the first
	 * NIC; QEMU gets no kernel (the lab's menus name it) */
	bool boot_network;
	const char *append;                  /* the kernel's command line */
	unsigned memory_mib, cpus;
	/* its NICs: nics[i]'s tap is fd 3 + i of QEMU (UML: vec<i>); none
	 * (nnics 0): one NIC, nic and mac, on the tap named after it */
	struct guest_nic {
		enum guesthw_nic model;
		uint8_t mac[6];
		const char *tap;
		bool macvtap;          /* tap names a macvtap link: its /dev/tapN is opened */
	} nics[GUEST_MAX_NICS];
	unsigned nnics;
	enum guesthw_nic nic;
	uint8_t mac[6];
	uint16_t gdb_port;                   /* 0: no gdb stub */
	bool gdb_wait;                       /* halted until gdb attaches */
	bool reset_snapshot;                 /* `labctl reset` loads a snapshot (qmp_snap.c) */
	/* the debug-file share over 9p: none when share_dir is NULL */
	const char *share_dir, *share_tag;
	bool share_per_guest;                /* each guest its own subdirectory */
	unsigned console_log_kib;            /* the bound of its console's files */
	/* CONFIG_GUESTn_CLOUD_INIT: a NoCloud seed naming the guest
	 * name.domain and holding ssh_keys (one per line, "" for none) */
	bool cloud_init;
	const char *domain, *ssh_keys;
	const char *qemu_args;               /* CONFIG_GUESTn_QEMU_ARGS, unsplit */
	/* QEMU and the console logger run as this user and group; 0: root */
	uint32_t uid, gid;
};

#endif
