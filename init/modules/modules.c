/* Kernel modules: coldplug by modalias, then the lab's feature modules,
 * through finit_module(2) with the order from modules.dep (init/modules/moddep.c).
 * The feature list below is also what the image builder copies into the
 * initramfs (`labinit modules --list`). */
#include "init/modules/modules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/module.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "init/modules/moddep.h"
#include "lib/core/readfile.h"
#include "lib/core/strbuf.h"

static bool in_initial_pid_ns(void);
static int release_dir(const char *root, const char *kver, char *dir, size_t size);

#define COLDPLUG_PASSES 4
#define MATCH_MAX 8

struct feature {
	const char *name;
	const char *cpu_flag; /* loaded only when /proc/cpuinfo has this flag */
	bool before_others;   /* loaded alone, before the others start (load_features) */
	bool later;           /* not needed to start the boot: loaded after the
	                       * readiness byte, and by the boot itself when it
	                       * comes to need one first (modules_ensure) */
};

static const struct feature features[] = {
	/* KVM for the guests where the CPU has it; without, they run under
	 * TCG. First of those loaded later: the boot's probe waits for it. */
	{ "kvm_intel", "vmx", false, true },
	{ "kvm_amd", "svm", false, true },
	/* The lab network (net/netlink/rtnl.c, net/netlink/tap.c): the bridge and the guests' taps. */
	{ "bridge", NULL, false, false },
	{ "tun", NULL, false, false },
	/* Span networks (net/netlink/vxlan.c): VXLAN between lab hosts. */
	{ "vxlan", NULL, false, true },
	/* NAT and the firewall (net/nft/nft.c): an inet table with nat chains;
	 * beyond the expressions in nf_tables' core (immediate, payload, meta,
	 * cmp, bitwise) it uses ct, masq, nat, reject (inet: ICMP or ICMPv6
	 * by the packet's family) and fib (a port forward answers at the
	 * host's own addresses: fib daddr type local). crc32c_generic first:
	 * libcrc32c, which nf_tables needs, asks the crypto API for crc32c, a
	 * softdep that modules.dep does not list; loading it here does not
	 * depend on the kernel calling out to a modprobe in the image. */
	{ "crc32c_generic", NULL, true, false },
	{ "nf_tables", NULL, false, false },
	{ "nft_chain_nat", NULL, false, false },
	{ "nft_nat", NULL, false, false },
	{ "nft_masq", NULL, false, false },
	{ "nft_ct", NULL, false, false },
	{ "nft_reject_inet", NULL, false, false },
	{ "nft_fib_inet", NULL, false, false },
	/* Link impairments (net/netlink/qdisc.c): netem on a guest's tap. */
	{ "sch_netem", NULL, false, true },
	/* macvtap NICs (CONFIG_GUESTn_NICS "macvtap"): a macvlan with a tap
	 * character device, straight on the uplink. */
	{ "macvlan", NULL, false, true },
	{ "macvtap", NULL, false, true },
	/* 9p over virtio: the lab files from the outer hypervisor's share "lab"
	 * (init/boot/labdata.c). */
	{ "9p", NULL, false, false },
	{ "9pnet_virtio", NULL, false, false },
	/* The LABDATA disk (init/boot/labdata.c), ext4 (crc32c for its metadata
	 * checksums, above) or FAT: vfat mounted without options takes the
	 * default codepage 437 and iocharset — "ascii" in Debian's kernel
	 * (CONFIG_FAT_DEFAULT_IOCHARSET), iso8859-1 in others. */
	{ "ext4", NULL, false, true },
	{ "vfat", NULL, false, true },
	{ "nls_cp437", NULL, false, true },
	{ "nls_ascii", NULL, false, true },
	{ "nls_iso8859_1", NULL, false, true },
	/* af_packet (the DHCP sockets) is built into Debian's kernel. */
};

#define NFEATURES (sizeof(features) / sizeof(features[0]))

struct modload {
	struct moddep md;
	char dir[256];      /* .../lib/modules/REL */
	int *state;         /* per md.mods: 0 untried, 1 present or loaded, -errno failed */
	char cpuflags[4096];
	unsigned nloaded, nfailed;
	char names[700];    /* what was loaded, for the summary line */
	struct strbuf sb;
};

/* Reads DIR/file into the table: 0, or -errno (-ENOENT: no such file). */
static int parse_file(struct modload *ml, const char *file,
		      int (*parse)(struct moddep *md, const char *buf, size_t len))
{
	char path[320], *buf = NULL;
	size_t len = 0;
	int r;

	snprintf(path, sizeof(path), "%s/%s", ml->dir, file);
	if ((r = read_whole_file(path, MODDEP_TEXT_MAX, &buf, &len)) < 0)
		return r;
	r = parse(&ml->md, buf, len);
	free(buf);
	return r;
}

/* The "flags" line of /proc/cpuinfo, padded with blanks for word search. */
static void read_cpuflags(struct modload *ml)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[4000];

	ml->cpuflags[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			const char *colon = strchr(line, ':');

			char *nl;

			snprintf(ml->cpuflags, sizeof(ml->cpuflags), " %s ", colon ? colon + 1 : "");
			if ((nl = strchr(ml->cpuflags, '\n')))
				*nl = ' ';
			break;
		}
	if (f)
		fclose(f);
}

static bool has_cpuflag(const struct modload *ml, const char *flag)
{
	char word[32];

	snprintf(word, sizeof(word), " %s ", flag);
	return strstr(ml->cpuflags, word) != NULL;
}

static void modload_free(struct modload *ml)
{
	moddep_free(&ml->md);
	free(ml->state);
	free(ml);
}

/* The tables of dir (with the aliases and CPU flags when it is to load);
 * NULL after saying why. Only modules.dep is required. */
static struct modload *modload_open(const char *dir, bool load)
{
	struct modload *ml = calloc(1, sizeof(*ml));
	int r;

	if (!ml)
		return NULL;
	moddep_init(&ml->md);
	snprintf(ml->dir, sizeof(ml->dir), "%s", dir);
	ml->sb = (struct strbuf){ ml->names, sizeof(ml->names), 0 };
	r = parse_file(ml, "modules.dep", moddep_parse_dep);
	if (r == 0 && !(ml->state = calloc(ml->md.nmods + 1, sizeof(*ml->state))))
		r = -ENOMEM;
	if (r < 0) {
		log_warn("modules: %s/modules.dep: %s%s", dir, strerror(-r), load ? "; none loaded" : "");
		modload_free(ml);
		return NULL;
	}
	if (load && (r = parse_file(ml, "modules.alias", moddep_parse_alias)) < 0)
		log_warn("modules: %s/modules.alias: %s; %s", dir, strerror(-r),
			 r == -E2BIG ? "coldplug matches only the aliases read so far" : "no coldplug");
	if ((r = parse_file(ml, "modules.builtin", moddep_parse_builtin)) < 0 && r != -ENOENT)
		log_warn("modules: %s/modules.builtin: %s", dir, strerror(-r));
	if (ml->md.bad_lines)
		log_warn("modules: %s: %u malformed lines skipped", dir, ml->md.bad_lines);
	if (load)
		read_cpuflags(ml);
	return ml;
}

/* Loaded and initialised, or built in (a directory without initstate). A
 * module still "coming" is not: its init may not have made its devices yet,
 * and finit_module() of it waits for that, then says EEXIST (insert()). */
static bool module_present(const char *name)
{
	char path[112], state[16] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(path, sizeof(path), "/sys/module/%s", name);
		return errno == ENOENT && access(path, F_OK) == 0;
	}
	n = read(fd, state, sizeof(state) - 1);
	close(fd);
	return n > 0 && !strncmp(state, "live", 4);
}

/* 0: loaded now; 1: there already; -errno. */
static int insert(const struct modload *ml, const struct moddep_mod *m)
{
	char path[512];
	int fd, r = 0;

	if (module_present(m->name))
		return 1;
	snprintf(path, sizeof(path), "%s/%s", ml->dir, m->path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	/* Since Linux 5.17 the kernel unpacks a compressed module itself when
	 * asked (CONFIG_MODULE_DECOMPRESS; EOPNOTSUPP without, which is said). */
	if (syscall(SYS_finit_module, fd, "", moddep_is_compressed(m->path) ? MODULE_INIT_COMPRESSED_FILE : 0) < 0)
		r = errno == EEXIST ? 1 : -errno;
	close(fd);
	return r;
}

static int load_one(struct modload *ml, int idx)
{
	const struct moddep_mod *m = &ml->md.mods[idx];
	int r;

	if (ml->state[idx])
		return ml->state[idx];
	r = insert(ml, m);
	ml->state[idx] = r < 0 ? r : 1;
	if (r == 0) {
		ml->nloaded++;
		strbuf_put(&ml->sb, "%s%s", ml->sb.len ? " " : "", m->name);
	}
	return r;
}

static const char *order_error(int r)
{
	switch (r) {
	case -ENOENT:
		return "not in modules.dep";
	case -EBADMSG:
		return "modules.dep names a dependency it has no line for";
	case -ELOOP:
		return "its dependencies in modules.dep form a cycle";
	default:
		return strerror(-r);
	}
}

/* Loads name after what it needs. Returns how many it loaded, or -errno
 * with why[] saying what failed. */
static int load_chain(struct modload *ml, const char *name, char *why, size_t size)
{
	struct moddep_order o = { 0 };
	int r = moddep_order_add(&ml->md, name, &o), n = 0;

	if (r < 0) {
		snprintf(why, size, "%s", order_error(r));
		return r;
	}
	for (unsigned i = 0; i < o.n; i++) {
		if ((r = load_one(ml, o.mod[i])) < 0) {
			if (i + 1 < o.n) /* o ends with name itself */
				snprintf(why, size, "needs %s: %s", ml->md.mods[o.mod[i]].name, strerror(-r));
			else
				snprintf(why, size, "%s", strerror(-r));
			return r;
		}
		n += r == 0;
	}
	return n;
}

/* The drivers one device's modalias asks for, when the image has them.
 * Returns how many modules it loaded. */
static int coldplug_device(struct modload *ml, const char *modalias)
{
	const char *names[MATCH_MAX];
	unsigned n = moddep_match(&ml->md, modalias, names, MATCH_MAX);
	char why[160];
	int loaded = 0;

	for (unsigned i = 0; i < n; i++) {
		int idx = moddep_find(&ml->md, names[i]), r;

		if (idx < 0 || ml->state[idx] || moddep_is_builtin(&ml->md, names[i]))
			continue;
		if ((r = load_chain(ml, names[i], why, sizeof(why))) < 0) {
			log_warn("modules: %s (for %s): %s", names[i], modalias, why);
			ml->nfailed++;
		} else {
			loaded += r;
		}
	}
	return loaded;
}

/* One device directory's modalias, without its newline; false if none. */
static bool read_modalias(const char *path, char *buf, size_t size)
{
	return read_first_line(path, buf, size) > 0;
}

/* /sys/bus/BUS/devices/ * /modalias of one bus; returns how many modules it loaded. */
static int coldplug_bus(struct modload *ml, const char *bus)
{
	char path[512], alias[4096];
	DIR *d;
	struct dirent *e;
	int loaded = 0;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices", bus);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/modalias", bus, e->d_name);
		if (read_modalias(path, alias, sizeof(alias)))
			loaded += coldplug_device(ml, alias);
	}
	closedir(d);
	return loaded;
}

/* Passes over every bus until one loads nothing new: a driver can create
 * devices that others match only then (virtio_pci → virtio_net, 9pnet_virtio). */
static void coldplug(struct modload *ml)
{
	for (unsigned pass = 0; pass < COLDPLUG_PASSES && ml->md.naliases; pass++) {
		DIR *d = opendir("/sys/bus");
		struct dirent *e;
		int loaded = 0;

		if (!d)
			return;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				loaded += coldplug_bus(ml, e->d_name);
		closedir(d);
		if (!loaded)
			return;
	}
}

/* The feature modules load in parallel: finit_module(2) of independent
 * modules runs concurrently in the kernel (each unpacks, relocates and
 * runs its init on its own CPU), and a feature's chain is mostly modules no
 * other feature waits for. Workers take the first module of the combined
 * order whose dependencies from modules.dep are loaded; a module whose
 * dependency failed is not tried. Coldplug stays sequential: drivers of
 * two NIC types probing at once would name their interfaces in either
 * order. */
#define FEATURE_WORKERS_MAX 8

enum { JOB_WAITING, JOB_LOADING, JOB_DONE };

struct feature_batch {
	struct modload *ml;
	struct moddep_order o;             /* dependencies first */
	unsigned char job[MODDEP_ORDER_MAX];
	int cause[MODDEP_ORDER_MAX];       /* on failure: the module (index in md.mods) that failed */
	int err[MODDEP_ORDER_MAX];         /* and its -errno */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Whether o.mod[i]'s dependencies are loaded (1), one failed (-1, with its
 * cause), or some are still to come (0). */
static int deps_state(struct feature_batch *b, unsigned i, int *cause, int *err)
{
	const struct moddep *md = &b->ml->md;
	const struct moddep_mod *m = &md->mods[b->o.mod[i]];
	char name[MODDEP_NAME_MAX];

	for (unsigned d = 0; d < m->ndeps; d++) {
		int idx, st;

		if (moddep_normalise(md->deps[m->dep0 + d], name) < 0 || (idx = moddep_find(md, name)) < 0)
			continue; /* moddep_order_add() refused such a chain already */
		st = b->ml->state[idx];
		if (st < 0) {
			for (unsigned j = 0; j < b->o.n; j++)
				if (b->o.mod[j] == idx && b->job[j] == JOB_DONE) {
					*cause = b->cause[j];
					*err = b->err[j];
					return -1;
				}
			*cause = idx;
			*err = st;
			return -1;
		}
		if (st == 0)
			return 0;
	}
	return 1;
}

static void *feature_worker(void *arg)
{
	struct feature_batch *b = arg;
	struct modload *ml = b->ml;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		bool waiting = false, busy = false;
		int pick = -1;

		for (unsigned i = 0; i < b->o.n && pick < 0; i++) {
			int cause, err, ds;

			if (b->job[i] == JOB_LOADING)
				busy = true;
			if (b->job[i] != JOB_WAITING)
				continue;
			if (ml->state[b->o.mod[i]]) { /* coldplug had it, or failed it */
				b->cause[i] = b->o.mod[i];
				b->err[i] = ml->state[b->o.mod[i]] < 0 ? ml->state[b->o.mod[i]] : 0;
				b->job[i] = JOB_DONE;
				continue;
			}
			ds = deps_state(b, i, &cause, &err);
			if (ds < 0) {
				ml->state[b->o.mod[i]] = err;
				b->cause[i] = cause;
				b->err[i] = err;
				b->job[i] = JOB_DONE;
				pthread_cond_broadcast(&b->cv);
			} else if (ds > 0) {
				pick = (int)i;
			} else {
				waiting = true;
			}
		}
		if (pick >= 0) {
			int idx = b->o.mod[pick], r;

			b->job[pick] = JOB_LOADING;
			pthread_mutex_unlock(&b->mu);
			r = insert(ml, &ml->md.mods[idx]);
			pthread_mutex_lock(&b->mu);
			ml->state[idx] = r < 0 ? r : 1;
			if (r == 0) {
				ml->nloaded++;
				strbuf_put(&ml->sb, "%s%s", ml->sb.len ? " " : "", ml->md.mods[idx].name);
			}
			b->cause[pick] = idx;
			b->err[pick] = r;
			b->job[pick] = JOB_DONE;
			pthread_cond_broadcast(&b->cv);
			continue;
		}
		if (!waiting && !busy)
			break;
		pthread_cond_wait(&b->cv, &b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

static unsigned jobs_wanted; /* modules_set_jobs(); 0: by the CPUs */

void modules_set_jobs(unsigned n)
{
	jobs_wanted = n > FEATURE_WORKERS_MAX ? FEATURE_WORKERS_MAX : n;
}

/* Under QEMU's TCG (CPUID's hypervisor leaf says "TCGTCGTCGTCG") each
 * module's load changes kernel page permissions and patches code, which
 * makes TCG stop every virtual CPU and flush its translations: loads in
 * parallel took 1.5 times as long there as one at a time
 * (tests/bench/modules.sh). */
static bool under_tcg(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	char sig[13];

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 31))) /* no hypervisor */
		return false;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x40000000), "c"(0));
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	return !strcmp(sig, "TCGTCGTCGTCG");
#else
	return false;
#endif
}

static unsigned feature_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (jobs_wanted)
		return jobs_wanted;
	if (under_tcg()) {
		log_info("modules: under TCG: one at a time");
		return 1;
	}

	/* One more than the CPUs: a worker waits on the kernel's module_mutex
	 * for part of each load. */
	return n < 1 ? 2 : n + 1 > FEATURE_WORKERS_MAX ? FEATURE_WORKERS_MAX : (unsigned)n + 1;
}

/* Runs the batch's order with workers; sequentially when no thread starts. */
static void run_batch(struct feature_batch *b)
{
	pthread_t t[FEATURE_WORKERS_MAX];
	pthread_attr_t attr;
	unsigned n = 0, want = feature_workers();

	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	for (; n + 1 < want; n++)
		if (pthread_create(&t[n], &attr, feature_worker, b) != 0)
			break;
	pthread_attr_destroy(&attr);
	feature_worker(b);
	for (unsigned i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
}

/* Why the feature at o.mod[i] is not loaded, as load_chain() says it. */
static void feature_failure(struct feature_batch *b, unsigned i, const char *feature)
{
	const struct moddep_mod *c = &b->ml->md.mods[b->cause[i]];

	if (b->cause[i] == b->o.mod[i])
		log_warn("modules: %s: %s", feature, strerror(-b->err[i]));
	else
		log_warn("modules: %s: needs %s: %s", feature, c->name, strerror(-b->err[i]));
	b->ml->nfailed++;
}

static void load_features(struct modload *ml, bool later)
{
	struct feature_batch *b = calloc(1, sizeof(*b));
	char why[160];
	int r;

	if (!b) {
		log_warn("modules: no memory for the feature modules");
		ml->nfailed++;
		return;
	}
	b->ml = ml;
	for (unsigned i = 0; i < NFEATURES; i++) {
		const struct feature *f = &features[i];
		int idx = moddep_find(&ml->md, f->name);

		if (f->later != later || (f->cpu_flag && !has_cpuflag(ml, f->cpu_flag)) ||
		    moddep_is_builtin(&ml->md, f->name))
			continue;
		if (idx >= 0 && ml->state[idx] < 0)
			continue; /* failed in coldplug, and said so */
		/* A soft dependency modules.dep does not list (crc32c, asked by
		 * libcrc32c's init through the crypto API) goes first, alone. */
		if (f->before_others) {
			if (load_chain(ml, f->name, why, sizeof(why)) < 0) {
				log_warn("modules: %s: %s", f->name, why);
				ml->nfailed++;
			}
			continue;
		}
		if ((r = moddep_order_add(&ml->md, f->name, &b->o)) < 0) {
			log_warn("modules: %s: %s", f->name, order_error(r));
			ml->nfailed++;
		}
	}
	run_batch(b);
	for (unsigned i = 0; i < NFEATURES; i++) {
		int idx = moddep_find(&ml->md, features[i].name);

		if (idx < 0 || features[i].before_others || features[i].later != later)
			continue;
		for (unsigned j = 0; j < b->o.n; j++)
			if (b->o.mod[j] == idx && b->err[j] < 0 && b->job[j] == JOB_DONE)
				feature_failure(b, j, features[i].name);
	}
	free(b);
}

/* One summary line for what a stage loaded; the names start afresh. */
static void stage_done(struct modload *ml, const char *what, double t0, unsigned loaded0)
{
	unsigned n = ml->nloaded - loaded0;

	log_info("modules: %s: loaded %u in %.1f ms%s%s", what, n, (log_uptime() - t0) * 1000.0, n ? ": " : "",
		 ml->names);
	ml->sb.len = 0;
	ml->names[0] = '\0';
}

unsigned modules_load_all(struct modload *ml)
{
	double t0 = log_uptime();
	unsigned loaded0 = ml->nloaded;

	coldplug(ml);
	load_features(ml, false);
	stage_done(ml, "for the boot", t0, loaded0);
	return ml->nfailed;
}

unsigned modules_load_later(struct modload *ml)
{
	double t0 = log_uptime();
	unsigned loaded0 = ml->nloaded;

	load_features(ml, true);
	stage_done(ml, "the rest", t0, loaded0);
	return ml->nfailed;
}

/* The process's own tables for modules_ensure(): modules.dep and the CPU
 * flags, read once. */
static struct modload *ensure_tables(void)
{
	static struct modload *ml;
	static bool tried;
	char dir[256], dep[300];

	if (tried)
		return ml;
	tried = true;
	if (release_dir("/", NULL, dir, sizeof(dir)) < 0 || !in_initial_pid_ns())
		return NULL;
	snprintf(dep, sizeof(dep), "%s/modules.dep", dir);
	if (access(dep, F_OK) < 0)
		return NULL; /* the kernel's own modules, or the host's: not ours to load */
	if ((ml = modload_open(dir, false)))
		read_cpuflags(ml);
	return ml;
}

int modules_ensure(const char *const names[])
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER; /* the boot's threads share the tables */
	struct modload *ml;
	int failed = 0;

	pthread_mutex_lock(&mu);
	ml = ensure_tables();
	for (unsigned i = 0; ml && names[i]; i++) {
		const struct feature *f = NULL;
		char why[160];
		double t0 = log_uptime();
		int r;

		for (unsigned k = 0; k < NFEATURES && !f; k++)
			if (!strcmp(features[k].name, names[i]))
				f = &features[k];
		if ((f && f->cpu_flag && !has_cpuflag(ml, f->cpu_flag)) || moddep_is_builtin(&ml->md, names[i]) ||
		    module_present(names[i]))
			continue;
		if ((r = load_chain(ml, names[i], why, sizeof(why))) < 0) {
			log_warn("modules: %s: %s", names[i], why);
			failed++;
		} else if (r > 0) {
			log_info("modules: %s: loaded here, %d module%s in %.1f ms", names[i], r, r == 1 ? "" : "s",
				 (log_uptime() - t0) * 1000.0);
		}
	}
	pthread_mutex_unlock(&mu);
	return failed;
}

int modules_device_added(struct modload *ml, const char *modalias, char *names, size_t size)
{
	int loaded;

	ml->sb.len = 0;
	ml->names[0] = '\0';
	loaded = coldplug_device(ml, modalias);
	snprintf(names, size, "%s", ml->names);
	return loaded;
}

void modules_rescan(struct modload *ml)
{
	coldplug(ml);
}

void modules_close(struct modload *ml)
{
	if (ml)
		modload_free(ml);
}

/* In any pid namespace but the kernel's first (PROC_PID_INIT_INO,
 * include/linux/proc_ns.h) the kernel is not ours to load modules into. */
static bool in_initial_pid_ns(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) < 0 || st.st_ino == 0xEFFFFFFCu;
}

static int release_dir(const char *root, const char *kver, char *dir, size_t size)
{
	struct utsname u;

	if (!kver) {
		if (uname(&u) < 0)
			return -errno;
		kver = u.release;
	}
	snprintf(dir, size, "%s/lib/modules/%s", strcmp(root, "/") ? root : "", kver);
	return 0;
}

struct modload *modules_open_running(void)
{
	char dir[256];
	int r = release_dir("/", NULL, dir, sizeof(dir));

	if (r < 0) {
		log_warn("modules: uname: %s; none loaded", strerror(-r));
		return NULL;
	}
	return modload_open(dir, true);
}

bool modules_boot_wanted(void)
{
	char dir[256], dep[300];

	if (release_dir("/", NULL, dir, sizeof(dir)) < 0)
		return true; /* modules_open_running says why */
	snprintf(dep, sizeof(dep), "%s/modules.dep", dir);
	if (access(dep, F_OK) < 0) {
		log_info("modules: no %s; using what the kernel has built in or loaded", dep);
		return false;
	}
	if (!in_initial_pid_ns()) {
		log_info("modules: in a child pid namespace, the kernel is the host's; none loaded");
		return false;
	}
	return true;
}

/* `labinit modules --order [NAME...]`: the paths to load, in order, for the
 * named modules, or for every feature (both KVM modules: the image's CPU is
 * not known). A name the kernel has built in is skipped. Exit 1 if one is
 * missing. The image builder copies exactly these files. */
int modules_print_order(const char *root, const char *kver, char **names, int nnames)
{
	struct moddep_order o = { 0 };
	struct modload *ml;
	char dir[256];
	int bad = 0, r;

	if ((r = release_dir(root, kver, dir, sizeof(dir))) < 0 || !(ml = modload_open(dir, false)))
		return 1;
	for (int i = 0; i < (nnames ? nnames : (int)NFEATURES); i++) {
		const char *name = nnames ? names[i] : features[i].name;

		if (moddep_is_builtin(&ml->md, name))
			continue;
		if ((r = moddep_order_add(&ml->md, name, &o)) < 0) {
			fprintf(stderr, "labinit modules: %s: %s (%s)\n", name, order_error(r), dir);
			bad = 1;
		}
	}
	for (unsigned i = 0; i < o.n; i++)
		printf("%s/%s\n", dir, ml->md.mods[o.mod[i]].path);
	modload_free(ml);
	return bad;
}

void modules_list_features(void)
{
	for (unsigned f = 0; f < NFEATURES; f++)
		printf("%s\n", features[f].name);
}

int modules_load_running(void)
{
	struct modload *ml = modules_open_running();
	unsigned failed = ml ? modules_load_all(ml) + modules_load_later(ml) : 1;

	modules_close(ml);
	return failed ? 1 : 0;
}
