/* QEMU's command line for a guest, argument by argument. */
#include <errno.h>
#include <string.h>

#include "guests/qemu/qemu.h"
#include "t.h"

/* Paths as long as the profile allows. */
static char kernel[4096], initrd[4096], disk[4096];

static int find(const struct qemu_argv *a, const char *opt, const char *val)
{
	for (unsigned i = 0; i + 1 < a->argc; i++)
		if (!strcmp(a->argv[i], opt) && (!val || !strcmp(a->argv[i + 1], val)))
			return (int)i;
	return -1;
}

static struct guest_config guest(void)
{
	struct guest_config g;

	memset(&g, 0, sizeof(g));
	g.name = "vm1";
	g.kernel = "/lab/guests/demo/vmlinux";
	g.initrd = "/lab/guests/demo/initramfs.cpio.gz";
	g.disk = "";
	g.append = "nokaslr";
	g.memory_mib = 256;
	g.cpus = 2;
	g.nic = GUEST_NIC_VIRTIO;
	memcpy(g.mac, "\x52\x54\x00\x12\x34\x56", 6);
	return g;
}

int main(void)
{
	struct qemu_env env = { "/usr/bin/qemu-system-x86_64", QEMU_TCG, 3, "/run/labinit/guests/vm1", "/lab/share",
				"debug", DISK_RAW };
	struct guest_config g = guest();
	struct qemu_argv a;

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
	CHECK(find(&a, "-serial", "chardev:con0") >= 0);
	CHECK(find(&a, "-chardev", "socket,id=con0,path=/run/labinit/guests/vm1/console.sock,server=on,wait=off,"
				   "logfile=/run/labinit/guests/vm1/console.fifo,logappend=on") >= 0);
	CHECK(find(&a, "-qmp", "unix:/run/labinit/guests/vm1/qmp.sock,server=on,wait=off") >= 0);
	CHECK(find(&a, "-virtfs", "local,path=/lab/share,mount_tag=debug,security_model=none,id=share0") >= 0);
	CHECK(find(&a, "-nodefaults", NULL) >= 0 || !strcmp(a.argv[a.argc - 1], "-nodefaults"));
	CHECK(find(&a, "-gdb", NULL) < 0 && find(&a, "-drive", NULL) < 0);

	/* KVM, e1000, a persistent qcow2 disk, a gdb stub halted at start, no share. */
	g.nic = GUEST_NIC_E1000;
	g.gdb_port = 1234;
	g.gdb_wait = true;
	g.disk = "/lab/root.qcow2";
	g.disk_persistent = true;
	g.append = "";
	env.accel = QEMU_KVM;
	env.share_dir = NULL;
	env.disk_format = DISK_QCOW2;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-machine", "pc,accel=kvm") >= 0 && find(&a, "-cpu", "host") >= 0);
	CHECK(find(&a, "-device", "e1000,netdev=n0,mac=52:54:00:12:34:56") >= 0);
	CHECK(find(&a, "-drive", "file=/lab/root.qcow2,if=virtio,format=qcow2,snapshot=off") >= 0);
	CHECK(find(&a, "-gdb", "tcp::1234") >= 0 && !strcmp(a.argv[a.argc - 1], "-S"));
	CHECK(find(&a, "-append", "console=ttyS0") >= 0 && find(&a, "-virtfs", NULL) < 0);
	g.nic = GUEST_NIC_RTL8139;
	g.disk_persistent = false;
	env.disk_format = DISK_RAW;
	CHECK(qemu_build_argv(&g, &env, &a) == 0);
	CHECK(find(&a, "-device", "rtl8139,netdev=n0,mac=52:54:00:12:34:56") >= 0);
	CHECK(find(&a, "-drive", "file=/lab/root.qcow2,if=virtio,format=raw,snapshot=on") >= 0);
	/* Too long for the buffer: an error, never a cut argument. */
	memset(kernel, 'k', sizeof(kernel) - 1);
	memset(initrd, 'i', sizeof(initrd) - 1);
	memset(disk, 'd', sizeof(disk) - 1);
	g.kernel = kernel;
	g.initrd = initrd;
	g.disk = disk;
	g.append = disk;
	CHECK(qemu_build_argv(&g, &env, &a) == -E2BIG);
	return T_DONE();
}
