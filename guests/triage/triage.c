/* The line machine of crash triage: console bytes into lines, lines into
 * reports. See triage.h for the shapes and why. */
#include "guests/triage/triage.h"

#include <stdio.h>
#include <string.h>

#include "guests/triage/triage_priv.h"

enum where { AT_START, ANYWHERE };

/* A report's first line, tried in order (the first match wins) on the
 * line without its time stamp. The kernel's own wording: lib/bug.c and
 * kernel/panic.c (__warn, panic), mm/kasan/report.c, kernel/kcsan/report.c,
 * lib/ubsan.c, mm/kmemleak.c, kernel/locking/lockdep.c, kernel/hung_task.c,
 * kernel/rcu/tree_stall.h, arch/x86/mm/fault.c and traps.c. */
static const struct start {
	const char *text;
	enum where where;
	enum triage_kind kind;
	enum triage_end end;
} starts[] = {
	{ "BUG: KASAN: ", AT_START, TRIAGE_KASAN, TRIAGE_END_RULER },
	{ "BUG: KCSAN: ", AT_START, TRIAGE_KCSAN, TRIAGE_END_RULER },
	{ "UBSAN: ", AT_START, TRIAGE_UBSAN, TRIAGE_END_RULER },
	{ "Kernel panic - not syncing", AT_START, TRIAGE_PANIC, TRIAGE_END_TRACE },
	{ "WARNING: possible ", AT_START, TRIAGE_LOCKDEP, TRIAGE_END_STACK }, /* circular, recursive, irq inversion */
	{ "WARNING: inconsistent lock state", AT_START, TRIAGE_LOCKDEP, TRIAGE_END_STACK },
	{ "WARNING: suspicious RCU usage", AT_START, TRIAGE_LOCKDEP, TRIAGE_END_STACK },
	{ "WARNING: bad unlock balance", AT_START, TRIAGE_LOCKDEP, TRIAGE_END_STACK },
	{ "WARNING: held lock freed", AT_START, TRIAGE_LOCKDEP, TRIAGE_END_STACK },
	{ "WARNING: lock held when returning", AT_START, TRIAGE_LOCKDEP, TRIAGE_END_STACK },
	{ "WARNING: CPU: ", AT_START, TRIAGE_WARNING, TRIAGE_END_TRACE },
	{ "WARNING: ", AT_START, TRIAGE_WARNING, TRIAGE_END_STACK },
	{ "INFO: task ", AT_START, TRIAGE_HUNG_TASK, TRIAGE_END_STACK },
	{ "self-detected stall", ANYWHERE, TRIAGE_RCU_STALL, TRIAGE_END_STACK },
	{ "detected stalls on", ANYWHERE, TRIAGE_RCU_STALL, TRIAGE_END_STACK },
	{ "detected stall on", ANYWHERE, TRIAGE_RCU_STALL, TRIAGE_END_STACK },
	{ "detected expedited stalls", ANYWHERE, TRIAGE_RCU_STALL, TRIAGE_END_STACK },
	{ "unreferenced object 0x", AT_START, TRIAGE_KMEMLEAK, TRIAGE_END_STACK },
	{ "new suspected memory leak", ANYWHERE, TRIAGE_KMEMLEAK, TRIAGE_END_LINE },
	{ "BUG: kernel NULL pointer dereference", AT_START, TRIAGE_BUG, TRIAGE_END_TRACE },
	{ "BUG: unable to handle", AT_START, TRIAGE_BUG, TRIAGE_END_TRACE },
	{ "kernel BUG at ", AT_START, TRIAGE_BUG, TRIAGE_END_TRACE },
	{ "BUG: ", AT_START, TRIAGE_BUG, TRIAGE_END_STACK },
	{ "general protection fault", AT_START, TRIAGE_OOPS, TRIAGE_END_TRACE },
	{ "Oops: ", AT_START, TRIAGE_OOPS, TRIAGE_END_TRACE },
	{ "Internal error: Oops", AT_START, TRIAGE_OOPS, TRIAGE_END_TRACE },
	{ "Unable to handle kernel ", AT_START, TRIAGE_OOPS, TRIAGE_END_TRACE },
};

/* After a stack trace, the lines that still belong to the report: the
 * registers and the other CPUs' backtraces of an x86 or arm64 dump. */
static const char *const continuations[] = {
	"Call Trace:", "Call trace:", "CPU:", "Hardware name:", "RIP:", "Code:", "RSP:", "RAX:", "RDX:",
	"RBP:", "R10:", "R13:", "FS:", "CS:", "CR2:", "DR0:", "DR3:", "PKRU:", "NMI backtrace for cpu",
	"Sending NMI", "Modules linked in", "task:", "rcu: ", "Task dump for CPU", "pc :", "lr :", "sp :", "x29:", "Kernel Offset:",
};

static const char *const kind_names[TRIAGE_NKINDS] = {
	"panic", "oops", "bug", "warning", "kasan", "kcsan", "ubsan", "kmemleak", "lockdep", "hung-task", "rcu-stall",
};

const char *triage_kind_name(enum triage_kind k)
{
	return (unsigned)k < TRIAGE_NKINDS ? kind_names[k] : "?";
}

void triage_init(struct triage *t, triage_emit_fn *emit, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->emit = emit;
	t->ctx = ctx;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* "[   12.345678]" and CONFIG_PRINTK_CALLER's "[  T123]"/"[ C1]" skipped;
 * the caller tag (spaces dropped) into caller. kmemleak's "kmemleak: "
 * prefix (its verbose mode) goes too. */
static const char *strip(const char *line, char caller[16])
{
	const char *p = line, *e;

	caller[0] = '\0';
	if (*p == '[' && (e = strchr(p, ']')) && strspn(p + 1, " 0123456789.") == (size_t)(e - p - 1))
		p = e + 1;
	if (*p == '[' && (e = strchr(p, ']')) && e - p < 16) {
		const char *q = p + 1 + strspn(p + 1, " ");

		if ((*q == 'T' || *q == 'C') && strspn(q + 1, "0123456789") == (size_t)(e - q - 1) && e > q + 1) {
			memcpy(caller, q, (size_t)(e - q));
			caller[e - q] = '\0';
			p = e + 1;
		}
	}
	if (*p == ' ')
		p++;
	if (starts_with(p, "kmemleak: "))
		p += strlen("kmemleak: ");
	return p;
}

static const struct start *find_start(const char *body)
{
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		const struct start *s = &starts[i];

		if (s->where == AT_START ? starts_with(body, s->text) : strstr(body, s->text) != NULL)
			return s;
	}
	return NULL;
}

static void reset(struct triage *t)
{
	t->open = false;
	t->text_len = 0;
	t->truncated = false;
}

static void finish(struct triage *t, bool ended)
{
	struct triage_report r;

	memset(&r, 0, sizeof(r));
	r.kind = t->kind;
	r.text = t->text;
	r.len = t->text_len;
	r.ended = ended;
	r.truncated = t->truncated;
	triage_describe(t, &r);
	t->reports++;
	if (t->emit)
		t->emit(t->ctx, &r);
	reset(t);
}

static void begin(struct triage *t, const struct start *s, const char *body, const char *caller)
{
	t->open = true;
	t->kind = s->kind;
	t->end = s->end;
	snprintf(t->caller, sizeof(t->caller), "%s", caller);
	snprintf(t->head, sizeof(t->head), "%s", body);
	t->access[0] = t->rip[0] = '\0';
	t->nframes = 0;
	t->prestack = 0;
	/* KCSAN's accesses are stacks with no "Call Trace:" above them */
	t->in_stack = t->stack_seen = s->kind == TRIAGE_KCSAN;
	t->text_len = 0;
	t->truncated = false;
}

/* The line and its newline into the text; false when the cap cut it. */
static bool append(struct triage *t, const char *line, size_t len)
{
	size_t room = TRIAGE_REPORT_MAX - t->text_len;

	if (len + 1 > room) {
		memcpy(t->text + t->text_len, line, room);
		t->text_len += room;
		t->truncated = true;
		return false;
	}
	memcpy(t->text + t->text_len, line, len);
	t->text_len += len;
	t->text[t->text_len++] = '\n';
	return true;
}

static bool is_ruler(const char *body)
{
	size_t n = strspn(body, "=");

	return n >= 20 && body[n] == '\0';
}

static bool end_marker(const struct triage *t, const char *body)
{
	return starts_with(body, "---[ end ") || (t->end == TRIAGE_END_RULER && is_ruler(body));
}

/* Has a report that has no end marker of its own run past its end? */
static bool stack_over(const struct triage *t, const char *body)
{
	if (!t->stack_seen)
		return t->prestack >= TRIAGE_PRESTACK_LINES;
	if (*body == ' ' || *body == '\t')
		return false;
	for (size_t i = 0; i < sizeof(continuations) / sizeof(continuations[0]); i++)
		if (starts_with(body, continuations[i]))
			return false;
	return true;
}

/* What a line of the report tells: where the stack starts, its frames,
 * the faulting function, KASAN's access. */
static void note(struct triage *t, const char *body)
{
	const char *p = body + strspn(body, " \t"), *colon;
	char fn[TRIAGE_FRAME_MAX];

	if (starts_with(p, "Call Trace:") || starts_with(p, "Call trace:") || starts_with(p, "backtrace")) {
		t->in_stack = t->stack_seen = true;
		return;
	}
	if (!t->stack_seen)
		t->prestack++;
	if (!t->rip[0] && (starts_with(body, "RIP: ") || starts_with(body, "pc : "))) {
		colon = strchr(body + 5, ':');
		if (triage_frame(colon && starts_with(body, "RIP: ") ? colon + 1 : body + 5, fn, sizeof(fn)))
			memcpy(t->rip, fn, sizeof(fn));
		return;
	}
	if (!t->access[0] && (starts_with(body, "Read of size") || starts_with(body, "Write of size"))) {
		snprintf(t->access, sizeof(t->access), "%s", *body == 'R' ? "Read" : "Write");
		return;
	}
	if (t->in_stack && t->nframes < TRIAGE_FRAMES && triage_frame(body, fn, sizeof(fn)) &&
	    !triage_generic_frame(fn))
		memcpy(t->frames[t->nframes++], fn, sizeof(fn));
}

/* A line while a report is open: true when the report took it (and maybe
 * ended with it), false when the report had ended before it. */
static bool in_report(struct triage *t, const char *line, size_t len, const char *body)
{
	if (t->end == TRIAGE_END_STACK && (stack_over(t, body) || find_start(body))) {
		finish(t, t->stack_seen);
		return false;
	}
	if (!append(t, line, len)) {
		finish(t, false);
		return true;
	}
	note(t, body);
	if (end_marker(t, body))
		finish(t, true);
	return true;
}

/* line: NUL-terminated, no newline. */
static void on_line(struct triage *t, const char *line, size_t len)
{
	char caller[16];
	const char *body = strip(line, caller);
	const struct start *s;

	if (t->open) {
		/* CONFIG_PRINTK_CALLER: another task's or CPU's line is not ours */
		if (t->caller[0] && caller[0] && strcmp(caller, t->caller))
			return;
		if (in_report(t, line, len, body))
			return;
	}
	if (!(s = find_start(body)))
		return;
	begin(t, s, body, caller);
	if (!append(t, line, len) || s->end == TRIAGE_END_LINE)
		finish(t, s->end == TRIAGE_END_LINE);
}

static void line_done(struct triage *t)
{
	t->line[t->line_len] = '\0';
	on_line(t, t->line, t->line_len);
	t->line_len = 0;
}

void triage_feed(struct triage *t, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n') {
			if (!t->line_long)
				line_done(t);
			t->line_long = false;
			continue;
		}
		if (c == '\r' || t->line_long)
			continue;
		t->line[t->line_len++] = c ? c : '?'; /* a NUL would end the line for the matching */
		if (t->line_len == TRIAGE_LINE_MAX - 1) {
			line_done(t);
			t->line_long = true;
		}
	}
}

void triage_flush(struct triage *t)
{
	if (t->line_len && !t->line_long)
		line_done(t);
	if (t->open)
		finish(t, false);
}
