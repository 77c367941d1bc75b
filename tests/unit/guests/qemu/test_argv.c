/* QEMU's command line for a guest, argument by argument. */
#include <errno.h>
#include <string.h>

#include "guests/qemu/qemu.h"
#include "t.h"

/* Paths as long as the profile allows. */
static char kernel[4096], initrd[4096], disk[4096];

static int find(const struct argv_buf *a, const char *opt, const char *val)
{
	for (unsigned i = 0; i + 1 < a->argc; i++)
		if (!strcmp(a->argv[i], opt) && (!val || !strcmp(a->argv[i + 1], val)))
			return (int)i;
	return -1;
}

static unsigned count(const struct argv_buf *a, const char *opt)
{
	unsigned n = 0;

	for (unsigned i = 0; i < a->argc; i++)
		n += !strcmp(a->argv[i], opt);
	return n;
}

static struct guest_config guest(void)
{
	struct guest_config g;

	memset(&g, 0, sizeof(g));
	g.name = "vm1";
	g.kernel = "/lab/guests/demo/vmlinux";
	g.initrd = "/lab/guests/demo/initramfs.cpio.gz";
	g.append = "nokaslr";
	g.memory_mib = 256;
	g.cpus = 2;
	g.nic = GUESTHW_NIC_VIRTIO;
	memcpy(g.mac, "\x52\x54\x00\x12\x34\x56", 6);
	return g;
}

static struct qemu_env env_tcg(void)
{
	return (struct qemu_env){ .qemu = "/usr/bin/qemu-system-x86_64", .accel = QEMU_TCG, .tap_fd = 3,
				  .run_dir = "/run/labinit/guests/vm1", .share_dir = "/lab/share", .share_tag = "debug" };
}

static void test_kernel_boot(void)
{
	struct qemu_env env = env_tcg();
	struct guest_config g = guest();
	static struct argv_buf a;

	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(!strcmp(a.argv[0], "/usr/bin/qemu-system-x86_64") && a.argv[a.argc] == NULL);
	CHECK(find(&a, "-machine", "pc,accel=tcg") >= 0 && find(&a, "-cpu", "max") >= 0);
	CHECK(find(&a, "-m", "256") >= 0 && find(&a, "-smp", "2") >= 0);
	CHECK(find(&a, "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny") >= 0);
	CHECK(find(&a, "-kernel", "/lab/guests/demo/vmlinux") >= 0);
	CHECK(find(&a, "-initrd", "/lab/guests/demo/initramfs.cpio.gz") >= 0);
	CHECK(find(&a, "-append", "console=ttyS0 nokaslr") >= 0);
	CHECK(find(&a, "-netdev", "tap,id=n0,fd=3") >= 0);
	CHECK(find(&a, "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56") >= 0);
	CHECK(find(&a, "-device", "virtio-serial-pci,id=agentbus0") >= 0);
	CHECK(find(&a, "-device", "virtserialport,bus=agentbus0.0,chardev=agent0,name=org.labinit.agent") >= 0);
	CHECK(find(&a, "-serial", "chardev:con0") >= 0);
	CHECK(find(&a, "-chardev", "socket,id=con0,path=/run/labinit/guests/vm1/console.sock,server=on,wait=off,"
				   "logfile=/run/labinit/guests/vm1/console.fifo,logappend=on") >= 0);
	CHECK(find(&a, "-qmp", "unix:/run/labinit/guests/vm1/qmp.sock,server=on,wait=off") >= 0);
	CHECK(find(&a, "-virtfs", "local,path=/lab/share,mount_tag=debug,security_model=none,id=share0") >= 0);
	CHECK(find(&a, "-nodefaults", NULL) >= 0 || !strcmp(a.argv[a.argc - 1], "-nodefaults"));
	CHECK(find(&a, "-gdb", NULL) < 0 && find(&a, "-drive", NULL) < 0);
	CHECK(find(&a, "-bios", NULL) < 0 && find(&a, "-boot", NULL) < 0);

	/* KVM, e1000, a persistent qcow2 disk, a gdb stub halted at start, no share. */
	g.nic = GUESTHW_NIC_E1000;
	g.gdb_port = 1234;
	g.gdb_wait = true;
	g.disks[0] = (struct guest_disk){ "/lab/root.qcow2", GUESTHW_BUS_VIRTIO, true };
	g.ndisks = 1;
	g.append = "";
	env.accel = QEMU_KVM;
	env.share_dir = NULL;
	env.disk_formats[0] = DISK_QCOW2;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-machine", "pc,accel=kvm") >= 0 && find(&a, "-cpu", "host") >= 0);
	CHECK(find(&a, "-device", "e1000,netdev=n0,mac=52:54:00:12:34:56") >= 0);
	CHECK(find(&a, "-drive", "file=/lab/root.qcow2,if=none,id=drive0,format=qcow2,snapshot=off") >= 0);
	/* Booted by -kernel: no boot index on the disk. */
	CHECK(find(&a, "-device", "virtio-blk-pci,drive=drive0,id=disk0") >= 0);
	CHECK(find(&a, "-gdb", "tcp::1234") >= 0 && !strcmp(a.argv[a.argc - 1], "-S"));
	CHECK(find(&a, "-append", "console=ttyS0") >= 0 && find(&a, "-virtfs", NULL) < 0);
	g.nic = GUESTHW_NIC_RTL8139;
	g.disks[0].persistent = false;
	env.disk_formats[0] = DISK_RAW;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-device", "rtl8139,netdev=n0,mac=52:54:00:12:34:56") >= 0);
	CHECK(find(&a, "-drive", "file=/lab/root.qcow2,if=none,id=drive0,format=raw,snapshot=on") >= 0);
	/* Too long for the buffer: an error, never a cut argument. */
	memset(kernel, 'k', sizeof(kernel) - 1);
	memset(initrd, 'i', sizeof(initrd) - 1);
	memset(disk, 'd', sizeof(disk) - 1);
	g.kernel = kernel;
	g.initrd = initrd;
	g.disks[0].path = disk;
	g.append = disk;
	CHECK(qemu_build_argv(&g, &env, &a) == -E2BIG);
}

/* Every NIC of the table, under the -device name QEMU gives it. */
static void test_nics(void)
{
	static const char *const want[GUESTHW_NICS] = { "ne2k_pci", "i82551", "i82557b", "i82559er", "rtl8139",
							 "e1000",    "e1000e", "pcnet",   "vmxnet3",  "virtio-net-pci" };
	struct qemu_env env = env_tcg();
	struct guest_config g = guest();
	static struct argv_buf a;
	char dev[64];

	for (unsigned n = 0; n < GUESTHW_NICS; n++) {
		g.nic = (enum guesthw_nic)n;
		snprintf(dev, sizeof(dev), "%s,netdev=n0,mac=52:54:00:12:34:56", want[n]);
		CHECK(qemu_build_argv(&g, &env, &a) == 0);
		CHECK_MSG(find(&a, "-device", dev) >= 0, "no -device %s", dev);
	}
}

/* The first disk on each bus, booted by SeaBIOS; its controller once. */
static void test_first_disk_buses(void)
{
	static const char *const want[GUESTHW_BUSES][2] = {
		[GUESTHW_BUS_VIRTIO] = { NULL, "virtio-blk-pci,drive=drive0,id=disk0,bootindex=0" },
		[GUESTHW_BUS_SCSI] = { "virtio-scsi-pci,id=scsi0", "scsi-hd,drive=drive0,id=disk0,bus=scsi0.0,bootindex=0" },
		[GUESTHW_BUS_IDE] = { NULL, "ide-hd,drive=drive0,id=disk0,bus=ide.0,unit=0,bootindex=0" },
		[GUESTHW_BUS_SATA] = { "ich9-ahci,id=ahci0", "ide-hd,drive=drive0,id=disk0,bus=ahci0.0,bootindex=0" },
		[GUESTHW_BUS_NVME] = { NULL, "nvme,drive=drive0,id=disk0,serial=disk0,bootindex=0" },
		[GUESTHW_BUS_USB] = { "qemu-xhci,id=xhci0", "usb-storage,drive=drive0,id=disk0,bus=xhci0.0,bootindex=0" },
	};
	struct qemu_env env = env_tcg();
	struct guest_config g = guest();
	static struct argv_buf a;

	g.kernel = g.initrd = g.append = "";
	g.firmware = GUEST_FW_BIOS;
	g.ndisks = 1;
	for (unsigned b = 0; b < GUESTHW_BUSES; b++) {
		g.disks[0] = (struct guest_disk){ "/lab/cirros.img", (enum guesthw_bus)b, false };
		CHECK(qemu_build_argv(&g, &env, &a) == 0);
		CHECK(find(&a, "-drive", "file=/lab/cirros.img,if=none,id=drive0,format=raw,snapshot=on") >= 0);
		CHECK_MSG(find(&a, "-device", want[b][1]) >= 0, "bus %u: no -device %s", b, want[b][1]);
		CHECK(!want[b][0] || find(&a, "-device", want[b][0]) < find(&a, "-device", want[b][1]));
		CHECK(!want[b][0] || find(&a, "-device", want[b][0]) >= 0);
		/* SeaBIOS is QEMU's default: nothing names it; no kernel. */
		CHECK(find(&a, "-bios", NULL) < 0 && find(&a, "-kernel", NULL) < 0 && find(&a, "-append", NULL) < 0);
		CHECK(find(&a, "-initrd", NULL) < 0);
	}
}

/* The first disk and four extra ones: ids in order, IDE positions
 * filled bus by bus, one controller per bus, writable or snapshot each. */
static void test_extra_disks(void)
{
	struct qemu_env env = env_tcg();
	struct guest_config g = guest();
	static struct argv_buf a;

	g.disks[0] = (struct guest_disk){ "/lab/rootfs.f2fs", GUESTHW_BUS_IDE, false };
	g.disks[1] = (struct guest_disk){ "/lab/ext4.img", GUESTHW_BUS_IDE, true };
	g.disks[2] = (struct guest_disk){ "/lab/a.qcow2", GUESTHW_BUS_SCSI, false };
	g.disks[3] = (struct guest_disk){ "/lab/b.img", GUESTHW_BUS_SCSI, true };
	g.disks[4] = (struct guest_disk){ "/lab/c.img", GUESTHW_BUS_IDE, false };
	g.ndisks = 5;
	env.disk_formats[2] = DISK_QCOW2;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-drive", "file=/lab/rootfs.f2fs,if=none,id=drive0,format=raw,snapshot=on") >= 0);
	CHECK(find(&a, "-device", "ide-hd,drive=drive0,id=disk0,bus=ide.0,unit=0") >= 0);
	CHECK(find(&a, "-drive", "file=/lab/ext4.img,if=none,id=drive1,format=raw,snapshot=off") >= 0);
	CHECK(find(&a, "-device", "ide-hd,drive=drive1,id=disk1,bus=ide.0,unit=1") >= 0);
	CHECK(find(&a, "-drive", "file=/lab/a.qcow2,if=none,id=drive2,format=qcow2,snapshot=on") >= 0);
	CHECK(find(&a, "-device", "scsi-hd,drive=drive2,id=disk2,bus=scsi0.0") >= 0);
	CHECK(find(&a, "-drive", "file=/lab/b.img,if=none,id=drive3,format=raw,snapshot=off") >= 0);
	CHECK(find(&a, "-device", "scsi-hd,drive=drive3,id=disk3,bus=scsi0.0") >= 0);
	CHECK(find(&a, "-device", "ide-hd,drive=drive4,id=disk4,bus=ide.1,unit=0") >= 0);
	CHECK(find(&a, "-device", "virtio-scsi-pci,id=scsi0") >= 0 && count(&a, "-drive") == 5);
	CHECK(count(&a, "-device") == 1 + 5 + 1 + 2); /* the controller, the disks, the NIC, the agent's two */
	/* SATA and USB disks share their one controller; nvme each its serial. */
	g.disks[0].bus = g.disks[1].bus = GUESTHW_BUS_SATA;
	g.disks[2].bus = g.disks[3].bus = GUESTHW_BUS_USB;
	g.disks[4].bus = GUESTHW_BUS_NVME;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-device", "ide-hd,drive=drive1,id=disk1,bus=ahci0.1") >= 0);
	CHECK(find(&a, "-device", "usb-storage,drive=drive3,id=disk3,bus=xhci0.0") >= 0);
	CHECK(find(&a, "-device", "nvme,drive=drive4,id=disk4,serial=disk4") >= 0);
	CHECK(count(&a, "-device") == 2 + 5 + 1 + 2);
}

static void test_firmware(void)
{
	struct qemu_env env = env_tcg();
	struct guest_config g = guest();
	static struct argv_buf a;

	g.kernel = g.initrd = g.append = "";
	g.disks[0] = (struct guest_disk){ "/lab/debian.qcow2", GUESTHW_BUS_VIRTIO, false };
	g.ndisks = 1;
	g.firmware = GUEST_FW_UEFI;
	env.uefi_vars = "/run/labinit/guests/vm1/OVMF_VARS.fd";
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd") >= 0);
	CHECK(find(&a, "-drive", "if=pflash,format=raw,unit=1,file=/run/labinit/guests/vm1/OVMF_VARS.fd") >= 0);
	CHECK(find(&a, "-device", "virtio-blk-pci,drive=drive0,id=disk0,bootindex=0") >= 0);
	CHECK(find(&a, "-kernel", NULL) < 0 && find(&a, "-bios", NULL) < 0);
	/* A firmware file of one's own. */
	g.firmware = GUEST_FW_FILE;
	g.firmware_file = "/lab/bios.bin";
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-bios", "/lab/bios.bin") >= 0 && count(&a, "-drive") == 1);
	/* A kernel with a firmware: the firmware boots that kernel. */
	g.firmware = GUEST_FW_UEFI;
	g.kernel = "/lab/bzImage";
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-kernel", "/lab/bzImage") >= 0 && find(&a, "-append", "console=ttyS0") >= 0);
	CHECK(count(&a, "-drive") == 3);
}

/* BOOT=network: no kernel for QEMU, the first NIC boots first (the disk
 * after it); under OVMF without its iPXE ROM, so that OVMF's own PXE runs;
 * U-Boot is Debian's build for the arch. */
static void test_boot_network(void)
{
	struct qemu_env env = env_tcg();
	struct guest_config g = guest();
	static struct argv_buf a;

	g.boot_network = true;
	g.firmware = GUEST_FW_BIOS;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-kernel", NULL) < 0 && find(&a, "-initrd", NULL) < 0 && find(&a, "-append", NULL) < 0);
	CHECK(find(&a, "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56,bootindex=0") >= 0);
	g.disks[0] = (struct guest_disk){ "/lab/scratch.img", GUESTHW_BUS_VIRTIO, false };
	g.ndisks = 1;
	g.firmware = GUEST_FW_UEFI;
	env.uefi_vars = "/run/labinit/guests/vm1/OVMF_VARS.fd";
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56,bootindex=0,romfile=") >= 0);
	CHECK(find(&a, "-device", "virtio-blk-pci,drive=drive0,id=disk0,bootindex=1") >= 0);
	CHECK(count(&a, "-drive") == 3 && find(&a, "-kernel", NULL) < 0);
	g.ndisks = 0;
	g.firmware = GUEST_FW_UBOOT;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-bios", "/usr/lib/u-boot/qemu-x86/u-boot.rom") >= 0 && count(&a, "-drive") == 0);
	CHECK(find(&a, "-machine", "pc,accel=tcg") >= 0);
	g.arch = GUESTHW_ARCH_AARCH64;
	env.qemu = "/usr/bin/qemu-system-aarch64";
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-bios", "/usr/lib/u-boot/qemu_arm64/u-boot.bin") >= 0 && find(&a, "-kernel", NULL) < 0);
	/* Only the first NIC boots; without BOOT=network a kernel is QEMU's. */
	g.boot_network = false;
	g.firmware = GUEST_FW_BIOS;
	g.arch = GUESTHW_ARCH_X86_64;
	g.nnics = 2;
	g.nics[0] = (struct guest_nic){ GUESTHW_NIC_E1000, { 0x52, 0x54, 0, 0, 0, 1 }, "vm1", false };
	g.nics[1] = (struct guest_nic){ GUESTHW_NIC_VIRTIO, { 0x52, 0x54, 0, 0, 0, 2 }, "vm1.1", false };
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-kernel", NULL) >= 0 && find(&a, "-device", "e1000,netdev=n0,mac=52:54:00:00:00:01") >= 0);
	g.boot_network = true;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-device", "e1000,netdev=n0,mac=52:54:00:00:00:01,bootindex=0") >= 0);
	CHECK(find(&a, "-device", "virtio-net-pci,netdev=n1,mac=52:54:00:00:00:02") >= 0);
}

/* The cloud-init seed read-only after the disks; QEMU_ARGS last, split
 * as a shell would; a value the splitter refuses refuses the argv. */
static void test_seed_and_extra_args(void)
{
	struct qemu_env env = env_tcg();
	struct guest_config g = guest();
	static struct argv_buf a;
	int seed;

	g.disks[0] = (struct guest_disk){ "/lab/debian.qcow2", GUESTHW_BUS_SATA, false };
	g.ndisks = 1;
	env.seed = "/run/labinit/guests/vm1/cidata.iso";
	g.qemu_args = "-device 'pci-testdev' -trace \"virtio_blk_*\" -global a\\ b";
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	seed = find(&a, "-drive", "file=/run/labinit/guests/vm1/cidata.iso,if=none,id=seed,format=raw,readonly=on");
	CHECK(seed > find(&a, "-device", "ide-hd,drive=drive0,id=disk0,bus=ahci0.0"));
	CHECK(seed >= 0 && !strcmp(a.argv[seed + 3], "virtio-blk-pci,drive=seed,id=seeddisk"));
	CHECK(a.argc > 6 && !strcmp(a.argv[a.argc - 6], "-device") && !strcmp(a.argv[a.argc - 5], "pci-testdev") &&
	      !strcmp(a.argv[a.argc - 3], "virtio_blk_*") && !strcmp(a.argv[a.argc - 1], "a b"));
	g.qemu_args = "-device 'open";
	CHECK(qemu_build_argv(&g, &env, &a) == -EINVAL);
	env.seed = NULL;
	g.qemu_args = "";
	CHECK(qemu_build_argv(&g, &env, &a) == 0 && find(&a, "-drive", NULL) >= 0 && count(&a, "-drive") == 1);
}

/* The guest agent's port (add_agent), after the console and QMP. */
#define AGENT_ARGS(name)                                                                                     \
	"-device", "virtio-serial-pci,id=agentbus0", "-chardev",                                              \
	    "socket,id=agent0,path=/run/labinit/guests/" name "/agent.sock,server=on,wait=off", "-device",   \
	    "virtserialport,bus=agentbus0.0,chardev=agent0,name=org.labinit.agent"

/* The whole command line, argument by argument. */
static void check_golden(const struct argv_buf *a, const char *const want[])
{
	unsigned n = 0;

	while (want[n])
		n++;
	CHECK_MSG(a->argc == n, "%u arguments, wanted %u", a->argc, n);
	for (unsigned i = 0; i < n && i < a->argc; i++)
		CHECK_MSG(!strcmp(a->argv[i], want[i]), "argument %u: \"%s\", wanted \"%s\"", i, a->argv[i], want[i]);
}

/* aarch64: the virt machine with a GICv3, the PL011 console, a SCSI disk,
 * the share and a gdb stub; TCG even when the host has KVM, because the
 * guest is not the host's architecture (qemu_accel_for). */
static void test_arch_aarch64(void)
{
	static const char *const want[] = {
		"/usr/bin/qemu-system-aarch64", "-name", "arm1,process=qemu-arm1", "-nodefaults", "-no-user-config",
		"-no-reboot", "-display", "none", "-machine", "virt,gic-version=3,accel=tcg", "-cpu",
		"max,pauth-impdef=on", "-m", "256", "-smp", "2", "-sandbox",
		"on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", "-kernel",
		"/lab/guests/demo-arm64/Image", "-initrd", "/lab/guests/demo-arm64/initramfs.cpio.gz", "-append",
		"console=ttyAMA0 nokaslr", "-device", "virtio-scsi-pci,id=scsi0", "-drive",
		"file=/lab/scratch.img,if=none,id=drive0,format=raw,snapshot=on", "-device",
		"scsi-hd,drive=drive0,id=disk0,bus=scsi0.0", "-netdev", "tap,id=n0,fd=3", "-device",
		"e1000e,netdev=n0,mac=52:54:00:12:34:56", "-chardev",
		"socket,id=con0,path=/run/labinit/guests/arm1/console.sock,server=on,wait=off,"
		"logfile=/run/labinit/guests/arm1/console.fifo,logappend=on",
		"-serial", "chardev:con0", "-qmp", "unix:/run/labinit/guests/arm1/qmp.sock,server=on,wait=off", 
		AGENT_ARGS("arm1"),
		"-virtfs",
		"local,path=/lab/share,mount_tag=debug,security_model=none,id=share0", "-gdb", "tcp::1234", NULL
	};
	struct qemu_env env = env_tcg();
	struct guest_config g = guest();
	static struct argv_buf a;

	g.name = "arm1";
	g.arch = GUESTHW_ARCH_AARCH64;
	g.kernel = "/lab/guests/demo-arm64/Image";
	g.initrd = "/lab/guests/demo-arm64/initramfs.cpio.gz";
	g.nic = GUESTHW_NIC_E1000E;
	g.gdb_port = 1234;
	g.disks[0] = (struct guest_disk){ "/lab/scratch.img", GUESTHW_BUS_SCSI, false };
	g.ndisks = 1;
	env.qemu = "/usr/bin/qemu-system-aarch64";
	env.run_dir = "/run/labinit/guests/arm1";
	CHECK(qemu_accel_for(&g, QEMU_KVM) == QEMU_TCG);
	env.accel = qemu_accel_for(&g, QEMU_KVM);
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	check_golden(&a, want);
}

/* riscv64: the virt machine under OpenSBI (-bios default), the 16550
 * console, an NVMe disk; with a firmware file of one's own, that one
 * instead of OpenSBI. */
static void test_arch_riscv64(void)
{
	static const char *const want[] = {
		"/usr/bin/qemu-system-riscv64", "-name", "rv1,process=qemu-rv1", "-nodefaults", "-no-user-config",
		"-no-reboot", "-display", "none", "-machine", "virt,accel=tcg", "-cpu", "rv64", "-m", "256", "-smp", "2",
		"-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", "-bios", "default",
		"-kernel", "/lab/guests/demo-riscv64/Image", "-initrd", "/lab/guests/demo-riscv64/initramfs.cpio.gz",
		"-append", "console=ttyS0 nokaslr", "-drive", "file=/lab/scratch.img,if=none,id=drive0,format=raw,snapshot=on",
		"-device", "nvme,drive=drive0,id=disk0,serial=disk0", "-netdev", "tap,id=n0,fd=3", "-device",
		"virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56", "-chardev",
		"socket,id=con0,path=/run/labinit/guests/rv1/console.sock,server=on,wait=off,"
		"logfile=/run/labinit/guests/rv1/console.fifo,logappend=on",
		"-serial", "chardev:con0", "-qmp", "unix:/run/labinit/guests/rv1/qmp.sock,server=on,wait=off", 
		AGENT_ARGS("rv1"),
		"-gdb",
		"tcp::1235", "-S", NULL
	};
	struct qemu_env env = env_tcg();
	struct guest_config g = guest();
	static struct argv_buf a;

	g.name = "rv1";
	g.arch = GUESTHW_ARCH_RISCV64;
	g.kernel = "/lab/guests/demo-riscv64/Image";
	g.initrd = "/lab/guests/demo-riscv64/initramfs.cpio.gz";
	g.gdb_port = 1235;
	g.gdb_wait = true;
	g.disks[0] = (struct guest_disk){ "/lab/scratch.img", GUESTHW_BUS_NVME, false };
	g.ndisks = 1;
	env.qemu = "/usr/bin/qemu-system-riscv64";
	env.run_dir = "/run/labinit/guests/rv1";
	env.share_dir = NULL;
	CHECK(qemu_accel_for(&g, QEMU_TCG) == QEMU_TCG);
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	check_golden(&a, want);
	g.firmware = GUEST_FW_FILE;
	g.firmware_file = "/lab/fw_jump.bin";
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-bios", "/lab/fw_jump.bin") >= 0 && count(&a, "-bios") == 1);
}

/* x86_64 keeps the host's accelerator; its argv is test_kernel_boot's. */
static void test_arch_native(void)
{
	struct guest_config g = guest();

	CHECK(g.arch == GUESTHW_ARCH_X86_64);
	CHECK(qemu_accel_for(&g, QEMU_KVM) == QEMU_KVM && qemu_accel_for(&g, QEMU_TCG) == QEMU_TCG);
}

/* microvm: the same devices on virtio-mmio, no PCI device at all; the
 * TSC rate under TCG only, before APPEND. */
static void test_microvm(void)
{
	struct qemu_env env = env_tcg();
	struct guest_config g = guest();
	static struct argv_buf a;

	g.machine = GUEST_MACHINE_MICROVM;
	g.disks[0] = (struct guest_disk){ "/lab/a.img", GUESTHW_BUS_VIRTIO, false };
	g.disks[1] = (struct guest_disk){ "/lab/b.img", GUESTHW_BUS_SCSI, false };
	g.ndisks = 2;
	env.seed = "/run/labinit/guests/vm1/cidata.iso";
	env.tsc_khz = 2096000;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-machine", "microvm,acpi=on,x-option-roms=off,accel=tcg") >= 0);
	CHECK(find(&a, "-append", "console=ttyS0 tsc_early_khz=2096000 nokaslr") >= 0);
	CHECK(find(&a, "-device", "virtio-net-device,netdev=n0,mac=52:54:00:12:34:56") >= 0);
	CHECK(find(&a, "-device", "virtio-blk-device,drive=drive0,id=disk0") >= 0);
	CHECK(find(&a, "-device", "virtio-scsi-device,id=scsi0") >= 0);
	CHECK(find(&a, "-device", "scsi-hd,drive=drive1,id=disk1,bus=scsi0.0") >= 0);
	CHECK(find(&a, "-device", "virtio-serial-device,id=agentbus0") >= 0);
	CHECK(find(&a, "-device", "virtserialport,bus=agentbus0.0,chardev=agent0,name=org.labinit.agent") >= 0);
	CHECK(find(&a, "-fsdev", "local,path=/lab/share,security_model=none,id=share0") >= 0);
	CHECK(find(&a, "-device", "virtio-9p-device,fsdev=share0,mount_tag=debug") >= 0);
	CHECK(find(&a, "-device", "virtio-blk-device,drive=seed,id=seeddisk") >= 0);
	CHECK(count(&a, "-virtfs") == 0 && count(&a, "-bios") == 0);
	for (unsigned i = 0; i < a.argc; i++)
		CHECK_MSG(!strstr(a.argv[i], "-pci"), "%s", a.argv[i]);
	/* KVM: the kernel reads the TSC rate from kvmclock */
	env.accel = QEMU_KVM;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-append", "console=ttyS0 nokaslr") >= 0);
	CHECK(find(&a, "-machine", "microvm,acpi=on,x-option-roms=off,accel=kvm") >= 0);
	/* pc (and auto, which guest_prepare decides before) keep PCI */
	g.machine = GUEST_MACHINE_PC;
	env.accel = QEMU_TCG;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-machine", "pc,accel=tcg") >= 0 && find(&a, "-append", "console=ttyS0 nokaslr") >= 0);
	CHECK(find(&a, "-device", "virtio-serial-pci,id=agentbus0") >= 0 && count(&a, "-virtfs") == 1);
	/* microvm is x86_64's: another architecture keeps its virt machine */
	g.machine = GUEST_MACHINE_MICROVM;
	g.arch = GUESTHW_ARCH_AARCH64;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-machine", "virt,gic-version=3,accel=tcg") >= 0);
}

int main(void)
{
	test_kernel_boot();
	test_nics();
	test_first_disk_buses();
	test_extra_disks();
	test_firmware();
	test_boot_network();
	test_seed_and_extra_args();
	test_arch_aarch64();
	test_arch_riscv64();
	test_arch_native();
	test_microvm();
	return T_DONE();
}
