/* PID 1: early mounts, console, profile, signals, services, then one epoll
 * loop forever. It holds no policy beyond the boot order; it never exits and
 * never waits for a child in a blocking call. After s6-linux-init. */
#include "init/pid1/pid1.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/core/readfile.h"
#include "guests/share/share.h"
#include "net/labnet/labnet.h"
#include "init/cmd/commands.h"
#include "init/control/control.h"
#include "init/pid1/hosts.h"
#include "init/pid1/labdata.h"
#include "init/modules/modules.h"
#include "init/pid1/mounts.h"

#define DEFAULT_CONFIG "/etc/labinit/config"
#define MODULES_WAIT_MS 120000

static struct pid1 pid1;

/* The kernel starts init with no fds when the initramfs has no /dev/console;
 * fill whatever of 0..2 is missing. */
static void open_console(const char *path)
{
	int fd = -1;

	for (int i = 0; i <= 2; i++) {
		if (fcntl(i, F_GETFD) >= 0)
			continue;
		if (fd < 0)
			fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, i);
	}
	if (fd > 2)
		close(fd);
}

static void log_mounts(const struct mount_result *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (r[i].skipped && r[i].err)
			log_info("mount %s: skipped (%s)", r[i].target, strerror(-r[i].err));
		else if (r[i].skipped)
			log_info("mount %s: already mounted, kept", r[i].target);
		else if (r[i].err)
			log_err("mount %s: %s", r[i].target, strerror(-r[i].err));
		else
			log_info("mount %s: ok (%.2f ms)", r[i].target, r[i].ms);
	}
}

static const char *config_path(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--config"))
			return argv[i + 1];
	return DEFAULT_CONFIG;
}

/* The boot's waits run before the event loop; a shutdown signal stays
 * blocked and queued for its signalfd. Checked between the waits' steps so
 * that a wait ends early rather than hold the shutdown back. */
static bool shutdown_pending(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGUSR2, SIGPWR };
	sigset_t set;

	if (sigpending(&set) < 0)
		return false;
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigismember(&set, sigs[i]) == 1)
			return true;
	return false;
}

/* Polls present(arg) every 250 ms for up to wait_s seconds (the profile's
 * DEVICE_WAIT) and returns whether it turned true; *waited says how long it
 * took. For devices that appear after boot: hotplug loads the drivers of a
 * USB stick or network adapter from uevents, and the disk or link comes a
 * second or more later (usb-storage's settle delay; much later on a loaded
 * host under TCG). */
static bool wait_for_device(bool (*present)(void *), void *arg, long wait_s, const char *what, double *waited)
{
	double t0 = log_uptime();

	*waited = 0;
	log_info("%s: not there yet; waiting up to %ld s (CONFIG_DEVICE_WAIT)", what, wait_s);
	while (*waited < (double)wait_s) {
		if (shutdown_pending()) {
			log_info("%s: wait cut short by a shutdown request", what);
			return false;
		}
		usleep(250 * 1000);
		*waited = log_uptime() - t0;
		if (present(arg))
			return true;
	}
	return false;
}

struct lab_files {
	const char *dir;
	char what[320];
	int r;
};

static bool lab_files_mounted(void *arg)
{
	struct lab_files *f = arg;

	f->r = labdata_mount(f->dir, f->what, sizeof(f->what));
	return f->r != -ENOENT;
}

/* The guests' files from the outer hypervisor's 9p share or a LABDATA
 * disk, when the image does not carry them. Returns 1 if it mounted one.
 * Only when the profile misses guest files is a late disk waited for. */
static int mount_lab_files(const char *files_dir, long wait_s, bool files_missing)
{
	struct lab_files f = { .dir = files_dir };
	double waited = 0;

	if (!files_dir || files_dir[0] != '/')
		return 0;
	if (!lab_files_mounted(&f) && files_missing && wait_s > 0)
		wait_for_device(lab_files_mounted, &f, wait_s, "lab files: 9p share \"lab\" or LABDATA disk", &waited);
	if (f.r == 0 && waited > 0)
		log_info("lab files: %s on %s (found after %.2f s)", f.what, files_dir, waited);
	else if (f.r == 0)
		log_info("lab files: %s on %s", f.what, files_dir);
	else if (f.r != -ENOENT)
		log_err("lab files: mounting %s on %s: %s", f.what, files_dir, strerror(-f.r));
	return f.r == 0;
}

/* Returns 0 when the profile is usable; otherwise prints every error. */
static int load_profile(struct pid1 *p, const char *path)
{
	static char cmdline[4096];
	double t0 = log_uptime();
	struct diag d;
	int r;

	p->profile = calloc(1, sizeof(*p->profile));
	if (!p->profile) {
		log_err("profile: out of memory");
		return -ENOMEM;
	}
	diag_init(&d);
	r = profile_load(p->profile, path, read_kernel_cmdline(cmdline, sizeof(cmdline)), &d);
	/* FILES_DIR comes from the profile, and the guests' files checked in it
	 * may only appear once the lab's share or disk is mounted there. */
	if (mount_lab_files(p->profile->v[K_FILES_DIR].str, p->profile->v[K_DEVICE_WAIT].num,
			    p->profile->missing_files > 0 && p->hotplug)) {
		profile_free(p->profile);
		diag_free(&d);
		diag_init(&d);
		r = profile_load(p->profile, path, read_kernel_cmdline(cmdline, sizeof(cmdline)), &d);
	}
	if (r < 0) {
		log_err("profile %s: %u error%s:", path, d.count, d.count == 1 ? "" : "s");
		(void)!write(STDERR_FILENO, diag_text(&d), strlen(diag_text(&d)));
	}
	if (r < 0 && d.count == p->profile->guest_errors) {
		/* Only guests are wrong (a missing kernel file, say): the lab
		 * starts without them; a rescue shell would help nobody. */
		log_err("profile: the lab starts without the guests named in these errors");
		profile_drop_broken_guests(p->profile);
		r = 0;
	} else if (r == 0) {
		log_info("profile %s: ok (\"%s\", %u guest%s, %u extra service%s; %.2f ms)", path,
			 p->profile->name, p->profile->nguests, p->profile->nguests == 1 ? "" : "s",
			 p->profile->nservices, p->profile->nservices == 1 ? "" : "s",
			 (log_uptime() - t0) * 1000.0);
	}
	diag_free(&d);
	return r;
}

/* The device behind /dev/console, e.g. "/dev/ttyS0": the last name in
 * /sys/class/tty/console/active (show_cons_active, drivers/tty/tty_io.c,
 * lists the preferred console last); "" if unknown. */
static void kernel_console(char *path, size_t size)
{
	char buf[128], *name;

	path[0] = '\0';
	if (read_first_line("/sys/class/tty/console/active", buf, sizeof(buf)) <= 0)
		return;
	name = strrchr(buf, ' ');
	name = name ? name + 1 : buf;
	if (*name && !strchr(name, '/'))
		snprintf(path, size, "/dev/%.32s", name);
}

static bool same_device(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && S_ISCHR(x.st_mode) && x.st_rdev == y.st_rdev;
}

/* CONFIG_CONSOLE other than /dev/console (e.g. /dev/ttyS1): move 0..2 there.
 * The kernel's own console stays /dev/console: a shell session ending on it
 * then cannot hang up PID 1's output (see child_tty in supervise.c). */
static bool switch_console(const char *path)
{
	char kcons[64];
	int fd;

	if (!strcmp(path, "/dev/console"))
		return false;
	kernel_console(kcons, sizeof(kcons));
	if (same_device(path, kcons)) {
		log_info("console %s: ok (the kernel's console: kept as /dev/console)", path);
		return false;
	}
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		log_err("console %s: %s; keeping the current one", path, strerror(errno));
		return false;
	}
	for (int i = 0; i <= 2; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
	log_info("console %s: ok", path);
	return true;
}

/* The new host name resolves from /etc/hosts: smbd looks itself up for
 * each session, and with an upstream DNS server that does not answer every
 * session would wait out the resolver's timeouts. */
static void publish_hostname(const struct profile *pr)
{
	const char *domain = pr->dns ? pr->dns_domain : NULL;
	int r = hosts_publish(pr->hostname, domain);

	if (r < 0)
		log_warn("/etc/hosts: %s is not listed: %s", pr->hostname, strerror(-r));
	else if (domain && domain[0])
		log_info("/etc/hosts: %s.%s and %s are %s", pr->hostname, domain, pr->hostname, HOSTS_SELF_ADDR);
	else
		log_info("/etc/hosts: %s is %s", pr->hostname, HOSTS_SELF_ADDR);
}

static void apply_general(struct pid1 *p)
{
	const struct profile *pr = p->profile;

	log_set_level(pr->log_level);
	p->console_direct = switch_console(pr->console);
	if (sethostname(pr->hostname, strlen(pr->hostname)) < 0)
		log_err("hostname %s: %s", pr->hostname, strerror(errno));
	else
		log_info("hostname %s: ok", pr->hostname);
	publish_hostname(pr);
}

void pid1_reap(struct pid1 *p)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			if (!sv_child_exited(&p->sup, pid, status) && pid == p->reboot_pid)
				log_err("shutdown: reboot() failed; the lab host stays up");
			continue;
		}
		if (pid < 0 && errno == ECHILD)
			shutdown_on_no_children(p);
		return;
	}
}

static void on_signal(struct loop *l, int fd, uint32_t events, void *data)
{
	struct pid1 *p = data;
	struct signalfd_siginfo si;

	(void)l;
	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			break;
		case SIGTERM:
			shutdown_begin(p, RB_AUTOBOOT, "SIGTERM: reboot");
			break;
		case SIGINT:
			shutdown_begin(p, RB_AUTOBOOT, "ctrl-alt-del: reboot");
			break;
		case SIGUSR2:
		case SIGPWR:
			shutdown_begin(p, RB_POWER_OFF, si.ssi_signo == SIGPWR ? "SIGPWR: power off"
									    : "SIGUSR2: power off");
			break;
		default:
			log_debug("signal %u ignored", si.ssi_signo);
		}
	}
	pid1_reap(p); /* SIGCHLDs coalesce: always reap everything that is ready */
}

static int setup_loop(struct pid1 *p)
{
	sigset_t all;
	int r;

	sigfillset(&all);
	if ((r = loop_init(&p->loop)) < 0)
		return r;
	p->sigfd = signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
	if (p->sigfd < 0)
		return -errno;
	if ((r = loop_add(&p->loop, p->sigfd, EPOLLIN, on_signal, p)) < 0)
		return r;
	sv_init(&p->sup, &p->loop);
	p->sup.on_change = shutdown_on_change;
	r = ctl_listen(&p->loop, CTL_SOCKET_PATH, pid1_control, p);
	if (r < 0)
		log_err("control socket %s: %s (labctl will not work)", CTL_SOCKET_PATH, strerror(-r));
	else
		log_info("control socket %s: ok", CTL_SOCKET_PATH);
	return 0;
}

/* RESCUE_SHELL if it can run, else /bin/sh, else busybox's sh; a login
 * shell (-l), so that it reads the image's /etc/profile (PATH, HOME, prompt). */
static void shell_argv(const struct pid1 *p, char *argv[4])
{
	const char *shell = p->profile ? p->profile->v[K_RESCUE_SHELL].str : "/bin/sh";
	int n = 0;

	if (!shell || shell[0] != '/' || access(shell, X_OK) < 0)
		shell = "/bin/sh";
	if (access(shell, X_OK) < 0) {
		argv[n++] = "/bin/busybox";
		shell = "sh";
	}
	argv[n++] = (char *)shell;
	argv[n++] = "-l";
	argv[n] = NULL;
}

static void start_rescue(struct pid1 *p)
{
	char *sh[4];
	struct service *s;

	shell_argv(p, sh);
	s = sv_add(&p->sup, "rescue", sh, SV_RESTART_ALWAYS, 5000);
	if (!s)
		return;
	s->console_fd = STDIN_FILENO;
	s->stop_signal = SIGHUP; /* an interactive shell ignores SIGTERM */
	p->rescue = true;
	log_err("rescue: the lab is not started; a shell runs on the console. Fix the profile, then `labctl reboot`.");
	sv_start(s);
}

static bool can_open(const char *tty)
{
	int fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The console shell's terminal: the kernel console's own device, else
 * /dev/console; "" for PID 1's fd 0. */
static void shell_tty(char *tty, size_t size)
{
	kernel_console(tty, size);
	if (!tty[0] || !can_open(tty))
		snprintf(tty, size, "/dev/console");
	if (!can_open(tty))
		tty[0] = '\0';
}

/* CONFIG_CONSOLE_SHELL: once the lab is up, a shell with the console as its
 * controlling terminal (job control, ctrl-c); `exit` gives a fresh one.
 * Only on a terminal: not under the tests' harness, whose stdin is a file.
 * On a CONFIG_CONSOLE that PID 1 opened itself the shell gets no controlling
 * terminal: when such a session ends, the kernel hangs up every file opened
 * on that tty but through /dev/console (__tty_hangup, drivers/tty/tty_io.c),
 * and the services' output is such a file, inherited from PID 1. */
static void start_console_shell(struct pid1 *p)
{
	char *sh[4], tty[64] = "";
	struct service *s;

	if (!p->profile->console_shell || !isatty(STDIN_FILENO))
		return;
	shell_argv(p, sh);
	if (!p->console_direct)
		shell_tty(tty, sizeof(tty));
	s = sv_add(&p->sup, "console", sh, SV_RESTART_ALWAYS, 5000);
	if (!s) {
		log_err("console: the shell cannot be supervised (too many services)");
		return;
	}
	if (tty[0])
		snprintf(s->tty, sizeof(s->tty), "%s", tty);
	else if (!p->console_direct)
		s->console_fd = STDIN_FILENO;
	s->stop_signal = SIGHUP;
	log_info("console: shell on %s (labctl status, labctl guests, poweroff)%s",
		 tty[0] ? tty : p->profile->console,
		 p->console_direct ? "; no job control: boot with console= for that" : "");
	sv_start(s);
}

static bool uplink_present(void *ifname)
{
	return if_nametoindex(ifname) != 0;
}

/* An uplink behind a USB host controller gets its driver from hotplug, and
 * its link only after the adapter's probe: waited for, not reported
 * missing, while the "modules" service may still bring it. */
static void wait_for_uplink(const struct pid1 *p)
{
	const char *ifname = p->profile->uplink_ifname;
	long wait_s = p->profile->v[K_DEVICE_WAIT].num;
	char what[64];
	double waited;

	if (!p->hotplug || wait_s <= 0 || if_nametoindex(ifname))
		return;
	snprintf(what, sizeof(what), "uplink %s", ifname);
	if (wait_for_device(uplink_present, (void *)ifname, wait_s, what, &waited))
		log_info("uplink %s: appeared after %.2f s", ifname, waited);
}

/* The lab network's steps, as `labinit up` runs them; a DHCP uplink gets a
 * supervised client. A failure is logged and the lab stays up without it. */
static void start_network(struct pid1 *p)
{
	const struct profile *pr = p->profile;
	char *dhcpc[] = { "/proc/self/exe", "dhcpc", (char *)pr->uplink_ifname, "--hostname",
			  (char *)pr->hostname, NULL };

	char *dhcpd[] = { "/proc/self/exe", "dhcpd", "--config", (char *)p->config_path, "--boot", NULL };
	struct service *s;

	wait_for_uplink(p);
	if (labnet_up(pr, false) < 0) {
		log_err("network: not configured; the lab runs without it (errors above)");
		return;
	}
	if (pr->uplink_dhcp && (s = sv_add(&p->sup, "uplink-dhcp", dhcpc, SV_RESTART_ALWAYS, pr->stop_timeout * 1000)))
		sv_start(s);
	/* The worker that parses the guests' packets: outside PID 1, restarted
	 * when it dies; its leases live in the lease file. */
	if (pr->dhcp && (s = sv_add(&p->sup, "dhcpd", dhcpd, SV_RESTART_ALWAYS, pr->stop_timeout * 1000)))
		sv_start(s);
}

/* smbd for guests without 9p, after the bridge has its address. */
static void start_share(struct pid1 *p)
{
	static char conf[128];
	char *argv[8], why[256];
	struct service *s;

	if (!p->profile->share_smb)
		return;
	if (share_smb_prepare(p->profile, argv, conf, sizeof(conf), why, sizeof(why)) < 0) {
		log_err("share: SMB: %s; not started", why);
		return;
	}
	if ((s = sv_add(&p->sup, "smbd", argv, SV_RESTART_ALWAYS, p->profile->stop_timeout * 1000)))
		sv_start(s);
}

static void start_services(struct pid1 *p)
{
	const struct profile *pr = p->profile;

	for (unsigned i = 0; i < pr->nservices; i++) {
		struct service *s = sv_add(&p->sup, pr->services[i].name, pr->services[i].argv,
					   SV_RESTART_ALWAYS, pr->stop_timeout * 1000);

		if (!s)
			log_err("service %s: cannot be added", pr->services[i].name);
		else
			sv_start(s);
	}
}

/* Only if the loop itself cannot be built: still reap, still never exit. */
static void __attribute__((noreturn)) emergency_loop(void)
{
	sigset_t all;

	sigfillset(&all);
	log_err("falling back to a bare reaping loop");
	for (;;) {
		siginfo_t si;

		sigwaitinfo(&all, &si);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

/* The "modules" service (init/modules/hotplug.c), waited for until it has
 * loaded the boot's modules — the network and the lab files need them —
 * but not longer than MODULES_WAIT_MS: a driver whose probe hangs delays
 * the boot, it does not stop it. */
static void start_modules(struct pid1 *p)
{
	char *argv[] = { "/proc/self/exe", "modules", "--boot", NULL };
	struct pollfd pfd = { .events = POLLIN };
	struct service *s;
	int ready[2];

	if (!modules_boot_wanted())
		return;
	if (pipe2(ready, O_CLOEXEC) < 0) {
		log_err("modules: pipe: %s; not loaded", strerror(errno));
		return;
	}
	if ((s = sv_add(&p->sup, "modules", argv, SV_RESTART_ALWAYS, 5000))) {
		s->pass_fd = ready[1];
		sv_start(s);
		s->pass_fd = -1; /* a restart finds the devices loaded: nobody waits */
		p->hotplug = true;
	}
	close(ready[1]);
	pfd.fd = ready[0];
	for (int waited = 0; s && waited < MODULES_WAIT_MS && !shutdown_pending(); waited += 250) {
		if (poll(&pfd, 1, 250) != 0)
			break;
		if (waited + 250 >= MODULES_WAIT_MS)
			log_warn("modules: still loading after %d s; the boot goes on", MODULES_WAIT_MS / 1000);
	}
	close(ready[0]);
}

static void early_boot(void)
{
	struct mount_result mr[MOUNTS_MAX];
	unsigned n;
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL); /* before the first fork */
	if (chdir("/") < 0) {
		/* nothing to do about it */
	}
	umask(022);
	n = mounts_early(mr);
	open_console("/dev/console");
	log_info("labinit %s starting as PID 1", LABINIT_VERSION);
	log_mounts(mr, n);
	if (reboot(RB_DISABLE_CAD) < 0)
		log_debug("ctrl-alt-del to SIGINT: %s", strerror(errno));
}

int pid1_main(int argc, char **argv)
{
	struct pid1 *p = &pid1;
	const char *path = config_path(argc, argv);

	p->boot_ms = loop_now_ms();
	p->config_path = path;
	early_boot();
	if (setup_loop(p) < 0)
		emergency_loop();
	start_modules(p); /* before the profile: the lab files' 9p share needs 9p */
	if (load_profile(p, path) < 0) {
		start_rescue(p);
	} else {
		apply_general(p);
		start_network(p);
		start_share(p);
		pid1_start_guests(p);
		start_services(p);
		/* CLOCK_BOOTTIME: on PID 1, the time since the kernel started */
		log_info("lab \"%s\" ready in %.2f s (%.2f s since kernel start)", p->profile->name,
			 (double)(loop_now_ms() - p->boot_ms) / 1000.0, log_uptime());
		start_console_shell(p);
	}
	for (;;)
		if (loop_run_once(&p->loop) < 0)
			emergency_loop();
}
