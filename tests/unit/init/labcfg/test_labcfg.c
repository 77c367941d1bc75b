/* init/labcfg/'s conversion of a macvtap NIC: a macvtap link on the uplink
 * for `up` (with the NIC's MAC), a flag for the guest's fd, and nothing for
 * the lab's DHCP/DNS worker, which serves network 1's NIC only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/labcfg/labcfg.h"
#include "t.h"

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
	unlink(kernel);
	return T_DONE();
}
