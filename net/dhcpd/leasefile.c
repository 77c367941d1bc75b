/* The lease file, in dnsmasq's format so existing tools read it:
 *   EXPIRY MAC IP HOSTNAME CLIENT-ID      ('*' for no host name / id)
 * Written whole to a temporary file, fsynced, renamed over the old one:
 * a crash or SIGKILL mid-write leaves the previous complete file. Under
 * load the changes go to its journal first (journal.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/addr.h"
#include "lib/core/writefile.h"
#include "net/dhcpd/pool.h"

static void format_client_id(const struct dhcpd_lease *l, char *out, size_t size)
{
	size_t n = 0;

	if (!l->client_id_len) {
		snprintf(out, size, "*");
		return;
	}
	for (unsigned i = 0; i < l->client_id_len && n + 4 < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%02x", i ? ":" : "", l->client_id[i]);
}

static int format_line(const struct dhcpd_lease *l, char *out, size_t size)
{
	char mac[18], ip[16], cid[800];

	addr_format_mac(l->mac, mac);
	addr_format_ip4(l->ip, ip);
	format_client_id(l, cid, sizeof(cid));
	return snprintf(out, size, "%lld %s %s %s %s\n", (long long)l->expires, mac, ip,
			l->hostname[0] ? l->hostname : "*", cid);
}

/* l's line, from its cache when it has one (the cache lives in the
 * lease: the pool is const here only to the caller's eyes). */
size_t dhcpd_lease_format(struct dhcpd_lease *l, char *out, size_t room)
{
	int n;

	if (l->line_len && l->line_len < room) {
		memcpy(out, l->line, l->line_len);
		return l->line_len;
	}
	n = format_line(l, out, room);
	if (n <= 0 || (size_t)n >= room)
		return 0;
	if ((size_t)n < sizeof(l->line)) {
		memcpy(l->line, out, (size_t)n);
		l->line_len = (uint8_t)n;
	}
	return (size_t)n;
}

/* The whole file in one buffer and one write: a save happens for every
 * batch with an ACK. */
static int write_leases(const struct dhcpd_pool *p, const char *path)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int r;

	for (size_t i = 0; buf && i < p->count; i++) {
		struct dhcpd_lease *l = &p->slot[i];

		if (l->state != LEASE_BOUND)
			continue;
		if (cap - len < 1024) {
			char *grown = realloc(buf, cap * 2);

			if (!grown) {
				free(buf);
				return -ENOMEM;
			}
			buf = grown;
			cap *= 2;
		}
		len += dhcpd_lease_format(l, buf + len, cap - len);
	}
	if (!buf)
		return -ENOMEM;
	r = dhcpd_leasefile_replace(path, buf, len);
	free(buf);
	return r;
}

void dhcpd_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	*(slash == dir ? slash + 1 : slash) = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* The lease file for reading, if it is a regular file: its directory is
 * the unprivileged server's, so root (a restarted worker loading it, labctl)
 * must not follow a link planted there nor block on a FIFO. */
FILE *dhcpd_leasefile_open(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		f = NULL;
	else if (!S_ISREG(st.st_mode)) {
		f = NULL;
		errno = EINVAL;
	} else
		f = fdopen(fd, "r");
	if (!f) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return f;
}

int dhcpd_leases_own_dir(const char *path, uid_t uid, gid_t gid)
{
	char dir[PATH_MAX], tmp[PATH_MAX], journal[PATH_MAX];
	char *slash;
	int fd, r;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    snprintf(journal, sizeof(journal), "%s.journal", path) >= (int)sizeof(journal))
		return -ENAMETOOLONG;
	if (!(slash = strrchr(dir, '/')) || slash == dir)
		return -EINVAL; /* the profile refuses a file in / */
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno == ENOENT && (slash = strrchr(dir, '/')) && slash != dir) {
		/* the default's parent, /run/labinit, on a host that has none yet */
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
		mkdir(dir, 0755);
	}
	if (access(dir, F_OK) < 0)
		return -errno;
	/* No link followed: a directory replaced by a link, or a link planted
	 * for the file, must not hand over their targets. */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -errno;
	r = fchown(fd, uid, gid) < 0 ? -errno : 0;
	close(fd);
	if (r < 0 || (lchown(path, uid, gid) < 0 && errno != ENOENT) ||
	    (lchown(journal, uid, gid) < 0 && errno != ENOENT))
		return r < 0 ? r : -errno;
	unlink(tmp); /* a stale temporary file of root's from a crash */
	return 0;
}

int dhcpd_leasefile_replace(const char *path, const void *buf, size_t len)
{
	char tmp[PATH_MAX];
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	else
		dhcpd_sync_dir(path);
	return r;
}

int dhcpd_leases_save(struct dhcpd_pool *p, const char *path)
{
	int r = write_leases(p, path);

	if (r == 0)
		dhcpd_changes_clear(p);
	return r;
}

static int parse_client_id(const char *s, struct dhcpd_lease *l)
{
	l->client_id_len = 0;
	if (!strcmp(s, "*"))
		return 0;
	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 16);

		if (end == s || end - s > 2 || v > 255 || l->client_id_len == sizeof(l->client_id))
			return -EINVAL;
		l->client_id[l->client_id_len++] = (uint8_t)v;
		s = end;
		if (*s == ':')
			s++;
		else if (*s)
			return -EINVAL;
	}
	return l->client_id_len ? 0 : -EINVAL;
}

int dhcpd_lease_parse_line(const char *line, struct dhcpd_lease *out)
{
	char buf[1024], *f[6], *save = NULL, *end;
	unsigned n = 0;
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
	if (*end || exp <= 0 || errno == ERANGE || addr_parse_mac(f[1], out->mac) < 0 || addr_parse_ip4(f[2], &out->ip) < 0 ||
	    strlen(f[3]) >= sizeof(out->hostname) || parse_client_id(f[4], out) < 0)
		return -EINVAL;
	out->expires = (time_t)exp;
	if (strcmp(f[3], "*") != 0)
		strcpy(out->hostname, f[3]);
	out->state = LEASE_BOUND;
	return 0;
}

int dhcpd_leasefile_lines(const char *path, int (*fn)(void *arg, const char *text), void *arg, unsigned *bad)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = dhcpd_leasefile_open(path);

	*bad = 0;
	if (!f)
		return -errno;
	/* getline, not fgets: a NUL inside a line must not hide where it ends. */
	while ((n = getline(&line, &cap, f)) > 0)
		if ((n >= 1024 || memchr(line, '\0', (size_t)n) || fn(arg, line) < 0) &&
		    strspn(line, " \t\r\n") != (size_t)n)
			(*bad)++;
	free(line);
	fclose(f);
	return 0;
}

struct each4 {
	dhcpd_lease_fn fn;
	void *arg;
};

static int one4(void *arg, const char *text)
{
	struct each4 *e = arg;
	struct dhcpd_lease l;

	if (dhcpd_lease_parse_line(text, &l) < 0)
		return -EINVAL;
	e->fn(e->arg, &l);
	return 0;
}

int dhcpd_snapshot_foreach(const char *path, dhcpd_lease_fn fn, void *arg, unsigned *bad)
{
	struct each4 e = { fn, arg };

	return dhcpd_leasefile_lines(path, one4, &e, bad);
}

