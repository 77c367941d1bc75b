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
#include "guests/conlog/conlog.h"
#include "guests/qemu/qmp.h"
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

/* The run directory and the FIFO QEMU logs the console into: made here,
 * before either QEMU or its logger starts, so that neither depends on the
 * other's start order. */
static int make_run_dir(const char *name, char *dir, size_t size)
{
	char fifo[192];

	mkdir(PATH_RUN_DIR, 0755);
	mkdir(GUEST_RUN_DIR, 0755);
	snprintf(dir, size, "%s/%s", GUEST_RUN_DIR, name);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(fifo, sizeof(fifo), "%s/%s", dir, CONLOG_FIFO);
	if (mkfifo(fifo, 0600) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* `labinit conlog RUN_DIR --size KIB`, run by PID 1 as its own service. */
static void log_argv(const struct guest_config *g, struct guest_service *out)
{
	snprintf(out->log_kib, sizeof(out->log_kib), "%u", g->console_log_kib);
	out->log_argv[0] = "/proc/self/exe";
	out->log_argv[1] = "conlog";
	out->log_argv[2] = out->run_dir;
	out->log_argv[3] = "--size";
	out->log_argv[4] = out->log_kib;
	out->log_argv[5] = NULL;
}

/* The share seen by this guest: the whole directory, or its own
 * subdirectory with CONFIG_SHARE_PER_GUEST. */
static const char *share_for(const struct guest_config *g, char *buf, size_t size)
{
	if (!g->share_dir)
		return NULL;
	mkdir(g->share_dir, 0755);
	if (!g->share_per_guest)
		return g->share_dir;
	snprintf(buf, size, "%s/%s", g->share_dir, g->name);
	mkdir(buf, 0755);
	return buf;
}

int guest_prepare(const struct guest_config *g, enum qemu_accel accel, struct guest_service *out, char *why,
		  size_t size)
{
	struct qemu_env env = { guest_qemu_binary(), accel, 3, out->run_dir, NULL, g->share_tag, DISK_RAW };
	char share[4096];
	int r;

	out->tap_fd = -1;
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
	log_argv(g, out);
	env.share_dir = share_for(g, share, sizeof(share));
	if (g->disk[0])
		env.disk_format = disk_format_of(g->disk);
	if ((r = qemu_build_argv(g, &env, &out->argv)) < 0)
		snprintf(why, size, "QEMU's command line is too long");
	return r;
}

int guest_powerdown(const char *run_dir)
{
	return qmp_powerdown(run_dir);
}
