/* PID 1: early mounts, the console, signals, then one epoll loop forever
 * that reaps, supervises, answers labctl and shuts down. It holds no boot
 * script: the "modules" service and then the one-shot boot (init/boot/) do
 * what waits or talks to the kernel, and the boot hands PID 1 the services
 * to supervise. It never exits, never sleeps and never waits for a child
 * in a blocking call. After s6-linux-init and s6-svscan. */
#include "init/pid1/pid1.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/cmd/commands.h"
#include "init/control/control.h"
#include "init/modules/modules.h"
#include "init/pid1/mounts.h"
#include "lib/core/console.h"
#include "lib/core/log.h"

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
static void shell_argv(const char *wanted, char *argv[4])
{
	const char *shell = wanted;
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

static void start_rescue(struct pid1 *p, const char *wanted)
{
	char *sh[4];
	struct service *s;

	shell_argv(wanted, sh);
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
	console_kernel_device(tty, size);
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

	if (!p->settings.console_shell || !isatty(STDIN_FILENO))
		return;
	shell_argv(p->settings.rescue_shell, sh);
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
		 tty[0] ? tty : p->settings.console,
		 p->console_direct ? "; no job control: boot with console= for that" : "");
	sv_start(s);
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

/* --- The boot's records ------------------------------------------------ */

static void apply_settings(struct pid1 *p, const struct boot_settings *st)
{
	p->settings = *st;
	p->have_settings = true;
	log_set_level(st->log_level);
	p->console_direct = console_switch(st->console);
}

_Static_assert(sizeof(((struct boot_creds *)0)->groups) / sizeof(uint32_t) == SV_MAX_GROUPS, "groups fit");

static void set_creds(struct service *s, const struct boot_creds *c)
{
	s->creds.uid = c->uid;
	s->creds.gid = c->gid;
	s->creds.ngroups = c->ngroups;
	for (unsigned i = 0; i < c->ngroups; i++)
		s->creds.groups[i] = c->groups[i];
	s->creds.ambient = c->ambient_caps;
}

static void close_fds(int fds[BOOT_MAX_FDS])
{
	for (int i = 0; i < BOOT_MAX_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* fds: what came with the record, in the order the record says (a guest:
 * its tap, then UML's console; another service: its fd 3); -1 for none.
 * Kept open for every start of the service. */
static void add_service(struct pid1 *p, struct boot_service *r, int fds[BOOT_MAX_FDS])
{
	static char *argv[BOOT_MSG_ARGS_MAX + 1];
	struct service *s;

	boot_msg_argv(r, argv);
	if (r->kind == BOOT_KIND_GUEST) {
		/* its taps, then its console and its agent line; a record short
		 * of them gets none */
		unsigned agent = r->ntaps + r->has_console_fd, n = agent + r->has_agent_fd;
		bool all = fds[r->ntaps - 1] >= 0 && (!r->has_console_fd || fds[r->ntaps] >= 0) &&
			   (!r->has_agent_fd || fds[agent] >= 0);

		s = all ? pid1_add_guest(p, r, argv, fds, r->ntaps, r->has_console_fd ? fds[r->ntaps] : -1,
					 r->has_agent_fd ? fds[agent] : -1)
			: NULL;
		if (!all)
			log_err("guest %s: its taps did not come with it; not started", r->name);
		for (unsigned i = all ? n : 0; i < BOOT_MAX_FDS; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	} else {
		s = sv_add(&p->sup, r->name, argv, r->policy, r->stop_timeout_ms);
		if (!s)
			log_err("service %s: cannot be supervised (a service has that name, or too many)", r->name);
		if (s && r->has_fd)
			s->pass_fd = fds[0];
		else if (fds[0] >= 0)
			close(fds[0]);
		for (unsigned i = 1; i < BOOT_MAX_FDS; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	if (s)
		set_creds(s, &r->creds);
	if (s && r->autostart)
		sv_start(s);
}

static void lab_ready(struct pid1 *p)
{
	p->booted = true;
	/* CLOCK_BOOTTIME: on PID 1, the time since the kernel started */
	uint64_t now = loop_now_ms(), boot = p->boot_start_ms ? p->boot_start_ms : p->boot_ms;
	struct service *s;

	/* the phases, one after the other: the kernel until PID 1, PID 1 and
	 * the modules the boot needs, the boot (its own line has its steps) */
	log_info("lab \"%s\" ready in %.2f s (%.2f s since kernel start): kernel %.2f s, modules %.2f s, boot %.2f s",
		 p->settings.profile_name, (double)(now - p->boot_ms) / 1000.0, log_uptime(), p->kernel_s,
		 (double)(boot - p->boot_ms) / 1000.0, (double)(now - boot) / 1000.0);
	/* the modules the boot did not need load now (init/modules/hotplug.c) */
	if ((s = sv_find(&p->sup, "modules")) && s->pid > 0)
		kill(s->pid, SIGUSR1);
	start_console_shell(p);
}

static void on_record(struct pid1 *p, struct boot_msg *m, int fds[BOOT_MAX_FDS])
{
	if (p->phase != PHASE_UP) { /* a shutdown came first: start nothing */
		close_fds(fds);
		return;
	}
	switch (m->type) {
	case BOOT_MSG_SETTINGS:
		apply_settings(p, &m->u.settings);
		break;
	case BOOT_MSG_SERVICE:
		add_service(p, &m->u.service, fds);
		return;
	case BOOT_MSG_RESCUE:
		snprintf(p->settings.profile_name, sizeof(p->settings.profile_name), "%s", m->u.rescue.profile_name);
		start_rescue(p, m->u.rescue.rescue_shell);
		break;
	case BOOT_MSG_READY:
		lab_ready(p);
		break;
	}
	close_fds(fds);
}

/* The fds (up to BOOT_MAX_FDS) that came with a record; -1 for those that
 * did not. */
static void received_fds(struct msghdr *mh, int fds[BOOT_MAX_FDS])
{
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);

	for (int i = 0; i < BOOT_MAX_FDS; i++)
		fds[i] = -1;
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return;
	for (unsigned n = 1; n <= BOOT_MAX_FDS; n++)
		if (c->cmsg_len == CMSG_LEN(n * sizeof(int)))
			memcpy(fds, CMSG_DATA(c), n * sizeof(int));
}

static void boot_done(struct pid1 *p)
{
	loop_del(&p->loop, p->boot_fd);
	close(p->boot_fd);
	p->boot_fd = -1;
}

/* Non-blocking: one record per call to recvmsg, as many as are there. */
static void on_boot_records(struct loop *l, int fd, uint32_t events, void *data)
{
	static struct boot_msg m;
	struct pid1 *p = data;

	(void)l;
	for (;;) {
		char cbuf[CMSG_SPACE(BOOT_MAX_FDS * sizeof(int))];
		struct iovec iov = { &m, sizeof(m) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		int passed[BOOT_MAX_FDS];

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			boot_done(p); /* the boot ended */
			return;
		}
		received_fds(&mh, passed);
		if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || boot_msg_check(&m, (size_t)n) < 0) {
			log_err("boot: a malformed record (%zd bytes) dropped", n);
			close_fds(passed);
			continue;
		}
		on_record(p, &m, passed);
	}
	if (events & (EPOLLHUP | EPOLLERR))
		boot_done(p);
}

/* The boot as a one-shot service with one end of a socket pair as its
 * fd 3; PID 1 reads the other end in its loop. */
static void start_boot(struct pid1 *p)
{
	char *argv[] = { "/proc/self/exe", "boot", "--config", (char *)p->config_path,
			 p->hotplug ? "--hotplug" : NULL, NULL };
	struct service *s;
	int sv[2];

	if (p->phase != PHASE_UP)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_err("boot: socketpair: %s; the lab is not started", strerror(errno));
		return;
	}
	if (!(s = sv_add(&p->sup, "boot", argv, SV_RESTART_NEVER, 5000)) ||
	    loop_add(&p->loop, sv[0], EPOLLIN, on_boot_records, p) < 0) {
		log_err("boot: cannot be started; the lab is not started");
		close(sv[0]);
		close(sv[1]);
		return;
	}
	p->boot_fd = sv[0];
	s->pass_fd = sv[1];
	p->boot_start_ms = loop_now_ms();
	sv_start(s);
	s->pass_fd = -1;
	close(sv[1]);
}

/* --- The modules service ----------------------------------------------- */

static void modules_wait_done(struct pid1 *p)
{
	if (p->modules_fd < 0)
		return;
	loop_timer_cancel(&p->loop, &p->modules_timer);
	loop_del(&p->loop, p->modules_fd);
	close(p->modules_fd);
	p->modules_fd = -1;
	start_boot(p);
}

static void on_modules_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l;
	(void)fd;
	(void)events;
	modules_wait_done(data);
}

static void on_modules_timeout(struct loop *l, struct loop_timer *t)
{
	(void)l;
	log_warn("modules: still loading after %d s; the boot goes on", MODULES_WAIT_MS / 1000);
	modules_wait_done(t->data);
}

/* The "modules" service (init/modules/hotplug.c) loads the boot's modules
 * — the network and the lab files need them — and writes a byte (or
 * closes the pipe) when it has. The boot starts then, or after
 * MODULES_WAIT_MS: a driver whose probe hangs delays the lab, it does not
 * stop it. PID 1's loop runs meanwhile. */
static void start_modules(struct pid1 *p)
{
	char *argv[] = { "/proc/self/exe", "modules", "--boot", NULL };
	struct service *s;
	int ready[2];

	if (!modules_boot_wanted() || pipe2(ready, O_CLOEXEC) < 0 ||
	    !(s = sv_add(&p->sup, "modules", argv, SV_RESTART_ALWAYS, 5000))) {
		start_boot(p);
		return;
	}
	s->pass_fd = ready[1];
	sv_start(s);
	s->pass_fd = -1; /* a restart finds the devices loaded: nobody waits */
	p->hotplug = true;
	close(ready[1]);
	p->modules_fd = ready[0];
	p->modules_timer.fn = on_modules_timeout;
	p->modules_timer.data = p;
	if (loop_add(&p->loop, ready[0], EPOLLIN, on_modules_ready, p) < 0) {
		modules_wait_done(p);
		return;
	}
	loop_timer_arm(&p->loop, &p->modules_timer, loop_now_ms() + MODULES_WAIT_MS);
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
	p->kernel_s = log_uptime();
	p->config_path = path;
	p->modules_fd = p->boot_fd = -1;
	early_boot();
	if (setup_loop(p) < 0)
		emergency_loop();
	/* the modules first: the lab files' 9p share needs 9p, the bridge its
	 * module; then the boot, which hands over the services in order */
	start_modules(p);
	for (;;)
		if (loop_run_once(&p->loop) < 0)
			emergency_loop();
}
