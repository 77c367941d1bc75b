/* Where outside names go: the upstream resolvers. Fixed ones come from the
 * profile; otherwise the uplink's DHCP client writes them to
 * /run/labinit/resolv.IFNAME, which is read again whenever it changes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "net/dns/dnsd.h"

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* One line, without its newline: "nameserver" WS address [WS ...]. */
static bool parse_line(const char *s, size_t n, uint32_t *ip)
{
	static const char kw[] = "nameserver";
	char addr[16];
	size_t i = sizeof(kw) - 1, a = 0;

	if (n <= i || memcmp(s, kw, i) != 0 || !is_space(s[i]))
		return false;
	while (i < n && is_space(s[i]))
		i++;
	while (i < n && !is_space(s[i]) && s[i] != '#' && s[i] != ';') {
		if (a == sizeof(addr) - 1)
			return false;
		addr[a++] = s[i++];
	}
	addr[a] = 0;
	return addr_parse_ip4(addr, ip) == 0; /* IPv6 resolvers are skipped */
}

unsigned dnsd_parse_resolv(const char *buf, size_t len, uint32_t *out, unsigned max)
{
	unsigned n = 0;
	size_t pos = 0;

	while (pos < len && n < max) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		uint32_t ip;
		bool dup = false;

		if (parse_line(buf + pos, end - pos, &ip)) {
			for (unsigned i = 0; i < n; i++)
				dup = dup || out[i] == ip;
			if (!dup)
				out[n++] = ip;
		}
		pos = end + 1;
	}
	return n;
}

static void log_upstreams(const struct dnsd *d)
{
	char line[DNSD_MAX_UPSTREAMS * 16 + 8] = "", ip[16];

	for (unsigned i = 0; i < d->nup; i++) {
		addr_format_ip4(d->up[i], ip);
		strcat(line, " ");
		strcat(line, ip);
	}
	log_info("dns: upstream resolvers from %s:%s", d->resolv_path, d->nup ? line : " none");
}

static void load_file(struct dnsd *d)
{
	char buf[4096];
	uint32_t ips[DNSD_MAX_UPSTREAMS];
	ssize_t n = -1;
	unsigned count;
	int fd = open(d->resolv_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	count = n > 0 ? dnsd_parse_resolv(buf, (size_t)n, ips, DNSD_MAX_UPSTREAMS) : 0;
	d->nup = 0;
	for (unsigned i = 0; i < count; i++)
		if (ips[i] != d->gateway) /* ourselves: a forwarding loop */
			d->up[d->nup++] = ips[i];
	d->up_pref = 0;
	log_upstreams(d);
}

void dnsd_upstreams_refresh(struct dnsd *d)
{
	struct stat st;

	if (!d->up_from_file)
		return;
	if (stat(d->resolv_path, &st) < 0) {
		if (d->resolv_seen) {
			d->resolv_seen = false;
			d->nup = 0;
			log_info("dns: %s is gone: no upstream resolvers", d->resolv_path);
		}
		return;
	}
	/* The client replaces the file by rename: a new inode, or a new mtime. */
	if (d->resolv_seen && d->resolv_ino == (long long)st.st_ino && d->resolv_size == (long long)st.st_size &&
	    d->resolv_mtime_ns == (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec)
		return;
	d->resolv_seen = true;
	d->resolv_ino = (long long)st.st_ino;
	d->resolv_size = (long long)st.st_size;
	d->resolv_mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	load_file(d);
}
