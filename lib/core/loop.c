/* epoll + timerfd event loop. Each registered fd carries a small heap record
 * with its handler; timers are a short array scanned linearly (a process has
 * a handful). */
#include "lib/core/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* A registration. Removed sources are only marked dead, because the batch
 * being dispatched may still point at them; they are freed after it. */
struct loop_source {
	int fd;
	loop_fd_fn fn;
	void *data;
	bool dead;
	struct loop_source *next;
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sweep_dead(struct loop *l);

static void rearm_timerfd(struct loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t first = 0;

	for (unsigned i = 0; i < l->ntimers; i++)
		if (!first || l->timers[i]->when_ms < first)
			first = l->timers[i]->when_ms;
	if (first) {
		its.it_value.tv_sec = (time_t)(first / 1000);
		its.it_value.tv_nsec = (long)(first % 1000) * 1000000L;
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void on_timerfd(struct loop *l, int fd, uint32_t events, void *data)
{
	uint64_t now = loop_now_ms(), ticks;

	(void)events;
	(void)data;
	(void)!read(fd, &ticks, sizeof(ticks));
	for (unsigned i = 0; i < l->ntimers;) {
		struct loop_timer *t = l->timers[i];

		if (t->when_ms > now) {
			i++;
			continue;
		}
		loop_timer_cancel(l, t); /* the handler may re-arm it */
		t->fn(l, t);
		i = 0; /* the array may have changed */
	}
	rearm_timerfd(l);
}

int loop_init(struct loop *l)
{
	memset(l, 0, sizeof(*l));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->timerfd < 0)
		return -errno;
	return loop_add(l, l->timerfd, EPOLLIN, on_timerfd, NULL);
}

void loop_close(struct loop *l)
{
	for (struct loop_source *s = l->sources; s; s = s->next)
		s->dead = true;
	sweep_dead(l);
	close(l->timerfd);
	close(l->epfd);
}

int loop_add(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *data)
{
	struct loop_source *s = calloc(1, sizeof(*s));
	struct epoll_event ev = { .events = events };

	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->fn = fn;
	s->data = data;
	ev.data.ptr = s;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;

		free(s);
		return r;
	}
	s->next = l->sources;
	l->sources = s;
	return 0;
}

void loop_del(struct loop *l, int fd)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	for (struct loop_source *s = l->sources; s; s = s->next)
		if (s->fd == fd)
			s->dead = true;
}

static void sweep_dead(struct loop *l)
{
	struct loop_source **pp = &l->sources;

	while (*pp) {
		struct loop_source *s = *pp;

		if (s->dead) {
			*pp = s->next;
			free(s);
		} else {
			pp = &s->next;
		}
	}
}

int loop_run_once(struct loop *l)
{
	struct epoll_event batch[32];
	int n = epoll_wait(l->epfd, batch, (int)(sizeof(batch) / sizeof(batch[0])), -1);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		struct loop_source *s = batch[i].data.ptr;

		if (!s->dead)
			s->fn(l, s->fd, batch[i].events, s->data);
	}
	sweep_dead(l);
	return 0;
}

int loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t when_ms)
{
	loop_timer_cancel(l, t);
	if (l->ntimers == LOOP_MAX_TIMERS)
		return -ENOSPC;
	t->when_ms = when_ms ? when_ms : 1;
	l->timers[l->ntimers++] = t;
	rearm_timerfd(l);
	return 0;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	for (unsigned i = 0; i < l->ntimers; i++)
		if (l->timers[i] == t) {
			l->timers[i] = l->timers[--l->ntimers];
			break;
		}
	t->when_ms = 0;
}
