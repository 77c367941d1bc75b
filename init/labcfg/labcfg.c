/* The profile → each layer's config; see labcfg.h. Bounds that the layers
 * keep on their own are tied to the profile's here, at compile time. */
#include "init/labcfg/labcfg.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "init/boot/msg.h"
#include "init/supervise/supervise.h"
#include "lib/core/bytes.h"

_Static_assert(LABNET_MAX_TAPS >= PROFILE_GUEST_SLOTS * PROFILE_MAX_NICS, "a tap per NIC of every guest slot");
_Static_assert(LABNET_MAX_NETS >= PROFILE_NETS && NFT_MAX_NETS >= PROFILE_NETS && BOOT_MAX_NETS >= PROFILE_NETS,
	       "every network");
_Static_assert((int)NFT_NAT == (int)NET_NAT && (int)NFT_ROUTED == (int)NET_ROUTED &&
		       (int)NFT_ISOLATED == (int)NET_ISOLATED && (int)NFT_PRIVATE == (int)NET_PRIVATE &&
		       (int)NFT_BRIDGE == (int)NET_BRIDGE && (int)NFT_SPAN == (int)NET_SPAN,
	       "the firewall's modes are the profile's");
_Static_assert(NFT_MAX_FORWARDS >= PROFILE_MAX_FORWARDS, "every port forward fits the ruleset");
_Static_assert(DHCPD_KNOWN_MAX >= PROFILE_GUEST_SLOTS, "the DHCP server knows every guest");
_Static_assert(DHCP_FILE_MAX == PROFILE_BOOT_FILE_MAX, "a profile boot file fits the BOOTP file field");
_Static_assert(DNSD_CFG_GUESTS >= PROFILE_GUEST_SLOTS, "DNS names every guest");
_Static_assert(DNSD_CFG_SERVERS >= PROFILE_MAX_DNS, "every resolver reaches DNS");
_Static_assert(SV_MAX >= 6 + (PROFILE_NETS - 1) + 2 * PROFILE_GUEST_SLOTS + PROFILE_MAX_SERVICES,
	       "PID 1 supervises its own services, every guest with its console logger, and the extra services");

_Static_assert(NFT_MAX_PORTS >= 1 + PROFILE_GUEST_SLOTS + PROFILE_MAX_PORTS, "SMB, every gdb stub, every extra port");
_Static_assert((unsigned)LISTEN_BRIDGE == NFT_ON_BRIDGE && (unsigned)LISTEN_UPLINK == NFT_ON_UPLINK,
	       "the profile's listen bits are the firewall's");

static void add_port(struct nft_config *out, uint8_t proto, uint16_t port, enum listen_on on)
{
	out->ports[out->nports++] = (struct nft_port){ proto, port, (uint8_t)on };
}

uid_t labcfg_uplink_client_uid(const struct profile *p)
{
	return p->sandbox_uid + PROFILE_GUEST_SLOTS + 1;
}

gid_t labcfg_kvm_gid(const struct profile *p)
{
	return p->sandbox_uid + PROFILE_GUEST_SLOTS + 2;
}

/* A forward to a guest by name also answers over IPv6, at the address
 * SLAAC gives the guest's MAC in the lab's /64 (the guest's AAAA). */
static void forward6(const struct profile *p, const struct port_forward *f, struct nft_forward *out)
{
	if (!p->ipv6)
		return;
	for (unsigned i = 0; i < p->nguests; i++)
		if (!strcmp(p->guests[i].name, f->guest) && !p->guests[i].nics[0].macvtap && p->guests[i].nics[0].net == 0) {
			addr_eui64(p->prefix6, p->guests[i].mac, out->guest_ip6);
			out->has6 = true;
		}
}

static void labcfg_nft(const struct profile *p, struct nft_config *out)
{
	memset(out, 0, sizeof(*out));
	out->uplink_ifname = p->uplink_ifname;
	for (unsigned i = 0; i < p->nnets; i++) {
		const struct net_cfg *n = &p->nets[i];
		struct nft_net *o = &out->nets[i];

		*o = (struct nft_net){ n->bridge_name, (enum nft_mode)n->mode, n->host_addr, n->subnet, n->ipv6, { 0 },
				       n->dhcp, n->dns, n->dhcp6, 0, false, NULL, 0, n->dhcp && p->tftp_root[0] };
		memcpy(o->prefix6, n->prefix6, sizeof(o->prefix6));
		if (n->mode == NET_SPAN) {
			o->span_port = n->span.port;
			o->span_group = n->span.group != 0;
			o->span_peers = n->span.peers;
			o->span_npeers = n->span.npeers;
		}
		if (n->mode == NET_BRIDGE) /* the host's own address moved there */
			out->uplink_ifname = n->bridge_name;
	}
	out->nnets = p->nnets;
	if (p->share_smb)
		add_port(out, IPPROTO_TCP, 445, p->smb_listen); /* SMB direct over TCP, no NetBIOS ports */
	for (unsigned i = 0; i < p->nguests; i++)
		if (p->guests[i].gdb_port)
			add_port(out, IPPROTO_TCP, p->guests[i].gdb_port, p->gdb_listen);
	for (unsigned i = 0; i < p->nextra_ports; i++)
		add_port(out, p->extra_ports[i].proto, p->extra_ports[i].port, p->extra_ports[i].on);
	for (unsigned i = 0; i < p->nforwards; i++) {
		const struct port_forward *f = &p->forwards[i];

		out->forwards[i] = (struct nft_forward){ f->proto, f->host_port, f->guest_port, f->guest_ip, false, { 0 },
							 f->bind4, f->bound6, { 0 } };
		memcpy(out->forwards[i].bind6, f->bind6, 16);
		forward6(p, f, &out->forwards[i]);
	}
	out->nforwards = p->nforwards;
}

/* A NIC's link: a tap on its network's bridge, or a macvtap on the uplink. */
static void labcfg_tap(const struct guest_cfg *g, const struct nic_cfg *n, struct labnet_config *out)
{
	struct labnet_tap *t = &out->taps[out->ntaps++];

	*t = (struct labnet_tap){ n->tap, g->slot, n->net, n->impair, n->macvtap, { 0 } };
	memcpy(t->mac, n->mac, sizeof(t->mac));
}

void labcfg_labnet(const struct profile *p, struct labnet_config *out)
{
	memset(out, 0, sizeof(*out));
	out->uplink_ifname = p->uplink_ifname;
	out->hostname = p->hostname;
	out->uplink_dhcp = p->uplink_dhcp;
	out->uplink_client_uid = labcfg_uplink_client_uid(p);
	out->uplink_addr = p->uplink_addr;
	out->uplink_gateway = p->uplink_gateway;
	for (unsigned i = 0; i < p->nnets; i++) {
		const struct net_cfg *n = &p->nets[i];
		struct labnet_net *o = &out->nets[i];

		o->name = n->name;
		o->bridge_name = n->bridge_name;
		o->num = n->num;
		/* A bridge network without BRIDGE_MAC takes the uplink's. */
		if (n->mode != NET_BRIDGE || p->v[K_NET(n->num, NF_BRIDGE_MAC)].str[0])
			memcpy(o->bridge_mac, n->bridge_mac, sizeof(o->bridge_mac));
		o->host_addr = n->host_addr;
		o->uplink_port = n->mode == NET_BRIDGE;
		o->subnet = n->subnet;
		o->gateway = n->gateway;
		o->mtu = n->mtu;
		o->forward_delay = n->forward_delay;
		o->stp = n->stp;
		o->bridge_ipv6 = n->bridge_ipv6;
		o->ipv6 = n->ipv6;
		memcpy(o->prefix6, n->prefix6, sizeof(o->prefix6));
		memcpy(o->gateway6, n->gateway6, sizeof(o->gateway6));
		for (unsigned k = 0; k < n->nports && k < LABNET_MAX_PORTS; k++)
			o->ports[o->nports++] = n->ports[k];
		if (n->mode == NET_SPAN) {
			o->vxlan_dev = n->span.dev;
			o->vni = n->span.vni;
			o->group = n->span.group;
			o->vxlan_port = n->span.port;
			o->peers = n->span.peers;
			o->npeers = n->span.npeers;
		}
	}
	out->nnets = p->nnets;
	for (unsigned i = 0; i < p->nguests; i++)
		for (unsigned k = 0; k < p->guests[i].nnics && p->guests[i].kind != RUNNER_BOARD; k++)
			labcfg_tap(&p->guests[i], &p->guests[i].nics[k], out);
	labcfg_nft(p, &out->nft);
}

/* The NIC guest g has on network net, or NULL (a macvtap NIC is on none:
 * the LAN's DHCP server and DNS serve it, not the lab's). */
static const struct nic_cfg *nic_on(const struct guest_cfg *g, unsigned net)
{
	for (unsigned k = 0; k < g->nnics; k++)
		if (!g->nics[k].macvtap && g->nics[k].net == net)
			return &g->nics[k];
	return NULL;
}

void labcfg_dnsd(const struct profile *p, unsigned net, struct dnsd_config *out)
{
	const struct net_cfg *n = &p->nets[net];

	memset(out, 0, sizeof(*out));
	out->bridge_name = n->bridge_name;
	out->ipv6 = n->ipv6;
	memcpy(out->prefix6, n->prefix6, sizeof(out->prefix6));
	memcpy(out->gateway6, n->gateway6, sizeof(out->gateway6));
	out->dns_domain = n->dns_domain ? n->dns_domain : p->dns_domain;
	out->hostname = p->hostname;
	out->gateway = n->gateway;
	out->subnet = n->subnet;
	out->dns_no_forward = p->dns_no_forward;
	out->uplink_dhcp = p->uplink_dhcp;
	out->uplink_ifname = p->uplink_ifname;
	memcpy(out->dns_upstreams, p->dns_upstreams, sizeof(p->dns_upstreams));
	out->ndns_upstreams = p->ndns_upstreams;
	memcpy(out->uplink_dns, p->uplink_dns, sizeof(p->uplink_dns));
	out->uplink_ndns = p->uplink_ndns;
	/* The guests on this network; a fixed address is the first NIC's. */
	for (unsigned i = 0; i < p->nguests; i++) {
		const struct nic_cfg *nic = nic_on(&p->guests[i], net);

		if (!nic)
			continue;
		out->guests[out->nguests] = (struct dnsd_guest){ p->guests[i].name,
								 nic == &p->guests[i].nics[0] ? p->guests[i].ip : 0, { 0 } };
		memcpy(out->guests[out->nguests++].mac, nic->mac, 6);
	}
	out->uid = p->sandbox_uid;
	out->gid = p->sandbox_uid;
}

/* A profile guest that boots from the network: the DHCP server gives it
 * the boot options whatever its firmware says it is. */
static bool guest_netboots(const struct guest_cfg *g)
{
	return g->boot_file[0] || g->boot_network; /* BOOT=network, KIND=board */
}

/* The boot options (net/dhcpd/boot.c). On for clients that are not
 * netbooting guests when there is a TFTP server to send them to. */
static void labcfg_dhcpd_boot(const struct profile *p, struct dhcpd_boot *out)
{
	static const enum dhcpd_loader of[BOOT_LOADERS] = {
		[BOOT_BIOS] = DHCPD_LOADER_BIOS,
		[BOOT_UEFI_X64] = DHCPD_LOADER_UEFI_X64,
		[BOOT_UEFI_ARM64] = DHCPD_LOADER_UEFI_ARM64,
		[BOOT_UEFI_RISCV64] = DHCPD_LOADER_UEFI_RISCV64,
		[BOOT_IPXE] = DHCPD_LOADER_IPXE,
		[BOOT_UBOOT] = DHCPD_LOADER_UBOOT,
	};
	bool any_file = false;

	for (unsigned i = 0; i < BOOT_LOADERS; i++) {
		snprintf(out->file[of[i]], sizeof(out->file[of[i]]), "%s", p->boot_files[i] ? p->boot_files[i] : "");
		any_file = any_file || out->file[of[i]][0];
	}
	out->next_server = p->boot_next_server;
	out->enabled = any_file && (p->boot_next_server || p->tftp_root[0]);
}

static void labcfg_dhcpd(const struct profile *p, unsigned net, struct dhcpd_config *out)
{
	const struct net_cfg *n = &p->nets[net];

	memset(out, 0, sizeof(*out));
	out->server_ip = n->gateway;
	out->no_router = n->mode == NET_PRIVATE || n->mode == NET_ISOLATED; /* nothing forwarded there */
	out->network = n->subnet.addr;
	out->prefix = n->subnet.len;
	out->range_start = n->range_start;
	out->range_end = n->range_end;
	out->dns = n->dns ? n->gateway : 0;
	if (n->dns)
		snprintf(out->domain, sizeof(out->domain), "%s", n->dns_domain);
	out->lease_time = p->lease_time;
	out->mtu = (uint16_t)n->mtu;
	for (unsigned i = 0; i < p->nguests; i++) {
		const struct nic_cfg *nic = nic_on(&p->guests[i], net);
		struct dhcpd_known *k = &out->known[out->nknown];

		if (!nic)
			continue;
		memcpy(k->mac, nic->mac, sizeof(k->mac));
		snprintf(k->name, sizeof(k->name), "%s", p->guests[i].name);
		k->ip = nic == &p->guests[i].nics[0] ? p->guests[i].ip : 0;
		/* the boot file is the first NIC's: the one its firmware boots from */
		if (nic == &p->guests[i].nics[0]) {
			k->netboots = guest_netboots(&p->guests[i]);
			snprintf(k->boot_file, sizeof(k->boot_file), "%s", p->guests[i].boot_file ? p->guests[i].boot_file : "");
		}
		out->nknown++;
	}
	labcfg_dhcpd_boot(p, &out->boot);
}

/* DHCPv6 over PREFIX::1000-1fff; a guest with a fixed IPv4 address has
 * PREFIX::<that address> (fd00::10.77.0.20), the DNS is the gateway's. */
_Static_assert(DHCP6_KNOWN_MAX >= PROFILE_GUEST_SLOTS, "DHCPv6 knows every guest");
static void labcfg_dhcp6(const struct profile *p, unsigned net, struct dhcp6_config *out)
{
	const struct net_cfg *n = &p->nets[net];

	memset(out, 0, sizeof(*out));
	memcpy(out->prefix, n->prefix6, 16);
	memcpy(out->server_mac, n->bridge_mac, 6);
	out->range_first = 0x1000;
	out->range_last = 0x1fff;
	if (n->dns) {
		memcpy(out->dns, n->gateway6, 16);
		snprintf(out->domain, sizeof(out->domain), "%s", n->dns_domain);
	}
	out->lease_time = p->lease_time;
	for (unsigned i = 0; i < p->nguests; i++) {
		const struct nic_cfg *nic = nic_on(&p->guests[i], net);
		struct dhcp6_known *k = &out->known[out->nknown];

		if (!nic)
			continue;
		memcpy(k->mac, nic->mac, 6);
		snprintf(k->name, sizeof(k->name), "%s", p->guests[i].name);
		if (p->guests[i].ip && nic == &p->guests[i].nics[0]) {
			memcpy(k->addr, n->prefix6, 8);
			put_be32(k->addr + 12, p->guests[i].ip);
		}
		out->nknown++;
	}
}

bool labcfg_net_worker(const struct profile *p, unsigned net)
{
	const struct net_cfg *n = &p->nets[net];

	/* network 1's worker is the DHCP server's, as before networks */
	return net == 0 ? n->dhcp : n->dhcp || n->dns || n->ipv6;
}

/* TFTP on network net's bridge: the root and its bounds, the generated
 * menus overlaid on it, and the netbooting guests' KERNEL/INITRD as
 * exports (labcfg_netboot). */
void labcfg_tftpd(const struct profile *p, unsigned net, struct tftpd_config *out)
{
	static struct netboot_config nb;

	memset(out, 0, sizeof(*out));
	out->root = p->tftp_root;
	out->generated = p->netboot_dir;
	out->max_sessions = p->tftp_max_sessions;
	out->bridge = p->nets[net].bridge_name;
	labcfg_netboot(p, &nb);
	for (unsigned i = 0; i < nb.nexports && out->nexports < TFTPD_MAX_EXPORTS; i++) {
		snprintf(out->exports[out->nexports].path, sizeof(out->exports[0].path), "%s", nb.exports[i].path);
		out->exports[out->nexports++].file = nb.exports[i].file;
	}
}

void labcfg_dhcpd_worker(const struct profile *p, unsigned net, struct dhcpd_worker_config *out)
{
	const struct net_cfg *n = &p->nets[net];

	memset(out, 0, sizeof(*out));
	out->bridge_name = n->bridge_name;
	out->lease_file = n->lease_file;
	out->dhcp = n->dhcp;
	out->dns = n->dns;
	out->uid = p->sandbox_uid;
	out->gid = p->sandbox_uid;
	labcfg_dhcpd(p, net, &out->dhcpd);
	out->mtu_from_bridge = n->mode == NET_SPAN;
	labcfg_dnsd(p, net, &out->dnsd);
	out->ra = n->ipv6;
	memcpy(out->ndp.mac, n->bridge_mac, sizeof(out->ndp.mac));
	memcpy(out->ndp.prefix, n->prefix6, sizeof(out->ndp.prefix));
	out->ndp.domain = n->dns ? n->dns_domain : NULL;
	if (n->dns) /* the worker's DNS answers there too (RDNSS, RFC 8106) */
		memcpy(out->ndp.rdnss, n->gateway6, sizeof(out->ndp.rdnss));
	out->ndp.mtu = n->mtu;
	/* DHCPv6: the RA says so (M, O); the prefix stays autonomous */
	out->dhcp6 = n->dhcp6;
	out->ndp.managed = out->ndp.other = n->dhcp6;
	if (n->dhcp6)
		labcfg_dhcp6(p, net, &out->dhcp6d);
	labcfg_tftpd(p, net, &out->tftpd);
	out->tftp = n->dhcp && p->tftp_root[0];
	if (out->tftp)
		labcfg_netboot(p, &out->netboot);
}

_Static_assert(GUEST_MAX_DISKS >= 1 + PROFILE_MAX_EXTRA_DISKS, "the first disk and every extra one");
_Static_assert(GUEST_MAX_NICS >= PROFILE_MAX_NICS && BOOT_MAX_TAPS >= PROFILE_MAX_NICS &&
		       SV_MAX_MORE_FDS + 1 >= PROFILE_MAX_NICS,
	       "every NIC's tap reaches its guest");

static enum guest_firmware firmware_of(enum firmware_kind f)
{
	static const enum guest_firmware of[] = { [FIRMWARE_KERNEL] = GUEST_FW_KERNEL, [FIRMWARE_BIOS] = GUEST_FW_BIOS,
						  [FIRMWARE_UEFI] = GUEST_FW_UEFI, [FIRMWARE_UBOOT] = GUEST_FW_UBOOT,
						  [FIRMWARE_FILE] = GUEST_FW_FILE };

	return of[f];
}

static void labcfg_disks(const struct guest_cfg *g, struct guest_config *out)
{
	for (unsigned i = 0; i < g->ndisks; i++)
		out->disks[i] = (struct guest_disk){ g->disks[i].path, g->disks[i].bus, g->disks[i].persistent };
	out->ndisks = g->ndisks;
}

void labcfg_guest(const struct profile *p, const struct guest_cfg *g, struct guest_config *out)
{
	memset(out, 0, sizeof(*out));
	out->name = g->name;
	out->kind = g->kind == RUNNER_UML ? GUEST_KIND_UML : GUEST_KIND_QEMU;
	out->arch = g->arch;
	out->machine = (enum guest_machine)g->machine;
	out->kernel = g->kernel;
	out->initrd = g->initrd;
	out->firmware = firmware_of(g->firmware);
	out->firmware_file = g->firmware_file;
	out->boot_network = g->boot_network;
	labcfg_disks(g, out);
	out->append = g->append;
	out->memory_mib = g->memory_mib;
	out->cpus = g->cpus;
	out->nic = g->nic;
	memcpy(out->mac, g->mac, sizeof(out->mac));
	for (unsigned k = 0; k < g->nnics; k++) {
		out->nics[k] = (struct guest_nic){ g->nics[k].model, { 0 }, g->nics[k].tap, g->nics[k].macvtap };
		memcpy(out->nics[k].mac, g->nics[k].mac, 6);
	}
	out->nnics = g->nnics;
	out->gdb_port = g->gdb_port;
	out->gdb_wait = g->gdb_wait;
	out->reset_snapshot = g->reset_snapshot;
	out->share_dir = p->share_9p ? p->share_dir : NULL;
	out->share_tag = p->share_9p_tag;
	out->share_per_guest = p->share_per_guest;
	out->console_log_kib = p->console_log_kib;
	out->cloud_init = g->cloud_init;
	out->domain = p->dns ? p->dns_domain : "";
	out->ssh_keys = p->ssh_keys;
	out->qemu_args = g->qemu_args;
	/* One user and group per guest slot (init/boot/creds.h): no guest's
	 * QEMU can open another's disks or files, nor the worker's. */
	out->uid = p->sandbox_uid + g->slot;
	out->gid = p->sandbox_uid + g->slot;
}

_Static_assert(NETBOOT_MAX_GUESTS >= PROFILE_GUEST_SLOTS, "every guest may netboot");

static void netboot_export(struct netboot_config *out, const char *name, const char *what, const char *file)
{
	struct netboot_export *e = &out->exports[out->nexports++];

	snprintf(e->path, sizeof(e->path), "labinit/guests/%s/%s", name, what);
	e->file = file;
}

void labcfg_netboot(const struct profile *p, struct netboot_config *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < p->nguests; i++) {
		const struct guest_cfg *g = &p->guests[i];
		struct netboot_guest *n = &out->guests[out->nguests];

		if (!g->boot_network || !g->nnics)
			continue;
		*n = (struct netboot_guest){ g->name, { 0 }, g->arch, g->initrd[0] != '\0', g->append ? g->append : "" };
		memcpy(n->mac, g->nics[0].mac, 6);
		out->nguests++;
		netboot_export(out, g->name, "kernel", g->kernel);
		if (g->initrd[0])
			netboot_export(out, g->name, "initrd", g->initrd);
	}
}

void labcfg_share(const struct profile *p, struct share_config *out)
{
	out->share_dir = p->share_dir;
	out->gateway = p->gateway;
	out->prefix_len = p->subnet.len;
}
