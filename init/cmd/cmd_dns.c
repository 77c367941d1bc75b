/* `labinit dns --config FILE`: the arguments of the DNS server run on its
 * own (net/dns/main.c). */
#include <stdio.h>
#include <stdlib.h>

#include "init/cmd/commands.h"
#include "init/labcfg/labcfg.h"
#include "net/dns/dnsd.h"

int cmd_dns(int argc, char **argv)
{
	static struct dnsd_config c;
	struct profile *p = cmd_load_profile(argc, argv, "dns");
	int r = 1, net = p ? cmd_net_arg(p, argc, argv, "dns") : -1;

	if (!p || net < 0) {
		r = 2;
	} else if (!p->nets[net].dns) {
		fprintf(stderr, "labinit dns: DNS is off on network %s in this profile\n", p->nets[net].name);
	} else {
		labcfg_dnsd(p, (unsigned)net, &c);
		r = dnsd_main(&c);
	}
	if (p)
		profile_free(p);
	free(p);
	return r;
}
