/* QMP, QEMU's control protocol, as far as the lab needs it: an ACPI
 * power-down. QEMU drops what a client sent once it sees the client hang
 * up, so the exchange is a real conversation: greeting, capabilities,
 * powerdown, each answered. */
#include "guests/qemu/qmp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

/* Reads until want appears in what QEMU sent (the buffer keeps the tail). */
static int expect(int fd, const char *want)
{
	char buf[4096];
	size_t len = 0;

	for (;;) {
		ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, want))
			return 0;
		if (len > sizeof(buf) / 2) { /* keep the tail: want may straddle */
			memmove(buf, buf + len - 64, 64);
			len = 64;
		}
	}
}

static int command(int fd, const char *cmd)
{
	size_t n = strlen(cmd);

	if (send(fd, cmd, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -errno;
	return expect(fd, "\"return\"");
}

int qmp_powerdown(const char *run_dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	int fd, r;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/qmp.sock", run_dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = -errno;
	else if ((r = expect(fd, "\"QMP\"")) == 0 &&
		 (r = command(fd, "{\"execute\":\"qmp_capabilities\"}\n")) == 0)
		r = command(fd, "{\"execute\":\"system_powerdown\"}\n");
	close(fd);
	return r;
}
