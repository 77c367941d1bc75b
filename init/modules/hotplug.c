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
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/log.h"
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

int modules_boot_service(void)
{
	int fd = uevent_socket();
	struct modload *ml;

	log_set_prefix("labinit-modules");
	if (fd < 0)
		log_warn("modules: uevent socket: %s; no hotplug", strerror(-fd));
	ml = modules_open_running();
	if (ml)
		modules_load_all(ml);
	notify_ready();
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
