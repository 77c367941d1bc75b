/* `labinit dhcpc` (the uplink's DHCP client) and `labinit dhcpd` (the
 * guests' DHCP and DNS worker): their arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/cmd/commands.h"
#include "init/labcfg/labcfg.h"
#include "net/dhcpc/dhcpc.h"
#include "net/dhcpd/worker.h"

int cmd_dhcpc(int argc, char **argv)
{
	struct dhcpc_opts o = { .ifname = NULL, .hostname = "", .ready_fd = -1 };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hostname") && i + 1 < argc)
			o.hostname = argv[++i];
		else if (!strcmp(argv[i], "--ready-fd") && i + 1 < argc)
			o.ready_fd = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--user") && i + 1 < argc)
			o.uid = (uid_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--lab-subnet") && i + 1 < argc && addr_parse_prefix(argv[i + 1], &o.lab) == 0)
			i++;
		else if (argv[i][0] != '-' && !o.ifname)
			o.ifname = argv[i];
		else
			o.ifname = NULL, i = argc;
	}
	if (!o.ifname) {
		fprintf(stderr, "usage: labinit dhcpc IFNAME [--hostname NAME] [--lab-subnet A.B.C.D/N] [--user UID] [--ready-fd FD]\n");
		return 2;
	}
	return dhcpc_main(&o);
}

/* labinit dhcpd --config FILE [--cmdline STR | --boot] [--net NAME|N]: the
 * DHCP worker of a network (network 1 by default). --boot reads the
 * overrides from /proc/cmdline, as PID 1 did. */
int cmd_dhcpd(int argc, char **argv)
{
	static struct dhcpd_worker_config c;
	struct profile *p = cmd_load_profile(argc, argv, "dhcpd");
	int r, net = p ? cmd_net_arg(p, argc, argv, "dhcpd") : -1;

	if (net < 0) {
		if (p)
			profile_free(p);
		free(p);
		return 2;
	}
	labcfg_dhcpd_worker(p, (unsigned)net, &c);
	r = dhcpd_worker_main(&c);
	profile_free(p);
	free(p);
	return r;
}
