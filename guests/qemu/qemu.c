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
 *   same root. */
#include "guests/qemu/qemu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guests/conlog/conlog.h"
#include "lib/core/addr.h"

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

const char *qemu_nic_device(enum guest_nic nic)
{
	switch (nic) {
	case GUEST_NIC_E1000: return "e1000";
	case GUEST_NIC_RTL8139: return "rtl8139";
	default: return "virtio-net-pci";
	}
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

static void add_boot(struct qemu_argv *a, const struct guest_config *g)
{
	add(a, "-kernel");
	add(a, "%s", g->kernel);
	if (g->initrd[0]) {
		add(a, "-initrd");
		add(a, "%s", g->initrd);
	}
	add(a, "-append");
	add(a, "console=ttyS0%s%s", g->append[0] ? " " : "", g->append);
}

static void add_disk(struct qemu_argv *a, const struct guest_config *g, const struct qemu_env *env)
{
	if (!g->disk[0])
		return;
	add(a, "-drive");
	/* QEMU rejects a comma inside a value unless doubled; profile paths
	 * have none (the validator would have to refuse them). */
	add(a, "file=%s,if=virtio,format=%s,snapshot=%s", g->disk, env->disk_format == DISK_QCOW2 ? "qcow2" : "raw",
	    g->disk_persistent ? "off" : "on");
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
	add(a, "%s,netdev=n0,mac=%s", qemu_nic_device(g->nic), mac);
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
	add_boot(out, g);
	add_disk(out, g, env);
	add_net(out, g, env);
	add_console_qmp(out, env);
	add_share_gdb(out, g, env);
	return out->overflow ? -E2BIG : 0;
}
