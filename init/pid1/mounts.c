/* Early mounts. /dev is mounted only when it is not already a mount point:
 * when a test runs labinit as PID 1 in its own namespaces it provides a
 * private tmpfs there, because the machine's devtmpfs is shared across mount
 * namespaces and must not be touched. proc, sys, /run and /tmp are always
 * mounted fresh, so they belong to this PID 1's namespaces.
 *
 * /run has a size (issue 12, defect 5): it holds the sockets, the DHCP
 * lease file, smbd's state and the guests' console logs, all in RAM. A
 * quarter of RAM is far more than they need: each guest's console files
 * stay under CONFIG_CONSOLE_LOG_SIZE (1 MiB by default, 16 MiB for all sixteen
 * guest slots; the logger rotates them, guests/conlog/, and leaves the last
 * 4 MiB of /run free whatever a profile sets), which is what keeps the
 * lease file from being starved of space; the size is what keeps any other
 * runaway writer there from taking the RAM the guests run in. */
#include "init/pid1/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/log.h"

struct early_mount {
	const char *source, *target, *type;
	unsigned long flags;
	const char *data;
	bool keep_existing, optional;
};

static const struct early_mount early[MOUNTS_MAX] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, false, false },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, false, false },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", true, false },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666", false, false },
	{ "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", false, true },
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=25%", false, false },
	{ "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", false, false },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, false, true },
};

static bool mounted[MOUNTS_MAX];

/* A mount point sits on a different device than its parent directory. */
static bool is_mount_point(const char *path)
{
	struct stat st, parent;
	char up[64];

	if (stat(path, &st) < 0)
		return false;
	strncpy(up, path, sizeof(up) - 4);
	up[sizeof(up) - 4] = '\0';
	strcat(up, "/..");
	return stat(up, &parent) == 0 && st.st_dev != parent.st_dev;
}

static int mount_one(const struct early_mount *m)
{
	if (mkdir(m->target, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount(m->source, m->target, m->type, m->flags, m->data) < 0)
		return -errno;
	return 0;
}

/* With a private /dev, ptmx must point into the new devpts instance. */
static void link_ptmx(void)
{
	struct stat st;

	if (stat("/dev/ptmx", &st) < 0)
		(void)!symlink("pts/ptmx", "/dev/ptmx");
}

/* fs.protected_symlinks and fs.protected_hardlinks, off in the kernel by
 * default: the unprivileged services own directories root also works in
 * (a guest's run directory and share), and with these on, a link one of
 * them plants cannot lead root anywhere. Only on a machine whose /dev this
 * PID 1 mounted, i.e. the appliance: the sysctls are the whole machine's,
 * not a namespace's, and a host's own init decides them there. */
static void protect_links(void)
{
	static const char *const knobs[] = { "/proc/sys/fs/protected_symlinks", "/proc/sys/fs/protected_hardlinks" };

	for (unsigned i = 0; i < 2; i++) {
		int fd = open(knobs[i], O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			(void)!write(fd, "1", 1);
			close(fd);
		}
	}
}

unsigned mounts_early(struct mount_result results[MOUNTS_MAX])
{
	unsigned n = 0;

	for (unsigned i = 0; i < MOUNTS_MAX; i++) {
		const struct early_mount *m = &early[i];
		struct mount_result *r = &results[n++];
		double t0 = log_uptime();

		memset(r, 0, sizeof(*r));
		r->target = m->target;
		if (m->keep_existing && is_mount_point(m->target)) {
			r->skipped = true;
			continue;
		}
		r->err = mount_one(m);
		r->ms = (log_uptime() - t0) * 1000.0;
		mounted[i] = r->err == 0;
		if (r->err && m->optional)
			r->skipped = true;
	}
	link_ptmx();
	for (unsigned i = 0; i < MOUNTS_MAX; i++)
		if (mounted[i] && !strcmp(early[i].target, "/dev"))
			protect_links();
	return n;
}

void mounts_unmount_all(void)
{
	for (unsigned i = MOUNTS_MAX; i-- > 0;) {
		if (!mounted[i])
			continue;
		if (umount2(early[i].target, 0) < 0 && umount2(early[i].target, MNT_DETACH) < 0)
			log_warn("unmount %s: %s", early[i].target, strerror(errno));
		else
			mounted[i] = false;
	}
}
