/* `labctl crashes [GUEST] [--json]`: the crash reports the console loggers
 * filed (guests/triage/store.h): per report its guest, when it was first
 * seen, kind, title, fingerprint, how often, and its file.
 * Read here from each guest's crash directory, which PID 1's "lab" facts
 * locate (the share, the guest's run directory): PID 1 does not read what
 * guests write, and labctl runs on the appliance as root, so it can read
 * the files itself. The index may have been written by a guest that sees
 * the whole share: it is parsed strictly (triage_index_parse) and its
 * text escaped on output. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guests/triage/store.h"
#include "init/labctl/labctl_priv.h"
#include "lib/core/strbuf.h"

static int usage(void)
{
	fprintf(stderr, "usage: labctl crashes [GUEST] [--json]\n");
	return 2;
}

/* The guest's crash index into idx (empty when it has none yet). */
static void read_index(const struct labctl_lab *lab, const struct labctl_guest *g, char *dir, size_t size,
		       struct triage_index *idx)
{
	static char text[TRIAGE_INDEX_MAX + 1];
	char path[512];
	ssize_t n = 0;
	unsigned bad;
	int fd;

	triage_crash_dir(lab->share_dir, g->run_dir, g->name, dir, size);
	snprintf(path, sizeof(path), "%s/%s", dir, TRIAGE_INDEX);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		n = read(fd, text, TRIAGE_INDEX_MAX);
		close(fd);
	}
	text[n > 0 ? n : 0] = '\0';
	triage_index_parse(text, idx, &bad);
}

unsigned long labctl_crash_count(const struct labctl_lab *lab, const struct labctl_guest *g)
{
	static struct triage_index idx;
	char dir[512];
	unsigned long n = 0;

	read_index(lab, g, dir, sizeof(dir), &idx);
	for (unsigned i = 0; i < idx.n; i++)
		n += idx.e[i].count;
	return n + idx.over;
}

/* s with '"' and '\\' escaped for JSON (the index has no control characters). */
static const char *json_str(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; *s && o + 3 < size; s++) {
		if (*s == '"' || *s == '\\')
			buf[o++] = '\\';
		buf[o++] = *s;
	}
	buf[o] = '\0';
	return buf;
}

static void iso_time(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "?");
}

static void one_guest(const struct labctl_lab *lab, const struct labctl_guest *g, bool json, unsigned *shown,
		      struct strbuf *o)
{
	static struct triage_index idx;
	char dir[512], when[32], title[2 * TRIAGE_TITLE_MAX], path[600], jpath[1200];

	read_index(lab, g, dir, sizeof(dir), &idx);
	for (unsigned i = 0; i < idx.n; i++) {
		const struct triage_entry *e = &idx.e[i];

		iso_time(e->first, when, sizeof(when));
		snprintf(path, sizeof(path), "%s/%s", dir, e->file);
		if (json)
			strbuf_put(o, "%s\n  {\"guest\": \"%s\", \"time\": \"%s\", \"kind\": \"%s\", \"title\": \"%s\", "
				      "\"fingerprint\": \"%s\", \"count\": %lu, \"file\": \"%s\"}",
				   *shown ? "," : "", g->name, when, triage_kind_name(e->kind),
				   json_str(e->title, title, sizeof(title)), e->fingerprint, e->count,
				   json_str(path, jpath, sizeof(jpath)));
		else
			strbuf_put(o, "%-12s %-20s %-9s %5lu %-12s %s\n    %s\n", g->name, when, triage_kind_name(e->kind),
				   e->count, e->fingerprint, e->title, path);
		(*shown)++;
	}
	if (idx.over && !json)
		strbuf_put(o, "%-12s %lu more reports found no room (at most %u a guest)\n", g->name, idx.over,
			   TRIAGE_STORE_MAX);
}

int labctl_crashes(const char *path, int argc, char **argv)
{
	static char text[1 << 20];
	static struct labctl_lab lab;
	struct strbuf o = { text, sizeof(text), 0 };
	const char *only = NULL;
	bool json = false, found = false;
	unsigned shown = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!only && argv[i][0] != '-')
			only = argv[i];
		else
			return usage();
	}
	if (labctl_lab(path, &lab))
		return 1;
	if (json)
		strbuf_put(&o, "[");
	else
		strbuf_put(&o, "%-12s %-20s %-9s %5s %-12s %s\n", "GUEST", "FIRST SEEN", "KIND", "COUNT", "FINGERPRINT",
			   "TITLE / FILE");
	for (unsigned i = 0; i < lab.nguests; i++) {
		if (only && strcmp(only, lab.guests[i].name))
			continue;
		found = true;
		one_guest(&lab, &lab.guests[i], json, &shown, &o);
	}
	if (only && !found) {
		fprintf(stderr, "labctl: crashes: no guest %s in this profile\n", only);
		return 1;
	}
	strbuf_put(&o, json ? "\n]\n" : "");
	if (!json && !shown)
		strbuf_put(&o, "(no crash reports)\n");
	return fputs(text, stdout) < 0 || fflush(stdout) != 0;
}
