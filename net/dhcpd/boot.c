/* Netboot: which loader a request comes from and what its reply carries
 * (siaddr, the BOOTP 'file', options 66 and 67). Pure: the handler
 * (handler.c) writes what dhcpd_boot_choose() decides.
 *
 * No option 60 "PXEClient" and no 97 go back. EDK2's PXE (OVMF; NetworkPkg
 * UefiPxeBcDxe/PxeBcDhcp4.c, PxeBcParseDhcp4Packet) classes an offer with
 * "PXEClient" but no PXE vendor options (43) as "BINL" and asks a boot
 * server at siaddr:4011 for the file, which nobody here answers; without
 * 60 the offer is "DhcpOnly", and one with a boot file (67, or the 'file'
 * header when 67 is absent) is what it boots when no proxy DHCP answers
 * (PxeBcSelectDhcp4Offer, rule 7), from siaddr (54 when siaddr is 0).
 * dnsmasq's dhcp-boot does the same: 60 and 97 are its PXE-service (proxy)
 * mode's, not dhcp-boot's. Legacy PXE ROMs and iPXE take the same offer. */
#include <stdlib.h>
#include <string.h>

#include "net/dhcpd/dhcpd.h"

/* The IANA "Processor Architecture Types" registry (RFC 4578 §2.1, updated
 * by RFC 5970 and the registry since). Types without a loader here get no
 * file: 32-bit x86, arm and RISC-V UEFI (no default loader in the
 * profile), and every "boot from HTTP" type (0x0f-0x14, 0x17, 0x18, 0x1a,
 * 0x1c...): those clients want a URL in 67 and "HTTPClient" in 60, and
 * the lab serves TFTP only. */
static enum dhcpd_loader loader_of_arch(uint16_t arch)
{
	switch (arch) {
	case 0x00: return DHCPD_LOADER_BIOS;       /* x86 BIOS */
	case 0x07: return DHCPD_LOADER_UEFI_X64;   /* x64 UEFI */
	/* EFI Byte Code by the registry, but what several x64 UEFI
	 * firmwares send (as dnsmasq and ISC dhcpd configs assume) */
	case 0x09: return DHCPD_LOADER_UEFI_X64;
	case 0x0b: return DHCPD_LOADER_UEFI_ARM64; /* ARM 64-bit UEFI */
	case 0x15:                                 /* ARM 32-bit U-Boot */
	case 0x16: return DHCPD_LOADER_UBOOT;      /* ARM 64-bit U-Boot */
	case 0x1b: return DHCPD_LOADER_UEFI_RISCV64; /* RISC-V 64-bit UEFI */
	default: return DHCPD_LOADER_NONE;         /* 0x06 x86 UEFI, 0x0a, 0x19, HTTP, ... */
	}
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* A PXE 2.1 ROM's vendor class, "PXEClient:Arch:00007:UNDI:003000",
 * carries the type too: used when 93 is missing. */
static bool arch_of_vendor_class(const char *vc, uint16_t *arch)
{
	static const char pfx[] = "PXEClient:Arch:";
	char *end;
	unsigned long v;

	if (!starts_with(vc, pfx))
		return false;
	v = strtoul(vc + sizeof(pfx) - 1, &end, 10);
	if (end != vc + sizeof(pfx) - 1 + 5 || v > 0xffff)
		return false;
	*arch = (uint16_t)v;
	return true;
}

/* iPXE first: its ROM also sends 93 and "PXEClient", and it must get its
 * script rather than the first-stage loader it may have been chained from.
 * iPXE says so in 77 ("iPXE", RFC 3004 or plain) and with 175. U-Boot
 * (net/bootp.c) sends its CONFIG_BOOTP_VCI_STRING ("U-Boot.armv8") in 60
 * when it has one, 93 only when its CONFIG_BOOTP_PXE_CLIENTARCH is above 0
 * (0x15/0x16 on arm), and always 94 as UNDI version 0.0, which no PXE ROM
 * reports (they say 2.1 or 3.x): that is how an x86 U-Boot, with no 60 and
 * no 93, is told apart. */
enum dhcpd_loader dhcpd_loader_of(const struct dhcp_msg *m)
{
	uint16_t arch;

	if (m->ipxe || !strcmp(m->user_class, "iPXE"))
		return DHCPD_LOADER_IPXE;
	if (starts_with(m->vendor_class, "U-Boot") || (m->has_ndi && m->ndi[1] == 0 && m->ndi[2] == 0))
		return DHCPD_LOADER_UBOOT;
	if (m->has_arch)
		return loader_of_arch(m->arch);
	if (arch_of_vendor_class(m->vendor_class, &arch))
		return loader_of_arch(arch);
	return DHCPD_LOADER_NONE;
}

const char *dhcpd_loader_name(enum dhcpd_loader l)
{
	static const char *const names[DHCPD_LOADERS] = {
		[DHCPD_LOADER_NONE] = "none",
		[DHCPD_LOADER_BIOS] = "bios",
		[DHCPD_LOADER_UEFI_X64] = "uefi-x64",
		[DHCPD_LOADER_UEFI_ARM64] = "uefi-arm64",
		[DHCPD_LOADER_UEFI_RISCV64] = "uefi-riscv64",
		[DHCPD_LOADER_IPXE] = "ipxe",
		[DHCPD_LOADER_UBOOT] = "u-boot",
	};

	return (unsigned)l < DHCPD_LOADERS ? names[l] : "none";
}

static const struct dhcpd_known *known_of(const struct dhcpd_config *c, const uint8_t mac[6])
{
	for (unsigned i = 0; i < c->nknown; i++)
		if (!memcmp(c->known[i].mac, mac, 6))
			return &c->known[i];
	return NULL;
}

/*
 * Who gets boot options:
 *  - a profile guest that netboots (known->netboots), always;
 *  - anyone else when boot is enabled and the request names a loader we
 *    have a class for (dhcpd_loader_of); an ordinary DHCP client (a
 *    booted OS) gets nothing, so its lease looks as before.
 * The file: the guest's own boot_file, else the loader's default. iPXE
 * always gets the iPXE file: a guest's boot_file is often an iPXE binary
 * to chain into, and iPXE asking again must not get itself (a loop).
 * An empty file still sends siaddr: U-Boot's `pxe get` and `tftpboot`
 * without a name need only the server.
 */
void dhcpd_boot_choose(const struct dhcpd_config *c, const struct dhcp_msg *m, struct dhcpd_boot_choice *out)
{
	const struct dhcpd_known *k = known_of(c, m->chaddr);

	memset(out, 0, sizeof(*out));
	out->loader = dhcpd_loader_of(m);
	out->file = "";
	if (!(k && k->netboots) && !(c->boot.enabled && out->loader != DHCPD_LOADER_NONE))
		return;
	out->boot = true;
	out->next_server = c->boot.next_server ? c->boot.next_server : c->server_ip;
	if (k && k->boot_file[0] && out->loader != DHCPD_LOADER_IPXE) {
		out->file = k->boot_file;
		out->guest_file = true;
	}
	else if (out->loader != DHCPD_LOADER_NONE)
		out->file = c->boot.file[out->loader];
}
