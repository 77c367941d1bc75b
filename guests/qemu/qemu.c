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
 *  a netbooting guest (boot_network): bootindex=0 on its first NIC
 *   instead (the disk, if any, 1), which is `-boot n` for SeaBIOS (the
 *   NIC's iPXE ROM) and the PXE boot option first for OVMF; under OVMF
 *   the NIC has no option ROM (romfile=), so OVMF's own VirtioNetDxe or
 *   E1000 driver and PxeBcDxe do the PXE, as on a real UEFI machine;
 *  the cloud-init seed read-only on virtio-blk, after the disks, so the
 *  guest's own disks keep their names;
 *  microvm (CONFIG_GUESTn_MACHINE): the same devices on virtio-mmio
 *   (-device virtio-*-device), qboot and no option ROMs, ACPI on for two
 *   things the guest uses: its power button (a GED event, as pc's is
 *   ACPI's) and the LNRO0005 description of each MMIO transport, which
 *   loads a modular virtio_mmio by its modalias;
 *  CONFIG_GUESTn_QEMU_ARGS last, so that they can add to or override
 *  anything above (QEMU takes the last of a repeated option). */
#include "guests/qemu/qemu.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guests/agent/proto.h"
#include "guests/conlog/conlog.h"
#include "lib/core/addr.h"
#include "lib/core/words.h"

/* microvm only for x86_64: the model's machine is decided already. */
static bool microvm(const struct guest_config *g)
{
	return g->machine == GUEST_MACHINE_MICROVM && g->arch == GUESTHW_ARCH_X86_64;
}

/* The -device driver of a table entry: its MMIO form on microvm. */
static const char *driver(const struct guest_config *g, const struct guesthw_name *n)
{
	return microvm(g) && n->mmio ? n->mmio : n->name;
}

/* The machine of the guest's architecture (guesthw_archs[]); KVM only
 * where the guest's architecture is the host's (qemu_accel_for).
 * The aarch64 virt machine gets a GICv3: the default GICv2 takes at most 8
 * CPUs, and CONFIG_GUESTn_CPUS goes to 64. */
static void add_machine(struct argv_buf *a, const struct guest_config *g, const struct qemu_env *env)
{
	const struct guesthw_arch_info *arch = &guesthw_archs[g->arch];
	const char *machine = microvm(g) ? "microvm,acpi=on,x-option-roms=off" : arch->machine;

	argv_add(a, "%s", env->qemu);
	argv_add(a, "-name");
	argv_add(a, "%s,process=qemu-%s", g->name, g->name);
	argv_add(a, "-nodefaults");
	argv_add(a, "-no-user-config");
	argv_add(a, "-no-reboot");
	argv_add(a, "-display");
	argv_add(a, "none");
	argv_add(a, "-machine");
	argv_add(a, "%s%s,accel=%s", machine, g->arch == GUESTHW_ARCH_AARCH64 ? ",gic-version=3" : "",
	    env->accel == QEMU_KVM ? "kvm" : "tcg");
	argv_add(a, "-cpu");
	argv_add(a, "%s", env->accel == QEMU_KVM ? "host" : arch->tcg_cpu);
	argv_add(a, "-m");
	argv_add(a, "%u", g->memory_mib);
	argv_add(a, "-smp");
	argv_add(a, "%u", g->cpus);
}

/* A kernel given to QEMU is booted directly, whatever the firmware:
 * SeaBIOS through its linuxboot option ROM, OVMF through fw_cfg. */
static void add_boot(struct argv_buf *a, const struct guest_config *g, const struct qemu_env *env)
{
	char tsc[40] = "";

	if (!g->kernel[0] || g->boot_network)
		return;
	/* before APPEND, so that a tsc_early_khz= there wins (the last does) */
	if (microvm(g) && env->accel == QEMU_TCG && env->tsc_khz)
		snprintf(tsc, sizeof(tsc), " tsc_early_khz=%u", env->tsc_khz);
	argv_add(a, "-kernel");
	argv_add(a, "%s", g->kernel);
	if (g->initrd[0]) {
		argv_add(a, "-initrd");
		argv_add(a, "%s", g->initrd);
	}
	argv_add(a, "-append");
	argv_add(a, "console=%s%s%s%s", guesthw_archs[g->arch].console, tsc, g->append[0] ? " " : "", g->append);
}

/* SeaBIOS needs nothing: it is QEMU's default -bios. OVMF's code is
 * shared and read-only; its variable store is the guest's own, so one
 * guest's boot entries never reach another. A riscv64 kernel runs in
 * supervisor mode under an SBI firmware: QEMU's OpenSBI, said explicitly
 * because the image must carry it (QEMU_OPENSBI). */
static void add_firmware(struct argv_buf *a, const struct guest_config *g, const struct qemu_env *env)
{
	if (g->arch == GUESTHW_ARCH_RISCV64 && g->firmware == GUEST_FW_KERNEL) {
		argv_add(a, "-bios");
		argv_add(a, "default");
	} else if (g->firmware == GUEST_FW_UEFI) {
		argv_add(a, "-drive");
		argv_add(a, "if=pflash,format=raw,unit=0,readonly=on,file=%s", QEMU_OVMF_CODE);
		argv_add(a, "-drive");
		argv_add(a, "if=pflash,format=raw,unit=1,file=%s", env->uefi_vars);
	} else if (g->firmware == GUEST_FW_UBOOT) {
		argv_add(a, "-bios");
		argv_add(a, "%s", g->arch == GUESTHW_ARCH_AARCH64 ? QEMU_UBOOT_ARM64 : QEMU_UBOOT_X86_64);
	} else if (g->firmware == GUEST_FW_FILE) {
		argv_add(a, "-bios");
		argv_add(a, "%s", g->firmware_file);
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

static void add_disk(struct argv_buf *a, const struct guest_config *g, const struct qemu_env *env, unsigned i,
		     unsigned on_bus)
{
	const struct guest_disk *d = &g->disks[i];
	char place[40];

	argv_add(a, "-drive");
	/* QEMU rejects a comma inside a value unless doubled; the validator
	 * refuses paths with one (vc_check_quoted_path). */
	argv_add(a, "file=%s,if=none,id=drive%u,format=%s,snapshot=%s", d->path, i,
	    env->disk_formats[i] == DISK_QCOW2 ? "qcow2" : "raw", d->persistent ? "off" : "on");
	disk_place(d->bus, i, on_bus, place, sizeof(place));
	argv_add(a, "-device");
	argv_add(a, "%s,drive=drive%u,id=disk%u%s%s",
	    microvm(g) && d->bus == GUESTHW_BUS_VIRTIO ? guesthw_buses[d->bus].mmio : disk_drivers[d->bus], i, i, place,
	    i != 0 || g->firmware == GUEST_FW_KERNEL ? "" : g->boot_network ? ",bootindex=1" : ",bootindex=0");
}

static void add_disks(struct argv_buf *a, const struct guest_config *g, const struct qemu_env *env)
{
	unsigned on_bus[GUESTHW_BUSES] = { 0 };

	for (unsigned i = 0; i < g->ndisks && i < GUEST_MAX_DISKS; i++) {
		enum guesthw_bus bus = g->disks[i].bus;

		if (!on_bus[bus] && controllers[bus]) {
			argv_add(a, "-device");
			argv_add(a, "%s", microvm(g) && bus == GUESTHW_BUS_SCSI ? "virtio-scsi-device,id=scsi0"
										: controllers[bus]);
		}
		add_disk(a, g, env, i, on_bus[bus]++);
	}
}

/* How the first NIC of a netbooting guest boots (the comment on top). */
static const char *nic_boot(const struct guest_config *g, unsigned i)
{
	if (i != 0 || !g->boot_network)
		return "";
	return g->firmware == GUEST_FW_UEFI ? ",bootindex=0,romfile=" : ",bootindex=0";
}

static void add_net(struct argv_buf *a, const struct guest_config *g, const struct qemu_env *env)
{
	char mac[18];

	if (env->tap_fd < 0)
		return;
	for (unsigned i = 0; i < (g->nnics ? g->nnics : 1); i++) {
		addr_format_mac(g->nnics ? g->nics[i].mac : g->mac, mac);
		argv_add(a, "-netdev");
		argv_add(a, "tap,id=n%u,fd=%d", i, env->tap_fd + (int)i);
		argv_add(a, "-device");
		argv_add(a, "%s,netdev=n%u,mac=%s%s", driver(g, &guesthw_nics[g->nnics ? g->nics[i].model : g->nic]), i, mac,
		    nic_boot(g, i));
	}
}

static void add_console_qmp(struct argv_buf *a, const struct qemu_env *env)
{
	argv_add(a, "-chardev");
	argv_add(a, "socket,id=con0,path=%s/console.sock,server=on,wait=off,logfile=%s/" CONLOG_FIFO ",logappend=on",
	    env->run_dir, env->run_dir);
	argv_add(a, "-serial");
	argv_add(a, "chardev:con0");
	argv_add(a, "-qmp");
	argv_add(a, "unix:%s/qmp.sock,server=on,wait=off", env->run_dir);
}

/* The guest agent's channel (guests/agent/, docs/AGENT.md): a
 * virtio-serial port named org.labinit.agent, QEMU's end a unix socket in
 * the run directory that `labctl run` connects to. Not the guest network:
 * a guest whose network is broken still reports. PCI on every machine
 * but microvm (the aarch64 and riscv64 virt machines have a PCIe host
 * bridge, which the disks and NICs use too); virtio-mmio there. wait=off: the guest runs without a client. */
static void add_agent(struct argv_buf *a, const struct guest_config *g, const struct qemu_env *env)
{
	argv_add(a, "-device");
	argv_add(a, "%s,id=agentbus0", microvm(g) ? "virtio-serial-device" : "virtio-serial-pci");
	argv_add(a, "-chardev");
	argv_add(a, "socket,id=agent0,path=%s/" QEMU_AGENT_SOCK ",server=on,wait=off", env->run_dir);
	argv_add(a, "-device");
	argv_add(a, "virtserialport,bus=agentbus0.0,chardev=agent0,name=" AGENT_PORT_NAME);
}

static void add_share_gdb(struct argv_buf *a, const struct guest_config *g, const struct qemu_env *env)
{
	if (env->share_dir && microvm(g)) {
		/* -virtfs always makes a virtio-9p-pci */
		argv_add(a, "-fsdev");
		argv_add(a, "local,path=%s,security_model=none,id=share0", env->share_dir);
		argv_add(a, "-device");
		argv_add(a, "virtio-9p-device,fsdev=share0,mount_tag=%s", env->share_tag);
	} else if (env->share_dir) {
		argv_add(a, "-virtfs");
		argv_add(a, "local,path=%s,mount_tag=%s,security_model=none,id=share0", env->share_dir, env->share_tag);
	}
	if (g->gdb_port) {
		argv_add(a, "-gdb");
		argv_add(a, "tcp::%u", g->gdb_port);
		if (g->gdb_wait)
			argv_add(a, "-S");
	}
}

static void add_seed(struct argv_buf *a, const struct guest_config *g, const struct qemu_env *env)
{
	if (!env->seed)
		return;
	argv_add(a, "-drive");
	argv_add(a, "file=%s,if=none,id=seed,format=raw,readonly=on", env->seed);
	argv_add(a, "-device");
	argv_add(a, "%s,drive=seed,id=seeddisk", microvm(g) ? "virtio-blk-device" : "virtio-blk-pci");
}

/* The validator split the same words already (validate_guests.c); false
 * here means the value changed since, and the argv is refused. */
static bool add_extra(struct argv_buf *a, const struct guest_config *g)
{
	char buf[4096], *w[QEMU_MAX_ARGS + 1];
	const char *why;
	int n;

	if (!g->qemu_args || !g->qemu_args[0])
		return true;
	if ((n = words_split(g->qemu_args, buf, sizeof(buf), w, QEMU_MAX_ARGS, &why)) < 0)
		return false;
	for (int i = 0; i < n; i++)
		argv_add(a, "%s", w[i]);
	return true;
}

/* QEMU's own seccomp filter (-sandbox): the guest's device emulation is
 * what a guest attacks, so the process that runs it may not exec or fork
 * (spawn), gain privileges (elevateprivileges: no setuid, no file caps),
 * change scheduling or resource limits (resourcecontrol) or use the old
 * system calls nothing modern needs (obsolete). It runs as an unprivileged
 * user besides (guest_prepare). */
static void add_sandbox(struct argv_buf *a)
{
	argv_add(a, "-sandbox");
	argv_add(a, "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
}

enum qemu_accel qemu_accel_for(const struct guest_config *g, enum qemu_accel host)
{
	return g->arch == guesthw_arch_native() ? host : QEMU_TCG;
}

int qemu_build_argv(const struct guest_config *g, const struct qemu_env *env, struct argv_buf *out)
{
	memset(out, 0, sizeof(*out));
	add_machine(out, g, env);
	add_sandbox(out);
	add_firmware(out, g, env);
	add_boot(out, g, env);
	add_disks(out, g, env);
	add_net(out, g, env);
	add_console_qmp(out, env);
	add_agent(out, g, env);
	add_share_gdb(out, g, env);
	add_seed(out, g, env);
	if (!add_extra(out, g))
		return -EINVAL;
	return out->overflow ? -E2BIG : 0;
}
