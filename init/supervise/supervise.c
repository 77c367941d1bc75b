/* Service processes: spawn, exec report, exit, timers. The decisions are in
 * sv_table.c; this file carries out the actions. */
#include "init/supervise/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/log.h"

/* A run this long resets the backoff streak: it was not a crash loop. */
#define SV_STABLE_MS 10000

static void sv_dispatch(struct service *s, enum sv_event e);

void sv_init(struct supervisor *sup, struct loop *loop)
{
	memset(sup, 0, sizeof(*sup));
	sup->loop = loop;
}

struct service *sv_add(struct supervisor *sup, const char *name, char *const argv[],
		       enum sv_policy policy, unsigned stop_timeout_ms)
{
	struct service *s;
	unsigned i;

	if (sup->n == SV_MAX || sv_find(sup, name))
		return NULL;
	s = &sup->sv[sup->n];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	for (i = 0; argv[i]; i++)
		if (i == SV_MAX_ARGS || !(s->argv[i] = strdup(argv[i]))) {
			/* never run a command cut short */
			while (i-- > 0)
				free(s->argv[i]);
			return NULL;
		}
	s->policy = policy;
	s->stop_timeout_ms = stop_timeout_ms;
	s->exec_fd = -1;
	s->console_fd = -1;
	s->last_status = -1;
	s->stop_signal = SIGTERM;
	s->pass_fd = -1;
	s->sup = sup;
	s->timer.data = s;
	sup->n++;
	return s;
}

struct service *sv_find(struct supervisor *sup, const char *name)
{
	for (unsigned i = 0; i < sup->n; i++)
		if (!strcmp(sup->sv[i].name, name))
			return &sup->sv[i];
	return NULL;
}

/* The new session's controlling terminal on 0..2. Opened here, after
 * setsid(), so that the hang-up when this session ends (disassociate_ctty,
 * drivers/tty/tty_jobctrl.c) reaches only this session's files, never PID
 * 1's console opened through /dev/console. */
static int child_tty(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return -1;
	ioctl(fd, TIOCSCTTY, 1);
	for (int i = 0; i <= 2; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
	return 0;
}

/* In the child: becomes c's user for good (see struct sv_creds). Leaving
 * uid 0 empties the capability sets unless PR_SET_KEEPCAPS holds them for
 * the capset that keeps just c->ambient; an ambient capability survives
 * exec of an ordinary binary (capabilities(7)), which is how a service
 * that is not root can still bind port 445. -1 with errno set. */
static int child_creds(const struct sv_creds *c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (!c->uid)
		return 0;
	if (c->ambient && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -1;
	if (setgroups(c->ngroups, c->groups) < 0 || setresgid(c->gid, c->gid, c->gid) < 0 ||
	    setresuid(c->uid, c->uid, c->uid) < 0)
		return -1;
	if (c->ambient) {
		memset(d, 0, sizeof(d));
		d[0].permitted = d[0].effective = d[0].inheritable = (uint32_t)c->ambient;
		d[1].permitted = d[1].effective = d[1].inheritable = (uint32_t)(c->ambient >> 32);
		if (syscall(SYS_capset, &h, d) < 0)
			return -1;
		for (unsigned cap = 0; cap < 64; cap++)
			if ((c->ambient >> cap & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
				return -1;
	}
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* In the child, between fork and exec: undo what PID 1 set for itself. */
/* In the child: pass_fd as fd 3, more_fds as 4, 5, ... Each goes to a
 * number above all of them first, so none is overwritten before it is
 * moved; dup2 leaves the copies without close-on-exec. */
static int pass_fds(const struct service *s)
{
	int src[1 + SV_MAX_MORE_FDS], n = 0;

	if (s->pass_fd < 0)
		return 0;
	src[n++] = s->pass_fd;
	for (unsigned i = 0; i < s->nmore; i++)
		src[n++] = s->more_fds[i];
	for (int i = 0; i < n; i++)
		if ((src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 3 + 1 + SV_MAX_MORE_FDS + 8)) < 0)
			return -1;
	for (int i = 0; i < n; i++)
		if (dup2(src[i], 3 + i) < 0)
			return -1;
	return 0;
}

static void child_exec(struct service *s, int report_fd)
{
	sigset_t all;
	int err;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	setsid();
	if (s->tty[0] && child_tty(s->tty) < 0) {
		err = errno;
		(void)!write(report_fd, &err, sizeof(err));
		_exit(127);
	}
	if (s->console_fd > 0) {
		dup2(s->console_fd, 0);
		dup2(s->console_fd, 1);
		dup2(s->console_fd, 2);
	}
	if (s->console_fd >= 0)
		ioctl(0, TIOCSCTTY, 1);
	/* dup2 clears close-on-exec on fd 3, but does nothing when it is fd 3 */
	if (pass_fds(s) < 0)
		_exit(127);
	if (chdir("/") < 0) {
		/* keep going: the service may not care */
	}
	if (child_creds(&s->creds) < 0) {
		err = errno;
		(void)!write(report_fd, &err, sizeof(err));
		_exit(127);
	}
	execv(s->argv[0], s->argv);
	err = errno;
	(void)!write(report_fd, &err, sizeof(err));
	_exit(127);
}

static void on_exec_report(struct loop *l, int fd, uint32_t events, void *data);

static int spawn(struct service *s)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		child_exec(s, fds[1]);
	}
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	s->pid = pid;
	s->exec_fd = fds[0];
	s->exec_errno = 0;
	s->started_ms = loop_now_ms();
	loop_add(s->sup->loop, fds[0], EPOLLIN, on_exec_report, s);
	log_info("service %s: started (pid %d)", s->name, (int)pid);
	return 0;
}

/* Reads the exec report: 0 on EOF (exec succeeded), the errno exec failed
 * with, or -EAGAIN if the child has not got that far. */
static int read_exec_report(struct service *s)
{
	int err = 0;
	ssize_t n = read(s->exec_fd, &err, sizeof(err));

	if (n < 0 && errno == EAGAIN)
		return -EAGAIN;
	loop_del(s->sup->loop, s->exec_fd);
	close(s->exec_fd);
	s->exec_fd = -1;
	return n == (ssize_t)sizeof(err) ? err : 0;
}

static void report_exec(struct service *s, int err)
{
	s->exec_errno = err;
	sv_dispatch(s, err ? SV_EV_EXEC_FAILED : SV_EV_EXEC_OK);
}

static void on_exec_report(struct loop *l, int fd, uint32_t events, void *data)
{
	struct service *s = data;
	int err;

	(void)l;
	(void)fd;
	(void)events;
	if ((err = read_exec_report(s)) != -EAGAIN)
		report_exec(s, err);
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	(void)l;
	sv_dispatch(t->data, SV_EV_TIMER);
}

static void signal_service(struct service *s, int sig)
{
	/* The service leads its own session: signal its whole process group so
	 * a shell script's children go too. */
	if (s->pid > 0 && kill(-s->pid, sig) < 0)
		kill(s->pid, sig);
}

static void arm(struct service *s, unsigned ms)
{
	s->timer.fn = on_timer;
	loop_timer_arm(s->sup->loop, &s->timer, loop_now_ms() + ms);
}

static void do_backoff(struct service *s)
{
	unsigned ms;

	if (loop_now_ms() - s->started_ms >= SV_STABLE_MS)
		s->streak = 0;
	ms = sv_backoff_ms(s->streak++);
	s->restarts++;
	log_info("service %s: restart in %u.%u s", s->name, ms / 1000, ms % 1000 / 100);
	arm(s, ms);
}

static void do_spawn(struct service *s)
{
	int r = spawn(s);

	if (r < 0) {
		log_err("service %s: fork: %s", s->name, strerror(-r));
		s->state = SV_BACKOFF;
		do_backoff(s);
	}
}

static void report_failure(struct service *s)
{
	if (s->exec_errno)
		log_err("service %s: cannot run %s: %s; not restarted (labctl start %s retries)",
			s->name, s->argv[0], strerror(s->exec_errno), s->name);
	else if (WIFSIGNALED(s->last_status))
		log_warn("service %s: killed by signal %d", s->name, WTERMSIG(s->last_status));
	else if (WIFEXITED(s->last_status))
		log_warn("service %s: exited with status %d", s->name, WEXITSTATUS(s->last_status));
}

static void sv_dispatch(struct service *s, enum sv_event e)
{
	enum sv_state before = s->state;
	struct sv_transition t = sv_step(s->state, e, s->policy);

	s->state = t.next;
	if (t.actions & SV_ACT_REPORT)
		report_failure(s);
	if (t.actions & SV_ACT_CANCEL_TIMER)
		loop_timer_cancel(s->sup->loop, &s->timer);
	if (t.actions & SV_ACT_TERM) {
		if (s->stop_fn)
			s->stop_fn(s);
		else
			signal_service(s, s->stop_signal);
		arm(s, s->stop_timeout_ms);
	}
	if (t.actions & SV_ACT_KILL) {
		log_warn("service %s: no exit %u ms after %s, sending SIGKILL", s->name, s->stop_timeout_ms,
			 s->stop_fn ? "its stop request" : s->stop_signal == SIGHUP ? "SIGHUP" : "SIGTERM");
		signal_service(s, SIGKILL);
	}
	if (t.actions & SV_ACT_BACKOFF)
		do_backoff(s);
	if (t.actions & SV_ACT_SPAWN)
		do_spawn(s);
	if (s->state != before && s->sup->on_change)
		s->sup->on_change(s->sup, s);
	if (s->state == SV_DOWN && s->restart_pending) {
		s->restart_pending = false;
		sv_dispatch(s, SV_EV_START);
	}
}

void sv_start(struct service *s)
{
	sv_dispatch(s, SV_EV_START);
}

void sv_stop(struct service *s)
{
	s->restart_pending = false; /* a later stop overrides an earlier restart */
	sv_dispatch(s, SV_EV_STOP);
}

void sv_restart(struct service *s)
{
	if (s->state == SV_DOWN || s->state == SV_FAILED) {
		sv_dispatch(s, SV_EV_START);
		return;
	}
	s->streak = 0;
	sv_dispatch(s, SV_EV_STOP);
	s->restart_pending = s->state != SV_DOWN;
	if (s->state == SV_DOWN)
		sv_dispatch(s, SV_EV_START);
}

int sv_child_exited(struct supervisor *sup, pid_t pid, int status)
{
	for (unsigned i = 0; i < sup->n; i++) {
		struct service *s = &sup->sv[i];
		bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;

		if (s->pid != pid)
			continue;
		s->pid = 0;
		s->last_status = status;
		/* The group outlives its leader while members are left, and its
		 * id is not handed out again meanwhile: this reaches only them. */
		if (s->kill_group_on_exit)
			kill(-pid, SIGKILL);
		/* The exit may be reaped before the pipe event is read. */
		if (s->exec_fd >= 0) {
			int err = read_exec_report(s);

			report_exec(s, err == -EAGAIN ? 0 : err);
		}
		if (s->state == SV_STOPPING)
			log_info("service %s: stopped (%s %d)", s->name, WIFSIGNALED(status) ? "signal" : "exit",
				 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		if (s->state != SV_FAILED && s->state != SV_DOWN)
			sv_dispatch(s, clean ? SV_EV_EXIT_CLEAN : SV_EV_EXIT_FAIL);
		return 1;
	}
	return 0;
}

struct service *sv_last_up(struct supervisor *sup)
{
	for (unsigned i = sup->n; i-- > 0;)
		if (sup->sv[i].state != SV_DOWN && sup->sv[i].state != SV_FAILED)
			return &sup->sv[i];
	return NULL;
}

void sv_kill_all(struct supervisor *sup)
{
	for (unsigned i = 0; i < sup->n; i++) {
		struct service *s = &sup->sv[i];

		/* Wanted down for good: no respawn, no pending timer. */
		loop_timer_cancel(sup->loop, &s->timer);
		s->restart_pending = false;
		s->state = s->pid > 0 ? SV_STOPPING : SV_DOWN;
		signal_service(s, SIGKILL);
	}
}

static void format_last(const struct service *s, char *buf, size_t size)
{
	if (s->exec_errno)
		snprintf(buf, size, "exec: %s", strerror(s->exec_errno));
	else if (s->last_status < 0)
		snprintf(buf, size, "-");
	else if (WIFSIGNALED(s->last_status))
		snprintf(buf, size, "signal %d", WTERMSIG(s->last_status));
	else
		snprintf(buf, size, "exit %d", WEXITSTATUS(s->last_status));
}

size_t sv_format_status(struct supervisor *sup, char *buf, size_t size)
{
	uint64_t now = loop_now_ms();
	size_t len = 0;
	int n;

	n = snprintf(buf, size, "%-16s %-9s %7s %9s %8s  %s\n", "SERVICE", "STATE", "PID", "UPTIME",
		     "RESTARTS", "LAST EXIT");
	len = n > 0 ? (size_t)n : 0;
	for (unsigned i = 0; i < sup->n && len < size; i++) {
		const struct service *s = &sup->sv[i];
		char pid[16] = "-", up[24] = "-", last[64];

		if (s->pid > 0)
			snprintf(pid, sizeof(pid), "%d", (int)s->pid);
		if (s->state == SV_RUNNING)
			snprintf(up, sizeof(up), "%.1fs", (double)(now - s->started_ms) / 1000.0);
		format_last(s, last, sizeof(last));
		n = snprintf(buf + len, size - len, "%-16s %-9s %7s %9s %8u  %s\n", s->name,
			     sv_state_name(s->state), pid, up, s->restarts, last);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return len < size ? len : size - 1;
}
