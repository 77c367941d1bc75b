/* The DHCPv6 lease file, dnsmasq's IPv6 lease lines:
 *   EXPIRY IAID ADDRESS NAME DUID        ('*' for no name)
 * beside the IPv4 file (its path + ".v6"), written and read through the
 * IPv4 file's helpers (net/dhcpd/leasefile.c): whole, fsynced, renamed. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/name.h"
#include "net/dhcp6/server.h"
#include "net/dhcpd/pool.h"

#define LINE_MAX_LEN 1024
/* The longest line written: a 19-digit expiry, a 10-digit IAID, 45 for
 * the address, a 63-octet name, a 130-octet DUID (389), 4 separators and
 * the newline. A full table of clients with the longest DUIDs still fits. */
#define LINE_WORST (19 + 10 + 45 + 63 + 3 * DHCP6_DUID_MAX - 1 + 5)

int dhcp6_lease_path(const char *v4_path, char *out, size_t size)
{
	return snprintf(out, size, "%s%s", v4_path, DHCP6_LEASE_SUFFIX) >= (int)size ? -ENAMETOOLONG : 0;
}

int dhcp6_lease_format_line(const struct dhcp6_lease *l, char *out, size_t size)
{
	char addr[INET6_ADDRSTRLEN], duid[3 * DHCP6_DUID_MAX + 1];
	size_t n = 0;

	inet_ntop(AF_INET6, l->addr, addr, sizeof(addr));
	for (unsigned i = 0; i < l->duid.len; i++)
		n += (size_t)snprintf(duid + n, sizeof(duid) - n, "%s%02x", i ? ":" : "", l->duid.id[i]);
	duid[n] = '\0';
	return snprintf(out, size, "%lld %u %s %s %s\n", (long long)l->expires, l->iaid, addr,
			l->name[0] ? l->name : "*", duid);
}

int dhcp6_leases_save(struct dhcp6_server *s, const char *path)
{
	static char buf[DHCP6_LEASES_MAX * LINE_WORST];
	size_t len = 0;
	int r;

	for (size_t i = 0; i < DHCP6_LEASES_MAX; i++) {
		int n;

		if (s->lease[i].state != DHCP6_BOUND)
			continue;
		n = dhcp6_lease_format_line(&s->lease[i], buf + len, sizeof(buf) - len);
		if (n < 0 || (size_t)n >= sizeof(buf) - len)
			return -ENOSPC;
		len += (size_t)n;
	}
	if ((r = dhcpd_leasefile_replace(path, buf, len)) == 0)
		s->dirty = false;
	return r;
}

static int parse_duid(const char *t, struct dhcp6_duid *d)
{
	d->len = 0;
	while (*t) {
		char *end;
		unsigned long v = strtoul(t, &end, 16);

		if (end - t != 2 || v > 255 || d->len == DHCP6_DUID_MAX)
			return -EINVAL;
		d->id[d->len++] = (uint8_t)v;
		t = end;
		if (*t == ':' && t[1])
			t++;
		else if (*t)
			return -EINVAL;
	}
	return d->len >= 3 ? 0 : -EINVAL;
}

int dhcp6_lease_parse_line(const char *line, struct dhcp6_lease *out)
{
	char buf[LINE_MAX_LEN], *f[6], *save = NULL, *end;
	unsigned n = 0;
	unsigned long iaid;
	long long exp;

	if (strlen(line) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, line);
	for (char *t = strtok_r(buf, " \t\r\n", &save); t && n < 6; t = strtok_r(NULL, " \t\r\n", &save))
		f[n++] = t;
	if (n != 5)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	errno = 0;
	exp = strtoll(f[0], &end, 10);
	if (*end || exp <= 0 || errno == ERANGE)
		return -EINVAL;
	iaid = strtoul(f[1], &end, 10);
	if (*end || f[1][0] == '-' || errno == ERANGE || iaid > 0xffffffffUL)
		return -EINVAL;
	if (inet_pton(AF_INET6, f[2], out->addr) != 1 || parse_duid(f[4], &out->duid) < 0)
		return -EINVAL;
	if (strcmp(f[3], "*")) {
		if (strlen(f[3]) >= sizeof(out->name) || !name_is_domain(f[3], strlen(f[3])))
			return -EINVAL;
		strcpy(out->name, f[3]);
	}
	out->expires = (time_t)exp;
	out->iaid = (uint32_t)iaid;
	out->state = DHCP6_BOUND;
	return 0;
}

struct each6 {
	dhcp6_lease_fn fn;
	void *arg;
};

static int one6(void *arg, const char *text)
{
	struct each6 *e = arg;
	struct dhcp6_lease l;

	if (dhcp6_lease_parse_line(text, &l) < 0)
		return -EINVAL;
	e->fn(e->arg, &l);
	return 0;
}

int dhcp6_leasefile_foreach(const char *path, dhcp6_lease_fn fn, void *arg, unsigned *bad)
{
	struct each6 e = { fn, arg };

	return dhcpd_leasefile_lines(path, one6, &e, bad);
}

struct load_ctx {
	struct dhcp6_server *s;
	time_t now;
	unsigned loaded;
};

/* Through the handler's own rule: a line that no longer fits the range
 * or a guest's fixed address, or collides, is dropped. */
static void load_one(void *arg, const struct dhcp6_lease *l)
{
	struct load_ctx *x = arg;

	if (l->expires <= x->now || !dhcp6_server_restore(x->s, l, x->now))
		return;
	x->loaded++;
}

int dhcp6_leases_load(struct dhcp6_server *s, const char *path, time_t now, unsigned *loaded, unsigned *bad)
{
	struct load_ctx x = { s, now, 0 };
	int r = dhcp6_leasefile_foreach(path, load_one, &x, bad);

	*loaded = x.loaded;
	if (r == -ENOENT)
		return 0; /* a first start */
	if (r == 0)
		s->dirty = false;
	return r;
}
