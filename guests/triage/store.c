/* The crash directory: report files and their index; see store.h. */
#include "guests/triage/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guests/triage/decode.h"
#include "lib/core/strbuf.h"
#include "lib/core/writefile.h"

#define FILE_MODE 0644
#define HEADER_MAX 4096

void triage_crash_dir(const char *share_dir, const char *run_dir, const char *name, char *buf, size_t size)
{
	if (share_dir && share_dir[0])
		snprintf(buf, size, "%s/crashes/%s", share_dir, name);
	else
		snprintf(buf, size, "%s/crashes", run_dir);
}

enum triage_kind triage_kind_parse(const char *name)
{
	for (int k = 0; k < TRIAGE_NKINDS; k++)
		if (!strcmp(name, triage_kind_name((enum triage_kind)k)))
			return (enum triage_kind)k;
	return TRIAGE_NKINDS;
}

static bool is_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

static bool number(const char *s, long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !*end && !errno;
}

/* "NNN-KIND-FP.txt" of this entry, nothing else: no path, no link. */
static bool good_file(const struct triage_entry *e)
{
	char want[TRIAGE_FILE_MAX];
	int nnn = atoi(e->file);

	snprintf(want, sizeof(want), "%03d-%s-%s.txt", nnn, triage_kind_name(e->kind), e->fingerprint);
	return nnn >= 1 && nnn <= TRIAGE_STORE_MAX && !strcmp(want, e->file);
}

static bool parse_entry(char *line, struct triage_entry *e)
{
	char *f[7], *save = NULL;
	long long count;
	int n = 0;

	for (char *t = strtok_r(line, "\t", &save); t && n < 7; t = strtok_r(NULL, "\t", &save))
		f[n++] = t;
	if (n != 7 || !is_hex(f[0], TRIAGE_FP_LEN) || (e->kind = triage_kind_parse(f[1])) == TRIAGE_NKINDS ||
	    !number(f[2], &count) || count < 1 || !number(f[3], &e->first) || !number(f[4], &e->last) ||
	    strlen(f[5]) >= sizeof(e->file) || strlen(f[6]) >= sizeof(e->title))
		return false;
	e->count = (unsigned long)count;
	snprintf(e->fingerprint, sizeof(e->fingerprint), "%s", f[0]);
	snprintf(e->file, sizeof(e->file), "%s", f[5]);
	snprintf(e->title, sizeof(e->title), "%s", f[6]);
	for (char *p = e->title; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return good_file(e);
}

void triage_index_parse(const char *text, struct triage_index *idx, unsigned *bad)
{
	char line[TRIAGE_TITLE_MAX + 128];
	long long over;

	memset(idx, 0, sizeof(*idx));
	*bad = 0;
	for (const char *p = text, *nl; *p; p = nl ? nl + 1 : p + strlen(p)) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(line) || (p[0] == '#')) {
			*bad += p[0] != '#';
			continue;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (!strncmp(line, "over\t", 5) && number(line + 5, &over) && over >= 0)
			idx->over = (unsigned long)over;
		else if (idx->n < TRIAGE_STORE_MAX && parse_entry(line, &idx->e[idx->n]))
			idx->n++;
		else if (n)
			(*bad)++;
	}
}

/* dir's fd, made if missing; not a link, and ours. */
static int open_dir(const char *dir)
{
	struct stat st;
	int fd;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static void load_index(struct triage_store *s)
{
	static char text[TRIAGE_INDEX_MAX + 1];
	unsigned bad;
	ssize_t n = 0;
	int fd = openat(s->dirfd, TRIAGE_INDEX, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, text, TRIAGE_INDEX_MAX);
		close(fd);
	}
	text[n > 0 ? n : 0] = '\0';
	triage_index_parse(text, &s->idx, &bad);
}

int triage_store_open(struct triage_store *s, const char *dir, const char *guest, const char *vmlinux)
{
	char parent[512];
	char *slash;

	memset(s, 0, sizeof(*s));
	snprintf(s->guest, sizeof(s->guest), "%s", guest);
	snprintf(s->vmlinux, sizeof(s->vmlinux), "%s", vmlinux ? vmlinux : "");
	snprintf(parent, sizeof(parent), "%s", dir);
	if ((slash = strrchr(parent, '/')) && slash != parent) {
		*slash = '\0';
		(void)mkdir(parent, 0755);
	}
	if ((s->dirfd = open_dir(dir)) < 0)
		return s->dirfd;
	load_index(s);
	return 0;
}

void triage_store_close(struct triage_store *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
}

/* Writes name in the directory whole, through a temporary file and a
 * rename: a reader sees the old file or the new one. */
static int put_file(int dirfd, const char *name, const char *a, size_t alen, const char *b, size_t blen)
{
	char tmp[TRIAGE_FILE_MAX + 8];
	int fd, r;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	(void)unlinkat(dirfd, tmp, 0);
	if ((fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, FILE_MODE)) < 0)
		return -errno;
	r = write_all(fd, a, alen);
	if (r == 0 && blen)
		r = write_all(fd, b, blen);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dirfd, tmp, 0);
	return r;
}

static int write_index(struct triage_store *s)
{
	static char text[TRIAGE_INDEX_MAX];
	struct strbuf o = { text, sizeof(text), 0 };

	strbuf_put(&o, "# fingerprint\tkind\tcount\tfirst\tlast\tfile\ttitle (guests/triage/store.h)\n");
	for (unsigned i = 0; i < s->idx.n; i++) {
		const struct triage_entry *e = &s->idx.e[i];

		strbuf_put(&o, "%s\t%s\t%lu\t%lld\t%lld\t%s\t%s\n", e->fingerprint, triage_kind_name(e->kind), e->count,
			   e->first, e->last, e->file, e->title);
	}
	if (s->idx.over)
		strbuf_put(&o, "over\t%lu\n", s->idx.over);
	return put_file(s->dirfd, TRIAGE_INDEX, text, o.len, NULL, 0);
}

static void how_ended(const struct triage_report *r, struct strbuf *o)
{
	if (r->truncated)
		strbuf_put(o, "end: cut at the cap of %u KiB\n", TRIAGE_REPORT_MAX / 1024);
	else if (r->ended)
		strbuf_put(o, "end: seen\n");
	else
		strbuf_put(o, "end: not seen (the console went on to other output, or stopped)\n");
}

static int write_report(struct triage_store *s, const struct triage_entry *e, const struct triage_report *r)
{
	static char head[HEADER_MAX + TRIAGE_DECODE_MAX];
	struct strbuf o = { head, sizeof(head), 0 };
	char when[32];
	struct tm tm;
	time_t t = (time_t)e->first;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	strbuf_put(&o, "guest: %s\nkind: %s\ntitle: %s\nfingerprint: %s\nframes:", s->guest,
		   triage_kind_name(e->kind), e->title, e->fingerprint);
	for (unsigned i = 0; i < r->nframes; i++)
		strbuf_put(&o, " %s", r->frames[i]);
	strbuf_put(&o, "\ntime: %s\n", when);
	how_ended(r, &o);
	triage_decode(s->vmlinux, r, &o);
	strbuf_put(&o, "\n");
	return put_file(s->dirfd, e->file, head, o.len, r->text, r->len);
}

int triage_store_add(struct triage_store *s, const struct triage_report *r, time_t now)
{
	struct triage_entry *e;
	int err;

	for (unsigned i = 0; i < s->idx.n; i++) {
		e = &s->idx.e[i];
		if (!strcmp(e->fingerprint, r->fingerprint)) {
			e->count++;
			e->last = (long long)now;
			return write_index(s);
		}
	}
	if (s->idx.n == TRIAGE_STORE_MAX) {
		s->idx.over++;
		return write_index(s);
	}
	e = &s->idx.e[s->idx.n];
	memset(e, 0, sizeof(*e));
	snprintf(e->fingerprint, sizeof(e->fingerprint), "%s", r->fingerprint);
	e->kind = r->kind;
	e->count = 1;
	e->first = e->last = (long long)now;
	snprintf(e->file, sizeof(e->file), "%03u-%s-%s.txt", s->idx.n + 1, triage_kind_name(r->kind), r->fingerprint);
	snprintf(e->title, sizeof(e->title), "%s", r->title);
	if ((err = write_report(s, e, r)) < 0)
		return err;
	s->idx.n++;
	return write_index(s);
}
