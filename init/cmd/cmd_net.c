/* labinit up / labinit down: the lab network on an ordinary host or inside
 * a network namespace, from a profile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/log.h"
#include "lib/profile/profile.h"
#include "net/labnet/labnet.h"
#include "init/cmd/commands.h"
#include "init/labcfg/labcfg.h"

static int run(int argc, char **argv, const char *verb, int (*fn)(const struct labnet_config *))
{
	static struct labnet_config c;
	struct profile *p = cmd_load_profile(argc, argv, verb);
	int r;

	if (!p)
		return 2;
	labcfg_labnet(p, &c);
	/* An ordinary host keeps its own services on its other interfaces;
	 * only the lab's addresses are closed to them (net/nft/nft.h). */
	c.nft.host_shared = true;
	r = fn(&c);
	if (r == 0)
		log_info("%s: lab \"%s\" %s", verb, p->name, !strcmp(verb, "up") ? "is up" : "is down");
	profile_free(p);
	free(p);
	return r < 0 ? 1 : 0;
}

static int up_here(const struct labnet_config *c)
{
	return labnet_up(c, true);
}

int cmd_up(int argc, char **argv)
{
	return run(argc, argv, "up", up_here);
}

int cmd_down(int argc, char **argv)
{
	return run(argc, argv, "down", labnet_down);
}
