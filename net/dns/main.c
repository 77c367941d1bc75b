/* `labinit dns`: the lab's DNS server on its own, in the foreground, until
 * SIGTERM or SIGINT. It knows the gateway, the lab host and the guests
 * with fixed addresses; the DHCP worker embeds the same struct dnsd and
 * adds its leases' names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/addr.h"
#include "lib/core/daemon.h"
#include "lib/core/log.h"
#include "lib/core/sandbox.h"
#include "net/dns/dnsd.h"

void dnsd_add_guests(struct dnsd *d, const struct dnsd_config *p)
{
	char ip[16];

	for (unsigned i = 0; i < p->nguests && i < DNSD_CFG_GUESTS; i++) {
		const struct dnsd_guest *g = &p->guests[i];
		int r;

		if (!g->ip)
			continue;
		r = dnsd_host_pin(d, g->name, g->ip); /* no lease takes it over */
		if (r == 0 && p->ipv6)
			dnsd_host_set6(d, g->name, g->mac);
		addr_format_ip4(g->ip, ip);
		if (r < 0)
			log_warn("dns: guest %s (%s) gets no name: %s", g->name, ip, strerror(-r));
		else
			log_debug("dns: %s.%s is %s", g->name, p->dns_domain, ip);
	}
}

int dnsd_main(const struct dnsd_config *p)
{
	static struct daemon dm;
	static struct dnsd d;
	char gw[16], who[40];
	int r;

	if ((r = daemon_init(&dm)) < 0) {
		log_err("dns: event loop: %s", strerror(-r));
		return 1;
	}
	addr_format_ip4(p->gateway, gw);
	if ((r = dnsd_init(&d, &dm.loop, p)) < 0) {
		log_err("dns: serving %s:%u on %s: %s", gw, DNS_PORT, p->bridge_name, strerror(-r));
		daemon_close(&dm);
		return 1;
	}
	dnsd_add_guests(&d, p);
	if (sandbox_enter(&(struct sandbox){ "dns", p->uid, p->gid, SANDBOX_NET_DAEMON, 0 }) < 0) {
		dnsd_close(&d);
		daemon_close(&dm);
		return 1;
	}
	sandbox_describe(who, sizeof(who));
	log_info("dns: serving \"%s\" on %s:%u (%s, UDP and TCP; %s, seccomp)", p->dns_domain, gw, DNS_PORT,
		 p->bridge_name, who);
	if ((r = daemon_run(&dm)) < 0)
		log_err("dns: event loop: %s", strerror(-r));
	dnsd_log_stats(&d);
	dnsd_close(&d);
	daemon_close(&dm);
	return r < 0 ? 1 : 0;
}
