/* init/labcfg/'s conversion of a macvtap NIC: a macvtap link on the uplink
 * for `up` (with the NIC's MAC), a flag for the guest's fd, and nothing for
 * the lab's DHCP/DNS worker, which serves network 1's NIC only. And the
 * netboot guests (issue 15): menus and TFTP exports for BOOT=network and
 * boards, no tap for a board, whom DHCP knows all the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/labcfg/labcfg.h"
#include "t.h"

static void test_netboot(const char *kernel)
{
	static struct profile p;
	static struct labnet_config ln;
	static struct dhcpd_worker_config w;
	static struct netboot_config nb;
	static struct guest_config gc;
	char text[1024];
	struct diag d;

	snprintf(text, sizeof(text),
		 "CONFIG_GUEST1=y\nCONFIG_GUEST1_NAME=\"net1\"\nCONFIG_GUEST1_KERNEL=\"%s\"\nCONFIG_GUEST1_INITRD=\"%s\"\n"
		 "CONFIG_GUEST1_FIRMWARE=\"bios\"\nCONFIG_GUEST1_BOOT=\"network\"\nCONFIG_GUEST1_APPEND=\"quiet\"\n"
		 "CONFIG_GUEST2=y\nCONFIG_GUEST2_NAME=\"rpi\"\nCONFIG_GUEST2_KIND=\"board\"\nCONFIG_GUEST2_ARCH=\"aarch64\"\n"
		 "CONFIG_GUEST2_KERNEL=\"%s\"\nCONFIG_GUEST2_MAC=\"02:00:00:00:00:01\"\nCONFIG_GUEST2_IP=\"10.77.0.9\"\n"
		 "CONFIG_GUEST3=y\nCONFIG_GUEST3_NAME=\"plain\"\nCONFIG_GUEST3_KERNEL=\"%s\"\n",
		 kernel, kernel, kernel, kernel);
	diag_init(&d);
	CHECK_MSG(profile_load_buf(&p, text, strlen(text), "test", NULL, &d) == 0, "%s", diag_text(&d));
	labcfg_netboot(&p, &nb);
	CHECK(nb.nguests == 2 && !strcmp(nb.guests[0].name, "net1") && nb.guests[0].initrd);
	CHECK(!strcmp(nb.guests[0].append, "quiet") && nb.guests[1].arch == GUESTHW_ARCH_AARCH64 && !nb.guests[1].initrd);
	CHECK(!memcmp(nb.guests[1].mac, "\x02\0\0\0\0\x01", 6));
	CHECK(nb.nexports == 3 && !strcmp(nb.exports[0].path, "labinit/guests/net1/kernel"));
	CHECK(!strcmp(nb.exports[1].path, "labinit/guests/net1/initrd") && !strcmp(nb.exports[1].file, kernel));
	CHECK(!strcmp(nb.exports[2].path, "labinit/guests/rpi/kernel"));
	labcfg_labnet(&p, &ln);
	CHECK(ln.ntaps == 2 && !strcmp(ln.taps[0].name, "net1") && !strcmp(ln.taps[1].name, "plain"));
	labcfg_dhcpd_worker(&p, 0, &w);
	CHECK(w.dhcpd.nknown == 3 && w.dhcpd.known[1].ip != 0 && !strcmp(w.dhcpd.known[1].name, "rpi"));
	labcfg_guest(&p, &p.guests[0], &gc);
	CHECK(gc.boot_network && gc.firmware == GUEST_FW_BIOS);
	labcfg_guest(&p, &p.guests[2], &gc);
	CHECK(!gc.boot_network);
	diag_free(&d);
	profile_free(&p);
}

int main(void)
{
	static struct profile p;
	static struct labnet_config ln;
	static struct dhcpd_worker_config w;
	static struct guest_config gc;
	char kernel[] = "/tmp/labinit-labcfg-XXXXXX", text[512];
	struct diag d;
	int fd = mkstemp(kernel);

	CHECK(fd >= 0);
	close(fd);
	snprintf(text, sizeof(text),
		 "CONFIG_GUEST1=y\nCONFIG_GUEST1_NAME=\"vm1\"\nCONFIG_GUEST1_KERNEL=\"%s\"\n"
		 "CONFIG_GUEST1_NICS=\"macvtap:52:54:00:4d:56:09 1\"\n",
		 kernel);
	diag_init(&d);
	CHECK_MSG(profile_load_buf(&p, text, strlen(text), "test", NULL, &d) == 0, "%s", diag_text(&d));
	labcfg_labnet(&p, &ln);
	CHECK(ln.ntaps == 2 && ln.taps[0].macvtap && !strcmp(ln.taps[0].name, "vm1"));
	CHECK(!memcmp(ln.taps[0].mac, "\x52\x54\x00\x4d\x56\x09", 6));
	CHECK(!ln.taps[1].macvtap && !strcmp(ln.taps[1].name, "vm1.1") && ln.taps[1].net == 0);
	/* the macvtap NIC comes first, with net 0 unused: the worker knows the other */
	labcfg_dhcpd_worker(&p, 0, &w);
	CHECK(w.dhcpd.nknown == 1 && memcmp(w.dhcpd.known[0].mac, ln.taps[0].mac, 6) != 0);
	CHECK(w.dnsd.nguests == 1 && memcmp(w.dnsd.guests[0].mac, ln.taps[0].mac, 6) != 0);
	labcfg_guest(&p, &p.guests[0], &gc);
	CHECK(gc.nnics == 2 && gc.nics[0].macvtap && !gc.nics[1].macvtap && !strcmp(gc.nics[0].tap, "vm1"));
	diag_free(&d);
	profile_free(&p);
	test_netboot(kernel);
	unlink(kernel);
	return T_DONE();
}
