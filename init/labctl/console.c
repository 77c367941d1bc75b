/* `labctl console NAME`: the guest's serial console on this terminal.
 * QEMU serves it on a unix socket; we relay both ways with the terminal
 * in raw mode until ctrl-] (as telnet and virsh console). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "guests/guest.h"
#include "init/cmd/commands.h"

#define DETACH 0x1d /* ctrl-] */

static int connect_console(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strchr(name, '/') || snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/console.sock", GUEST_RUN_DIR, name) >=
					 (int)sizeof(sa.sun_path))
		return -EINVAL;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* Copies what is readable on from to to; returns 0, 1 on detach, -1 at EOF. */
static int pump(int from, int to, bool watch_detach)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0)
		return -1;
	if (watch_detach) {
		char *d = memchr(buf, DETACH, (size_t)n);

		if (d) {
			n = d - buf;
			if (n > 0)
				(void)!write(to, buf, (size_t)n);
			return 1;
		}
	}
	return write(to, buf, (size_t)n) == n ? 0 : -1;
}

static int relay(int sock)
{
	struct pollfd fds[2] = { { STDIN_FILENO, POLLIN, 0 }, { sock, POLLIN, 0 } };

	for (;;) {
		int r;

		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (fds[0].revents & (POLLIN | POLLHUP) && (r = pump(STDIN_FILENO, sock, true)) != 0)
			return r > 0 ? 0 : 0;
		if (fds[1].revents & (POLLIN | POLLHUP) && pump(sock, STDOUT_FILENO, false) < 0) {
			fprintf(stderr, "\r\nlabctl: the console closed (guest stopped?)\r\n");
			return 1;
		}
	}
}

int labctl_console(const char *name)
{
	struct termios saved, raw;
	bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
	int fd = connect_console(name), r;

	if (fd < 0) {
		fprintf(stderr, "labctl: no console for guest \"%s\": %s (is it running?)\n", name, strerror(-fd));
		return 1;
	}
	fprintf(stderr, "labctl: connected to %s's console; ctrl-] detaches\r\n", name);
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	r = relay(fd);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(fd);
	fprintf(stderr, "\nlabctl: detached from %s\n", name);
	return r;
}
