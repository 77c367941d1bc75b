/* The profile → each layer's config; see labcfg.h. Bounds that the layers
 * keep on their own are tied to the profile's here, at compile time. */
#include "init/labcfg/labcfg.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "init/supervise/supervise.h"
#include "lib/core/bytes.h"

_Static_assert(LABNET_MAX_TAPS >= PROFILE_GUEST_SLOTS, "a tap per guest slot");
_Static_assert(NFT_MAX_FORWARDS >= PROFILE_MAX_FORWARDS, "every port forward fits the ruleset");
_Static_assert(DHCPD_KNOWN_MAX >= PROFILE_GUEST_SLOTS, "the DHCP server knows every guest");
_Static_assert(DNSD_CFG_GUESTS >= PROFILE_GUEST_SLOTS, "DNS names every guest");
_Static_assert(DNSD_CFG_SERVERS >= PROFILE_MAX_DNS, "every resolver reaches DNS");
_Static_assert(SV_MAX >= 6 + 2 * PROFILE_GUEST_SLOTS + PROFILE_MAX_SERVICES,
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
		if (!strcmp(p->guests[i].name, f->guest)) {
			addr_eui64(p->prefix6, p->guests[i].mac, out->guest_ip6);
			out->has6 = true;
		}
}

static void labcfg_nft(const struct profile *p, struct nft_config *out)
{
	memset(out, 0, sizeof(*out));
	out->bridge_name = p->bridge_name;
	out->uplink_ifname = p->uplink_ifname;
	out->subnet = p->subnet;
	out->nat = p->nat;
	out->ipv6 = p->ipv6;
	memcpy(out->prefix6, p->prefix6, sizeof(out->prefix6));
	out->dhcp = p->dhcp;
	out->dns = p->dns;
	out->dhcp6 = p->dhcp && p->dhcp6;
	if (p->share_smb)
		add_port(out, IPPROTO_TCP, 445, p->smb_listen); /* SMB direct over TCP, no NetBIOS ports */
	for (unsigned i = 0; i < p->nguests; i++)
		if (p->guests[i].gdb_port)
			add_port(out, IPPROTO_TCP, p->guests[i].gdb_port, p->gdb_listen);
	for (unsigned i = 0; i < p->nextra_ports; i++)
		add_port(out, p->extra_ports[i].proto, p->extra_ports[i].port, p->extra_ports[i].on);
	for (unsigned i = 0; i < p->nforwards; i++) {
		const struct port_forward *f = &p->forwards[i];

		out->forwards[i] = (struct nft_forward){ f->proto, f->host_port, f->guest_port, f->guest_ip, false, { 0 } };
		forward6(p, f, &out->forwards[i]);
	}
	out->nforwards = p->nforwards;
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
	out->bridge_name = p->bridge_name;
	memcpy(out->bridge_mac, p->bridge_mac, sizeof(out->bridge_mac));
	out->subnet = p->subnet;
	out->gateway = p->gateway;
	out->mtu = p->mtu;
	out->forward_delay = p->forward_delay;
	out->stp = p->stp;
	out->bridge_ipv6 = p->bridge_ipv6;
	out->ipv6 = p->ipv6;
	memcpy(out->prefix6, p->prefix6, sizeof(out->prefix6));
	memcpy(out->gateway6, p->gateway6, sizeof(out->gateway6));
	out->nat = p->nat;
	for (unsigned i = 0; i < p->nguests; i++)
		out->taps[i] = (struct labnet_tap){ p->guests[i].name, p->guests[i].slot };
	out->ntaps = p->nguests;
	labcfg_nft(p, &out->nft);
}

void labcfg_dnsd(const struct profile *p, struct dnsd_config *out)
{
	memset(out, 0, sizeof(*out));
	out->bridge_name = p->bridge_name;
	out->ipv6 = p->ipv6;
	memcpy(out->prefix6, p->prefix6, sizeof(out->prefix6));
	memcpy(out->gateway6, p->gateway6, sizeof(out->gateway6));
	out->dns_domain = p->dns_domain;
	out->hostname = p->hostname;
	out->gateway = p->gateway;
	out->subnet = p->subnet;
	out->dns_no_forward = p->dns_no_forward;
	out->uplink_dhcp = p->uplink_dhcp;
	out->uplink_ifname = p->uplink_ifname;
	memcpy(out->dns_upstreams, p->dns_upstreams, sizeof(p->dns_upstreams));
	out->ndns_upstreams = p->ndns_upstreams;
	memcpy(out->uplink_dns, p->uplink_dns, sizeof(p->uplink_dns));
	out->uplink_ndns = p->uplink_ndns;
	for (unsigned i = 0; i < p->nguests; i++) {
		out->guests[i] = (struct dnsd_guest){ p->guests[i].name, p->guests[i].ip, { 0 } };
		memcpy(out->guests[i].mac, p->guests[i].mac, 6);
	}
	out->nguests = p->nguests;
	out->uid = p->sandbox_uid;
	out->gid = p->sandbox_uid;
}

static void labcfg_dhcpd(const struct profile *p, struct dhcpd_config *out)
{
	memset(out, 0, sizeof(*out));
	out->server_ip = p->gateway;
	out->network = p->subnet.addr;
	out->prefix = p->subnet.len;
	out->range_start = p->range_start;
	out->range_end = p->range_end;
	out->dns = p->dns ? p->gateway : 0;
	if (p->dns)
		snprintf(out->domain, sizeof(out->domain), "%s", p->dns_domain);
	out->lease_time = p->lease_time;
	out->mtu = (uint16_t)p->mtu;
	for (unsigned i = 0; i < p->nguests; i++) {
		struct dhcpd_known *k = &out->known[i];

		memcpy(k->mac, p->guests[i].mac, sizeof(k->mac));
		snprintf(k->name, sizeof(k->name), "%s", p->guests[i].name);
		k->ip = p->guests[i].ip;
	}
	out->nknown = p->nguests;
}

/* DHCPv6 over PREFIX::1000-1fff; a guest with a fixed IPv4 address has
 * PREFIX::<that address> (fd00::10.77.0.20), the DNS is the gateway's. */
_Static_assert(DHCP6_KNOWN_MAX >= PROFILE_GUEST_SLOTS, "DHCPv6 knows every guest");
static void labcfg_dhcp6(const struct profile *p, struct dhcp6_config *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->prefix, p->prefix6, 16);
	memcpy(out->server_mac, p->bridge_mac, 6);
	out->range_first = 0x1000;
	out->range_last = 0x1fff;
	if (p->dns) {
		memcpy(out->dns, p->gateway6, 16);
		snprintf(out->domain, sizeof(out->domain), "%s", p->dns_domain);
	}
	out->lease_time = p->lease_time;
	for (unsigned i = 0; i < p->nguests; i++) {
		struct dhcp6_known *k = &out->known[i];

		memcpy(k->mac, p->guests[i].mac, 6);
		snprintf(k->name, sizeof(k->name), "%s", p->guests[i].name);
		if (p->guests[i].ip) {
			memcpy(k->addr, p->prefix6, 8);
			put_be32(k->addr + 12, p->guests[i].ip);
		}
	}
	out->nknown = p->nguests;
}

void labcfg_dhcpd_worker(const struct profile *p, struct dhcpd_worker_config *out)
{
	memset(out, 0, sizeof(*out));
	out->bridge_name = p->bridge_name;
	out->lease_file = p->lease_file;
	out->dhcp = p->dhcp;
	out->dns = p->dns;
	out->uid = p->sandbox_uid;
	out->gid = p->sandbox_uid;
	labcfg_dhcpd(p, &out->dhcpd);
	labcfg_dnsd(p, &out->dnsd);
	out->ra = p->ipv6;
	memcpy(out->ndp.mac, p->bridge_mac, sizeof(out->ndp.mac));
	memcpy(out->ndp.prefix, p->prefix6, sizeof(out->ndp.prefix));
	out->ndp.domain = p->dns ? p->dns_domain : NULL;
	if (p->dns) /* the worker's DNS answers there too (RDNSS, RFC 8106) */
		memcpy(out->ndp.rdnss, p->gateway6, sizeof(out->ndp.rdnss));
	out->ndp.mtu = p->mtu;
	/* DHCPv6: the RA says so (M, O); the prefix stays autonomous */
	out->dhcp6 = p->dhcp6;
	out->ndp.managed = out->ndp.other = p->dhcp6;
	if (p->dhcp6)
		labcfg_dhcp6(p, &out->dhcp6d);
}

_Static_assert(GUEST_MAX_DISKS >= 1 + PROFILE_MAX_EXTRA_DISKS, "the first disk and every extra one");

static enum guest_firmware firmware_of(enum firmware_kind f)
{
	static const enum guest_firmware of[] = { [FIRMWARE_KERNEL] = GUEST_FW_KERNEL, [FIRMWARE_BIOS] = GUEST_FW_BIOS,
						  [FIRMWARE_UEFI] = GUEST_FW_UEFI, [FIRMWARE_FILE] = GUEST_FW_FILE };

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
	out->kernel = g->kernel;
	out->initrd = g->initrd;
	out->firmware = firmware_of(g->firmware);
	out->firmware_file = g->firmware_file;
	labcfg_disks(g, out);
	out->append = g->append;
	out->memory_mib = g->memory_mib;
	out->cpus = g->cpus;
	out->nic = g->nic;
	memcpy(out->mac, g->mac, sizeof(out->mac));
	out->gdb_port = g->gdb_port;
	out->gdb_wait = g->gdb_wait;
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

void labcfg_share(const struct profile *p, struct share_config *out)
{
	out->share_dir = p->share_dir;
	out->gateway = p->gateway;
	out->prefix_len = p->subnet.len;
}
