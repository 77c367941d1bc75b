/* Whether an x86_64 guest with MACHINE=auto runs on QEMU's microvm
 * machine (no PCI, no firmware beyond qboot, virtio on MMIO) or on pc, and
 * why: its devices must all have an MMIO form, its kernel must boot there
 * (a vmlinux with a PVH entry, or a bzImage) and reach virtio-mmio (built
 * in, or virtio_mmio.ko in an uncompressed part of its initrd). */
#ifndef LAB_QEMU_MICROVM_H
#define LAB_QEMU_MICROVM_H

#include <stddef.h>

#include "guests/model.h"

/* The three answers about a kernel or an initrd. */
enum microvm_probe { MICROVM_NO, MICROVM_YES, MICROVM_UNKNOWN };

/* Why g's devices or firmware need PCI (the pc machine), or NULL. Pure. */
const char *qemu_microvm_blocker(const struct guest_config *g, char *buf, size_t size);
/* A kernel file (vmlinux ELF or bzImage): can QEMU's microvm boot it?
 * MICROVM_YES, else MICROVM_NO with why. */
enum microvm_probe qemu_microvm_probe_boot(int fd, char *why, size_t size);
/* A vmlinux: virtio-mmio built in (its symbol table names
 * virtio_mmio_probe)? MICROVM_UNKNOWN without a symbol table. */
enum microvm_probe qemu_microvm_probe_builtin(int fd);
/* An initrd: MICROVM_YES when an uncompressed cpio part holds
 * virtio_mmio.ko; MICROVM_UNKNOWN when a compressed part follows (what it
 * holds is not read here); MICROVM_NO otherwise. what names the part. */
enum microvm_probe qemu_microvm_probe_initrd(int fd, char *what, size_t size);
/* g's machine: microvm or pc, deciding MACHINE=auto from its files;
 * why says the reason for an auto decision ("" for an explicit one). */
enum guest_machine qemu_microvm_pick(const struct guest_config *g, const char *vmlinux, char *why, size_t size);
/* The lab host's TSC rate in kHz (measured once, ~20 ms), or 0 when not
 * an x86 host. A microvm guest under TCG gets it as tsc_early_khz=: it
 * has no HPET or ACPI PM timer to calibrate its TSC against, and its PIT
 * calibration fails on a busy host, after which the kernel waits for a
 * timer interrupt that never comes. */
unsigned qemu_microvm_host_tsc_khz(void);

#endif
