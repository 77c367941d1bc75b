/* labctl: the control client. Sends its arguments as one request to PID 1's
 * control socket and prints the reply. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "init/cmd/commands.h"
#include "init/control/control.h"

static int usage(void)
{
	fprintf(stderr, "usage: labctl [--socket PATH] COMMAND\n"
			"commands:\n"
			"  status                  the profile and every service's state\n"
			"  leases [--json]         the DHCP leases of the guests\n"
			"  guests [--json]         each guest: state, IP, uptime, restarts, gdb port, trouble\n"
			"  console NAME            a guest's serial console (ctrl-] detaches)\n"
			"  start|stop|restart NAME a service or a guest\n"
			"  poweroff | reboot       shut the lab host down\n");
	return 2;
}

static int join_args(int argc, char **argv, char *req, size_t size)
{
	size_t len = 0;

	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (len + n + 2 > size)
			return -E2BIG;
		memcpy(req + len, argv[i], n);
		len += n;
		req[len++] = ' ';
	}
	req[len ? len - 1 : 0] = '\0';
	return (int)(len ? len - 1 : 0);
}

static int request(const char *path, const char *req, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *reply = malloc(CTL_REPLY_MAX + 1);
	ssize_t n = -1;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (!reply || fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "labctl: cannot reach labinit at %s: %s\n", path, strerror(errno));
		free(reply);
		return 1;
	}
	if (send(fd, req, len, MSG_NOSIGNAL) < 0 || (n = recv(fd, reply, CTL_REPLY_MAX, 0)) <= 0) {
		fprintf(stderr, "labctl: no reply from labinit: %s\n", n == 0 ? "closed" : strerror(errno));
		close(fd);
		free(reply);
		return 1;
	}
	close(fd);
	reply[n] = '\0';
	if (!strncmp(reply, "ok\n", 3)) {
		int r = fputs(reply + 3, stdout) < 0 || fflush(stdout) != 0;

		free(reply);
		return r;
	}
	fprintf(stderr, "labctl: %s", reply);
	free(reply);
	return 1;
}

int labctl_main(int argc, char **argv)
{
	const char *path = CTL_SOCKET_PATH;
	char req[CTL_REQUEST_MAX];
	int i = 1, n;

	if (i + 1 < argc && !strcmp(argv[i], "--socket")) {
		path = argv[i + 1];
		i += 2;
	}
	if (i >= argc || !strcmp(argv[i], "help") || !strcmp(argv[i], "--help"))
		return usage();
	if (!strcmp(argv[i], "console"))
		return i + 2 == argc ? labctl_console(argv[i + 1]) : usage();
	if ((n = join_args(argc - i, argv + i, req, sizeof(req))) < 0) {
		fprintf(stderr, "labctl: request too long\n");
		return 2;
	}
	/* Once PID 1 has its services down it sends SIGTERM to every process
	 * left, this one included, then SIGKILL 2 s later: without this a
	 * busy host could end labctl before it prints the reply it already
	 * has. SIGHUP likewise, for a shell that ends first; if its tty is
	 * hung up the print fails (EIO) and the exit status says so. */
	if (!strcmp(argv[i], "poweroff") || !strcmp(argv[i], "reboot")) {
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
	}
	return request(path, req, (size_t)n);
}
