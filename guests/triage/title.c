/* A report's title and fingerprint (triage.h): the kind's wording, the
 * function it happened in, the first meaningful frames; nothing that
 * changes between two runs of the same crash. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "guests/triage/triage_priv.h"

/* Frames that say how a crash was reported, or that every stack of its
 * kind goes through, rather than where it happened. prefix: every name
 * starting so; else the exact name. */
static const struct generic {
	const char *name;
	bool prefix;
} generics[] = {
	/* printing and trapping */
	{ "dump_stack", true }, { "show_stack", true }, { "show_trace", true }, { "__warn", true },
	{ "warn_slowpath", true }, { "report_bug", true }, { "handle_bug", true }, { "exc_invalid_op", true },
	{ "asm_exc_", true }, { "exc_page_fault", true }, { "do_user_addr_fault", true }, { "page_fault_oops", true },
	{ "kernelmode_fixup_or_oops", true }, { "__bad_area", true }, { "bad_area", true }, { "die", false },
	{ "oops_end", true }, { "do_trap", true }, { "do_error_trap", true }, { "panic", true }, { "vpanic", true },
	{ "refcount_warn", true }, { "__pfx_", true },
	/* NMI backtraces, stall detection and the timer interrupt around it */
	{ "nmi_cpu_backtrace", true }, { "nmi_trigger_cpumask_backtrace", true },
	{ "arch_trigger_cpumask_backtrace", true }, { "trigger_single_cpu_backtrace", true },
	{ "rcu_dump_cpu_stacks", true }, { "print_cpu_stall", true }, { "check_cpu_stall", true },
	{ "rcu_pending", true }, { "rcu_sched_clock_irq", true }, { "update_process_times", true },
	{ "tick_sched", true }, { "tick_handle", true }, { "__hrtimer_run_queues", true },
	{ "hrtimer_interrupt", true }, { "__sysvec_", true }, { "sysvec_", true }, { "asm_sysvec_", true },
	{ "irq_exit", true }, { "__irq_exit_rcu", true }, { "handle_softirqs", true }, { "__do_softirq", true },
	/* sanitizers */
	{ "kasan_", true }, { "__kasan", true }, { "print_report", true }, { "print_address_description", true },
	{ "check_region_inline", true }, { "__asan_", true }, { "__ubsan_", true }, { "ubsan_", true },
	{ "__tsan_", true }, { "kcsan_", true }, { "kmemleak_", true },
	/* lockdep and locks */
	{ "lockdep_", true }, { "lock_acquire", true }, { "lock_release", true }, { "__lock_acquire", true },
	{ "check_noncircular", true }, { "check_prev_add", true }, { "validate_chain", true },
	{ "print_circular_bug", true }, { "print_usage_bug", true }, { "mark_lock", true },
	{ "mark_usage", true }, { "_raw_spin_", true }, { "_raw_read_", true }, { "_raw_write_", true },
	{ "mutex_lock", true }, { "__mutex_lock", true }, { "down_read", true }, { "down_write", true },
	{ "rwsem_down", true }, { "mark_held_locks", true }, { "trace_hardirqs_", true },
	{ "lockdep_hardirqs_", true }, { "raw_spin_rq_", true },
	/* sleeping, for hung tasks */
	{ "__schedule", false }, { "schedule", false }, { "schedule_timeout", false },
	{ "schedule_preempt_disabled", false }, { "io_schedule", false }, { "__wait_for_common", true },
	{ "wait_for_completion", true }, { "__flush_work", false }, { "flush_work", false },
	{ "__switch_to", true },
	/* system call and kernel thread entry: every stack ends so */
	{ "do_syscall_", true }, { "entry_SYSCALL", true }, { "ret_from_fork", true }, { "kthread", false },
	/* allocators, for leaks */
	{ "slab_", true }, { "__slab_", true }, { "___slab_", true }, { "kmem_cache_", true },
	{ "__kmem_cache_", true }, { "__kmalloc", true }, { "kmalloc", true }, { "kzalloc", true },
	{ "kcalloc", true }, { "kvmalloc", true }, { "kvzalloc", true }, { "krealloc", true },
	{ "__vmalloc", true }, { "vmalloc", true }, { "alloc_pages", true }, { "__alloc_pages", true },
	/* string helpers */
	{ "memcpy", true }, { "memset", true }, { "memmove", true }, { "__memcpy", true }, { "__memset", true },
};

bool triage_generic_frame(const char *fn)
{
	for (size_t i = 0; i < sizeof(generics) / sizeof(generics[0]); i++) {
		const struct generic *g = &generics[i];

		if (g->prefix ? !strncmp(fn, g->name, strlen(g->name)) : !strcmp(fn, g->name))
			return true;
	}
	return false;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

bool triage_frame(const char *line, char *out, size_t size)
{
	const char *p = line + strspn(line, " \t"), *s;
	size_t n;

	if (*p == '[' && p[1] == '<') { /* "[<ffffffff81234567>] " */
		if (!(p = strchr(p, ']')))
			return false;
		p += 1 + strspn(p + 1, " ");
	}
	for (s = p; ident_char(*p); p++)
		;
	if (p == s || strncmp(p, "+0x", 3))
		return false;
	n = strcspn(s, ".");
	if (n > (size_t)(p - s))
		n = (size_t)(p - s);
	if (n == 0 || size == 0)
		return false;
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* in, cut at len, into out without "+0x12/0x30" offsets and with long
 * hex numbers (addresses) as "X"; printable, trimmed. */
static void scrub(const char *in, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && in[i] && o + 1 < size;) {
		size_t hex = strspn(in + i + (in[i] == '0' && in[i + 1] == 'x' ? 2 : 0), "0123456789abcdefABCDEF");

		if (!strncmp(in + i, "+0x", 3)) {
			i += 1 + strspn(in + i + 1, "0123456789abcdefx/");
		} else if (hex >= 12 && (i == 0 || !ident_char(in[i - 1]))) {
			out[o++] = 'X';
			i += hex + (in[i] == '0' && in[i + 1] == 'x' ? 2 : 0);
		} else {
			out[o++] = isprint((unsigned char)in[i]) ? in[i] : '?';
			i++;
		}
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* The length of s up to where a title stops: the details after ", ",
 * ": ", " at ", " for ", " - ", "!", " [" or " (" (not before skip). */
static size_t title_len(const char *s, size_t skip)
{
	static const char *const stops[] = { ", ", ": ", " at ", " for ", " - ", "!", " [", " (" };
	size_t n = strlen(s);

	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		const char *p = strlen(s) > skip ? strstr(s + skip, stops[i]) : NULL;

		if (p && (size_t)(p - s) < n)
			n = (size_t)(p - s);
	}
	return n;
}

/* Where it happened: the faulting function unless it is machinery, else
 * the first meaningful frame; NULL when the report has neither. */
static const char *where(const struct triage *t)
{
	if (t->rip[0] && !triage_generic_frame(t->rip))
		return t->rip;
	return t->nframes ? t->frames[0] : NULL;
}

/* "TEXT in WHERE", or TEXT alone. */
static void put(struct triage_report *r, const char *text, const char *fn)
{
	if (fn)
		snprintf(r->title, sizeof(r->title), "%s in %s", text, fn);
	else
		snprintf(r->title, sizeof(r->title), "%s", text);
}

/* WARN()'s "at FILE:LINE FUNC+0x.." (older and newer kernels), or NULL. */
static const char *warn_function(const char *head, char *fn, size_t size)
{
	const char *at = strstr(head, " at ");

	if (!at)
		return NULL;
	at += 4;
	if (triage_frame(at, fn, size))
		return fn;
	at = strchr(at, ' ');
	return at && triage_frame(at, fn, size) ? fn : NULL;
}

/* "BUG: KASAN: TYPE in FUNC+..": "KASAN: TYPE Read in FUNC". */
static void sanitizer_title(const struct triage *t, struct triage_report *r, const char *name, size_t skip)
{
	char type[64], fn[TRIAGE_FRAME_MAX], text[96];
	const char *in = strstr(t->head + skip, " in "), *w = where(t);

	scrub(t->head + skip, in ? (size_t)(in - t->head - skip) : strlen(t->head + skip), type, sizeof(type));
	if (in && triage_frame(in + 4, fn, sizeof(fn)))
		w = fn;
	snprintf(text, sizeof(text), "%s: %s%s%s", name, type, t->access[0] ? " " : "", t->access);
	put(r, text, w);
}

static void title(const struct triage *t, struct triage_report *r)
{
	char text[TRIAGE_TITLE_MAX - 16], fn[TRIAGE_FRAME_MAX];
	const char *h = t->head, *w = where(t), *p;

	switch (t->kind) {
	case TRIAGE_PANIC:
		p = h + strlen("Kernel panic - not syncing");
		p += strspn(p, ": ");
		scrub(p, strlen(p), text, sizeof(text));
		snprintf(r->title, sizeof(r->title), "kernel panic%s%s", *text ? ": " : "", text);
		return;
	case TRIAGE_WARNING:
		if (warn_function(h, fn, sizeof(fn)))
			put(r, "WARNING", fn);
		else if (!strncmp(h, "WARNING: CPU:", 13))
			put(r, "WARNING", w);
		else
			scrub(h, title_len(h, 9), r->title, sizeof(r->title));
		return;
	case TRIAGE_KASAN:
		sanitizer_title(t, r, "KASAN", strlen("BUG: KASAN: "));
		return;
	case TRIAGE_UBSAN:
		/* "in lib/foo.c:12:3" is no frame: the first meaningful one instead */
		sanitizer_title(t, r, "UBSAN", strlen("UBSAN: "));
		return;
	case TRIAGE_KCSAN:
		scrub(h + 5, strlen(h + 5), r->title, sizeof(r->title)); /* after "BUG: " */
		return;
	case TRIAGE_KMEMLEAK:
		put(r, strstr(h, "new suspected memory leak") ? "kmemleak: new suspected memory leaks" : "memory leak",
		    strstr(h, "new suspected") ? NULL : w);
		return;
	case TRIAGE_LOCKDEP:
		p = h + strlen("WARNING: ");
		scrub(p, strstr(p, " detected") ? (size_t)(strstr(p, " detected") - p) : strlen(p), text, sizeof(text));
		put(r, text, w);
		return;
	case TRIAGE_HUNG_TASK:
		put(r, "INFO: task hung", w);
		return;
	case TRIAGE_RCU_STALL:
		put(r, "INFO: rcu detected stall", w);
		return;
	default: /* BUG, Oops */
		p = strchr(h, ':');
		scrub(h, title_len(h, p && p - h < 8 ? (size_t)(p - h) + 2 : 0), text, sizeof(text));
		if (!strncmp(text, "Oops: ", 6) && isdigit((unsigned char)text[6]))
			text[4] = '\0'; /* "Oops: 0002": an error code, not a title */
		/* newer kernels' "Oops: general protection fault, ...": the title is what follows */
		put(r, !strncmp(text, "Oops: ", 6) ? text + 6 : text, w);
	}
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	do {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	} while (*s++);
	return h;
}

void triage_describe(const struct triage *t, struct triage_report *r)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	title(t, r);
	r->nframes = t->nframes;
	memcpy(r->frames, t->frames, sizeof(r->frames));
	h = fnv1a(h, triage_kind_name(r->kind));
	h = fnv1a(h, r->title);
	for (unsigned i = 0; i < r->nframes; i++)
		h = fnv1a(h, r->frames[i]);
	snprintf(r->fingerprint, sizeof(r->fingerprint), "%012llx", (unsigned long long)(h >> 16));
}
