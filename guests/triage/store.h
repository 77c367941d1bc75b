/* Where crash triage puts its reports, and the index that lists them.
 *
 * A guest's crash directory is SHARE/crashes/GUEST in the debug share
 * (CONFIG_SHARE_DIR: where the files a developer wants from the lab go),
 * or RUN_DIR/crashes when the lab has no share. It holds one file per
 * distinct report, NNN-KIND-FINGERPRINT.txt (NNN from 001, in the order
 * found): a header (guest, kind, title, fingerprint, frames, time, how it
 * ended, decoding) and the report's lines as printed. At most
 * TRIAGE_STORE_MAX files of at most TRIAGE_REPORT_MAX bytes of report
 * each; a report whose fingerprint is known is counted, not written again;
 * past the cap reports are counted only. The index ("index", rewritten
 * whole through a rename, so a reader never sees half of it) has a line
 * per report:
 *     FINGERPRINT <tab> KIND <tab> COUNT <tab> FIRST <tab> LAST <tab> FILE <tab> TITLE
 * (times in seconds since the epoch) and "over <tab> N" when N reports
 * found no room. labctl crashes reads it (init/labctl/crashes.c).
 *
 * The logger (guests/conlog/logger.c) writes it; it runs as the guest's
 * QEMU user, so PID 1 makes the directory and hands it over (guests/guest.c).
 * A guest that sees the whole share sees this too: the index is parsed as
 * strictly as any guest output (triage_index_parse). */
#ifndef LAB_TRIAGE_STORE_H
#define LAB_TRIAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "guests/triage/triage.h"

#define TRIAGE_STORE_MAX 100
#define TRIAGE_INDEX "index"
#define TRIAGE_FILE_MAX 48            /* "100-rcu-stall-0123456789ab.txt" and room */
#define TRIAGE_INDEX_MAX (TRIAGE_STORE_MAX * (TRIAGE_TITLE_MAX + 128) + 64)

struct triage_entry {
	char fingerprint[TRIAGE_FP_LEN + 1];
	enum triage_kind kind;
	unsigned long count;
	long long first, last;        /* seconds since the epoch */
	char file[TRIAGE_FILE_MAX];
	char title[TRIAGE_TITLE_MAX];
};

struct triage_index {
	struct triage_entry e[TRIAGE_STORE_MAX];
	unsigned n;
	unsigned long over;           /* reports with no room left */
};

struct triage_store {
	int dirfd;
	char guest[64];
	char vmlinux[256];            /* the guest's kernel, for decoding; "" when none */
	struct triage_index idx;
};

/* The crash directory of guest name: share_dir/crashes/name, or
 * run_dir/crashes with no share (share_dir NULL or ""). */
void triage_crash_dir(const char *share_dir, const char *run_dir, const char *name, char *buf, size_t size);
/* Opens dir (made if missing, its parent too; refused if it is a link or
 * not the caller's) and reads its index. 0 or -errno. */
int triage_store_open(struct triage_store *s, const char *dir, const char *guest, const char *vmlinux);
/* Files r (a new file, or a count), and rewrites the index. 0 or -errno. */
int triage_store_add(struct triage_store *s, const struct triage_report *r, time_t now);
void triage_store_close(struct triage_store *s);
/* Parses an index's text: the lines that do not parse are skipped and
 * counted in *bad. */
void triage_index_parse(const char *text, struct triage_index *idx, unsigned *bad);
/* The kind named so, or TRIAGE_NKINDS. */
enum triage_kind triage_kind_parse(const char *name);

#endif
