/* sandbox_enter in a child process: afterwards it is the user it was
 * given, cannot become root again, keeps the calls of its allow-list
 * (a socket, a file written by rename) and gets EPERM for the rest
 * (execve, fork, mount, ptrace). As root only; otherwise only the filter
 * half is checked. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/sandbox.h"
#include "t.h"

#define UID 64999

static char dir[] = "/tmp/labinit-sandbox-XXXXXX";

static void child(bool root)
{
	char path[64], tmp[64];
	char *argv[] = { "/bin/true", NULL };
	int fd;

	if (sandbox_enter(&(struct sandbox){ "test", root ? UID : 0, root ? UID : 0, SANDBOX_NET_DAEMON, 0 }) < 0)
		_exit(10);
	if (root && (getuid() != UID || geteuid() != UID || getgid() != UID))
		_exit(11);
	if (root && (setuid(0) == 0 || errno != EPERM))
		_exit(12);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		_exit(13);
	close(fd);
	snprintf(path, sizeof(path), "%s/f", dir);
	snprintf(tmp, sizeof(tmp), "%s/f.tmp", dir);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 || write(fd, "x", 1) != 1 || fsync(fd) < 0 ||
	    close(fd) < 0 || rename(tmp, path) < 0)
		_exit(14);
	execve(argv[0], argv, NULL);
	if (errno != EPERM)
		_exit(15);
	if (syscall(SYS_fork) >= 0 || errno != EPERM)
		_exit(16);
	if (mount("none", dir, "tmpfs", 0, NULL) == 0 || errno != EPERM)
		_exit(17);
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 || errno != EPERM)
		_exit(18);
	_exit(0);
}

/* The capabilities a process has in effect, from /proc/self/status. */
static unsigned long long cap_eff(void)
{
	char line[128];
	unsigned long long v = ~0ull;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* keep_caps and SANDBOX_NO_NEW_SOCKETS: the uplink client's case,
 * CAP_NET_ADMIN (12) and nothing else, no socket opened after. */
static void child_keep(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (sandbox_enter(&(struct sandbox){ "test", UID, UID, SANDBOX_NO_NEW_SOCKETS, 1ull << 12 }) < 0)
		_exit(20);
	if (geteuid() != UID)
		_exit(21);
	if (cap_eff() != 1ull << 12)
		_exit(22);
	/* sockets opened before keep working; no new one (nfnetlink) */
	if (fd < 0 || (send(fd, "", 0, 0) < 0 && errno != EDESTADDRREQ))
		_exit(23);
	if (socket(AF_NETLINK, SOCK_RAW, 12 /* NETLINK_NETFILTER */) >= 0 || errno != EPERM)
		_exit(24);
	_exit(0);
}

int main(void)
{
	bool root = geteuid() == 0;
	int status = 0;
	pid_t pid;

	CHECK(mkdtemp(dir) != NULL);
	if (root)
		CHECK(chown(dir, UID, UID) == 0);
	pid = fork();
	if (pid == 0)
		child(root);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the sandboxed child ended with status %#x", status);
	if (root) {
		pid = fork();
		if (pid == 0)
			child_keep();
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child keeping CAP_NET_ADMIN ended with %#x",
			  status);
	}
	if (root) {
		struct stat st;
		char path[64];

		snprintf(path, sizeof(path), "%s/f", dir);
		CHECK(stat(path, &st) == 0 && st.st_uid == UID);
	}
	{
		char cmd[96];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	return T_DONE();
}
