/* PID 1's "modules" service (`labinit modules --boot`): loads the boot's
 * modules, tells PID 1 it is done, then stays to load the drivers of
 * devices that appear later — USB keyboards and sticks behind a host
 * controller loaded a moment before, disks behind usb-storage's settle
 * delay — from the kernel's uevents, as udev's kmod builtin does. It runs
 * outside PID 1 because finit_module() waits for a driver's probe, which
 * can hang on bad hardware, and a service can be killed and restarted. */
#include "init/modules/modules.h"

#include <errno.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/core/readfile.h"
#include "init/modules/uevent.h"

#define READY_FD 3
#define UEVENT_RCVBUF (4 << 20) /* a USB hub with many ports sends bursts */

/* Listening starts before the coldplug scan, so a device appearing between
 * the scan and the first recv is not missed (udev's order too). */
static int uevent_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 /* the kernel's events */ };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT), size = UEVENT_RCVBUF;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* PID 1 waits on a pipe given as fd 3 at the first start only; a restart
 * has no fd 3, or not a pipe. */
static void notify_ready(void)
{
	struct stat st;

	if (fstat(READY_FD, &st) < 0 || !S_ISFIFO(st.st_mode))
		return;
	(void)!write(READY_FD, "\n", 1);
	close(READY_FD);
}

static void on_uevent(struct modload *ml, const char *buf, size_t len)
{
	struct uevent ev;
	char names[700];
	int r = uevent_parse(buf, len, &ev);

	if (r < 0) {
		log_debug("modules: hotplug: a uevent of %zu bytes skipped: %s", len, strerror(-r));
		return;
	}
	if (strcmp(ev.action, "add") || !ev.modalias[0])
		return;
	if (modules_device_added(ml, ev.modalias, names, sizeof(names)) > 0)
		log_info("modules: hotplug %s %s: loaded %s", ev.subsystem, ev.modalias, names);
}

/* One datagram: only the kernel's (port id 0), as udev checks too. */
static int receive(int fd, struct modload *ml)
{
	char buf[8192];
	struct sockaddr_nl from;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(fd, &msg, 0);

	if (n < 0)
		return -errno;
	if (from.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC))
		return 0;
	on_uevent(ml, buf, (size_t)n);
	return 0;
}

static void hotplug_loop(int fd, struct modload *ml)
{
	for (;;) {
		int r = receive(fd, ml);

		if (r == -ENOBUFS) {
			/* The socket overflowed: events are lost; scan everything. */
			log_warn("modules: hotplug: uevents lost (ENOBUFS); scanning the devices again");
			modules_rescan(ml);
		} else if (r < 0 && r != -EINTR) {
			log_err("modules: hotplug: recv: %s", strerror(-r));
			return;
		}
	}
}

/* labinit_modules=all on the kernel's command line: every module before
 * the boot starts, not only those it needs to start (KVM, ext4, VXLAN...
 * after): for a boot that needs one labinit does not expect, and to
 * measure what loading them later saves (tests/bench/appliance_boot.sh). */
static bool all_first(void)
{
	static int v = -1;
	char buf[4096];
	const char *c;

	if (v < 0) {
		c = read_kernel_cmdline(buf, sizeof(buf));
		v = 0;
		for (const char *p = c; p && (p = strstr(p, "labinit_modules=all")); p++)
			if ((p == c || p[-1] == ' ') && (p[19] == '\0' || p[19] == ' '))
				v = 1;
	}
	return v == 1;
}

/* The rest of the modules load once the lab is ready (PID 1 sends SIGUSR1,
 * init/pid1/pid1.c) or after LATER_WAIT_S: under TCG every load stops all
 * the emulated CPUs, and loading them while the boot ran made the boot
 * slower by as much as they took. What the boot needs of them it loads
 * itself (modules_ensure). */
#define LATER_WAIT_S 30

static void wait_for_lab_ready(void)
{
	struct timespec ts = { LATER_WAIT_S, 0 };
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	while (sigtimedwait(&usr1, NULL, &ts) < 0 && errno == EINTR)
		;
}

int modules_boot_service(void)
{
	int fd = uevent_socket();
	struct modload *ml;
	sigset_t usr1;

	/* before the readiness byte: PID 1 signals only after it */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	log_set_prefix("labinit-modules");
	if (fd < 0)
		log_warn("modules: uevent socket: %s; no hotplug", strerror(-fd));
	ml = modules_open_running();
	if (ml)
		modules_load_all(ml);
	if (ml && all_first()) /* the boot waits for every module, as before */
		modules_load_later(ml);
	notify_ready();
	if (ml && !all_first()) {
		wait_for_lab_ready();
		modules_load_later(ml);
	}
	if (!ml || fd < 0) {
		/* Nothing more to do; sleeping keeps the supervisor from
		 * restarting it over and over. */
		for (;;)
			pause();
	}
	hotplug_loop(fd, ml);
	modules_close(ml);
	close(fd);
	return 1;
}
