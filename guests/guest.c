/* Preparing a guest's QEMU, and stopping it through QMP (from a child of
 * PID 1: the QMP conversation blocks). */
#include "guests/guest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/core/paths.h"
#include "net/netlink/tap.h"

const char *guest_qemu_binary(void)
{
	static const char *const candidates[] = { "/usr/bin/qemu-system-x86_64", "/usr/local/bin/qemu-system-x86_64",
						  "/bin/qemu-system-x86_64", NULL };

	for (int i = 0; candidates[i]; i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return NULL;
}

static enum disk_format disk_format_of(const char *path)
{
	unsigned char magic[4] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		(void)!read(fd, magic, sizeof(magic));
		close(fd);
	}
	return memcmp(magic, "QFI\xfb", 4) == 0 ? DISK_QCOW2 : DISK_RAW;
}

static int make_run_dir(const char *name, char *dir, size_t size)
{
	mkdir(PATH_RUN_DIR, 0755);
	mkdir(GUEST_RUN_DIR, 0755);
	snprintf(dir, size, "%s/%s", GUEST_RUN_DIR, name);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The share seen by this guest: the whole directory, or its own
 * subdirectory with CONFIG_SHARE_PER_GUEST. */
static const char *share_for(const struct profile *p, const struct guest_cfg *g, char *buf, size_t size)
{
	if (!p->share_9p)
		return NULL;
	mkdir(p->share_dir, 0755);
	if (!p->share_per_guest)
		return p->share_dir;
	snprintf(buf, size, "%s/%s", p->share_dir, g->name);
	mkdir(buf, 0755);
	return buf;
}

int guest_prepare(const struct profile *p, const struct guest_cfg *g, enum qemu_accel accel,
		  struct guest_service *out, char *why, size_t size)
{
	struct qemu_env env = { guest_qemu_binary(), accel, 3, out->run_dir, NULL, p->share_9p_tag, DISK_RAW };
	char share[4096];
	int r;

	out->tap_fd = -1;
	out->cfg = g;
	if (!env.qemu) {
		snprintf(why, size, "qemu-system-x86_64 is not installed");
		return -ENOENT;
	}
	if ((r = make_run_dir(g->name, out->run_dir, sizeof(out->run_dir))) < 0) {
		snprintf(why, size, "%s/%s: %s", GUEST_RUN_DIR, g->name, strerror(-r));
		return r;
	}
	if ((out->tap_fd = tap_open(g->name, true)) < 0) {
		snprintf(why, size, "tap %s: %s", g->name, strerror(-out->tap_fd));
		return out->tap_fd;
	}
	env.share_dir = share_for(p, g, share, sizeof(share));
	if (g->disk[0])
		env.disk_format = disk_format_of(g->disk);
	if ((r = qemu_build_argv(g, &env, &out->argv)) < 0)
		snprintf(why, size, "QEMU's command line is too long");
	return r;
}

/* Reads until want appears in what QEMU sent (the buffer keeps the tail). */
static int qmp_expect(int fd, const char *want)
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

static int qmp_command(int fd, const char *cmd)
{
	size_t n = strlen(cmd);

	if (send(fd, cmd, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -errno;
	return qmp_expect(fd, "\"return\"");
}

/* QEMU drops what a client sent once it sees the client hang up, so the
 * exchange is a real conversation: greeting, capabilities, powerdown, each
 * answered. It blocks (5 s at most per read): run it in a child process. */
int guest_powerdown(const char *run_dir)
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
	else if ((r = qmp_expect(fd, "\"QMP\"")) == 0 &&
		 (r = qmp_command(fd, "{\"execute\":\"qmp_capabilities\"}\n")) == 0)
		r = qmp_command(fd, "{\"execute\":\"system_powerdown\"}\n");
	close(fd);
	return r;
}
