/* The netboot menus: for every guest the lab boots over the network
 * (CONFIG_GUESTn_BOOT=network, or a board), the files each loader reads
 * to boot that guest's kernel, keyed by its first NIC's MAC, in the
 * generated tree the TFTP server overlays on CONFIG_TFTP_ROOT:
 *   pxelinux.cfg/01-aa-bb-cc-dd-ee-ff    pxelinux, and U-Boot's `pxe get`
 *   grub/grub.cfg-01-aa-bb-cc-dd-ee-ff   GRUB's netboot image (grubnet*.efi)
 *   grub/grub.cfg                        GRUB's fallback: picks by $net_default_mac
 *   labinit/boot.ipxe                    iPXE: chains ipxe/${mac:hexhyp}.ipxe
 *   labinit/ipxe/aa-bb-cc-dd-ee-ff.ipxe  iPXE, one guest's
 *   boot.scr.uimg                        U-Boot's distro boot (bootcmd_dhcp)
 *                                        sources it: `pxe get`, `pxe boot`
 *   labinit/uboot/aa:bb:cc:dd:ee:ff.scr  U-Boot on x86, which boot.scr.uimg
 *                                        sources instead (netboot.c says why)
 * Every menu names the kernel and initrd by the TFTP server's exports
 * labinit/guests/NAME/kernel and .../initrd (netboot_config.exports), so
 * none holds a host path or the server's address. The builders touch no
 * files; netboot_write writes the tree. */
#ifndef LAB_NETBOOT_H
#define LAB_NETBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/guesthw.h"

#define NETBOOT_MAX_GUESTS 16
#define NETBOOT_MAX_EXPORTS (2 * NETBOOT_MAX_GUESTS)

struct netboot_guest {
	const char *name;               /* a label: letters, digits, '-' */
	uint8_t mac[6];                 /* its first NIC's */
	enum guesthw_arch arch;         /* its console (guesthw_archs[].console) */
	bool initrd;                    /* it has one (exported beside the kernel) */
	const char *append;             /* CONFIG_GUESTn_APPEND, "" for none */
};

/* A file the TFTP server serves by a name of its own: a guest's KERNEL or
 * INITRD as labinit/guests/NAME/kernel or .../initrd. */
struct netboot_export {
	char path[64];                  /* the TFTP name, no leading '/' */
	const char *file;               /* the host file */
};

struct netboot_config {
	struct netboot_guest guests[NETBOOT_MAX_GUESTS];
	unsigned nguests;
	struct netboot_export exports[NETBOOT_MAX_EXPORTS];
	unsigned nexports;
};

enum netboot_menu {
	NETBOOT_PXELINUX,               /* syslinux format: pxelinux and U-Boot's pxe */
	NETBOOT_GRUB,                   /* a grub.cfg */
	NETBOOT_IPXE,                   /* an iPXE script */
	NETBOOT_MENUS
};

/* An APPEND every loader passes on unchanged (netboot.c says which
 * characters it refuses); the profile validator asks it too. */
bool netboot_append_ok(const char *append);
/* One guest's menu of that kind into buf (NUL-terminated): its length,
 * -E2BIG if buf is too small, -EINVAL for a name that is not a label. */
int netboot_menu(enum netboot_menu kind, const struct netboot_guest *g, char *buf, size_t size);
/* The tree path of one guest's menu, e.g. "pxelinux.cfg/01-52-54-00-12-34-56". */
void netboot_menu_path(enum netboot_menu kind, const uint8_t mac[6], char *buf, size_t size);
/* labinit/boot.ipxe, grub/grub.cfg (every guest's by MAC): as netboot_menu. */
int netboot_ipxe_boot(char *buf, size_t size);
int netboot_grub_index(const struct netboot_config *c, char *buf, size_t size);
/* boot.scr.uimg: a U-Boot legacy script image (mkimage -T script): its length. */
int netboot_uboot_script(uint8_t *buf, size_t size);
/* labinit/uboot/MAC.scr of an x86 guest: as netboot_uboot_script, or -EINVAL. */
int netboot_uboot_x86(const struct netboot_guest *g, uint8_t *buf, size_t size);
/* Writes the tree under dir (created, as are its subdirectories): each
 * file to a temporary beside it, then renamed over, so that a reader sees
 * the old or the new file and writing the same tree twice is harmless.
 * 0 or -errno, the file that failed logged with its error. */
int netboot_write(const struct netboot_config *c, const char *dir);

#endif
