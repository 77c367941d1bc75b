/* The client in the background, for `labinit up` on a host where no
 * supervisor runs it: a `labinit dhcpc` process of its own session, as
 * dhclient forks after its first lease, found again through its pid file.
 * `up` waits for that lease (or gives up waiting, leaving the client
 * trying); `down` stops it, and it releases its lease. Under PID 1 the
 * same client is a supervised service instead. */
#include "net/dhcpc/dhcpc.h"

#include <stdlib.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/log.h"

#define LEASE_WAIT_MS 30000

/* The pid a pid file names, if that process is still this program: after
 * a crash and a reboot of the namespace the pid may be a stranger's. */
static pid_t read_pidfile(const char *path)
{
	char buf[32] = "", exe[64], self[4096], other[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	ssize_t a, b;
	long pid;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	if (pid <= 1 || kill((pid_t)pid, 0) < 0)
		return 0;
	snprintf(exe, sizeof(exe), "/proc/%ld/exe", pid);
	a = readlink("/proc/self/exe", self, sizeof(self) - 1);
	b = readlink(exe, other, sizeof(other) - 1);
	return a > 0 && a == b && !memcmp(self, other, (size_t)a) ? (pid_t)pid : 0;
}

static void write_pidfile(const char *path, pid_t pid)
{
	char buf[32];
	int fd;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0)
		return;
	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	(void)!write(fd, buf, strlen(buf));
	close(fd);
}

/* Its own session, stdin /dev/null, output to the log, the readiness pipe
 * as fd 3; nothing else of ours stays open across the exec. */
static void child(const char *ifname, const char *hostname, const struct ip4_prefix *lab, uid_t uid, int ready)
{
	char log[128], net[16], subnet[24], user[16];
	int fd;

	setsid();
	snprintf(log, sizeof(log), "%s/dhcpc.%s.log", DHCPC_DIR, ifname);
	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		dup2(fd, 0);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644)) >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	dup2(ready, 3);
	addr_format_ip4(lab->addr, net);
	snprintf(subnet, sizeof(subnet), "%s/%u", net, lab->len);
	snprintf(user, sizeof(user), "%u", (unsigned)uid);
	execl("/proc/self/exe", "labinit", "dhcpc", ifname, "--hostname", hostname, "--lab-subnet", subnet,
	      "--user", user, "--ready-fd", "3", (char *)NULL);
	_exit(127);
}

/* Waits for the client's first lease: 0, -ETIMEDOUT, or -ECHILD if it died. */
static int wait_ready(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char b;
	int n = poll(&pfd, 1, LEASE_WAIT_MS);

	if (n == 0)
		return -ETIMEDOUT;
	return read(fd, &b, 1) == 1 ? 0 : -ECHILD;
}

int dhcpc_start_background(const char *ifname, const char *hostname, const struct ip4_prefix *lab, uid_t uid)
{
	char path[160];
	int fds[2], r;
	pid_t pid;

	mkdir(PATH_RUN_DIR, 0755);
	mkdir(DHCPC_DIR, 0755);
	dhcpc_pidfile_path(ifname, path, sizeof(path));
	if ((pid = read_pidfile(path))) {
		log_info("uplink %s: DHCP client already running (pid %d)", ifname, (int)pid);
		return 0;
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	if ((pid = fork()) == 0) {
		close(fds[0]);
		child(ifname, hostname, lab, uid, fds[1]);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -errno;
	}
	write_pidfile(path, pid);
	r = wait_ready(fds[0]);
	close(fds[0]);
	if (r == -ETIMEDOUT)
		log_warn("uplink %s: no DHCP lease within %d s; the client (pid %d) keeps trying", ifname,
			 LEASE_WAIT_MS / 1000, (int)pid);
	else if (r < 0)
		log_err("uplink %s: the DHCP client exited; see %s/dhcpc.%s.log", ifname,
			DHCPC_DIR, ifname);
	else
		log_info("uplink %s: DHCP lease bound (client pid %d)", ifname, (int)pid);
	return r == -ETIMEDOUT ? 0 : r;
}

void dhcpc_stop_background(const char *ifname)
{
	char path[160];
	pid_t pid;

	dhcpc_pidfile_path(ifname, path, sizeof(path));
	if (!(pid = read_pidfile(path))) {
		unlink(path);
		return;
	}
	kill(pid, SIGTERM); /* it releases the lease and removes the address */
	for (int i = 0; i < 30 && kill(pid, 0) == 0; i++)
		usleep(100000);
	unlink(path);
	log_info("uplink %s: DHCP client (pid %d) stopped", ifname, (int)pid);
}
