/* The profile turned into each layer's own configuration, in this one
 * place: the layers below (net/, guests/) never see struct profile, so a
 * test drives them with a struct literal. The configs borrow the profile's
 * strings: the profile outlives them. */
#ifndef LAB_LABCFG_H
#define LAB_LABCFG_H

#include "guests/model.h"
#include "net/netboot/netboot.h"
#include "guests/share/share.h"
#include "lib/profile/profile.h"
#include "net/dhcpd/worker.h"
#include "net/dns/dnsd.h"
#include "net/labnet/labnet.h"

void labcfg_labnet(const struct profile *p, struct labnet_config *out);
/* The DNS server and the DHCP worker of network p->nets[net]. */
void labcfg_dnsd(const struct profile *p, unsigned net, struct dnsd_config *out);
void labcfg_dhcpd_worker(const struct profile *p, unsigned net, struct dhcpd_worker_config *out);
/* TFTP on network net (for the worker and `labinit tftpd`). */
void labcfg_tftpd(const struct profile *p, unsigned net, struct tftpd_config *out);
/* Whether network p->nets[net] has a worker (DHCP, DNS or RAs to serve). */
bool labcfg_net_worker(const struct profile *p, unsigned net);
void labcfg_guest(const struct profile *p, const struct guest_cfg *g, struct guest_config *out);
void labcfg_share(const struct profile *p, struct share_config *out);
/* The netboot menus of the guests that boot over the network
 * (CONFIG_GUESTn_BOOT=network, boards) and the files the TFTP server
 * exports for them (labinit/guests/NAME/kernel, .../initrd). */
void labcfg_netboot(const struct profile *p, struct netboot_config *out);
/* The users: SANDBOX_UID the DHCP/DNS worker, + slot a guest's QEMU (its
 * own group too), and this one, after the slots, the uplink's DHCP client. */
uid_t labcfg_uplink_client_uid(const struct profile *p);
/* The group that may open a /dev/kvm nobody set up, every QEMU's
 * supplementary group (init/boot/creds.c). */
gid_t labcfg_kvm_gid(const struct profile *p);

#endif
