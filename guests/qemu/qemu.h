/* The QEMU command line for one guest, built from its model and the
 * run-time facts (accelerator, tap fd, socket paths). Pure: no I/O, so
 * unit tests check every argument. */
#ifndef LAB_QEMU_H
#define LAB_QEMU_H

#include <stdbool.h>
#include <stddef.h>

#include "guests/model.h"

#define QEMU_MAX_ARGS 160

enum qemu_accel { QEMU_TCG, QEMU_KVM };
enum disk_format { DISK_RAW, DISK_QCOW2 };

/* Debian's ovmf package: the code, read-only and shared, and the variable
 * store every UEFI guest gets a copy of (guest_prepare). The 4 MiB builds
 * without secure boot run on the pc machine without SMM. */
#define QEMU_OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define QEMU_OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"

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
};

struct qemu_argv {
	char *argv[QEMU_MAX_ARGS + 1];
	char buf[16384];
	size_t used;
	unsigned argc;
	bool overflow;
	bool bad_extra;            /* QEMU_ARGS could not be split */
};

/* Returns 0, -E2BIG, or -EINVAL when g->qemu_args cannot be split. */
int qemu_build_argv(const struct guest_config *g, const struct qemu_env *env, struct qemu_argv *out);

#endif
