/* Crash triage's scanner (guests/triage/, issue 16) on real console texts
 * (data/: two sysrq panics of the demo guest, and reports from syzkaller's
 * pkg/report testdata, see data/README): each kind is found with its
 * title; the cutting holds however the output is cut into reads, with
 * other lines in between and with other tasks' lines (printk caller ids)
 * in between; a report that never ends is cut at the cap; fingerprints
 * do not change with time stamps, addresses, offsets and PIDs, and differ
 * between crashes. Run from the repository's top (tests/run.sh does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/triage/triage.h"
#include "t.h"

#define DATA "tests/unit/guests/triage/data/"
#define MAX_REPORTS 8
#define TEXT_MAX (1 << 20)

struct got {
	unsigned n;
	struct triage_report r[MAX_REPORTS];
	char text[MAX_REPORTS][TRIAGE_REPORT_MAX];
};

static void emit(void *ctx, const struct triage_report *r)
{
	struct got *g = ctx;

	if (g->n == MAX_REPORTS)
		return;
	g->r[g->n] = *r;
	memcpy(g->text[g->n], r->text, r->len);
	g->r[g->n].text = g->text[g->n];
	g->n++;
}

static struct triage T;
static struct got G, G2;

/* Feeds len bytes in reads of step bytes (0: all at once), then flushes. */
static struct got *scan(struct got *g, const char *text, size_t len, size_t step)
{
	memset(g, 0, sizeof(*g));
	triage_init(&T, emit, g);
	for (size_t off = 0; off < len; off += step ? step : len)
		triage_feed(&T, text + off, step && len - off > step ? step : len - off);
	triage_flush(&T);
	return g;
}

static size_t load(const char *name, char *buf)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), DATA "%s", name);
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "%s: cannot open (run from the repository's top)\n", path);
		exit(1);
	}
	n = fread(buf, 1, TEXT_MAX - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

static const struct want {
	const char *file;
	unsigned n;               /* reports in it */
	enum triage_kind kind;    /* of the first */
	const char *title;
	bool ended;
} wants[] = {
	{ "panic-sysrq-1.txt", 1, TRIAGE_PANIC, "kernel panic: sysrq triggered crash", true },
	{ "panic-sysrq-2.txt", 1, TRIAGE_PANIC, "kernel panic: sysrq triggered crash", true },
	{ "panic-617.txt", 1, TRIAGE_PANIC, "kernel panic: VFS: Unable to mount root fs on unknown-block(0,0)", false },
	{ "warning-757.txt", 1, TRIAGE_WARNING, "WARNING in fast_dput", false },
	{ "kasan-740.txt", 1, TRIAGE_KASAN, "KASAN: slab-use-after-free Read in __list_add_valid_or_report", true },
	{ "kcsan-449.txt", 2, TRIAGE_KCSAN, "KCSAN: data-race in netlink_recvmsg / netlink_recvmsg", true },
	{ "ubsan-520.txt", 1, TRIAGE_UBSAN, "UBSAN: array-index-out-of-bounds in arch_uprobe_analyze_insn", true },
	{ "kmemleak-752.txt", 1, TRIAGE_KMEMLEAK, "memory leak in lookup_or_create_module_kobject", true },
	{ "lockdep-747.txt", 1, TRIAGE_LOCKDEP, "possible circular locking dependency in blk_mq_update_nr_hw_queues", false },
	{ "lockdep-679.txt", 1, TRIAGE_LOCKDEP, "inconsistent lock state in sched_core_balance", false },
	{ "hung-1001.txt", 1, TRIAGE_HUNG_TASK, "INFO: task hung in p9_fd_close", false },
	{ "rcu-688.txt", 1, TRIAGE_RCU_STALL, "INFO: rcu detected stall in rcu_gp_fqs_loop", false },
	{ "gpf-738.txt", 2, TRIAGE_OOPS, "general protection fault in __se_sys_mremap", true },
	{ "kernel-bug-742.txt", 2, TRIAGE_BUG, "kernel BUG in folio_unlock", true },
	{ "oops-arm64-693.txt", 1, TRIAGE_OOPS, "Unable to handle kernel NULL pointer dereference in unlock_page", false },
};

static char buf[TEXT_MAX], buf2[TEXT_MAX];

/* Every kind, its title, and the same reports whatever the read size. */
static void test_files(void)
{
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];
		size_t len = load(w->file, buf);
		struct got *g = scan(&G, buf, len, 0);

		CHECK_MSG(g->n == w->n, "%s: %u reports", w->file, g->n);
		if (!g->n)
			continue;
		CHECK_MSG(g->r[0].kind == w->kind, "%s: kind %s", w->file, triage_kind_name(g->r[0].kind));
		CHECK_MSG(!strcmp(g->r[0].title, w->title), "%s: title \"%s\"", w->file, g->r[0].title);
		CHECK_MSG(g->r[0].ended == w->ended, "%s: ended %d", w->file, g->r[0].ended);
		CHECK_MSG(strlen(g->r[0].fingerprint) == TRIAGE_FP_LEN, "%s: fingerprint %s", w->file, g->r[0].fingerprint);
		for (size_t step = 1; step < 200; step = step * 3 + 1) {
			struct got *h = scan(&G2, buf, len, step);

			CHECK_MSG(h->n == g->n && !strcmp(h->r[0].fingerprint, g->r[0].fingerprint) &&
					  h->r[0].len == g->r[0].len && !memcmp(h->text[0], g->text[0], g->r[0].len),
				  "%s: in reads of %zu bytes: %u reports, %s", w->file, step, h->n, h->r[0].fingerprint);
		}
	}
}

/* What changes between two runs of a crash, changed: every time stamp,
 * hex number (addresses, offsets) and PID. */
static size_t perturb(const char *in, size_t len, char *out)
{
	bool stamp = false, hex = false, pid = false;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == '[' && (i == 0 || in[i - 1] == '\n' || in[i - 1] == ']'))
			stamp = true;
		else if (c == ']')
			stamp = false;
		if (i >= 2 && in[i - 2] == '0' && in[i - 1] == 'x')
			hex = true;
		else if (!strchr("0123456789abcdef", c))
			hex = false;
		if (i >= 5 && !strncmp(in + i - 5, "PID: ", 5))
			pid = true;
		else if (c < '0' || c > '9')
			pid = false;
		if ((stamp || pid) && c >= '0' && c <= '8')
			c++;
		else if (hex && c >= '0' && c <= '8')
			c = (char)('1' + (c - '0'));
		out[i] = c;
	}
	return len;
}

static void test_stable(void)
{
	char fp[TRIAGE_FP_LEN + 1];
	size_t len;

	/* two real runs of the demo guest: other times, PID, kernel offset */
	len = load("panic-sysrq-1.txt", buf);
	snprintf(fp, sizeof(fp), "%s", scan(&G, buf, len, 0)->r[0].fingerprint);
	len = load("panic-sysrq-2.txt", buf);
	CHECK(!strcmp(scan(&G, buf, len, 7)->r[0].fingerprint, fp));
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		len = load(wants[i].file, buf);
		snprintf(fp, sizeof(fp), "%s", scan(&G, buf, len, 0)->r[0].fingerprint);
		perturb(buf, len, buf2);
		CHECK(memcmp(buf, buf2, len) != 0);
		CHECK_MSG(!strcmp(scan(&G, buf2, len, 0)->r[0].fingerprint, fp), "%s: fingerprint %s, then %s",
			  wants[i].file, fp, G.r[0].fingerprint);
		/* and every other crash differs */
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(wants[i].title, wants[j].title))
				continue;
			len = load(wants[j].file, buf);
			CHECK_MSG(strcmp(scan(&G, buf, len, 0)->r[0].fingerprint, fp), "%s and %s: one fingerprint",
				  wants[i].file, wants[j].file);
		}
	}
}

/* Other output between the report's lines: a guest's own lines (no caller
 * id: they are in the report, the fingerprint does not change), and other
 * tasks' kernel lines (a caller id: they are left out). */
static void test_interleaved(void)
{
	char fp[TRIAGE_FP_LEN + 1];
	size_t len = load("warning-757.txt", buf), o = 0;

	snprintf(fp, sizeof(fp), "%s", scan(&G, buf, len, 0)->r[0].fingerprint);
	o += (size_t)sprintf(buf2, "boot line\n");
	for (const char *p = buf, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		memcpy(buf2 + o, p, (size_t)(nl - p) + 1);
		o += (size_t)(nl - p) + 1;
		o += (size_t)sprintf(buf2 + o, "[  113.6][ T4242] netdevsim netdevsim0: set [1, 0] type 2\n");
	}
	scan(&G, buf2, o, 13);
	CHECK(G.n == 1 && !strcmp(G.r[0].fingerprint, fp) && !memmem(G.text[0], G.r[0].len, "netdevsim", 9));

	/* the panic among the guest's shell output */
	len = load("panic-sysrq-1.txt", buf);
	scan(&G, buf, len, 0);
	CHECK(G.n == 1 && G.r[0].ended && G.r[0].len < 4096 && !memcmp(G.text[0], "[   14.957118] Kernel panic", 27));
}

/* A report whose end never comes is cut at the cap, and the next one is
 * still found. */
static void test_endless(void)
{
	size_t o = (size_t)sprintf(buf, "[    1.0] Kernel panic - not syncing: endless\n");

	while (o < 3 * TRIAGE_REPORT_MAX)
		o += (size_t)sprintf(buf + o, "[    1.1] more and more of the same report, no end marker\n");
	o += (size_t)sprintf(buf + o, "[    2.0] WARNING: CPU: 0 PID: 1 at lib/foo.c:12 foo_bar+0x1/0x2\n"
				      "[    2.1] Call Trace:\n[    2.2]  baz+0x1/0x2\n[    2.3] ---[ end trace 0 ]---\n");
	scan(&G, buf, o, 4096);
	CHECK(G.n == 2);
	CHECK(G.r[0].truncated && !G.r[0].ended && G.r[0].len == TRIAGE_REPORT_MAX);
	CHECK(G.r[1].kind == TRIAGE_WARNING && G.r[1].ended && !strcmp(G.r[1].title, "WARNING in foo_bar"));
	CHECK(G.r[1].nframes == 1 && !strcmp(G.r[1].frames[0], "baz"));

	/* a BUG: line without a stack (printed by hand) ends at the cap of
	 * lines before a stack, or at the flush */
	o = (size_t)sprintf(buf, "BUG: conlog-test early report\nflood 1\nflood 2\n");
	scan(&G, buf, o, 0);
	CHECK(G.n == 1 && G.r[0].kind == TRIAGE_BUG && !strcmp(G.r[0].title, "BUG: conlog-test early report"));
	/* a very long line is cut, and its rest not mistaken for a start */
	memset(buf, 'x', 3 * TRIAGE_LINE_MAX);
	o = 3 * TRIAGE_LINE_MAX + (size_t)sprintf(buf + 3 * TRIAGE_LINE_MAX, "BUG: not a start\nok\n");
	CHECK(scan(&G, buf, o, 100)->n == 0);
}

/* The kinds that the files do not show in every shape. */
static void test_shapes(void)
{
	static const char leak[] = "kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n";
	static const char nul[] = "[  5.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
				  "[  5.0] #PF: supervisor read access in kernel mode\n"
				  "[  5.0] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
				  "[  5.0] RIP: 0010:my_driver_probe+0x12/0x40 [mydrv]\n"
				  "[  5.0] Call Trace:\n[  5.0]  <TASK>\n[  5.0]  really_probe+0x1/0x2\n"
				  "[  5.0]  </TASK>\n[  5.0] ---[ end trace 0000000000000000 ]---\n";

	scan(&G, leak, sizeof(leak) - 1, 0);
	CHECK(G.n == 1 && G.r[0].kind == TRIAGE_KMEMLEAK && G.r[0].ended &&
	      !strcmp(G.r[0].title, "kmemleak: new suspected memory leaks"));
	scan(&G, nul, sizeof(nul) - 1, 0);
	CHECK(G.n == 1 && G.r[0].kind == TRIAGE_BUG && G.r[0].ended);
	CHECK_MSG(!strcmp(G.r[0].title, "BUG: kernel NULL pointer dereference in my_driver_probe"), "%s", G.r[0].title);
	CHECK(!strcmp(triage_kind_name(TRIAGE_RCU_STALL), "rcu-stall") && !strcmp(triage_kind_name(TRIAGE_NKINDS), "?"));
}

int main(void)
{
	test_files();
	test_stable();
	test_interleaved();
	test_endless();
	test_shapes();
	return T_DONE();
}
