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
#include "init/labctl/labctl_priv.h"

static int usage(void)
{
	fprintf(stderr, "usage: labctl [--socket PATH] COMMAND\n"
			"       labctl --lab SOCKET [--lab-timeout S] [--lab-wait S] COMMAND   (from the workstation:\n"
			"                          COMMAND on the appliance make run serves on SOCKET, build/lab.sock)\n"
			"commands:\n"
			"  status                  the profile and every service's state\n"
			"  leases [--json]         the DHCP leases of the guests\n"
			"  guests [--json]         each guest: state, IP, uptime, restarts, gdb port, crashes, trouble\n"
			"  crashes [GUEST] [--json]  the crash reports found in the guests' consoles\n"
			"  run GUEST [--timeout S] [--boot-timeout S] [--cwd DIR] [--json] -- CMD [ARGS...]\n"
			"                          CMD in the guest through its agent, with its exit status (run --help)\n"
			"  dump GUEST [--out FILE] [--timeout S]  the guest's memory (kdump) into the debug share\n"
			"  console NAME            a guest's serial console (ctrl-] detaches)\n"
			"  networks [--json]       each network: mode, bridge, addresses, ports and their impairments\n"
			"  impair GUEST[:NIC] [SPEC|off]  netem on a guest's NIC (delay=20ms,jitter=5ms,loss=1%%,...)\n"
			"  capture NET|GUEST[:NIC] [--count N] [--seconds S]  a pcap file in the debug share\n"
			"  start|stop|restart NAME a service or a guest\n"
			"  reset GUEST [--boot-timeout S]  a clean guest for the next test: with\n"
			"                          CONFIG_GUESTn_RESET=snapshot the state saved when it was first\n"
			"                          ready is loaded back (no boot); otherwise it is restarted\n"
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

int labctl_call(const char *path, const char *req, char **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *reply = malloc(CTL_REPLY_MAX + 1);
	ssize_t n = -1;
	int fd;

	*out = NULL;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (!reply || fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "labctl: cannot reach labinit at %s: %s\n", path, strerror(errno));
		free(reply);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0 || (n = recv(fd, reply, CTL_REPLY_MAX, 0)) <= 0) {
		fprintf(stderr, "labctl: no reply from labinit: %s\n", n == 0 ? "closed" : strerror(errno));
		close(fd);
		free(reply);
		return 1;
	}
	close(fd);
	reply[n] = '\0';
	if (strncmp(reply, "ok\n", 3)) {
		fprintf(stderr, "labctl: %s", reply);
		free(reply);
		return 1;
	}
	memmove(reply, reply + 3, (size_t)n - 2);
	*out = reply;
	return 0;
}

static int request(const char *path, const char *req)
{
	char *reply;
	int r;

	if (labctl_call(path, req, &reply))
		return 1;
	r = fputs(reply, stdout) < 0 || fflush(stdout) != 0;
	free(reply);
	return r;
}

/* `guests` and `leases` are answered here, from PID 1's "lab" facts and
 * the files they name: PID 1 does not read what guests write. */
static int local_view(const char *path, int argc, char **argv)
{
	bool json = argc == 2 && !strcmp(argv[1], "--json");

	if (argc > 2 || (argc == 2 && !json))
		return usage();
	return !strcmp(argv[0], "guests") ? labctl_guests(path, json) : labctl_leases(path, json);
}

int labctl_main(int argc, char **argv)
{
	const char *path = CTL_SOCKET_PATH;
	char req[CTL_REQUEST_MAX];
	int i = 1;

	if (i < argc && !strncmp(argv[i], "--lab", 5))
		return labctl_remote(argc, argv);
	if (i + 1 < argc && !strcmp(argv[i], "--socket")) {
		path = argv[i + 1];
		i += 2;
	}
	if (i >= argc || !strcmp(argv[i], "help") || !strcmp(argv[i], "--help"))
		return usage();
	if (!strcmp(argv[i], "console"))
		return i + 2 == argc ? labctl_console(argv[i + 1]) : usage();
	if (!strcmp(argv[i], "run"))
		return labctl_run(path, argc - i, argv + i);
	if (!strcmp(argv[i], "guests") || !strcmp(argv[i], "leases"))
		return local_view(path, argc - i, argv + i);
	if (!strcmp(argv[i], "networks"))
		return labctl_networks(path, argc - i, argv + i);
	if (!strcmp(argv[i], "crashes"))
		return labctl_crashes(path, argc - i, argv + i);
	if (!strcmp(argv[i], "reset"))
		return labctl_reset(path, argc - i, argv + i);
	if (!strcmp(argv[i], "dump"))
		return labctl_dump(path, argc - i, argv + i);
	if (!strcmp(argv[i], "impair"))
		return labctl_impair(path, argc - i, argv + i);
	if (!strcmp(argv[i], "capture"))
		return labctl_capture(path, argc - i, argv + i);
	if (join_args(argc - i, argv + i, req, sizeof(req)) < 0) {
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
	return request(path, req);
}
