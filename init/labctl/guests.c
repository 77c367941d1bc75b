/* `labctl guests [--json]`: each guest's state, address, uptime, restarts,
 * how to debug it (QEMU's gdb stub port; a UML kernel's host pid, for
 * gdb -p), and, when its console shows an oops, a panic, a BUG or a WARN,
 * the last lines around it and the first lines of the first such report,
 * and how many crash reports its logger filed (`labctl crashes` lists them).
 * PID 1 says which guests there are and where their files are; the lease
 * file and the console log are read here. The log is rotated
 * (guests/conlog/): its tail is the end of console.log.1 followed by
 * console.log, and the first report is kept in console.oops. The console
 * log is the guest's own output, so it is read with a bound and printed
 * with control characters replaced. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guests/conlog/conlog.h"
#include "init/labctl/labctl_priv.h"
#include "lib/core/addr.h"
#include "lib/core/strbuf.h"
#include "net/dhcpd/pool.h"

#define TAIL_BYTES 16384
#define OOPS_BYTES 2048
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

/* Up to size bytes of run_dir/name into buf, from its end (from its
 * start with head): how many were read. */
static size_t read_part(const char *run_dir, const char *name, bool head, char *buf, size_t size)
{
	char path[160];
	struct stat st;
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", run_dir, name);
	if (!size || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (fstat(fd, &st) == 0 && !head && st.st_size > (off_t)size)
		lseek(fd, st.st_size - (off_t)size, SEEK_SET);
	n = read(fd, buf, size);
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

static size_t file_size(const char *run_dir, const char *name)
{
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", run_dir, name);
	return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* The guest's bytes made printable and NUL-terminated; the serial
 * console's carriage returns are dropped. Returns the new length. */
static size_t sanitize(char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\r')
			continue;
		if (((unsigned char)c < 0x20 && c != '\n') || c == 0x7f || c == '"' || c == '\\')
			c = c == '\t' ? ' ' : '?';
		buf[n++] = c;
	}
	buf[n] = '\0';
	return n;
}

/* The last size - 1 bytes of the console's output into buf: the end of
 * console.log.1, then console.log (just after a rotation it is short). */
static size_t read_tail(const char *run_dir, char *buf, size_t size)
{
	size_t cur = file_size(run_dir, CONLOG_LOG), want = size - 1, n;

	if (cur > want)
		cur = want;
	n = read_part(run_dir, CONLOG_OLD, false, buf, want - cur);
	n += read_part(run_dir, CONLOG_LOG, false, buf + n, want - n);
	return sanitize(buf, n);
}

/* The head of the first crash report the logger kept. */
static size_t read_oops(const char *run_dir, char *buf, size_t size)
{
	return sanitize(buf, read_part(run_dir, CONLOG_OOPS, true, buf, size - 1));
}

static bool has_trouble(const char *log, size_t len)
{
	return conlog_find_marker(log, len) != NULL;
}

/* The first SHOW_LINES lines of text, cut in place. */
static const char *first_lines(char *text)
{
	char *p = text;

	for (int lines = 0; p && lines < SHOW_LINES; lines++)
		if ((p = strchr(p, '\n')))
			p++;
	if (p)
		*p = '\0';
	return text;
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

static void one_guest(const struct labctl_lab *lab, const struct lease_map *leases, const struct labctl_guest *g,
		      bool json, bool first, struct strbuf *o)
{
	unsigned long crashes = labctl_crash_count(lab, g);
	char ip[16] = "-", up[24] = "-", gdb[24] = "-", log[TAIL_BYTES], oops[OOPS_BYTES];
	size_t len = read_tail(g->run_dir, log, sizeof(log)), olen = read_oops(g->run_dir, oops, sizeof(oops));
	bool in_tail = len && has_trouble(log, len), trouble = in_tail || olen;
	bool running = !strcmp(g->state, "running");
	uint32_t a = guest_ip(leases, g);

	if (a)
		addr_format_ip4(a, ip);
	if (running && g->uptime_s >= 0)
		snprintf(up, sizeof(up), "%lds", g->uptime_s);
	if (g->gdb_port)
		snprintf(gdb, sizeof(gdb), "%u", g->gdb_port);
	else if (g->uml && g->pid > 0)
		snprintf(gdb, sizeof(gdb), "-p %d", g->pid); /* the UML kernel is a process */
	if (json) {
		strbuf_put(o, "%s\n  {\"name\": \"%s\", \"state\": \"%s\", \"ip\": \"%s\", \"uptime\": \"%s\", \"restarts\": %u, "
		       "\"gdb_port\": %u, \"kind\": \"%s\", \"pid\": %d, \"crashes\": %lu, \"trouble\": %s}", first ? "" : ",",
		    g->name, g->state, a ? ip : "", running ? up : "", g->restarts, g->gdb_port, g->uml ? "uml" : "qemu",
		    g->pid, crashes, trouble ? "true" : "false");
		return;
	}
	strbuf_put(o, "%-16s %-9s %-15s %8s %8u %7lu %8s\n", g->name, g->state, ip, up, g->restarts, crashes, gdb);
	if (in_tail)
		strbuf_put(o, "  --- %s's console shows an oops, panic, BUG or WARN; its last lines:\n%s\n", g->name,
		    last_lines(log, len));
	if (olen)
		strbuf_put(o, "  --- the first report (%s/%s) begins:\n%s\n", g->run_dir, CONLOG_OOPS,
			   first_lines(oops));
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
		strbuf_put(&o, "%-16s %-9s %-15s %8s %8s %7s %8s\n", "NAME", "STATE", "IP", "UPTIME", "RESTARTS", "CRASHES",
			   "GDB");
	for (unsigned i = 0; i < lab.nguests; i++)
		one_guest(&lab, &leases, &lab.guests[i], json, i == 0, &o);
	strbuf_put(&o, json ? "\n]\n" : "");
	if (!json && !lab.nguests)
		strbuf_put(&o, "(no guests in this profile)\n");
	return fputs(text, stdout) < 0 || fflush(stdout) != 0;
}
