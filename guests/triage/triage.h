/* Crash triage (issue 16): a guest's console output is scanned as it is
 * written for the kernel's crash reports (panic, Oops, BUG, WARNING,
 * KASAN/KCSAN/UBSAN, kmemleak, lockdep, hung task, RCU stall); each one is
 * cut out of the output and handed on with its kind, a title and a short
 * fingerprint, which the store (store.h) writes into the crash directory.
 *
 * The shapes are the kernel's own: a report starts at its title line and
 * ends at the kernel's end marker ("---[ end trace ... ]---",
 * "---[ end Kernel panic ... ]---", or the "=====" ruler of the
 * sanitizers); the kinds the kernel prints without one (lockdep, hung task,
 * RCU stall, kmemleak, BUG: lines printed with dump_stack) end when their
 * stack trace does. Whatever the shape, a report is cut at
 * TRIAGE_REPORT_MAX bytes and at triage_flush (the guest stopped, a quiet
 * console), so one that never ends still comes out.
 *
 * The fingerprint is what two runs of the same crash share: the kind, the
 * title ("WARNING in foo", "KASAN: slab-use-after-free Read in bar", with
 * no address, offset, PID, CPU or time) and the first TRIAGE_FRAMES
 * meaningful stack frames (no "? " guesses, no reporting machinery like
 * dump_stack or kasan_report, no allocator or lock frames, offsets and
 * compiler suffixes such as .cold stripped), hashed (FNV-1a, 64 bits) to
 * TRIAGE_FP_LEN hex digits.
 *
 * A pure core: triage_feed touches no file, clock or global; the unit
 * tests and tests/fuzz/fuzz_triage.c drive it directly. */
#ifndef LAB_TRIAGE_H
#define LAB_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>

#define TRIAGE_REPORT_MAX (64 * 1024) /* bytes of one report's text */
#define TRIAGE_LINE_MAX 1024          /* a console line's head kept; the kernel's lines are shorter */
#define TRIAGE_TITLE_MAX 160
#define TRIAGE_FRAMES 3
#define TRIAGE_FRAME_MAX 64           /* a function name; longer ones are cut */
#define TRIAGE_FP_LEN 12              /* hex digits: 48 of the hash's 64 bits */
/* Lines a report without an end marker may run before its stack trace
 * starts: a lockdep report's dependency chains take some dozens. */
#define TRIAGE_PRESTACK_LINES 300

enum triage_kind {
	TRIAGE_PANIC,
	TRIAGE_OOPS,      /* Oops:, general protection fault, unable to handle */
	TRIAGE_BUG,       /* BUG: and kernel BUG at */
	TRIAGE_WARNING,
	TRIAGE_KASAN,
	TRIAGE_KCSAN,
	TRIAGE_UBSAN,
	TRIAGE_KMEMLEAK,
	TRIAGE_LOCKDEP,
	TRIAGE_HUNG_TASK,
	TRIAGE_RCU_STALL,
	TRIAGE_NKINDS
};

struct triage_report {
	enum triage_kind kind;
	char title[TRIAGE_TITLE_MAX];
	char frames[TRIAGE_FRAMES][TRIAGE_FRAME_MAX];
	unsigned nframes;
	char fingerprint[TRIAGE_FP_LEN + 1];
	const char *text;  /* the report's lines as printed ('\r' dropped), not NUL-terminated */
	size_t len;
	bool ended;        /* its end was seen (else cut: at the cap, or flushed) */
	bool truncated;    /* cut at TRIAGE_REPORT_MAX */
};

typedef void triage_emit_fn(void *ctx, const struct triage_report *r);

enum triage_end { TRIAGE_END_TRACE, TRIAGE_END_RULER, TRIAGE_END_STACK, TRIAGE_END_LINE };

struct triage {
	triage_emit_fn *emit;
	void *ctx;
	char line[TRIAGE_LINE_MAX];
	size_t line_len;
	bool line_long;             /* the rest of a longer line is skipped */
	/* the open report */
	bool open;
	enum triage_kind kind;
	enum triage_end end;
	char caller[16];            /* its "[T123]"/"[C1]" tag (CONFIG_PRINTK_CALLER), or "" */
	char head[TRIAGE_LINE_MAX]; /* its first line, without the time stamp */
	char access[8];             /* KASAN: "Read" or "Write" */
	char rip[TRIAGE_FRAME_MAX]; /* the function of the first kernel RIP: line */
	char frames[TRIAGE_FRAMES][TRIAGE_FRAME_MAX];
	unsigned nframes;
	bool in_stack, stack_seen;
	unsigned prestack;          /* lines before the stack trace */
	char text[TRIAGE_REPORT_MAX];
	size_t text_len;
	bool truncated;
	unsigned long long reports; /* emitted so far */
};

void triage_init(struct triage *t, triage_emit_fn *emit, void *ctx);
/* Scans len bytes of console output, cut anywhere; each report found is
 * passed to emit once, when it ends. */
void triage_feed(struct triage *t, const char *buf, size_t len);
/* Ends the open report, if any, here (its end was not seen). */
void triage_flush(struct triage *t);
/* "panic", "oops", "bug", "warning", "kasan", "kcsan", "ubsan",
 * "kmemleak", "lockdep", "hung-task", "rcu-stall"; "?" out of range. */
const char *triage_kind_name(enum triage_kind k);

#endif
