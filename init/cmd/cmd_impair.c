/* `labinit impair IFNAME [SPEC|off]`: a link's impairments (a netem root
 * qdisc, net/netlink/qdisc.h) set, removed or shown; what is installed is
 * read back from the kernel and printed. */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>

#include "init/cmd/commands.h"
#include "init/modules/modules.h"
#include "net/netlink/qdisc.h"
#include "net/netlink/rtnl.h"

#define USAGE "usage: labinit impair IFNAME [SPEC | off]\n"

/* The words after IFNAME as one spec: "delay 20ms loss 1%" needs no quotes. */
static int join_spec(int argc, char **argv, char *spec, size_t size)
{
	size_t len = 0;

	spec[0] = '\0';
	for (int i = 0; i < argc; i++) {
		int n = snprintf(spec + len, size - len, "%s%s", i ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	return 0;
}

static void print_error(const char *ifname, const char *what, int r, const struct nl_error *e)
{
	fprintf(stderr, "impair %s: %s: %s%s%s\n", ifname, what, strerror(-r), e->msg[0] ? ": " : "", e->msg);
	if (r == -ENOENT && !strcmp(what, "set"))
		fprintf(stderr, "impair %s: is netem in the kernel (CONFIG_NET_SCH_NETEM, module sch_netem)?\n", ifname);
}

static int show(struct nl_sock *s, const struct rtnl_link *l)
{
	struct netem_cfg c = { 0 };
	struct nl_error e = { 0 };
	char buf[NETEM_SPEC_MAX];
	int r = rtnl_netem_get(s, l->index, &c);

	if (r < 0 && r != -ENOENT) {
		print_error(l->name, "read back", r, &e);
		return 1;
	}
	netem_format(&c, buf, sizeof(buf));
	printf("impair %s: %s\n", l->name, buf);
	return 0;
}

static int apply(struct nl_sock *s, const struct rtnl_link *l, const char *spec)
{
	struct netem_cfg c;
	struct nl_error e;
	char err[160];
	int r;

	if (netem_parse(spec, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "impair %s: bad spec: %s\n", l->name, err);
		return 2;
	}
	if (!netem_is_off(&c)) { /* on the appliance, loaded after the boot's modules */
		static const char *const netem[] = { "sch_netem", NULL };

		modules_ensure(netem);
	}
	if ((r = rtnl_netem_set(s, l->index, &c, &e)) < 0) {
		print_error(l->name, "set", r, &e);
		return 1;
	}
	return show(s, l);
}

int cmd_impair(int argc, char **argv)
{
	char spec[NETEM_SPEC_MAX + 2];
	struct rtnl_link l;
	struct nl_sock s;
	int r;

	if (argc < 2 || argv[1][0] == '-') {
		fputs(USAGE, stderr);
		return 2;
	}
	if (join_spec(argc - 2, argv + 2, spec, sizeof(spec)) < 0) {
		fprintf(stderr, "impair %s: bad spec: longer than %d characters\n", argv[1], NETEM_SPEC_MAX);
		return 2;
	}
	if ((r = nl_open(&s, NETLINK_ROUTE)) < 0) {
		fprintf(stderr, "impair: rtnetlink: %s\n", strerror(-r));
		return 1;
	}
	if ((r = rtnl_link_get(&s, argv[1], &l)) < 0) {
		fprintf(stderr, "impair %s: %s\n", argv[1],
			r == -ENODEV || r == -ENAMETOOLONG ? "no such interface" : strerror(-r));
		nl_close(&s);
		return r == -ENODEV || r == -ENAMETOOLONG ? 2 : 1;
	}
	r = argc == 2 ? show(&s, &l) : apply(&s, &l, spec);
	nl_close(&s);
	return r;
}
