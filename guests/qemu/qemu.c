/* QEMU's command line. Choices, each for a reason:
 *  -nodefaults -no-user-config: only the devices listed here;
 *  -no-reboot: a guest reboot ends QEMU, and the supervisor's restart
 *   policy decides (so `reboot` in a guest boots a freshly built kernel);
 *  serial on a unix socket with a logfile: the console is logged always and
 *   attachable by `labctl console`; the logfile is a FIFO that the guest's
 *   logger reads and keeps under CONFIG_CONSOLE_LOG_SIZE
 *   (guests/conlog/conlog.h says why QEMU cannot write the log itself);
 *  QMP on a unix socket: stop = system_powerdown;
 *  the tap as an inherited fd: QEMU needs no privileges for it;
 *  snapshot=on unless the disk is persistent: every boot starts from the
 *   same root;
 *  every disk as -drive if=none plus a -device with ids drive<i>/disk<i>
 *   (i its place in the profile), so QMP and a test can name it; a bus's
 *   controller once, before its first disk;
 *  bootindex=0 on the first disk when firmware boots: SeaBIOS and OVMF
 *   both honour it, whichever bus the disk is on (-boot order=c only
 *   speaks to SeaBIOS, and only of its "first hard disk");
 *  the cloud-init seed read-only on virtio-blk, after the disks, so the
 *  guest's own disks keep their names;
 *  CONFIG_GUESTn_QEMU_ARGS last, so that they can add to or override
 *  anything above (QEMU takes the last of a repeated option). */
#include "guests/qemu/qemu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guests/conlog/conlog.h"
#include "lib/core/addr.h"
#include "lib/core/words.h"

static void add(struct qemu_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct qemu_argv *a, const char *fmt, ...)
{
	size_t room = sizeof(a->buf) - a->used;
	va_list ap;
	int n;

	if (a->overflow || a->argc == QEMU_MAX_ARGS) {
		a->overflow = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(a->buf + a->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		a->overflow = true;
		return;
	}
	a->argv[a->argc++] = a->buf + a->used;
	a->argv[a->argc] = NULL;
	a->used += (size_t)n + 1;
}

static void add_machine(struct qemu_argv *a, const struct guest_config *g, const struct qemu_env *env)
{
	add(a, "%s", env->qemu);
	add(a, "-name");
	add(a, "%s,process=qemu-%s", g->name, g->name);
	add(a, "-nodefaults");
	add(a, "-no-user-config");
	add(a, "-no-reboot");
	add(a, "-display");
	add(a, "none");
	add(a, "-machine");
	add(a, "pc,accel=%s", env->accel == QEMU_KVM ? "kvm" : "tcg");
	add(a, "-cpu");
	add(a, "%s", env->accel == QEMU_KVM ? "host" : "max");
	add(a, "-m");
	add(a, "%u", g->memory_mib);
	add(a, "-smp");
	add(a, "%u", g->cpus);
}

/* A kernel given to QEMU is booted directly, whatever the firmware:
 * SeaBIOS through its linuxboot option ROM, OVMF through fw_cfg. */
static void add_boot(struct qemu_argv *a, const struct guest_config *g)
{
	if (!g->kernel[0])
		return;
	add(a, "-kernel");
	add(a, "%s", g->kernel);
	if (g->initrd[0]) {
		add(a, "-initrd");
		add(a, "%s", g->initrd);
	}
	add(a, "-append");
	add(a, "console=ttyS0%s%s", g->append[0] ? " " : "", g->append);
}

/* SeaBIOS needs nothing: it is QEMU's default -bios. OVMF's code is
 * shared and read-only; its variable store is the guest's own, so one
 * guest's boot entries never reach another. */
static void add_firmware(struct qemu_argv *a, const struct guest_config *g, const struct qemu_env *env)
{
	if (g->firmware == GUEST_FW_UEFI) {
		add(a, "-drive");
		add(a, "if=pflash,format=raw,unit=0,readonly=on,file=%s", QEMU_OVMF_CODE);
		add(a, "-drive");
		add(a, "if=pflash,format=raw,unit=1,file=%s", env->uefi_vars);
	} else if (g->firmware == GUEST_FW_FILE) {
		add(a, "-bios");
		add(a, "%s", g->firmware_file);
	}
}

/* The controllers a bus needs, by id; none: the disk is its own device
 * (virtio-blk, nvme) or the machine has it (the pc machine's IDE). */
static const char *const controllers[GUESTHW_BUSES] = {
	[GUESTHW_BUS_SCSI] = "virtio-scsi-pci,id=scsi0",
	[GUESTHW_BUS_SATA] = "ich9-ahci,id=ahci0",
	[GUESTHW_BUS_USB] = "qemu-xhci,id=xhci0",
};

static const char *const disk_drivers[GUESTHW_BUSES] = {
	[GUESTHW_BUS_VIRTIO] = "virtio-blk-pci", [GUESTHW_BUS_SCSI] = "scsi-hd", [GUESTHW_BUS_IDE] = "ide-hd",
	[GUESTHW_BUS_SATA] = "ide-hd",           [GUESTHW_BUS_NVME] = "nvme",    [GUESTHW_BUS_USB] = "usb-storage",
};

/* Where on its bus the n-th disk of that bus sits. The validator keeps n
 * within the bus (guesthw_buses[].max); nvme needs a serial number. */
static void disk_place(enum guesthw_bus bus, unsigned i, unsigned n, char *buf, size_t size)
{
	switch (bus) {
	case GUESTHW_BUS_SCSI: snprintf(buf, size, ",bus=scsi0.0"); break;
	case GUESTHW_BUS_IDE: snprintf(buf, size, ",bus=ide.%u,unit=%u", n / 2, n % 2); break;
	case GUESTHW_BUS_SATA: snprintf(buf, size, ",bus=ahci0.%u", n); break;
	case GUESTHW_BUS_NVME: snprintf(buf, size, ",serial=disk%u", i); break;
	case GUESTHW_BUS_USB: snprintf(buf, size, ",bus=xhci0.0"); break;
	default: buf[0] = '\0';
	}
}

static void add_disk(struct qemu_argv *a, const struct guest_config *g, const struct qemu_env *env, unsigned i,
		     unsigned on_bus)
{
	const struct guest_disk *d = &g->disks[i];
	char place[40];

	add(a, "-drive");
	/* QEMU rejects a comma inside a value unless doubled; the validator
	 * refuses paths with one (vc_check_quoted_path). */
	add(a, "file=%s,if=none,id=drive%u,format=%s,snapshot=%s", d->path, i,
	    env->disk_formats[i] == DISK_QCOW2 ? "qcow2" : "raw", d->persistent ? "off" : "on");
	disk_place(d->bus, i, on_bus, place, sizeof(place));
	add(a, "-device");
	add(a, "%s,drive=drive%u,id=disk%u%s%s", disk_drivers[d->bus], i, i, place,
	    i == 0 && g->firmware != GUEST_FW_KERNEL ? ",bootindex=0" : "");
}

static void add_disks(struct qemu_argv *a, const struct guest_config *g, const struct qemu_env *env)
{
	unsigned on_bus[GUESTHW_BUSES] = { 0 };

	for (unsigned i = 0; i < g->ndisks && i < GUEST_MAX_DISKS; i++) {
		enum guesthw_bus bus = g->disks[i].bus;

		if (!on_bus[bus] && controllers[bus]) {
			add(a, "-device");
			add(a, "%s", controllers[bus]);
		}
		add_disk(a, g, env, i, on_bus[bus]++);
	}
}

static void add_net(struct qemu_argv *a, const struct guest_config *g, const struct qemu_env *env)
{
	char mac[18];

	if (env->tap_fd < 0)
		return;
	addr_format_mac(g->mac, mac);
	add(a, "-netdev");
	add(a, "tap,id=n0,fd=%d", env->tap_fd);
	add(a, "-device");
	add(a, "%s,netdev=n0,mac=%s", guesthw_nics[g->nic].name, mac);
}

static void add_console_qmp(struct qemu_argv *a, const struct qemu_env *env)
{
	add(a, "-chardev");
	add(a, "socket,id=con0,path=%s/console.sock,server=on,wait=off,logfile=%s/" CONLOG_FIFO ",logappend=on",
	    env->run_dir, env->run_dir);
	add(a, "-serial");
	add(a, "chardev:con0");
	add(a, "-qmp");
	add(a, "unix:%s/qmp.sock,server=on,wait=off", env->run_dir);
}

static void add_share_gdb(struct qemu_argv *a, const struct guest_config *g, const struct qemu_env *env)
{
	if (env->share_dir) {
		add(a, "-virtfs");
		add(a, "local,path=%s,mount_tag=%s,security_model=none,id=share0", env->share_dir, env->share_tag);
	}
	if (g->gdb_port) {
		add(a, "-gdb");
		add(a, "tcp::%u", g->gdb_port);
		if (g->gdb_wait)
			add(a, "-S");
	}
}

static void add_seed(struct qemu_argv *a, const struct qemu_env *env)
{
	if (!env->seed)
		return;
	add(a, "-drive");
	add(a, "file=%s,if=none,id=seed,format=raw,readonly=on", env->seed);
	add(a, "-device");
	add(a, "virtio-blk-pci,drive=seed,id=seeddisk");
}

/* The validator split the same words already (validate_guests.c); an
 * error here means the value changed since, and the argv is refused. */
static void add_extra(struct qemu_argv *a, const struct guest_config *g)
{
	char buf[4096], *w[QEMU_MAX_ARGS + 1];
	const char *why;
	int n;

	if (!g->qemu_args || !g->qemu_args[0])
		return;
	if ((n = words_split(g->qemu_args, buf, sizeof(buf), w, QEMU_MAX_ARGS, &why)) < 0) {
		a->bad_extra = true;
		return;
	}
	for (int i = 0; i < n; i++)
		add(a, "%s", w[i]);
}

/* QEMU's own seccomp filter (-sandbox): the guest's device emulation is
 * what a guest attacks, so the process that runs it may not exec or fork
 * (spawn), gain privileges (elevateprivileges: no setuid, no file caps),
 * change scheduling or resource limits (resourcecontrol) or use the old
 * system calls nothing modern needs (obsolete). It runs as an unprivileged
 * user besides (guest_prepare). */
static void add_sandbox(struct qemu_argv *a)
{
	add(a, "-sandbox");
	add(a, "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
}

int qemu_build_argv(const struct guest_config *g, const struct qemu_env *env, struct qemu_argv *out)
{
	memset(out, 0, sizeof(*out));
	add_machine(out, g, env);
	add_sandbox(out);
	add_firmware(out, g, env);
	add_boot(out, g);
	add_disks(out, g, env);
	add_net(out, g, env);
	add_console_qmp(out, env);
	add_share_gdb(out, g, env);
	add_seed(out, env);
	add_extra(out, g);
	return out->bad_extra ? -EINVAL : out->overflow ? -E2BIG : 0;
}
