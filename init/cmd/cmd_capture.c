/* `labinit capture IFNAME FILE`: the arguments of net/capture, its stop
 * signals, and the summary line. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "init/cmd/commands.h"
#include "net/capture/capture.h"

/* Who owns the file and reads the frames when --user is not given: the
 * conventional unprivileged user (there is no passwd lookup in a static
 * binary, and no profile here to name a SANDBOX_UID). */
#define CAPTURE_DEFAULT_USER 65534u

#define CAPTURE_USAGE \
	"usage: labinit capture IFNAME FILE [--count N] [--seconds S] [--snaplen N] [--user UID[:GID]]\n"

/* A decimal number in [min, max], nothing else: 0 or -EINVAL. */
static int parse_u32(const char *s, unsigned long min, unsigned long max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_user(const char *s, struct capture_config *c)
{
	char uid[16];
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	uint32_t u, g;

	if (n >= sizeof(uid))
		return -EINVAL;
	memcpy(uid, s, n);
	uid[n] = 0;
	if (parse_u32(uid, 1, INT_MAX, &u) < 0 || (colon && parse_u32(colon + 1, 1, INT_MAX, &g) < 0))
		return -EINVAL;
	c->uid = u;
	c->gid = colon ? g : u;
	return 0;
}

static int bad_arg(const char *name, const char *value, const char *want)
{
	fprintf(stderr, "labinit capture: %s \"%s\": %s\n" CAPTURE_USAGE, name, value, want);
	return 2;
}

/* 0, or the exit status 2 after naming the argument. */
static int parse_args(int argc, char **argv, struct capture_config *c)
{
	const char *pos[2] = { NULL, NULL };
	unsigned npos = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (a[0] != '-') {
			if (npos == 2)
				return bad_arg("argument", a, "one IFNAME and one FILE only");
			pos[npos++] = a;
			continue;
		}
		if (strcmp(a, "--count") && strcmp(a, "--seconds") && strcmp(a, "--snaplen") && strcmp(a, "--user"))
			return bad_arg("option", a, "unknown");
		if (!v)
			return bad_arg(a, "", "needs a value");
		i++;
		if (!strcmp(a, "--count") && parse_u32(v, 1, CAPTURE_MAX_COUNT, &c->count) < 0)
			return bad_arg(a, v, "a number of packets, 1 to 10000000");
		if (!strcmp(a, "--seconds") && parse_u32(v, 1, CAPTURE_MAX_SECONDS, &c->seconds) < 0)
			return bad_arg(a, v, "a number of seconds, 1 to 86400");
		if (!strcmp(a, "--snaplen") && parse_u32(v, 1, CAPTURE_MAX_SNAPLEN, &c->snaplen) < 0)
			return bad_arg(a, v, "octets kept of each frame, 1 to 262144");
		if (!strcmp(a, "--user") && parse_user(v, c) < 0)
			return bad_arg(a, v, "UID or UID:GID, numbers above 0");
	}
	if (npos < 2) {
		fprintf(stderr, "labinit capture: %s missing\n" CAPTURE_USAGE, npos ? "FILE" : "IFNAME and FILE");
		return 2;
	}
	if (strlen(pos[0]) >= IFNAMSIZ)
		return bad_arg("IFNAME", pos[0], "longer than an interface name can be (15 characters)");
	c->ifname = pos[0];
	c->path = pos[1];
	return 0;
}

/* SIGINT and SIGTERM, blocked and read from a signalfd: the capture's stop fd. */
static int stop_signals(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &s, NULL) < 0)
		return -1;
	return signalfd(-1, &s, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int report_error(const struct capture_config *c, const struct capture_result *res, int r)
{
	if (r == -ENODEV)
		fprintf(stderr, "labinit capture: no interface \"%s\" here (in this network namespace)\n", c->ifname);
	else
		fprintf(stderr, "labinit capture: %s: %s: %s\n", c->ifname, res->step ? res->step : "capturing",
			strerror(-r));
	return 1;
}

int cmd_capture(int argc, char **argv)
{
	struct capture_config c = { .fd = -1, .uid = CAPTURE_DEFAULT_USER, .gid = CAPTURE_DEFAULT_USER };
	struct capture_result res;
	int r;

	if ((r = parse_args(argc, argv, &c)) != 0)
		return r;
	if ((c.stop_fd = stop_signals()) < 0) {
		perror("labinit capture: signalfd");
		return 1;
	}
	r = capture_run(&c, &res);
	if (r < 0 && res.stop == CAPTURE_STOP_NONE)
		return report_error(&c, &res, r);
	printf("capture %s: %llu packets (%llu dropped by the kernel) in %.1f s -> %s\n", c.ifname,
	       (unsigned long long)res.packets, (unsigned long long)res.kernel_drops, (double)res.elapsed_ms / 1000.0,
	       c.path);
	if (res.stop == CAPTURE_STOP_SIZE)
		fprintf(stderr, "labinit capture: %s: stopped at the file size cap (%u MiB)\n", c.ifname,
			CAPTURE_DEFAULT_MAX_BYTES >> 20);
	if (r < 0)
		return report_error(&c, &res, r);
	return 0;
}
