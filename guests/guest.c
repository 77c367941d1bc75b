/* Preparing a guest's QEMU or UML kernel, and stopping it through QMP or
 * UML's mconsole (from a child of PID 1: the conversation blocks). */
#include "guests/guest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/core/paths.h"
#include "lib/core/readfile.h"
#include "lib/core/writefile.h"
#include "guests/cloudinit/seed.h"
#include "guests/conlog/conlog.h"
#include "guests/triage/store.h"
#include "guests/qemu/microvm.h"
#include "guests/qemu/qmp.h"
#include "guests/uml/mconsole.h"
#include "net/netlink/tap.h"

/* qemu-system-<arch>, where Debian installs it or where a local build
 * does; NULL if neither has it. */
const char *guest_qemu_binary(enum guesthw_arch arch)
{
	static char found[GUESTHW_ARCHS][64];
	static const char *const dirs[] = { "/usr/bin", "/usr/local/bin", "/bin", NULL };

	for (int i = 0; dirs[i]; i++) {
		snprintf(found[arch], sizeof(found[arch]), "%s/qemu-system-%s", dirs[i], guesthw_archs[arch].name);
		if (access(found[arch], X_OK) == 0)
			return found[arch];
	}
	return NULL;
}

const char *guest_qemu_package(enum guesthw_arch arch)
{
	static const char *const packages[GUESTHW_ARCHS] = {
		[GUESTHW_ARCH_X86_64] = "Debian package qemu-system-x86",
		[GUESTHW_ARCH_AARCH64] = "Debian package qemu-system-arm",
		[GUESTHW_ARCH_RISCV64] = "Debian package qemu-system-misc",
	};

	return packages[arch];
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

/* The kernel image crash reports are decoded with (guests/triage/decode.h):
 * the guest's kernel when it is a vmlinux, else a vmlinux beside it (a
 * bzImage copied with its vmlinux). The logger says when it has no debug
 * info or cannot be read. */
static bool find_vmlinux(const struct guest_config *g, char *buf, size_t size)
{
	const char *slash;

	if (!g->kernel || !g->kernel[0])
		return false;
	slash = strrchr(g->kernel, '/');
	if (!strncmp(slash ? slash + 1 : g->kernel, "vmlinux", 7)) {
		snprintf(buf, size, "%s", g->kernel);
		return true;
	}
	snprintf(buf, size, "%.*svmlinux", slash ? (int)(slash - g->kernel + 1) : 0, g->kernel);
	return access(buf, R_OK) == 0;
}

/* `labinit conlog RUN_DIR --size KIB --crashes DIR [--vmlinux PATH]`, run
 * by PID 1 as its own service. */
static void log_argv(const struct guest_config *g, struct guest_service *out)
{
	snprintf(out->log_kib, sizeof(out->log_kib), "%u", g->console_log_kib);
	out->log_argv[0] = "/proc/self/exe";
	out->log_argv[1] = "conlog";
	out->log_argv[2] = out->run_dir;
	out->log_argv[3] = "--size";
	out->log_argv[4] = out->log_kib;
	out->log_argv[5] = "--crashes";
	out->log_argv[6] = out->crash_dir;
	out->log_argv[7] = NULL;
	if (find_vmlinux(g, out->vmlinux, sizeof(out->vmlinux))) {
		out->log_argv[7] = "--vmlinux";
		out->log_argv[8] = out->vmlinux;
		out->log_argv[9] = NULL;
	}
}

/* Hands the directory at path to uid:gid, refusing a link: the guest's
 * QEMU owns the directory and the drop box above it is 1777, so a QEMU
 * taken over could have left a link to /etc in its place. */
static int own_dir(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (st.st_uid != 0 && st.st_uid != uid)
		r = -EPERM; /* someone else's: not ours to hand over */
	else if (fchown(fd, uid, gid) < 0)
		r = -errno;
	close(fd);
	errno = -r;
	return r < 0 ? -1 : 0;
}

/* The crash directory (guests/triage/store.h), made here and handed to
 * the guest's user, whose logger writes it. What fails here the logger
 * says when it cannot open the directory; the guest starts regardless. */
static void make_crash_dir(const struct guest_config *g, struct guest_service *out)
{
	char parent[sizeof(out->crash_dir)];

	triage_crash_dir(g->share_dir, out->run_dir, g->name, out->crash_dir, sizeof(out->crash_dir));
	if (g->share_dir) {
		mkdir(g->share_dir, 0755);
		snprintf(parent, sizeof(parent), "%s/crashes", g->share_dir);
		mkdir(parent, 0755);
	}
	mkdir(out->crash_dir, 0755);
	if (g->uid)
		(void)own_dir(out->crash_dir, g->uid, g->gid);
}

/* The share seen by this guest: the whole directory, or its own
 * subdirectory with CONFIG_SHARE_PER_GUEST, which then belongs to the
 * guest's QEMU. (The whole directory is the lab's drop box, mode 1777: see
 * init/boot/boot.c.) */
static const char *share_for(const struct guest_config *g, char *buf, size_t size)
{
	if (!g->share_dir)
		return NULL;
	mkdir(g->share_dir, 0755);
	if (!g->share_per_guest)
		return g->share_dir;
	snprintf(buf, size, "%s/%s", g->share_dir, g->name);
	mkdir(buf, 0755);
	if (g->uid && own_dir(buf, g->uid, g->gid) < 0)
		return NULL;
	return buf;
}

/* What QEMU, running as g->uid, writes: its run directory (sockets, the
 * console FIFO) and a persistent disk, handed over the way libvirt's DAC
 * driver does. Everything else it only reads (kernel, initrd, a snapshot
 * disk, whose overlay goes to /var/tmp). */
static int give_to_qemu(const struct guest_config *g, const char *run_dir, char *why, size_t size)
{
	char fifo[192];

	if (!g->uid)
		return 0;
	snprintf(fifo, sizeof(fifo), "%s/%s", run_dir, CONLOG_FIFO);
	if (chown(run_dir, g->uid, g->gid) < 0 || lchown(fifo, g->uid, g->gid) < 0) {
		snprintf(why, size, "%s: handing it to uid %u: %s", run_dir, (unsigned)g->uid, strerror(errno));
		return -errno;
	}
	for (unsigned i = 0; i < g->ndisks; i++)
		if (g->disks[i].persistent && chown(g->disks[i].path, g->uid, g->gid) < 0) {
			snprintf(why, size, "%s: handing the persistent disk to uid %u: %s", g->disks[i].path,
				 (unsigned)g->uid, strerror(errno));
			return -errno;
		}
	return 0;
}

/* QEMU runs as an unprivileged user that may not be allowed to walk the
 * directories above a guest's files (a checkout under /root). Each file's
 * directory is bind-mounted into the guest's run directory, where QEMU
 * reaches it whatever lies above; the directory and not the file, so that
 * a kernel rebuilt over the old one (a new inode) is what the next start
 * boots. Returns the path QEMU is given: the bound one, or path itself
 * when binding is not possible (it is then said why). */
static const char *reach(const struct guest_config *g, const char *path, const char *run_dir, const char *tag,
			 bool is_dir, bool writable, char *buf, size_t size)
{
	char dir[4096], target[256];
	const char *base = "";
	char *slash;

	if (!g->uid || !path || !path[0])
		return path;
	snprintf(dir, sizeof(dir), "%s", path);
	if (!is_dir) {
		if (!(slash = strrchr(dir, '/')) || slash == dir)
			return path;
		*slash = '\0';
		base = path + (slash - dir) + 1;
	}
	snprintf(target, sizeof(target), "%s/%s", run_dir, tag);
	umount2(target, MNT_DETACH); /* a guest prepared again */
	if ((mkdir(target, 0755) < 0 && errno != EEXIST) || mount(dir, target, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | (writable ? 0 : MS_RDONLY),
		  NULL) < 0) {
		log_warn("guest %s: binding %s into %s: %s; QEMU opens it where it is", g->name, dir, run_dir,
			 strerror(errno));
		return path;
	}
	snprintf(buf, size, "%s%s%s", target, is_dir ? "" : "/", base);
	return buf;
}

/* OVMF writes its variables (boot entries, the boot order) into pflash
 * unit 1: each UEFI guest gets its own copy of Debian's template, made once
 * and kept across restarts, owned by its QEMU. It lives in the guest's run
 * directory (RAM: kept while the lab runs), or, when the guest's first
 * disk is persistent, beside that disk as NAME.OVMF_VARS.fd (on LABDATA
 * when the disk is), so that the boot entries an installer wrote last as
 * long as the disk it wrote them for. */
static bool vars_beside_disk(const struct guest_config *g)
{
	return g->ndisks && g->disks[0].persistent && strrchr(g->disks[0].path, '/');
}

static void uefi_vars_path(const struct guest_config *g, const char *disk, const char *run_dir, char *vars,
			   size_t size)
{
	if (vars_beside_disk(g))
		snprintf(vars, size, "%.*s/%s.OVMF_VARS.fd", (int)(strrchr(disk, '/') - disk), disk, g->name);
	else
		snprintf(vars, size, "%s/OVMF_VARS.fd", run_dir);
}

/* A store kept from an earlier start: a regular file (not a link planted
 * in a directory the guest's QEMU could write), root's or already the
 * guest's, handed to the guest's QEMU. */
static int keep_uefi_vars(const struct guest_config *g, const char *vars)
{
	struct stat st;
	int fd = open(vars, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if (g->uid && st.st_uid != g->uid && (st.st_uid != 0 || fchown(fd, g->uid, g->gid) < 0))
		r = st.st_uid != 0 ? -EPERM : -errno;
	close(fd);
	return r;
}

static int copy_uefi_vars(const struct guest_config *g, const char *vars, char *why, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, r;

	if (access(QEMU_OVMF_CODE, R_OK) < 0) {
		snprintf(why, size, "%s: %s (Debian's ovmf package)", QEMU_OVMF_CODE, strerror(errno));
		return -ENOENT;
	}
	if ((r = keep_uefi_vars(g, vars)) != -ENOENT) {
		if (r < 0)
			snprintf(why, size, "%s: %s", vars, r == -EINVAL ? "not a regular file" : strerror(-r));
		return r;
	}
	if ((r = read_whole_file(QEMU_OVMF_VARS, 16u << 20, &buf, &len)) < 0) {
		snprintf(why, size, "%s: %s (Debian's ovmf package)", QEMU_OVMF_VARS, strerror(-r));
		return r;
	}
	fd = open(vars, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	r = fd < 0 ? -errno : write_all(fd, buf, len);
	if (r == 0 && g->uid && fchown(fd, g->uid, g->gid) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (r < 0 && fd >= 0)
		unlink(vars); /* ours, half written */
	free(buf);
	if (r < 0)
		snprintf(why, size, "%s: %s", vars, strerror(-r));
	return r;
}

/* Each disk's format by content, and the path QEMU reaches it by. */
static void reach_disks(const struct guest_config *g, const char *run_dir, struct guest_config *q,
			struct qemu_env *env)
{
	static char bound[GUEST_MAX_DISKS][512];
	char tag[24];

	for (unsigned i = 0; i < g->ndisks; i++) {
		env->disk_formats[i] = disk_format_of(g->disks[i].path);
		snprintf(tag, sizeof(tag), "disk%u.d", i);
		q->disks[i].path = reach(g, g->disks[i].path, run_dir, tag, false, g->disks[i].persistent, bound[i],
					 sizeof(bound[i]));
	}
}

/* The reset mode for `labctl reset`, beside the guest's sockets; a
 * snapshot file of an earlier QEMU is stale (qmp_snap.c) and costs RAM. */
static int write_reset_mode(const struct guest_config *g, const char *run_dir, char *why, size_t size)
{
	char path[192];
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/" QMP_SNAP_FILE, run_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/" GUEST_RESET_FILE, run_dir);
	if (unlink(path) < 0 && errno != ENOENT)
		r = -errno;
	else if (g->reset_snapshot) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		r = fd < 0 ? -errno : write_all(fd, "snapshot\n", 9);
		if (fd >= 0)
			close(fd);
	}
	if (r < 0)
		snprintf(why, size, "%s: %s", path, strerror(-r));
	return r;
}

/* What both kinds need: the run directory handed to the guest's user, the
 * tap, the logger's command line, the share. */
static int prepare_common(const struct guest_config *g, struct guest_service *out, const char **share, char *why,
			  size_t size)
{
	static char buf[4096];
	int r;

	if ((r = make_run_dir(g->name, out->run_dir, sizeof(out->run_dir))) < 0) {
		snprintf(why, size, "%s/%s: %s", GUEST_RUN_DIR, g->name, strerror(-r));
		return r;
	}
	if ((r = give_to_qemu(g, out->run_dir, why, size)) < 0 ||
	    (r = write_reset_mode(g, out->run_dir, why, size)) < 0)
		return r;
	for (unsigned i = 0; i < (g->nnics ? g->nnics : 1); i++) {
		const char *tap = g->nnics ? g->nics[i].tap : g->name;
		bool macvtap = g->nnics && g->nics[i].macvtap;
		int fd;

		if (macvtap)
			fd = tap_macvtap_open(tap);
		else
			fd = g->kind == GUEST_KIND_UML ? tap_open_plain(tap, true) : tap_open(tap, true);

		if (fd < 0) {
			snprintf(why, size, "%s %s: %s", macvtap ? "macvtap" : "tap", tap, strerror(-fd));
			return fd;
		}
		out->tap_fds[out->ntaps++] = fd;
	}
	make_crash_dir(g, out);
	log_argv(g, out);
	if (g->share_dir && !(*share = share_for(g, buf, sizeof(buf)))) {
		snprintf(why, size, "%s/%s: handing the guest's share to uid %u: %s", g->share_dir, g->name,
			 (unsigned)g->uid, strerror(errno));
		return -EPERM;
	}
	return 0;
}

static int prepare_qemu(const struct guest_config *g, enum qemu_accel accel, const char *share,
			struct guest_service *out, char *why, size_t size)
{
	struct qemu_env env = { .qemu = guest_qemu_binary(g->arch), .accel = accel, .tap_fd = 3, .run_dir = out->run_dir,
				.share_tag = g->share_tag };
	static char kernel[512], initrd[512], firmware[512], bound_share[512], vars[4200], qemu_vars[4200],
		seed[192];
	struct guest_config q = *g; /* with the paths QEMU reaches */
	int r;

	uefi_vars_path(g, g->ndisks ? g->disks[0].path : "", out->run_dir, vars, sizeof(vars));
	if (g->firmware == GUEST_FW_UEFI && (r = copy_uefi_vars(g, vars, why, size)) < 0)
		return r;
	if (g->cloud_init && (r = seed_write(g, out->run_dir, seed, sizeof(seed), why, size)) < 0)
		return r;
	env.seed = g->cloud_init ? seed : NULL;
	reach_disks(g, out->run_dir, &q, &env);
	/* Beside the disk: where QEMU reaches the disk's directory. */
	uefi_vars_path(g, q.ndisks ? q.disks[0].path : "", out->run_dir, qemu_vars, sizeof(qemu_vars));
	env.uefi_vars = qemu_vars;
	q.kernel = reach(g, g->kernel, out->run_dir, "kernel.d", false, false, kernel, sizeof(kernel));
	q.initrd = reach(g, g->initrd, out->run_dir, "initrd.d", false, false, initrd, sizeof(initrd));
	q.firmware_file = reach(g, g->firmware_file, out->run_dir, "firmware.d", false, false, firmware,
				sizeof(firmware));
	env.share_dir = reach(g, share, out->run_dir, "share.d", true, true, bound_share, sizeof(bound_share));
	/* decided on the lab's own paths: QEMU's may be bind mounts not made yet */
	q.machine = out->machine = qemu_microvm_pick(g, out->vmlinux, out->machine_why, sizeof(out->machine_why));
	if (q.machine == GUEST_MACHINE_MICROVM && accel == QEMU_TCG)
		env.tsc_khz = qemu_microvm_host_tsc_khz();
	if ((r = qemu_build_argv(&q, &env, &out->argv)) < 0)
		snprintf(why, size, r == -EINVAL ? "CONFIG_GUESTn_QEMU_ARGS cannot be split into words"
						 : "QEMU's command line is too long");
	out->cmd = out->argv.argv;
	return r;
}

/* UML reads raw images only (its ubd driver has no qcow2), and keeps a
 * snapshot disk's writes in a COW file of the run directory, made anew
 * each time the lab boots (UML reuses one it finds, and the guest's user
 * owns the directory). */
static int uml_disks(const struct guest_config *g, struct guest_service *out, struct guest_config *q,
		     struct uml_env *env, char *why, size_t size)
{
	static char cow[GUEST_MAX_DISKS][192];
	struct qemu_env formats = { 0 };

	reach_disks(g, out->run_dir, q, &formats);
	for (unsigned i = 0; i < g->ndisks; i++) {
		if (formats.disk_formats[i] == DISK_QCOW2) {
			snprintf(why, size, "%s: a qcow2 image; UML reads raw images only (qemu-img convert -O raw)",
				 g->disks[i].path);
			return -EINVAL;
		}
		if (g->disks[i].persistent)
			continue;
		snprintf(cow[i], sizeof(cow[i]), "%s/disk%u.cow", out->run_dir, i);
		if (unlink(cow[i]) < 0 && errno != ENOENT) {
			snprintf(why, size, "%s: %s", cow[i], strerror(errno));
			return -errno;
		}
		env->cow[i] = cow[i];
	}
	return 0;
}

/* The agent's line, a socket pair like the console: UML's end comes after
 * its taps, the relay's is its fd 3 (`labinit agent-relay RUN_DIR`). */
static int uml_agent(struct guest_service *out, struct uml_env *env, char *why, size_t size)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(why, size, "the agent line's socket pair: %s", strerror(errno));
		return -errno;
	}
	out->agent_fd = sv[0];
	out->relay_fd = sv[1];
	env->agent_fd = 3 + (int)out->ntaps;
	out->relay_argv[0] = "/proc/self/exe";
	out->relay_argv[1] = "agent-relay";
	out->relay_argv[2] = out->run_dir;
	out->relay_argv[3] = NULL;
	return 0;
}

/* The console is a socket pair: UML writes its end (fds 0-2), the logger
 * reads the other, logs it and serves console.sock with it. Both ends stay
 * with PID 1, so either side restarts onto the same connection. */
static int prepare_uml(const struct guest_config *g, const char *share, struct guest_service *out, char *why,
		       size_t size)
{
	struct uml_env env = { .tap_fd = 3, .console_fd = 0, .run_dir = out->run_dir };
	static char kernel[512], initrd[512], bound_share[512];
	struct guest_config q = *g;
	int sv[2], r;

	if ((r = uml_disks(g, out, &q, &env, why, size)) < 0 || (r = uml_agent(out, &env, why, size)) < 0)
		return r;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(why, size, "the console's socket pair: %s", strerror(errno));
		return -errno;
	}
	out->console_fd = sv[0];
	out->log_fd = sv[1];
	for (unsigned i = 0; i + 2 < sizeof(out->log_argv) / sizeof(out->log_argv[0]); i++)
		if (!out->log_argv[i]) {
			out->log_argv[i] = "--serve";
			out->log_argv[i + 1] = NULL;
			break;
		}
	q.kernel = reach(g, g->kernel, out->run_dir, "kernel.d", false, false, kernel, sizeof(kernel));
	q.initrd = reach(g, g->initrd, out->run_dir, "initrd.d", false, false, initrd, sizeof(initrd));
	env.share_dir = reach(g, share, out->run_dir, "share.d", true, true, bound_share, sizeof(bound_share));
	if ((r = uml_build_argv(&q, &env, &out->uml)) < 0)
		snprintf(why, size, "%s", r == -E2BIG ? "UML's command line is too long" : "more than 8 disks");
	out->cmd = out->uml.argv;
	return r;
}

int guest_prepare(const struct guest_config *g, enum qemu_accel accel, struct guest_service *out, char *why,
		  size_t size)
{
	const char *share = NULL;
	int r;

	out->ntaps = 0;
	out->console_fd = out->log_fd = out->agent_fd = out->relay_fd = -1;
	if (g->kind == GUEST_KIND_QEMU && !guest_qemu_binary(g->arch)) {
		snprintf(why, size, "qemu-system-%s is not installed (%s)", guesthw_archs[g->arch].name,
			 guest_qemu_package(g->arch));
		return -ENOENT;
	}
	if ((r = prepare_common(g, out, &share, why, size)) == 0)
		r = g->kind == GUEST_KIND_UML ? prepare_uml(g, share, out, why, size)
					      : prepare_qemu(g, accel, share, out, why, size);
	if (r < 0)
		guest_service_close(out);
	return r;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void guest_service_close(struct guest_service *gs)
{
	for (unsigned i = 0; i < gs->ntaps; i++)
		close_fd(&gs->tap_fds[i]);
	gs->ntaps = 0;
	close_fd(&gs->console_fd);
	close_fd(&gs->log_fd);
	close_fd(&gs->agent_fd);
	close_fd(&gs->relay_fd);
}

/* UML's mconsole socket: RUN_DIR/UMID/mconsole, the umid being the name. */
static int uml_powerdown(const char *name, const char *run_dir)
{
	struct uml_mc_reply reply;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/" UML_MCONSOLE, run_dir, name);
	/* ctrl-alt-del: the guest's init shuts down in order (systemd,
	 * busybox init); with no init that handles it the kernel restarts,
	 * which `noreboot` turns into an exit */
	return uml_mc_command(path, "cad", 5000, &reply);
}

int guest_powerdown(enum guest_kind kind, const char *name, const char *run_dir)
{
	return kind == GUEST_KIND_UML ? uml_powerdown(name, run_dir) : qmp_powerdown(run_dir);
}
