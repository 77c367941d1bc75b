/* The workers' frame; see daemon.h. */
#include "lib/core/daemon.h"

#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void stop_signals(sigset_t *s)
{
	sigemptyset(s);
	sigaddset(s, SIGTERM);
	sigaddset(s, SIGINT);
}

static void on_signal(struct loop *l, int fd, uint32_t events, void *data)
{
	struct daemon *d = data;
	struct signalfd_siginfo si;

	(void)l;
	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGTERM && si.ssi_signo != SIGINT)
			continue;
		if (d->on_stop)
			d->on_stop(d);
		d->stopping = true;
	}
}

int daemon_init(struct daemon *d)
{
	sigset_t sigs;
	int r;

	d->sigfd = -1;
	d->stopping = false;
	stop_signals(&sigs);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) < 0)
		return -errno;
	if ((r = loop_init(&d->loop)) < 0)
		return r;
	if ((d->sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return -errno;
	return loop_add(&d->loop, d->sigfd, EPOLLIN, on_signal, d);
}

int daemon_run(struct daemon *d)
{
	while (!d->stopping) {
		int r = loop_run_once(&d->loop);

		if (r < 0)
			return r;
	}
	return 0;
}

void daemon_close(struct daemon *d)
{
	if (d->sigfd >= 0)
		close(d->sigfd);
	d->sigfd = -1;
	if (d->loop.epfd > 0)
		loop_close(&d->loop);
}
