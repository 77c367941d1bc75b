/* init/labcfg/'s netboot conversion: the profile's boot files into the
 * DHCP server's per-loader table, the next server, when strangers get
 * boot options (enabled), and which known guests netboot (BOOT_FILE set,
 * on their first NIC only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/labcfg/labcfg.h"
#include "t.h"

static struct profile p;
static struct dhcpd_worker_config w;

static void load(const char *kernel, const char *extra)
{
	char text[1024];
	struct diag d;

	snprintf(text, sizeof(text),
		 "CONFIG_GUEST1=y\nCONFIG_GUEST1_KERNEL=\"%s\"\nCONFIG_GUEST1_BOOT_FILE=\"vm1/ipxe.efi\"\n"
		 "CONFIG_GUEST2=y\nCONFIG_GUEST2_KERNEL=\"%s\"\n%s",
		 kernel, kernel, extra);
	diag_init(&d);
	CHECK_MSG(profile_load_buf(&p, text, strlen(text), "test", NULL, &d) == 0, "%s", diag_text(&d));
	diag_free(&d);
	labcfg_dhcpd_worker(&p, 0, &w);
}

int main(void)
{
	char kernel[] = "/tmp/labinit-labcfg-XXXXXX";
	int fd = mkstemp(kernel);
	const struct dhcpd_boot *b = &w.dhcpd.boot;

	CHECK(fd >= 0);
	close(fd);
	load(kernel, "");
	CHECK(w.dhcpd.nknown == 2);
	CHECK(w.dhcpd.known[0].netboots && !strcmp(w.dhcpd.known[0].boot_file, "vm1/ipxe.efi"));
	CHECK(!w.dhcpd.known[1].netboots && !w.dhcpd.known[1].boot_file[0]);
	CHECK(!strcmp(b->file[DHCPD_LOADER_BIOS], "pxelinux.0"));
	CHECK(!strcmp(b->file[DHCPD_LOADER_UEFI_X64], "grubnetx64.efi"));
	CHECK(!strcmp(b->file[DHCPD_LOADER_UEFI_ARM64], "grubnetaa64.efi"));
	CHECK(!strcmp(b->file[DHCPD_LOADER_UEFI_RISCV64], "grubnetriscv64.efi"));
	CHECK(!strcmp(b->file[DHCPD_LOADER_IPXE], "labinit/boot.ipxe"));
	CHECK(!b->file[DHCPD_LOADER_UBOOT][0] && !b->file[DHCPD_LOADER_NONE][0]);
	/* no next server and (on this branch) no TFTP_ROOT: netbooting guests only */
	CHECK(!b->enabled && b->next_server == 0);
	profile_free(&p);

	load(kernel, "CONFIG_BOOT_NEXT_SERVER=\"10.77.0.9\"\n");
	CHECK(b->enabled && b->next_server == 0x0a4d0009);
	profile_free(&p);

	/* no file at all: nothing to point strangers at */
	load(kernel, "CONFIG_BOOT_NEXT_SERVER=\"10.77.0.9\"\nCONFIG_BOOT_FILE_BIOS=\"\"\nCONFIG_BOOT_FILE_UEFI_X64=\"\"\n"
		     "CONFIG_BOOT_FILE_UEFI_ARM64=\"\"\nCONFIG_BOOT_FILE_UEFI_RISCV64=\"\"\nCONFIG_BOOT_FILE_IPXE=\"\"\n");
	CHECK(!b->enabled);
	profile_free(&p);
	unlink(kernel);
	return T_DONE();
}
