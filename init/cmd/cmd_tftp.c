/* `labinit tftpd --config FILE [--net NAME|N]`: the lab's TFTP server on
 * one network's bridge, on its own (the DHCP worker serves it otherwise). */
#include <stdio.h>
#include <stdlib.h>

#include "init/cmd/commands.h"
#include "init/labcfg/labcfg.h"
#include "net/netboot/netboot.h"
#include "net/tftp/tftpd.h"

int cmd_tftpd(int argc, char **argv)
{
	static struct tftpd_config c;
	struct profile *p = cmd_load_profile(argc, argv, "tftpd");
	int r = 1, net = p ? cmd_net_arg(p, argc, argv, "tftpd") : -1;

	if (!p || net < 0) {
		r = 2;
	} else if (!p->tftp_root[0]) {
		fprintf(stderr, "labinit tftpd: CONFIG_TFTP_ROOT is empty in this profile: nothing to serve\n");
	} else {
		static struct netboot_config nb;

		labcfg_tftpd(p, (unsigned)net, &c);
		labcfg_netboot(p, &nb);
		if (nb.nguests && netboot_write(&nb, c.generated) < 0)
			fprintf(stderr, "labinit tftpd: the netboot menus in %s could not be written\n", c.generated);
		r = tftpd_main(&c, p->sandbox_uid, p->sandbox_uid);
	}
	if (p)
		profile_free(p);
	free(p);
	return r;
}
