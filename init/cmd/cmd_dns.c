/* labinit dns --config FILE: the lab's DNS server on its own, in the
 * foreground, until SIGTERM or SIGINT. It knows the gateway, the lab host
 * and the profile's guests with fixed addresses; the DHCP worker embeds the
 * same struct dnsd and adds its leases' names. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/core/loop.h"
#include "lib/profile/profile.h"
#include "net/dns/dnsd.h"
#include "init/cmd/commands.h"

struct dns_main {
	struct loop loop;
	struct dnsd dnsd;
	int sigfd;
	bool done;
};

static void on_signal(struct loop *l, int fd, uint32_t events, void *data)
{
	struct dns_main *m = data;
	struct signalfd_siginfo si;

	(void)l;
	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			m->done = true;
}

/* The profile's guests with fixed addresses; dynamic ones come with leases. */
static void add_guests(struct dnsd *d, const struct profile *p)
{
	char ip[16];

	for (unsigned i = 0; i < p->nguests; i++) {
		const struct guest_cfg *g = &p->guests[i];
		int r;

		if (!g->ip)
			continue;
		r = dnsd_host_set(d, g->name, g->ip);
		addr_format_ip4(g->ip, ip);
		if (r < 0)
			log_warn("dns: guest %s (%s) gets no name: %s", g->name, ip, strerror(-r));
		else
			log_debug("dns: %s.%s is %s", g->name, p->dns_domain, ip);
	}
}

static int serve(struct dns_main *m, const struct profile *p)
{
	char gw[16];
	sigset_t sigs;
	int r;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	m->sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	r = m->sigfd < 0 ? -errno : loop_init(&m->loop);
	if (r == 0)
		r = loop_add(&m->loop, m->sigfd, EPOLLIN, on_signal, m);
	if (r < 0) {
		log_err("dns: event loop: %s", strerror(-r));
		return 1;
	}
	addr_format_ip4(p->gateway, gw);
	r = dnsd_init(&m->dnsd, &m->loop, p);
	if (r < 0) {
		log_err("dns: serving %s:%u on %s: %s", gw, DNS_PORT, p->bridge_name, strerror(-r));
		return 1;
	}
	add_guests(&m->dnsd, p);
	log_info("dns: serving \"%s\" on %s:%u (%s, UDP and TCP)", p->dns_domain, gw, DNS_PORT, p->bridge_name);
	while (!m->done) {
		r = loop_run_once(&m->loop);
		if (r < 0) {
			log_err("dns: event loop: %s", strerror(-r));
			break;
		}
	}
	dnsd_log_stats(&m->dnsd);
	dnsd_close(&m->dnsd);
	return r < 0 ? 1 : 0;
}

int cmd_dns(int argc, char **argv)
{
	struct profile *p = cmd_load_profile(argc, argv, "dns");
	struct dns_main *m;
	int r = 1;

	if (!p)
		return 2;
	m = calloc(1, sizeof(*m));
	if (m)
		m->sigfd = -1;
	if (!p->dns)
		fprintf(stderr, "labinit dns: CONFIG_DNS is off in this profile\n");
	else if (m)
		r = serve(m, p);
	if (m) {
		if (m->loop.epfd > 0)
			loop_close(&m->loop);
		if (m->sigfd >= 0)
			close(m->sigfd);
	}
	free(m);
	profile_free(p);
	free(p);
	return r;
}
