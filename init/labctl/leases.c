/* `labctl leases [--json]`: the DHCP worker's lease file, read here (PID 1
 * only says where it is) and shown with the columns of `virsh
 * net-dhcp-leases`. The file comes from the process that parses guests'
 * packets, so it is read through the worker's own strict reader and every
 * string is escaped. */
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/core/addr.h"
#include "init/labctl/labctl_priv.h"
#include "lib/core/strbuf.h"
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

int labctl_leases(const char *path, bool json)
{
	static char text[65536];
	struct strbuf o = { text, sizeof(text), 0 };
	struct labctl_lab lab;
	struct show x = { &o, 0, json, 0 };
	unsigned bad;

	if (labctl_lab(path, &lab))
		return 1;
	if (!lab.have_leases) {
		fputs(json ? "[]\n" : "no DHCP server in this profile\n", stdout);
		return fflush(stdout) != 0;
	}
	x.prefix = (uint8_t)lab.prefix_len;
	if (json)
		strbuf_put(&o, "[");
	else
		strbuf_put(&o, "%-23s %-18s %-9s %-18s %-16s %s\n", "Expiry Time", "MAC address", "Protocol", "IP address",
			   "Hostname", "Client ID or DUID");
	dhcpd_leasefile_foreach(lab.lease_file, show_one, &x, &bad);
	strbuf_put(&o, json ? "\n]\n" : "");
	return fputs(text, stdout) < 0 || fflush(stdout) != 0;
}
