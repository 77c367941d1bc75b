/* The crash directory (guests/triage/store.c) in a temporary directory:
 * a report becomes one file and an index line; the same fingerprint again
 * is counted, not written; past TRIAGE_STORE_MAX reports are counted as
 * "over"; a reopened store goes on from its index; an index line that
 * names a path or does not parse is refused. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guests/triage/store.h"
#include "t.h"

static char dir[256];

static struct triage_report report(const char *fp, const char *title, const char *text)
{
	struct triage_report r;

	memset(&r, 0, sizeof(r));
	r.kind = TRIAGE_PANIC;
	snprintf(r.fingerprint, sizeof(r.fingerprint), "%s", fp);
	snprintf(r.title, sizeof(r.title), "%s", title);
	snprintf(r.frames[0], sizeof(r.frames[0]), "sysrq_handle_crash");
	r.nframes = 1;
	r.text = text;
	r.len = strlen(text);
	r.ended = true;
	return r;
}

static unsigned count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".txt") != NULL;
	if (d)
		closedir(d);
	return n;
}

static char *slurp(const char *name)
{
	static char buf[1 << 17];
	char path[512];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r"))) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void test_add(void)
{
	static struct triage_store s;
	struct triage_report r = report("0123456789ab", "kernel panic: sysrq triggered crash", "[ 1.0] Kernel panic\n");
	char fp[16], *text;

	CHECK(triage_store_open(&s, dir, "vm1", NULL) == 0);
	CHECK(triage_store_add(&s, &r, 1796528576) == 0);
	CHECK(triage_store_add(&s, &r, 1796528600) == 0);
	CHECK(count_files() == 1 && s.idx.n == 1 && s.idx.e[0].count == 2 && s.idx.e[0].last == 1796528600);
	text = slurp("001-panic-0123456789ab.txt");
	CHECK(strstr(text, "guest: vm1\nkind: panic\ntitle: kernel panic: sysrq triggered crash\n") == text);
	CHECK(strstr(text, "time: 2026-12-06T03:42:56Z\n") && strstr(text, "end: seen\n"));
	CHECK(strstr(text, "decoded: not decoded:") && strstr(text, "\n\n[ 1.0] Kernel panic\n"));
	for (unsigned i = 1; i <= TRIAGE_STORE_MAX; i++) {
		snprintf(fp, sizeof(fp), "%012x", i);
		r = report(fp, "kernel panic: other", "x\n");
		CHECK(triage_store_add(&s, &r, 1796528700) == 0);
	}
	CHECK(count_files() == TRIAGE_STORE_MAX && s.idx.n == TRIAGE_STORE_MAX && s.idx.over == 1);
	triage_store_close(&s);
	/* a restarted logger goes on from the index */
	CHECK(triage_store_open(&s, dir, "vm1", NULL) == 0);
	CHECK(s.idx.n == TRIAGE_STORE_MAX && s.idx.over == 1 && s.idx.e[0].count == 2);
	CHECK(!strcmp(s.idx.e[99].file, "100-panic-000000000063.txt"));
	r = report("0123456789ab", "kernel panic: sysrq triggered crash", "again\n");
	CHECK(triage_store_add(&s, &r, 1796528800) == 0 && s.idx.e[0].count == 3);
	triage_store_close(&s);
}

static void test_parse(void)
{
	static struct triage_index idx;
	unsigned bad;

	triage_index_parse("# comment\n"
			   "0123456789ab\tpanic\t2\t1\t2\t001-panic-0123456789ab.txt\tkernel panic: x\n"
			   "0123456789ab\tpanic\t2\t1\t2\t../../etc/passwd\tpath\n"
			   "0123456789ab\tpanic\t2\t1\t2\t002-panic-0123456789ac.txt\tother fingerprint\n"
			   "0123456789ab\tnosuch\t2\t1\t2\t001-nosuch-0123456789ab.txt\tkind\n"
			   "0123456789ab\tpanic\t-1\t1\t2\t001-panic-0123456789ab.txt\tcount\n"
			   "0123456789AB\tpanic\t1\t1\t2\t001-panic-0123456789AB.txt\tupper\n"
			   "short\tline\n"
			   "over\t7\n",
			   &idx, &bad);
	CHECK(idx.n == 1 && idx.over == 7 && bad == 6);
	CHECK(!strcmp(idx.e[0].title, "kernel panic: x") && idx.e[0].kind == TRIAGE_PANIC && idx.e[0].count == 2);
}

int main(void)
{
	char crash_dir[128];

	snprintf(dir, sizeof(dir), "/tmp/test_store.%d", (int)getpid());
	test_add();
	test_parse();
	triage_crash_dir("/srv/share", "/run/labinit/guests/vm1", "vm1", crash_dir, sizeof(crash_dir));
	CHECK(!strcmp(crash_dir, "/srv/share/crashes/vm1"));
	triage_crash_dir("", "/run/labinit/guests/vm1", "vm1", crash_dir, sizeof(crash_dir));
	CHECK(!strcmp(crash_dir, "/run/labinit/guests/vm1/crashes"));
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	return T_DONE();
}
