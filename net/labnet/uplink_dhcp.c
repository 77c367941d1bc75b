/* The uplink's DHCP client when `labinit up` runs on a host: a background
 * `labinit dhcpc` process, as dhclient forks after its first lease. `up`
 * waits for that lease (or gives up waiting, leaving the client trying);
 * `down` stops it, and it releases its lease. Under PID 1 the same client
 * is a supervised service instead. */
#include "net/labnet/labnet_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/dhcpc/dhcpc.h"

#define LEASE_WAIT_MS 30000

static pid_t read_pidfile(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	long pid;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 1 && kill((pid_t)pid, 0) == 0 ? (pid_t)pid : 0;
}

static void write_pidfile(const char *path, pid_t pid)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	(void)!write(fd, buf, strlen(buf));
	close(fd);
}

static void child(const struct labnet_config *p, int ready)
{
	char log[128];
	int fd;

	setsid();
	snprintf(log, sizeof(log), "%s/dhcpc.%s.log", DHCPC_RESOLV_DIR, p->uplink_ifname);
	fd = open("/dev/null", O_RDONLY);
	dup2(fd, 0);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	dup2(fd, 1);
	dup2(fd, 2);
	dup2(ready, 3);
	execl("/proc/self/exe", "labinit", "dhcpc", p->uplink_ifname, "--hostname", p->hostname, "--ready-fd", "3",
	      (char *)NULL);
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

int labnet_dhcp_start(const struct labnet_config *p)
{
	char path[160];
	int fds[2], r;
	pid_t pid;

	mkdir(DHCPC_RESOLV_DIR, 0755);
	dhcpc_pidfile_path(p->uplink_ifname, path, sizeof(path));
	if ((pid = read_pidfile(path))) {
		log_info("uplink %s: DHCP client already running (pid %d)", p->uplink_ifname, (int)pid);
		return 0;
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	if ((pid = fork()) == 0) {
		close(fds[0]);
		child(p, fds[1]);
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
		log_warn("uplink %s: no DHCP lease within %d s; the client (pid %d) keeps trying", p->uplink_ifname,
			 LEASE_WAIT_MS / 1000, (int)pid);
	else if (r < 0)
		log_err("uplink %s: the DHCP client exited; see %s/dhcpc.%s.log", p->uplink_ifname,
			DHCPC_RESOLV_DIR, p->uplink_ifname);
	else
		log_info("uplink %s: DHCP lease bound (client pid %d)", p->uplink_ifname, (int)pid);
	return r == -ETIMEDOUT ? 0 : r;
}

void labnet_dhcp_stop(const struct labnet_config *p)
{
	char path[160];
	pid_t pid;

	dhcpc_pidfile_path(p->uplink_ifname, path, sizeof(path));
	if (!(pid = read_pidfile(path))) {
		unlink(path);
		return;
	}
	kill(pid, SIGTERM); /* it releases the lease and removes the address */
	for (int i = 0; i < 30 && kill(pid, 0) == 0; i++)
		usleep(100000);
	unlink(path);
	log_info("uplink %s: DHCP client (pid %d) stopped", p->uplink_ifname, (int)pid);
}
