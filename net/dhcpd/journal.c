/* The lease journal (journal.h): records appended per batch, folded into
 * the snapshot when quiet, and the one reader of snapshot + journal. */
#include "net/dhcpd/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/addr.h"
#include "lib/core/writefile.h"

/* One record, NUL-terminated in line (at most 1023 octets). */
static int parse_record(const char *line, struct dhcpd_lease *l, bool *bound)
{
	char ip[16];
	size_t n;

	if (line[0] == '+' && line[1] == ' ') {
		*bound = true;
		return dhcpd_lease_parse_line(line + 2, l);
	}
	if (line[0] != '-' || line[1] != ' ')
		return -EINVAL;
	n = strcspn(line + 2, " \t\r\n");
	if (n == 0 || n >= sizeof(ip) || line[2 + n + strspn(line + 2 + n, " \t\r\n")] != '\0')
		return -EINVAL;
	memcpy(ip, line + 2, n);
	ip[n] = '\0';
	memset(l, 0, sizeof(*l));
	*bound = false;
	return addr_parse_ip4(ip, &l->ip) < 0 ? -EINVAL : 0;
}

void dhcpd_journal_parse(const char *buf, size_t len, dhcpd_record_fn fn, void *arg, struct dhcpd_read_stats *st)
{
	char line[1024];
	struct dhcpd_lease l;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		bool bound;

		if (!nl) {
			st->torn = true; /* a write cut short: not a record */
			return;
		}
		if (n < sizeof(line) && !memchr(buf + pos, '\0', n)) {
			memcpy(line, buf + pos, n);
			line[n] = '\0';
			if (parse_record(line, &l, &bound) == 0) {
				st->records++;
				fn(arg, &l, bound);
			} else if (strspn(line, " \t\r") != n) {
				st->bad++;
			}
		} else {
			st->bad++;
		}
		pos += n + 1;
		st->whole = pos;
	}
}

/* ---- reading: snapshot + journal, the last word per IP ------------------ */

struct entry {
	struct dhcpd_lease l;
	unsigned seq;
	bool bound;
};

struct merge {
	struct entry *e;
	size_t n, cap;
	bool nomem;
};

static void add(void *arg, const struct dhcpd_lease *l, bool bound)
{
	struct merge *m = arg;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct entry *e = realloc(m->e, cap * sizeof(*e));

		if (!e) {
			m->nomem = true;
			return;
		}
		m->e = e;
		m->cap = cap;
	}
	m->e[m->n] = (struct entry){ *l, (unsigned)m->n, bound };
	m->n++;
}

static void add_bound(void *arg, const struct dhcpd_lease *l)
{
	add(arg, l, true);
}

static int by_ip_then_seq(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->l.ip != y->l.ip)
		return x->l.ip < y->l.ip ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The journal whole in memory, or an error: read in part, its unread rest
 * would look like a torn record, which a start cuts off. */
static int read_journal(const char *jpath, char **buf, size_t *len)
{
	FILE *f = dhcpd_leasefile_open(jpath);
	size_t cap = 0;
	int r = 0;

	*buf = NULL;
	*len = 0;
	if (!f)
		return -errno;
	for (;;) {
		size_t got;

		if (*len == cap) {
			char *b = cap >= DHCPD_JOURNAL_READ_MAX ? NULL : realloc(*buf, cap ? cap * 2 : 65536);

			if (!b) {
				r = cap >= DHCPD_JOURNAL_READ_MAX ? -EFBIG : -ENOMEM;
				break;
			}
			*buf = b;
			cap = cap ? cap * 2 : 65536;
		}
		if ((got = fread(*buf + *len, 1, cap - *len, f)) == 0)
			break;
		*len += got;
	}
	if (r == 0 && ferror(f))
		r = -EIO;
	fclose(f);
	return r;
}

/* The snapshot's inode, to tell whether a compaction replaced it. */
static ino_t inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static int read_once(const char *path, const char *jpath, struct merge *m, struct dhcpd_read_stats *st)
{
	char *jbuf;
	size_t jlen;
	int r = dhcpd_snapshot_foreach(path, add_bound, m, &st->bad);
	int rj = read_journal(jpath, &jbuf, &jlen);

	if ((r < 0 && r != -ENOENT) || (rj < 0 && rj != -ENOENT)) {
		free(jbuf);
		return r < 0 && r != -ENOENT ? r : rj;
	}
	dhcpd_journal_parse(jbuf ? jbuf : "", jlen, add, m, st);
	free(jbuf);
	if (m->nomem)
		return -ENOMEM;
	return r == -ENOENT && rj == -ENOENT ? -ENOENT : 0;
}

int dhcpd_leases_read(const char *path, dhcpd_lease_fn fn, void *arg, struct dhcpd_read_stats *st)
{
	char jpath[PATH_MAX];
	struct merge m = { 0 };
	int r = -EAGAIN;

	memset(st, 0, sizeof(*st));
	if (snprintf(jpath, sizeof(jpath), "%s.journal", path) >= (int)sizeof(jpath))
		return -ENAMETOOLONG;
	/* A compaction between reading the snapshot and the journal would
	 * hide the records it folded: read again if the snapshot changed. */
	for (int tries = 0; tries < 5 && r == -EAGAIN; tries++) {
		ino_t before = inode_of(path);

		m.n = 0;
		m.nomem = false;
		memset(st, 0, sizeof(*st));
		r = read_once(path, jpath, &m, st);
		if (r == 0 && inode_of(path) != before)
			r = -EAGAIN;
	}
	if (r == -EAGAIN)
		r = 0; /* a server compacting without pause: the last reading */
	if (r == 0 && m.n) {
		qsort(m.e, m.n, sizeof(*m.e), by_ip_then_seq);
		for (size_t i = 0; i < m.n; i++)
			if ((i + 1 == m.n || m.e[i + 1].l.ip != m.e[i].l.ip) && m.e[i].bound) {
				st->leases++;
				fn(arg, &m.e[i].l);
			}
	}
	free(m.e);
	return r;
}

int dhcpd_leasefile_foreach(const char *path, dhcpd_lease_fn fn, void *arg, unsigned *bad)
{
	struct dhcpd_read_stats st;
	int r = dhcpd_leases_read(path, fn, arg, &st);

	*bad = st.bad + st.torn;
	return r;
}

/* ---- the server's side ------------------------------------------------------- */

int dhcpd_journal_init(struct dhcpd_journal *j, const char *path)
{
	memset(j, 0, sizeof(*j));
	j->fd = -1;
	if (snprintf(j->path, sizeof(j->path), "%s", path) >= (int)sizeof(j->path) ||
	    snprintf(j->jpath, sizeof(j->jpath), "%s.journal", path) >= (int)sizeof(j->jpath))
		return -ENAMETOOLONG;
	return 0;
}

void dhcpd_journal_close(struct dhcpd_journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

struct load_ctx {
	struct dhcpd_pool *p;
	time_t now;
	unsigned loaded;
};

static void load_one(void *arg, const struct dhcpd_lease *l)
{
	struct load_ctx *x = arg;
	struct dhcpd_client c = { { 0 }, l->client_id, l->client_id_len };

	memcpy(c.mac, l->mac, 6);
	if (l->expires <= x->now || !dhcpd_ip_ok_for(x->p, l->ip, &c, x->now))
		return;
	if (dhcpd_lease_set(x->p, l->ip, &c, LEASE_BOUND, l->expires, l->hostname[0] ? l->hostname : NULL))
		x->loaded++;
}

int dhcpd_journal_load(struct dhcpd_journal *j, struct dhcpd_pool *p, time_t now, struct dhcpd_read_stats *st)
{
	struct load_ctx x = { p, now, 0 };
	int r = dhcpd_leases_read(j->path, load_one, &x, st);

	st->leases = x.loaded;
	if (r == -ENOENT)
		r = 0; /* a first start */
	if (r == 0)
		dhcpd_changes_clear(p);
	return r;
}

int dhcpd_leases_load(struct dhcpd_pool *p, const char *path, time_t now, unsigned *loaded, unsigned *bad)
{
	struct dhcpd_journal j;
	struct dhcpd_read_stats st;
	int r = dhcpd_journal_init(&j, path);

	if (r == 0)
		r = dhcpd_journal_load(&j, p, now, &st);
	*loaded = r == 0 ? st.leases : 0;
	*bad = r == 0 ? st.bad + st.torn : 0;
	return r;
}

/* Empties the journal: truncated and synced, so that records of before
 * the snapshot cannot come back behind records appended after it. */
static int journal_reset(struct dhcpd_journal *j)
{
	if (j->fd < 0) {
		j->fd = open(j->jpath, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (j->fd < 0)
			return -errno;
	} else if (!j->records) {
		return 0; /* empty already: a quiet save costs no second fsync */
	} else if (ftruncate(j->fd, 0) < 0) {
		return -errno;
	}
	return fsync(j->fd) < 0 ? -errno : 0;
}

int dhcpd_journal_open(struct dhcpd_journal *j, const struct dhcpd_read_stats *st)
{
	bool created = false;

	dhcpd_journal_close(j);
	j->fd = open(j->jpath, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (j->fd < 0 && errno == ENOENT) {
		j->fd = open(j->jpath, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		created = true;
	}
	if (j->fd < 0)
		return -errno;
	/* records appended behind a torn one would be read as part of it */
	if (st->torn && (ftruncate(j->fd, (off_t)st->whole) < 0 || fsync(j->fd) < 0)) {
		int r = -errno;

		dhcpd_journal_close(j);
		return r;
	}
	if (created)
		dhcpd_sync_dir(j->jpath); /* fdatasync keeps the records, not the name */
	j->records = created ? 0 : st->records + st->bad;
	return 0;
}

int dhcpd_journal_compact(struct dhcpd_journal *j, struct dhcpd_pool *p)
{
	int r = dhcpd_leases_save(p, j->path);

	if (r == 0 && (r = journal_reset(j)) < 0)
		dhcpd_journal_close(j); /* the next save compacts again */
	if (r == 0) {
		j->records = 0;
		j->compactions++;
	}
	return r;
}

/* One record per changed slot: "+ line" for a bound lease, "- IP" else. */
static int append(struct dhcpd_journal *j, struct dhcpd_pool *p)
{
	size_t cap = p->nchanged * 160 + 1, len = 0;
	char *buf = malloc(cap);
	int r;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < p->nchanged; i++) {
		struct dhcpd_lease *l = &p->slot[p->changed[i]];
		char ip[16];
		size_t n;

		if (l->state == LEASE_BOUND && (n = dhcpd_lease_format(l, buf + len + 2, cap - len - 2)) > 0 &&
		    n < 150) {
			memcpy(buf + len, "+ ", 2);
			len += n + 2;
			continue;
		}
		/* not bound, or a line too long for its share: written whole
		 * in the snapshot instead */
		if (l->state == LEASE_BOUND) {
			free(buf);
			return -E2BIG;
		}
		addr_format_ip4(l->ip, ip);
		len += (size_t)snprintf(buf + len, cap - len, "- %s\n", ip);
	}
	r = write_all(j->fd, buf, len);
	free(buf);
	if (r == 0 && fdatasync(j->fd) < 0)
		r = -errno;
	if (r == 0) {
		j->records += (unsigned)p->nchanged;
		j->appends++;
		dhcpd_changes_clear(p);
	}
	return r;
}

bool dhcpd_journal_idle(const struct dhcpd_journal *j, uint64_t now_ms)
{
	return j->records && now_ms - j->last_ms >= DHCPD_JOURNAL_QUIET_MS;
}

int dhcpd_journal_commit(struct dhcpd_journal *j, struct dhcpd_pool *p, uint64_t now_ms)
{
	bool quiet = !j->records && now_ms - j->last_ms >= DHCPD_JOURNAL_QUIET_MS;
	int r;

	j->last_ms = now_ms;
	if (!p->nchanged && !p->dirty)
		return 0;
	if (j->fd < 0 || quiet || j->records + p->nchanged > DHCPD_JOURNAL_MAX)
		return dhcpd_journal_compact(j, p);
	r = append(j, p);
	if (r == -E2BIG)
		return dhcpd_journal_compact(j, p);
	if (r < 0)
		dhcpd_journal_close(j); /* perhaps a record cut short: compact next */
	return r;
}
