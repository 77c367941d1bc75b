/* `labctl guests [--json]`: each guest's state, address, uptime, restarts,
 * gdb port, and, when its console shows an oops, a panic, a BUG or a WARN,
 * the last lines around it. PID 1 says which guests there are and where
 * their files are; the lease file and the console log are read here. The
 * console log is the guest's own output, so it is read with a bound and
 * printed with control characters replaced. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/labctl/labctl_priv.h"
#include "lib/core/addr.h"
#include "lib/core/strbuf.h"
#include "net/dhcpd/pool.h"

#define TAIL_BYTES 16384
#define SHOW_LINES 8


/* The leases' MACs and addresses, read once per request. */
struct lease_map {
	uint8_t mac[256][6];
	uint32_t ip[256];
	unsigned n;
};

static void map_one(void *arg, const struct dhcpd_lease *l)
{
	struct lease_map *m = arg;

	if (m->n == 256)
		return;
	memcpy(m->mac[m->n], l->mac, 6);
	m->ip[m->n++] = l->ip;
}

static void read_leases(const struct labctl_lab *lab, struct lease_map *m)
{
	unsigned bad;

	m->n = 0;
	if (lab->have_leases)
		dhcpd_leasefile_foreach(lab->lease_file, map_one, m, &bad);
}

/* The guest's address: its fixed IP, else its (last) lease by MAC. */
static uint32_t guest_ip(const struct lease_map *m, const struct labctl_guest *g)
{
	uint32_t ip = 0;

	if (g->ip)
		return g->ip;
	for (unsigned i = 0; i < m->n; i++)
		if (!memcmp(m->mac[i], g->mac, 6))
			ip = m->ip[i];
	return ip;
}

/* Reads the end of the console log into buf; returns its length. */
static size_t read_tail(const char *run_dir, char *buf, size_t size)
{
	char path[160];
	ssize_t n;
	off_t end;
	int fd;

	snprintf(path, sizeof(path), "%s/console.log", run_dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	end = lseek(fd, 0, SEEK_END);
	lseek(fd, end > (off_t)size - 1 ? end - (off_t)size + 1 : 0, SEEK_SET);
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return 0;
	for (ssize_t i = 0; i < n; i++)
		if (((unsigned char)buf[i] < 0x20 && buf[i] != '\n') || buf[i] == 0x7f || buf[i] == '"' || buf[i] == '\\')
			buf[i] = buf[i] == '\t' ? ' ' : '?';
	buf[n] = '\0';
	return (size_t)n;
}

static bool has_trouble(const char *log)
{
	return strstr(log, "Kernel panic") || strstr(log, "Oops") || strstr(log, "BUG:") || strstr(log, "WARNING:");
}

/* The last SHOW_LINES lines of the log. */
static const char *last_lines(const char *log, size_t len)
{
	const char *p = log + len;
	int lines = 0;

	while (p > log && lines <= SHOW_LINES)
		if (*--p == '\n')
			lines++;
	return p == log ? p : p + 1;
}

static void one_guest(const struct lease_map *leases, const struct labctl_guest *g, bool json, bool first,
		      struct strbuf *o)
{
	char ip[16] = "-", up[24] = "-", gdb[12] = "-", log[TAIL_BYTES];
	size_t len = read_tail(g->run_dir, log, sizeof(log));
	bool running = !strcmp(g->state, "running");
	uint32_t a = guest_ip(leases, g);

	if (a)
		addr_format_ip4(a, ip);
	if (running && g->uptime_s >= 0)
		snprintf(up, sizeof(up), "%lds", g->uptime_s);
	if (g->gdb_port)
		snprintf(gdb, sizeof(gdb), "%u", g->gdb_port);
	if (json) {
		strbuf_put(o, "%s\n  {\"name\": \"%s\", \"state\": \"%s\", \"ip\": \"%s\", \"uptime\": \"%s\", \"restarts\": %u, "
		       "\"gdb_port\": %u, \"trouble\": %s}", first ? "" : ",", g->name, g->state,
		    a ? ip : "", running ? up : "", g->restarts, g->gdb_port,
		    len && has_trouble(log) ? "true" : "false");
		return;
	}
	strbuf_put(o, "%-16s %-9s %-15s %8s %8u %5s\n", g->name, g->state, ip, up, g->restarts, gdb);
	if (len && has_trouble(log))
		strbuf_put(o, "  --- %s's console shows an oops, panic, BUG or WARN; its last lines:\n%s\n", g->name,
		    last_lines(log, len));
}

int labctl_guests(const char *path, bool json)
{
	static char text[65536];
	static struct lease_map leases;
	static struct labctl_lab lab;
	struct strbuf o = { text, sizeof(text), 0 };

	if (labctl_lab(path, &lab))
		return 1;
	read_leases(&lab, &leases);
	strbuf_put(&o, "%s", json ? "[" : "");
	if (!json)
		strbuf_put(&o, "%-16s %-9s %-15s %8s %8s %5s\n", "NAME", "STATE", "IP", "UPTIME", "RESTARTS", "GDB");
	for (unsigned i = 0; i < lab.nguests; i++)
		one_guest(&leases, &lab.guests[i], json, i == 0, &o);
	strbuf_put(&o, json ? "\n]\n" : "");
	if (!json && !lab.nguests)
		strbuf_put(&o, "(no guests in this profile)\n");
	return fputs(text, stdout) < 0 || fflush(stdout) != 0;
}
