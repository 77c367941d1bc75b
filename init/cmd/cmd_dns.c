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
	int r = 1;

	if (!p)
		return 2;
	if (!p->dns) {
		fprintf(stderr, "labinit dns: CONFIG_DNS is off in this profile\n");
	} else {
		labcfg_dnsd(p, &c);
		r = dnsd_main(&c);
	}
	profile_free(p);
	free(p);
	return r;
}
