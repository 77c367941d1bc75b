/* The QEMU command line for one guest, built from its model and the
 * run-time facts (accelerator, tap fd, socket paths). Pure: no I/O, so
 * unit tests check every argument. */
#ifndef LAB_QEMU_H
#define LAB_QEMU_H

#include <stdbool.h>
#include <stddef.h>

#include "guests/model.h"
#include "lib/core/argvbuf.h"

#define QEMU_MAX_ARGS ARGV_MAX

enum qemu_accel { QEMU_TCG, QEMU_KVM };
enum disk_format { DISK_RAW, DISK_QCOW2 };

/* Debian's ovmf package: the code, read-only and shared, and the variable
 * store every UEFI guest gets a copy of (guest_prepare). The 4 MiB builds
 * without secure boot run on the pc machine without SMM. */
#define QEMU_OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define QEMU_OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"

/* Debian's u-boot-qemu (2023.01), for the pc machine (its device tree is
 * the i440FX's: on q35 it finds no NIC) and the arm64 virt machine. On x86
 * the 32-bit qemu-x86 build: the 64-bit qemu-x86_64 one ("many features
 * are missing") hangs in zboot after "Loading bzImage" under TCG, and a
 * 32-bit U-Boot starts a 64-bit kernel as any 32-bit loader does. */
#define QEMU_UBOOT_X86_64 "/usr/lib/u-boot/qemu-x86/u-boot.rom"
#define QEMU_UBOOT_ARM64 "/usr/lib/u-boot/qemu_arm64/u-boot.bin"

/* What QEMU's `-bios default` loads on the riscv64 virt machine (Debian's
 * qemu-system-data); image/lists/qemu-files-riscv64 carries it. */
#define QEMU_OPENSBI "/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin"

/* In the run directory: QEMU's end of the guest agent's port. */
#define QEMU_AGENT_SOCK "agent.sock"

struct qemu_env {
	const char *qemu;          /* the binary */
	enum qemu_accel accel;
	int tap_fd;                /* the fd number QEMU inherits for the tap, or -1 */
	const char *run_dir;       /* per-guest: console.sock, console.fifo, qmp.sock */
	const char *share_dir;     /* NULL: no 9p share */
	const char *share_tag;
	enum disk_format disk_formats[GUEST_MAX_DISKS]; /* of g->disks[], by content */
	const char *uefi_vars;     /* GUEST_FW_UEFI: the guest's copy of QEMU_OVMF_VARS */
	const char *seed;          /* the cloud-init seed volume, or NULL */
	unsigned tsc_khz;          /* microvm under TCG: the guest's tsc_early_khz=; 0 none */
};

/* The accelerator g gets from the host's: KVM runs only guests of the
 * host's own architecture; any other is emulated (TCG). */
enum qemu_accel qemu_accel_for(const struct guest_config *g, enum qemu_accel host);

/* g->machine is decided (guests/qemu/microvm.h): MICROVM puts every
 * device on virtio-mmio; AUTO and PC mean the architecture's machine.
 * Returns 0, -E2BIG, or -EINVAL when g->qemu_args cannot be split. */
int qemu_build_argv(const struct guest_config *g, const struct qemu_env *env, struct argv_buf *out);

#endif
