/* `labctl leases [--json]`: the DHCP worker's lease files (IPv4, then
 * DHCPv6 beside it), read here (PID 1 only says where they are) and shown with the columns of `virsh
 * net-dhcp-leases`. The file comes from the process that parses guests'
 * packets, so it is read through the worker's own strict reader and every
 * string is escaped. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/core/addr.h"
#include "init/labctl/labctl_priv.h"
#include "lib/core/strbuf.h"
#include "net/dhcp6/server.h"
#include "net/dhcpd/pool.h"


static void json_str(struct strbuf *o, const char *s)
{
	strbuf_put(o, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_put(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			strbuf_put(o, "\\u%04x", (unsigned char)*s);
		else
			strbuf_put(o, "%c", *s);
	}
	strbuf_put(o, "\"");
}

static void format_id(const struct dhcpd_lease *l, char *buf, size_t size)
{
	size_t n = 0;

	snprintf(buf, size, "-");
	for (unsigned i = 0; i < l->client_id_len && n + 4 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%02x", i ? ":" : "", l->client_id[i]);
}

static void one(struct strbuf *o, const struct dhcpd_lease *l, uint8_t prefix, bool json, bool first)
{
	char when[32], mac[18], ip[16], ipp[24], id[800];
	time_t t = l->expires;
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime_r(&t, &tm));
	addr_format_mac(l->mac, mac);
	addr_format_ip4(l->ip, ip);
	format_id(l, id, sizeof(id));
	snprintf(ipp, sizeof(ipp), "%s/%u", ip, prefix);
	if (!json) {
		strbuf_put(o, "%-23s %-18s %-9s %-18s %-16s %s\n", when, mac, "ipv4", ipp, l->hostname[0] ? l->hostname : "-", id);
		return;
	}
	strbuf_put(o, "%s\n  {\"expiry\": %lld, \"expiry_time\": \"%s UTC\", \"mac\": \"%s\", \"protocol\": \"ipv4\", "
	       "\"ip\": \"%s/%u\", \"hostname\": ", first ? "" : ",", (long long)l->expires, when, mac, ip, prefix);
	json_str(o, l->hostname);
	strbuf_put(o, ", \"client_id\": ");
	json_str(o, l->client_id_len ? id : "");
	strbuf_put(o, "}");
}

struct show {
	struct strbuf *o;
	uint8_t prefix;
	bool json;
	unsigned n;
};

static void show_one(void *arg, const struct dhcpd_lease *l)
{
	struct show *x = arg;

	one(x->o, l, x->prefix, x->json, x->n++ == 0);
}

/* A DHCPv6 binding: the MAC when its DUID carries one, the /64, the DUID
 * and IAID (virsh shows the DUID in the same column). */
static void one6(struct strbuf *o, const struct dhcp6_lease *l, bool json, bool first)
{
	char when[32], mac[18] = "-", ip[INET6_ADDRSTRLEN], ipp[INET6_ADDRSTRLEN + 4], duid[3 * DHCP6_DUID_MAX + 1];
	time_t t = l->expires;
	uint8_t m[6];
	size_t n = 0;
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime_r(&t, &tm));
	if (dhcp6_duid_mac(&l->duid, m))
		addr_format_mac(m, mac);
	inet_ntop(AF_INET6, l->addr, ip, sizeof(ip));
	snprintf(ipp, sizeof(ipp), "%s/64", ip);
	duid[0] = '\0';
	for (unsigned i = 0; i < l->duid.len; i++)
		n += (size_t)snprintf(duid + n, sizeof(duid) - n, "%s%02x", i ? ":" : "", l->duid.id[i]);
	if (!json) {
		strbuf_put(o, "%-23s %-18s %-9s %-18s %-16s %s iaid %u\n", when, mac, "ipv6", ipp,
			   l->name[0] ? l->name : "-", duid, l->iaid);
		return;
	}
	strbuf_put(o, "%s\n  {\"expiry\": %lld, \"expiry_time\": \"%s UTC\", \"mac\": \"%s\", \"protocol\": \"ipv6\", "
		   "\"ip\": \"%s\", \"hostname\": ", first ? "" : ",", (long long)l->expires, when, mac[0] == '-' ? "" : mac, ipp);
	json_str(o, l->name);
	strbuf_put(o, ", \"client_id\": \"%s\", \"iaid\": %u}", duid, l->iaid);
}

static void show_one6(void *arg, const struct dhcp6_lease *l)
{
	struct show *x = arg;

	one6(x->o, l, x->json, x->n++ == 0);
}

/* One lease file and its DHCPv6 one, when the profile has it. */
static void show_file(struct show *x, const char *file, unsigned prefix, unsigned *bad)
{
	char path6[300];

	x->prefix = (uint8_t)prefix;
	dhcpd_leasefile_foreach(file, show_one, x, bad);
	if (dhcp6_lease_path(file, path6, sizeof(path6)) == 0)
		dhcp6_leasefile_foreach(path6, show_one6, x, bad);
}

int labctl_leases(const char *path, bool json)
{
	static char text[65536];
	static struct labctl_lab lab;
	struct strbuf o = { text, sizeof(text), 0 };
	struct show x = { &o, 0, json, 0 };
	unsigned bad, files = 0;

	if (labctl_lab(path, &lab))
		return 1;
	for (unsigned i = 0; i < lab.nnets; i++)
		files += strcmp(lab.nets[i].lease_file, "-") != 0;
	if (!lab.have_leases && !files) {
		fputs(json ? "[]\n" : "no DHCP server in this profile\n", stdout);
		return fflush(stdout) != 0;
	}
	if (json)
		strbuf_put(&o, "[");
	else
		strbuf_put(&o, "%-23s %-18s %-9s %-18s %-16s %s\n", "Expiry Time", "MAC address", "Protocol", "IP address",
			   "Hostname", "Client ID or DUID");
	/* every network's file (PID 1's "net" facts), or network 1's alone */
	for (unsigned i = 0; i < lab.nnets; i++) {
		const char *slash = strchr(lab.nets[i].addr, '/');

		if (strcmp(lab.nets[i].lease_file, "-"))
			show_file(&x, lab.nets[i].lease_file, slash ? (unsigned)strtoul(slash + 1, NULL, 10) : 24, &bad);
	}
	if (!files)
		show_file(&x, lab.lease_file, lab.prefix_len, &bad);
	strbuf_put(&o, json ? "\n]\n" : "");
	return fputs(text, stdout) < 0 || fflush(stdout) != 0;
}
