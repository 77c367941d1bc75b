/* `labctl networks`, `labctl impair` and `labctl capture`: the lab's
 * networks as PID 1 names them ("net" facts), and what the kernel says of
 * them now (addresses, state, bridge ports, impairments), read here over
 * sysfs and rtnetlink. A guest's NIC k is its tap: NAME for the first,
 * NAME.k for the others (lib/profile/validate_guests.c). */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "init/labctl/labctl_priv.h"
#include "lib/core/readfile.h"
#include "lib/core/strbuf.h"
#include "net/netlink/qdisc.h"

#define MAX_PORTS 64

static int usage_networks(void)
{
	fprintf(stderr, "usage: labctl networks [--json]\n");
	return 2;
}

/* /sys/class/net/IF/operstate, or "absent". */
static void link_state(const char *ifname, char *out, size_t size)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", ifname);
	if (read_first_line(path, out, size) < 0)
		snprintf(out, size, "absent");
	out[strcspn(out, "\n")] = '\0';
}

/* The bridge's ports, sorted; how many (at most max). */
static unsigned bridge_ports(const char *bridge, char ports[][IFNAMSIZ], unsigned max)
{
	char path[96];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/brif", bridge);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d)) && n < max)
		if (e->d_name[0] != '.' && strlen(e->d_name) < IFNAMSIZ)
			snprintf(ports[n++], IFNAMSIZ, "%.15s", e->d_name);
	closedir(d);
	qsort(ports, n, IFNAMSIZ, (int (*)(const void *, const void *))strcmp);
	return n;
}

/* The netem on ifname as text ("delay 20ms loss 1%"), or "" for none. */
static void impairment(struct nl_sock *s, const char *ifname, char *out, size_t size)
{
	struct netem_cfg c;
	int index = (int)if_nametoindex(ifname);

	out[0] = '\0';
	if (s && index > 0 && rtnl_netem_get(s, index, &c) == 0 && !netem_is_off(&c))
		netem_format(&c, out, size);
}

static void json_str(struct strbuf *o, const char *s)
{
	strbuf_put(o, "\"");
	for (; *s; s++)
		strbuf_put(o, (*s == '"' || *s == '\\') ? "\\%c" : ((unsigned char)*s < 0x20 ? "?" : "%c"), *s);
	strbuf_put(o, "\"");
}

static void one_net(struct strbuf *o, struct nl_sock *s, const struct labctl_net *n, bool json, bool first)
{
	static char ports[MAX_PORTS][IFNAMSIZ];
	char state[32], imp[NETEM_SPEC_MAX];
	unsigned np = bridge_ports(n->bridge, ports, MAX_PORTS);

	link_state(n->bridge, state, sizeof(state));
	if (!json) {
		strbuf_put(o, "%u %-8s %-9s %-8s %-5s ipv4 %-15s ipv6 %s\n", n->num, n->name, n->mode, n->bridge, state,
			   n->addr, n->prefix6);
		for (unsigned i = 0; i < np; i++) {
			impairment(s, ports[i], imp, sizeof(imp));
			strbuf_put(o, "    port %s%s%s\n", ports[i], imp[0] ? "  impaired: " : "", imp);
		}
		return;
	}
	strbuf_put(o, "%s\n  {\"num\": %u, \"name\": ", first ? "" : ",", n->num);
	json_str(o, n->name);
	strbuf_put(o, ", \"mode\": ");
	json_str(o, n->mode);
	strbuf_put(o, ", \"bridge\": ");
	json_str(o, n->bridge);
	strbuf_put(o, ", \"state\": ");
	json_str(o, state);
	strbuf_put(o, ", \"ipv4\": ");
	json_str(o, strcmp(n->addr, "-") ? n->addr : "");
	strbuf_put(o, ", \"ipv6\": ");
	json_str(o, strcmp(n->prefix6, "-") ? n->prefix6 : "");
	strbuf_put(o, ", \"ports\": [");
	for (unsigned i = 0; i < np; i++) {
		impairment(s, ports[i], imp, sizeof(imp));
		strbuf_put(o, "%s{\"name\": ", i ? ", " : "");
		json_str(o, ports[i]);
		strbuf_put(o, ", \"impair\": ");
		json_str(o, imp);
		strbuf_put(o, "}");
	}
	strbuf_put(o, "]}");
}

int labctl_networks(const char *path, int argc, char **argv)
{
	static struct labctl_lab lab;
	static char text[32768];
	struct strbuf o = { text, sizeof(text), 0 };
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	struct nl_sock s;
	bool have_nl;

	if (argc > 2 || (argc == 2 && !json))
		return usage_networks();
	if (labctl_lab(path, &lab))
		return 1;
	have_nl = nl_open(&s, NETLINK_ROUTE) == 0;
	if (json)
		strbuf_put(&o, "[");
	else if (lab.nnets)
		strbuf_put(&o, "# NAME     MODE      BRIDGE   STATE ADDRESSES\n");
	for (unsigned i = 0; i < lab.nnets; i++)
		one_net(&o, have_nl ? &s : NULL, &lab.nets[i], json, i == 0);
	if (json)
		strbuf_put(&o, "%s]\n", lab.nnets ? "\n" : "");
	if (have_nl)
		nl_close(&s);
	return fputs(text, stdout) < 0 || fflush(stdout) != 0;
}

/* GUEST[:NIC] -> the NIC's tap; 0, or 1 after saying what is wrong. */
static int guest_tap(const struct labctl_lab *lab, const char *arg, char *tap, size_t size)
{
	char name[32];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	unsigned long k = 0;
	char *end;

	snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), arg);
	if (colon && (k = strtoul(colon + 1, &end, 10), !colon[1] || *end || k > 3)) {
		fprintf(stderr, "labctl: \"%s\": NIC is a number, 0 for the first\n", arg);
		return 1;
	}
	for (unsigned i = 0; i < lab->nguests; i++)
		if (!strcmp(lab->guests[i].name, name)) {
			snprintf(tap, size, k ? "%.13s.%lu" : "%s", name, k);
			if (if_nametoindex(tap))
				return 0;
			fprintf(stderr, "labctl: guest %s has no NIC %lu (no tap %s)\n", name, k, tap);
			return 1;
		}
	fprintf(stderr, "labctl: no guest or network \"%s\"\n", name);
	return 1;
}

/* labctl impair GUEST[:NIC] [SPEC | off] */
int labctl_impair(const char *path, int argc, char **argv)
{
	static struct labctl_lab lab;
	char tap[IFNAMSIZ], spec[NETEM_SPEC_MAX] = "", err[128], now[NETEM_SPEC_MAX];
	struct nl_error e = { 0 };
	struct netem_cfg c;
	struct nl_sock s;
	int r, index;

	if (argc < 2) {
		fprintf(stderr, "usage: labctl impair GUEST[:NIC] [delay=20ms,jitter=5ms,loss=1%%,duplicate=0.1%%,"
				"reorder=25%%,rate=10mbit | off]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%s%s", i > 2 ? " " : "", argv[i]);
	if (argc > 2 && netem_parse(spec, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "labctl impair: %s\n", err);
		return 2;
	}
	if (labctl_lab(path, &lab) || guest_tap(&lab, argv[1], tap, sizeof(tap)))
		return 1;
	if ((r = nl_open(&s, NETLINK_ROUTE)) < 0) {
		fprintf(stderr, "labctl impair: rtnetlink: %s\n", strerror(-r));
		return 1;
	}
	index = (int)if_nametoindex(tap);
	r = argc > 2 ? rtnl_netem_set(&s, index, &c, &e) : 0;
	impairment(&s, tap, now, sizeof(now));
	nl_close(&s);
	if (r < 0) {
		fprintf(stderr, "labctl impair: %s: %s%s%s%s\n", tap, strerror(-r), e.msg[0] ? ": " : "", e.msg,
			r == -ENOENT || r == -EOPNOTSUPP ? " (no sch_netem in this kernel?)" : "");
		return 1;
	}
	printf("impair %s: %s\n", tap, now[0] ? now : "off");
	return 0;
}

/* labctl capture NET|GUEST[:NIC] [--count N] [--seconds S]: `labinit
 * capture` on the bridge or tap, into a new file in the debug share. */
int labctl_capture(const char *path, int argc, char **argv)
{
	static struct labctl_lab lab;
	char ifname[IFNAMSIZ] = "", file[512], stamp[32], what[40];
	char *args[12];
	time_t t = time(NULL);
	struct tm tm;
	int n = 0;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: labctl capture NET|GUEST[:NIC] [--count N] [--seconds S]\n");
		return 2;
	}
	if (labctl_lab(path, &lab))
		return 1;
	for (unsigned i = 0; i < lab.nnets; i++) {
		char num[8];

		snprintf(num, sizeof(num), "%u", lab.nets[i].num);
		if (!strcmp(argv[1], lab.nets[i].name) || !strcmp(argv[1], num) || !strcmp(argv[1], lab.nets[i].bridge))
			snprintf(ifname, sizeof(ifname), "%s", lab.nets[i].bridge);
	}
	if (!ifname[0] && guest_tap(&lab, argv[1], ifname, sizeof(ifname)))
		return 1;
	if (!lab.share_dir[0]) {
		fprintf(stderr, "labctl capture: PID 1 names no debug share (SHARE_DIR)\n");
		return 1;
	}
	snprintf(what, sizeof(what), "%s", argv[1]);
	for (char *c = what; *c; c++)
		if (*c == ':' || *c == '/')
			*c = '-';
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&t, &tm));
	snprintf(file, sizeof(file), "%s/capture-%s-%s.pcap", lab.share_dir, what, stamp);
	args[n++] = "labinit";
	args[n++] = "capture";
	args[n++] = ifname;
	args[n++] = file;
	for (int i = 2; i < argc && n < 10; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fprintf(stderr, "labctl capture: %s into %s\n", ifname, file);
	execv("/proc/self/exe", args);
	fprintf(stderr, "labctl capture: running labinit capture: %s\n", strerror(errno));
	return 1;
}
