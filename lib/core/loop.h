/* One event loop per process: epoll over file descriptors plus one timerfd
 * that serves any number of one-shot timers. Handlers run to completion. */
#ifndef LAB_LOOP_H
#define LAB_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_MAX_TIMERS 64

struct loop;
typedef void (*loop_fd_fn)(struct loop *l, int fd, uint32_t events, void *data);

struct loop_timer {
	uint64_t when_ms;            /* CLOCK_MONOTONIC; 0: not armed */
	void (*fn)(struct loop *l, struct loop_timer *t);
	void *data;
};

struct loop_source;

struct loop {
	int epfd;
	struct loop_source *sources;
	int timerfd;
	struct loop_timer *timers[LOOP_MAX_TIMERS];
	unsigned ntimers;
};

int loop_init(struct loop *l);
void loop_close(struct loop *l);
int loop_add(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *data);
void loop_del(struct loop *l, int fd);
/* Waits for and dispatches one batch of events; -EINTR is not an error. */
int loop_run_once(struct loop *l);

uint64_t loop_now_ms(void);
/* Arms t to fire at when_ms (absolute); re-arming moves it. */
int loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t when_ms);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);

#endif
