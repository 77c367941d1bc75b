/* `labinit results`: the JUnit XML of `make test-kernel`'s runs, from the
 * summary objects `labctl run --json` printed and the outputs captured on
 * the workstation (image/test-kernel.sh calls it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "init/cmd/commands.h"
#include "init/results/junit.h"
#include "lib/core/readfile.h"

#define CASES_MAX 64
#define CAP_DEFAULT (1024 * 1024)
#define CAP_MAX (64 * 1024 * 1024)

static int usage(void)
{
	fprintf(stderr, "usage: labinit results --out FILE [--suite NAME] [--cap BYTES] [--timestamp ISO8601]\n"
			"         [--hostname H] [--property NAME=VALUE]...\n"
			"         { --run RUN.json --name NAME [--stdout FILE] [--stderr FILE] }...\n"
			"  one testcase a --run (labctl run --json's object); each output's last BYTES\n"
			"  (default %d) are kept, the rest named by its file\n",
		CAP_DEFAULT);
	return 2;
}

/* read_tail: the last cap bytes of path, malloc'd, in t (total: its size). */
static int read_tail(const char *path, size_t cap, struct results_text *t)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0, want;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = -errno;
		if (fd >= 0)
			close(fd);
		return e;
	}
	t->total = (size_t)st.st_size;
	want = t->total > cap ? cap : t->total;
	buf = malloc(want + 1);
	if (!buf || lseek(fd, (off_t)(t->total - want), SEEK_SET) < 0) {
		free(buf);
		close(fd);
		return -ENOMEM;
	}
	while (got < want && (n = read(fd, buf + got, want - got)) > 0)
		got += (size_t)n;
	close(fd);
	t->buf = buf;
	t->len = got;
	t->file = path;
	return 0;
}

static int load_run(const char *path, struct results_run *run)
{
	char *buf;
	size_t len;
	int r = read_whole_file(path, RESULTS_RUN_MAX, &buf, &len);

	if (r < 0) {
		fprintf(stderr, "labinit results: %s: %s\n", path, strerror(-r));
		return r;
	}
	r = results_parse_run(buf, len, run);
	if (r < 0)
		fprintf(stderr, "labinit results: %s: not a labctl run --json object (outcome, status, ...)\n", path);
	free(buf);
	return r;
}

struct opts {
	const char *out, *runs[CASES_MAX], *names[CASES_MAX], *outs[CASES_MAX], *errs[CASES_MAX];
	unsigned n;
	struct results_suite s;
};

static int parse_args(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--run")) {
			if (o->n == CASES_MAX) {
				fprintf(stderr, "labinit results: at most %d runs\n", CASES_MAX);
				return 2;
			}
			o->runs[o->n++] = v;
		} else if (!strcmp(a, "--name") && o->n) {
			o->names[o->n - 1] = v;
		} else if (!strcmp(a, "--stdout") && o->n) {
			o->outs[o->n - 1] = v;
		} else if (!strcmp(a, "--stderr") && o->n) {
			o->errs[o->n - 1] = v;
		} else if (!strcmp(a, "--out")) {
			o->out = v;
		} else if (!strcmp(a, "--suite")) {
			o->s.name = v;
		} else if (!strcmp(a, "--timestamp")) {
			o->s.timestamp = v;
		} else if (!strcmp(a, "--hostname")) {
			o->s.hostname = v;
		} else if (!strcmp(a, "--cap")) {
			errno = 0;
			unsigned long c = strtoul(v, &end, 10);
			if (errno || *end || !*v || c > CAP_MAX) {
				fprintf(stderr, "labinit results: --cap %s: want 0..%d bytes\n", v, CAP_MAX);
				return 2;
			}
			o->s.cap = c;
		} else if (!strcmp(a, "--property") && strchr(v, '=') && o->s.nprops < RESULTS_PROPS_MAX) {
			char *eq = strchr(v, '=');
			*eq = '\0';
			o->s.prop_name[o->s.nprops] = v;
			o->s.prop_value[o->s.nprops++] = eq + 1;
		} else {
			return usage();
		}
	}
	for (unsigned i = 0; i < o->n; i++)
		if (!o->names[i])
			return usage();
	return o->out && o->n ? 0 : usage();
}

int cmd_results(int argc, char **argv)
{
	static struct results_case cases[CASES_MAX];
	struct opts o = { .s = { .name = "test-kernel", .cap = CAP_DEFAULT } };
	char host[256] = "localhost", stamp[32], tmp[4096];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int r;

	if ((r = parse_args(argc, argv, &o)) != 0)
		return r;
	for (unsigned i = 0; i < o.n; i++) {
		cases[i].name = o.names[i];
		if (load_run(o.runs[i], &cases[i].run) < 0)
			return 1;
		const char *paths[2] = { o.outs[i], o.errs[i] };
		struct results_text *texts[2] = { &cases[i].out, &cases[i].err };
		for (int k = 0; k < 2; k++)
			if (paths[k] && (r = read_tail(paths[k], o.s.cap + 3, texts[k])) < 0) {
				fprintf(stderr, "labinit results: %s: %s\n", paths[k], strerror(-r));
				return 1;
			}
	}
	if (!o.s.hostname) {
		gethostname(host, sizeof(host) - 1);
		o.s.hostname = host;
	}
	if (!o.s.timestamp) {
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", gmtime_r(&now, &tm));
		o.s.timestamp = stamp;
	}
	o.s.cases = cases;
	o.s.ncases = o.n;
	/* Written beside, then renamed: a CI step never reads half a file. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", o.out) >= (int)sizeof(tmp) || !(f = fopen(tmp, "we"))) {
		fprintf(stderr, "labinit results: cannot write %s.tmp: %s\n", o.out, strerror(errno));
		return 1;
	}
	r = results_write_junit(f, &o.s);
	if (fclose(f) != 0 || r < 0 || rename(tmp, o.out) < 0) {
		fprintf(stderr, "labinit results: writing %s failed\n", o.out);
		unlink(tmp);
		return 1;
	}
	for (unsigned i = 0; i < o.n; i++) {
		free((char *)cases[i].out.buf);
		free((char *)cases[i].err.buf);
	}
	return 0;
}
