/* Who the services the boot hands PID 1 run as: nothing that handles what
 * guests send runs as root. QEMU and its console logger run as
 * SANDBOX_UID + slot, user and group (one per guest: a guest that
 * breaks out of its QEMU cannot reach another's); smbd runs as "nobody",
 * keeping only CAP_NET_BIND_SERVICE for port 445. The DHCP/DNS worker
 * drops root itself, once its sockets are open (lib/core/sandbox.h). */
#ifndef LAB_BOOT_CREDS_H
#define LAB_BOOT_CREDS_H

#include <stdbool.h>

#include "guests/model.h"
#include "init/boot/msg.h"

/* A guest's QEMU or console logger: the guest's uid and gid (labcfg_guest)
 * and, with KVM, the group that may open /dev/kvm. On a /dev/kvm nobody has
 * set up (the kernel's root-only 0600, no udev: the appliance) the device
 * is given to kvm_gid, which every QEMU gets as a supplementary group. */
void boot_creds_guest(const struct guest_config *g, bool kvm, uint32_t kvm_gid, struct boot_creds *s);
/* smbd: "nobody" from /etc/passwd (65534 without one); 0 or -errno. */
int boot_creds_smbd(struct boot_creds *s);
/* SHARE_DIR becomes the lab's drop box, 1777 like /tmp: every guest's
 * QEMU (9p) and smbd's guests may write it, and the sticky bit keeps each
 * writer's files its own. 0 or -errno. */
int boot_share_dropbox(const char *dir);

#endif
