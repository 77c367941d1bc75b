/* The lease journal (net/dhcpd/journal.h) on real files: records appended
 * per commit and read back over the snapshot, a torn last record ignored
 * without losing the ones before it, compaction when quiet or full, a
 * journal replayed over the snapshot it was folded into, the parser's
 * rejects. The pool is driven directly: the handler is test_dhcpd's. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/dhcpd/journal.h"
#include "t.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const time_t T0 = 1800000000;
static char dir[] = "/tmp/labinit-journal-XXXXXX";
static char path[96], jpath[104];

static void pool(struct dhcpd_pool *p)
{
	CHECK(dhcpd_pool_init(p, IP4(10, 77, 0, 2), IP4(10, 77, 0, 254), IP4(10, 77, 0, 0), 24, IP4(10, 77, 0, 1)) == 0);
}

/* Client n (MAC 52:54:00:00:00:n) bound to 10.77.0.n until T0 + 600 + n. */
static void bind(struct dhcpd_pool *p, unsigned n)
{
	struct dhcpd_client c = { { 0x52, 0x54, 0, 0, 0, (uint8_t)n }, NULL, 0 };

	CHECK(dhcpd_lease_set(p, IP4(10, 77, 0, n), &c, LEASE_BOUND, T0 + 600 + n, "h") != NULL);
}

static long file_size(const char *f)
{
	struct stat st;

	return stat(f, &st) == 0 ? (long)st.st_size : -1;
}

static unsigned count_lines(const char *f)
{
	FILE *in = fopen(f, "r");
	unsigned n = 0;
	int ch;

	while (in && (ch = fgetc(in)) != EOF)
		n += ch == '\n';
	if (in)
		fclose(in);
	return n;
}

/* What a reader gets: "n:expires" per lease, in IP order. */
struct seen {
	char text[512];
	size_t len;
};

static void see(void *arg, const struct dhcpd_lease *l)
{
	struct seen *s = arg;

	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%u:%lld ", l->ip & 0xff,
				   (long long)(l->expires - T0));
}

static const char *read_all(struct dhcpd_read_stats *st)
{
	static struct seen s;

	s.len = 0;
	s.text[0] = '\0';
	CHECK(dhcpd_leases_read(path, see, &s, st) == 0);
	return s.text;
}

static void append_text(const char *f, const char *text)
{
	int fd = open(f, O_WRONLY | O_APPEND);

	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

/* Busy commits append; the snapshot stays as the last compaction left it,
 * and a reader sees both; a new server loads both. */
static void test_append_and_replay(void)
{
	struct dhcpd_pool p, q;
	struct dhcpd_journal j;
	struct dhcpd_read_stats st;
	unsigned loaded, bad;

	pool(&p);
	CHECK(dhcpd_journal_init(&j, path) == 0);
	bind(&p, 5);
	bind(&p, 6);
	CHECK(dhcpd_journal_commit(&j, &p, 1000) == 0); /* no journal open: a compaction */
	CHECK(j.compactions == 1 && j.records == 0 && count_lines(path) == 2 && file_size(jpath) == 0);
	bind(&p, 7);
	CHECK(dhcpd_journal_commit(&j, &p, 1200) == 0); /* quiet, nothing journaled: compaction */
	CHECK(j.compactions == 2 && count_lines(path) == 3);
	/* Busy: the next saves follow within DHCPD_JOURNAL_QUIET_MS. */
	bind(&p, 8);
	dhcpd_lease_clear(&p, dhcpd_lease_at(&p, IP4(10, 77, 0, 5)));
	CHECK(dhcpd_journal_commit(&j, &p, 1210) == 0);
	CHECK_MSG(j.appends == 1 && j.records == 2, "%lu appends, %u records", j.appends, j.records);
	bind(&p, 9);
	bind(&p, 8); /* renewed in the same batch: one record */
	CHECK(dhcpd_journal_commit(&j, &p, 1220) == 0);
	CHECK(j.appends == 2 && j.records == 4 && count_lines(jpath) == 4 && count_lines(path) == 3);
	CHECK(p.nchanged == 0 && !p.dirty);
	CHECK(!strcmp(read_all(&st), "6:606 7:607 8:608 9:609 "));
	CHECK(st.records == 4 && st.bad == 0 && !st.torn && st.leases == 4);
	/* A SIGKILL now: the next server has all four. */
	pool(&q);
	CHECK(dhcpd_leases_load(&q, path, T0, &loaded, &bad) == 0 && loaded == 4 && bad == 0);
	CHECK(dhcpd_lease_at(&q, IP4(10, 77, 0, 5))->state == LEASE_FREE);
	CHECK(dhcpd_lease_at(&q, IP4(10, 77, 0, 9))->state == LEASE_BOUND);
	CHECK(q.nchanged == 0);
	dhcpd_pool_free(&q);
	/* Quiet again: folded in, the journal empty. */
	CHECK(!dhcpd_journal_idle(&j, 1300) && dhcpd_journal_idle(&j, 1320));
	CHECK(dhcpd_journal_compact(&j, &p) == 0);
	CHECK(file_size(jpath) == 0 && count_lines(path) == 4 && j.records == 0);
	CHECK(!strcmp(read_all(&st), "6:606 7:607 8:608 9:609 "));
	dhcpd_journal_close(&j);
	dhcpd_pool_free(&p);
}

/* A write cut short: its record is ignored and reported, the ones before
 * it are kept; opening the journal at start cuts it off before any append. */
static void test_torn_tail(void)
{
	struct dhcpd_pool p, q;
	struct dhcpd_journal j;
	struct dhcpd_read_stats st;

	pool(&p);
	CHECK(dhcpd_journal_init(&j, path) == 0);
	bind(&p, 10);
	CHECK(dhcpd_journal_commit(&j, &p, 5000) == 0);
	bind(&p, 11);
	CHECK(dhcpd_journal_commit(&j, &p, 5001) == 0 && j.appends == 1);
	dhcpd_journal_close(&j);
	append_text(jpath, "+ 1800000612 52:54:00:00:00:0c 10.77.0.12 h *\n+ 1800000613 52:54:00:00:00:0d 10.7");
	CHECK(!strcmp(read_all(&st), "10:610 11:611 12:612 "));
	CHECK(st.torn && st.records == 2 && st.bad == 0);
	pool(&q);
	CHECK(dhcpd_journal_init(&j, path) == 0);
	CHECK(dhcpd_journal_load(&j, &q, T0, &st) == 0 && st.leases == 3 && st.torn);
	/* Opened at start: the torn record cut off, appends behind the rest. */
	CHECK(dhcpd_journal_open(&j, &st) == 0 && file_size(jpath) == (long)st.whole && j.records == 2);
	bind(&q, 13);
	CHECK(dhcpd_journal_commit(&j, &q, 5002) == 0 && j.appends == 1 && j.compactions == 0);
	CHECK(!strcmp(read_all(&st), "10:610 11:611 12:612 13:613 ") && !st.torn && st.bad == 0 && st.records == 3);
	CHECK(dhcpd_journal_compact(&j, &q) == 0 && file_size(jpath) == 0);
	bind(&q, 14);
	CHECK(dhcpd_journal_commit(&j, &q, 5200) == 0 && j.appends == 1 && j.compactions == 2); /* empty, quiet */
	CHECK(!strcmp(read_all(&st), "10:610 11:611 12:612 13:613 14:614 ") && !st.torn && st.bad == 0);
	dhcpd_journal_close(&j);
	dhcpd_pool_free(&p);
	dhcpd_pool_free(&q);
}

/* A crash after the snapshot's rename, before the journal was emptied:
 * the records replayed over the snapshot that holds them change nothing,
 * even where an address changed hands. */
static void test_replay_over_own_snapshot(void)
{
	struct dhcpd_pool p;
	struct dhcpd_journal j;
	struct dhcpd_read_stats st;
	struct dhcpd_client other = { { 0x52, 0x54, 0, 0, 1, 20 }, NULL, 0 };
	char cmd[256];

	pool(&p);
	CHECK(dhcpd_journal_init(&j, path) == 0);
	bind(&p, 20);
	CHECK(dhcpd_journal_commit(&j, &p, 9000) == 0);
	bind(&p, 21);
	CHECK(dhcpd_journal_commit(&j, &p, 9001) == 0);
	dhcpd_lease_clear(&p, dhcpd_lease_at(&p, IP4(10, 77, 0, 20)));
	CHECK(dhcpd_journal_commit(&j, &p, 9002) == 0);
	CHECK(dhcpd_lease_set(&p, IP4(10, 77, 0, 20), &other, LEASE_BOUND, T0 + 900, NULL) != NULL);
	CHECK(dhcpd_journal_commit(&j, &p, 9003) == 0 && j.records == 3);
	snprintf(cmd, sizeof(cmd), "cp %s %s.keep", jpath, jpath);
	CHECK(system(cmd) == 0);
	CHECK(dhcpd_journal_compact(&j, &p) == 0);
	snprintf(cmd, sizeof(cmd), "mv %s.keep %s", jpath, jpath);
	CHECK(system(cmd) == 0);
	CHECK_MSG(!strcmp(read_all(&st), "20:900 21:621 "), "%s", read_all(&st));
	dhcpd_journal_close(&j);
	dhcpd_pool_free(&p);
}

/* Past DHCPD_JOURNAL_MAX records the next commit compacts. */
static void test_full_journal_compacts(void)
{
	struct dhcpd_pool p;
	struct dhcpd_journal j;

	pool(&p);
	CHECK(dhcpd_journal_init(&j, path) == 0);
	bind(&p, 30);
	CHECK(dhcpd_journal_commit(&j, &p, 20000) == 0);
	bind(&p, 31);
	CHECK(dhcpd_journal_commit(&j, &p, 20001) == 0 && j.records == 1);
	j.records = DHCPD_JOURNAL_MAX - 1; /* as if 8191 records were in */
	bind(&p, 32);
	CHECK(dhcpd_journal_commit(&j, &p, 20002) == 0 && j.records == DHCPD_JOURNAL_MAX && j.compactions == 1);
	bind(&p, 33);
	CHECK(dhcpd_journal_commit(&j, &p, 20003) == 0);
	CHECK_MSG(j.compactions == 2 && j.records == 0 && file_size(jpath) == 0 && count_lines(path) == 4,
		  "%lu compactions, %u records", j.compactions, j.records);
	dhcpd_journal_close(&j);
	dhcpd_pool_free(&p);
}

static void one(void *arg, const struct dhcpd_lease *l, bool bound)
{
	struct seen *s = arg;

	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%c%u ", bound ? '+' : '-', l->ip & 0xff);
}

static void test_parse(void)
{
	static const char in[] = "+ 1800000600 52:54:00:00:00:05 10.77.0.5 h *\n"
				 "- 10.77.0.5\n"
				 "-  \n"
				 "- 10.77.0.6 extra\n"
				 "- 10.77.0.300\n"
				 "+ 1800000600 52:54:00:00:00:05 10.77.0.5 h\n" /* four fields */
				 "* 10.77.0.7\n"
				 "\n  \n"
				 "- 10.\0.0.8\n"
				 "- 10.77.0.9 \n"
				 "+ 1800000600 52:54:00:00:00:0a 10.77.0.10 h 01:02\n";
	struct dhcpd_read_stats st = { 0 };
	struct seen s = { .len = 0 };

	dhcpd_journal_parse(in, sizeof(in) - 1, one, &s, &st);
	CHECK_MSG(!strcmp(s.text, "+5 -5 -9 +10 "), "%s", s.text);
	CHECK_MSG(st.records == 4 && st.bad == 6 && !st.torn, "%u records, %u bad", st.records, st.bad);
	memset(&st, 0, sizeof(st));
	s.len = 0;
	dhcpd_journal_parse("- 10.77.0.5", 11, one, &s, &st);
	CHECK(st.torn && st.records == 0 && s.len == 0);
}

/* No journal yet (a first start, or an older server's file): created. */
static void test_open_new(void)
{
	struct dhcpd_pool p;
	struct dhcpd_journal j;
	struct dhcpd_read_stats st;

	unlink(jpath);
	pool(&p);
	CHECK(dhcpd_journal_init(&j, path) == 0 && dhcpd_journal_load(&j, &p, T0, &st) == 0);
	CHECK(dhcpd_journal_open(&j, &st) == 0 && file_size(jpath) == 0 && j.records == 0);
	bind(&p, 40);
	CHECK(dhcpd_journal_commit(&j, &p, 30000) == 0);
	bind(&p, 41);
	CHECK(dhcpd_journal_commit(&j, &p, 30001) == 0 && j.appends == 1 && count_lines(jpath) == 1);
	dhcpd_journal_close(&j);
	dhcpd_pool_free(&p);
}

int main(void)
{
	char cmd[128];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/dhcp.leases", dir);
	snprintf(jpath, sizeof(jpath), "%s.journal", path);
	test_append_and_replay();
	test_torn_tail();
	test_replay_over_own_snapshot();
	test_full_journal_compacts();
	test_parse();
	test_open_new();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return T_DONE();
}
