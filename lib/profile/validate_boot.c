/* The netboot keys: CONFIG_BOOT_FILE_* and CONFIG_BOOT_NEXT_SERVER (the
 * DHCP boot options every lab network's DHCP server sends, see
 * net/dhcpd/boot.c) and a guest's CONFIG_GUESTn_BOOT_FILE. */
#include <string.h>

#include "lib/profile/validate_priv.h"

/* A boot file goes into the BOOTP 'file' field (127 octets and a NUL,
 * RFC 951) and option 67, and into log lines: printable ASCII without
 * blanks, quotes or backslashes, which no loader's file name needs and
 * which would change how a .config line or a log line reads. */
static void check_boot_file(struct vctx *c, unsigned key, const char *v)
{
	size_t n = strlen(v);

	if (n > PROFILE_BOOT_FILE_MAX) {
		vc_error(c, key, "\"%.40s...\" is %zu characters: the DHCP boot file field holds at most %d",
			 v, n, PROFILE_BOOT_FILE_MAX);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] > '~' || v[i] == '"' || v[i] == '\'' || v[i] == '\\') {
			vc_error(c, key, "\"%s\": a boot file name is printable ASCII without blanks, quotes "
				 "or '\\\\' (e.g. grubnetx64.efi or labinit/boot.ipxe)", v);
			return;
		}
}

void vc_boot(struct vctx *c)
{
	static const unsigned keys[BOOT_LOADERS] = {
		[BOOT_BIOS] = K_BOOT_FILE_BIOS,
		[BOOT_UEFI_X64] = K_BOOT_FILE_UEFI_X64,
		[BOOT_UEFI_ARM64] = K_BOOT_FILE_UEFI_ARM64,
		[BOOT_UEFI_RISCV64] = K_BOOT_FILE_UEFI_RISCV64,
		[BOOT_IPXE] = K_BOOT_FILE_IPXE,
		[BOOT_UBOOT] = K_BOOT_FILE_UBOOT,
	};
	struct profile *p = c->p;
	const char *ns = vc_str(c, K_BOOT_NEXT_SERVER);
	uint32_t a;

	for (unsigned i = 0; i < BOOT_LOADERS; i++) {
		p->boot_files[i] = vc_str(c, keys[i]);
		check_boot_file(c, keys[i], p->boot_files[i]);
	}
	p->boot_next_server = 0;
	if (!*ns || !vc_parse_ip(c, K_BOOT_NEXT_SERVER, &a))
		return;
	/* siaddr is where a loader sends its TFTP requests: one host. */
	if (a == 0 || a == 0xffffffffu || (a >> 28) == 0xe || (a >> 24) == 127)
		vc_error(c, K_BOOT_NEXT_SERVER, "\"%s\" is not the address of a TFTP server (empty: the network's gateway)",
			 ns);
	else
		p->boot_next_server = a;
}

void vc_guest_boot_file(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	unsigned key = K_GUEST(slot, GF_BOOT_FILE);

	g->boot_file = vc_str(c, key);
	check_boot_file(c, key, g->boot_file);
}
