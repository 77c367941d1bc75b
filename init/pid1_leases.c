/* `labctl leases [--json]`: the DHCP worker's lease file, read by PID 1 and
 * shown with the columns of `virsh net-dhcp-leases`. The file comes from
 * the process that parses guests' packets, so every line is parsed
 * strictly and every string escaped. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../lib/addr.h"
#include "../net/dhcpd_leases.h"
#include "pid1.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = (size_t)n < o->size - o->len ? o->len + (size_t)n : o->size - 1;
}

static void json_str(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			put(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			put(o, "\\u%04x", (unsigned char)*s);
		else
			put(o, "%c", *s);
	}
	put(o, "\"");
}

static void format_id(const struct dhcpd_lease *l, char *buf, size_t size)
{
	size_t n = 0;

	snprintf(buf, size, "-");
	for (unsigned i = 0; i < l->client_id_len && n + 4 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%02x", i ? ":" : "", l->client_id[i]);
}

static void one(struct out *o, const struct dhcpd_lease *l, uint8_t prefix, bool json, bool first)
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
		put(o, "%-23s %-18s %-9s %-18s %-16s %s\n", when, mac, "ipv4", ipp, l->hostname[0] ? l->hostname : "-", id);
		return;
	}
	put(o, "%s\n  {\"expiry\": %lld, \"expiry_time\": \"%s UTC\", \"mac\": \"%s\", \"protocol\": \"ipv4\", "
	       "\"ip\": \"%s/%u\", \"hostname\": ", first ? "" : ",", (long long)l->expires, when, mac, ip, prefix);
	json_str(o, l->hostname);
	put(o, ", \"client_id\": ");
	json_str(o, l->client_id_len ? id : "");
	put(o, "}");
}

void pid1_leases(struct pid1 *p, bool json, char *reply, size_t size)
{
	struct out o = { reply, size, 0 };
	struct dhcpd_lease l;
	char line[1100];
	unsigned n = 0;
	FILE *f;

	put(&o, "ok\n");
	if (!p->profile || p->rescue || !p->profile->dhcp) {
		put(&o, json ? "[]\n" : "no DHCP server in this profile\n");
		return;
	}
	f = fopen(p->profile->lease_file, "re");
	if (json)
		put(&o, "[");
	else
		put(&o, "%-23s %-18s %-9s %-18s %-16s %s\n", "Expiry Time", "MAC address", "Protocol", "IP address",
		    "Hostname", "Client ID or DUID");
	while (f && fgets(line, sizeof(line), f))
		if (dhcpd_lease_parse_line(line, &l) == 0)
			one(&o, &l, p->profile->subnet.len, json, n++ == 0);
	if (f)
		fclose(f);
	put(&o, json ? "\n]\n" : "");
}
