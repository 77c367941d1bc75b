/* `labctl guests [--json]`: each guest's state, address, uptime, restarts,
 * gdb port, and, when its console shows an oops, a panic, a BUG or a WARN,
 * the last lines around it. The console log is the guest's own output, so
 * it is read with a bound and printed with control characters replaced. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guests/guest.h"
#include "lib/core/addr.h"
#include "net/dhcpd/pool.h"
#include "lib/core/strbuf.h"
#include "init/pid1/pid1.h"

#define TAIL_BYTES 16384
#define SHOW_LINES 8


/* The leases' MACs and addresses, read once per request. */
struct lease_map {
	uint8_t mac[256][6];
	uint32_t ip[256];
	unsigned n;
};

static void read_leases(const struct pid1 *p, struct lease_map *m)
{
	struct dhcpd_lease l;
	char line[1100];
	FILE *f;

	m->n = 0;
	if (!p->profile->dhcp || !(f = fopen(p->profile->lease_file, "re")))
		return;
	while (m->n < 256 && fgets(line, sizeof(line), f))
		if (dhcpd_lease_parse_line(line, &l) == 0) {
			memcpy(m->mac[m->n], l.mac, 6);
			m->ip[m->n++] = l.ip;
		}
	fclose(f);
}

/* The guest's address: its fixed IP, else its (last) lease by MAC. */
static uint32_t guest_ip(const struct lease_map *m, const struct guest_cfg *g)
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

static void one_guest(const struct lease_map *leases, const struct service *s, bool json, bool first,
		      struct strbuf *o)
{
	const struct guest_service *gs = s->data;
	const struct guest_cfg *g = gs->cfg;
	char ip[16] = "-", up[24] = "-", gdb[8] = "-", log[TAIL_BYTES];
	size_t len = read_tail(gs->run_dir, log, sizeof(log));
	uint32_t a = guest_ip(leases, g);

	if (a)
		addr_format_ip4(a, ip);
	if (s->state == SV_RUNNING)
		snprintf(up, sizeof(up), "%.0fs", (double)(loop_now_ms() - s->started_ms) / 1000.0);
	if (g->gdb_port)
		snprintf(gdb, sizeof(gdb), "%u", g->gdb_port);
	if (json) {
		strbuf_put(o, "%s\n  {\"name\": \"%s\", \"state\": \"%s\", \"ip\": \"%s\", \"uptime\": \"%s\", \"restarts\": %u, "
		       "\"gdb_port\": %u, \"trouble\": %s}", first ? "" : ",", g->name, sv_state_name(s->state),
		    a ? ip : "", s->state == SV_RUNNING ? up : "", s->restarts, g->gdb_port,
		    len && has_trouble(log) ? "true" : "false");
		return;
	}
	strbuf_put(o, "%-16s %-9s %-15s %8s %8u %5s\n", g->name, sv_state_name(s->state), ip, up, s->restarts, gdb);
	if (len && has_trouble(log))
		strbuf_put(o, "  --- %s's console shows an oops, panic, BUG or WARN; its last lines:\n%s\n", g->name,
		    last_lines(log, len));
}

void pid1_guests_status(struct pid1 *p, bool json, char *reply, size_t size)
{
	static struct lease_map leases;
	struct strbuf o = { reply, size, 0 };
	unsigned n = 0;

	read_leases(p, &leases);
	strbuf_put(&o, "ok\n%s", json ? "[" : "");
	if (!json)
		strbuf_put(&o, "%-16s %-9s %-15s %8s %8s %5s\n", "NAME", "STATE", "IP", "UPTIME", "RESTARTS", "GDB");
	for (unsigned i = 0; i < p->sup.n; i++)
		if (p->sup.sv[i].stop_fn && p->sup.sv[i].data)
			one_guest(&leases, &p->sup.sv[i], json, n++ == 0, &o);
	strbuf_put(&o, json ? "\n]\n" : "");
	if (!json && !n)
		strbuf_put(&o, "(no guests in this profile)\n");
}
