/* MACHINE=auto's checks (guests/qemu/microvm.c) on files made here: a
 * vmlinux with and without its PVH note and virtio_mmio_probe, bzImage
 * setup headers, initrds with virtio_mmio.ko uncompressed, behind a
 * compressed part or not at all; and the devices that need PCI. */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guests/qemu/microvm.h"
#include "t.h"

static char dir[] = "/tmp/test_microvm.XXXXXX";

static int file_of(const void *buf, size_t len)
{
	char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/f", dir);
	f = fopen(path, "w+");
	fwrite(buf, 1, len, f);
	fflush(f);
	fd = dup(fileno(f));
	fclose(f);
	unlink(path);
	return fd;
}

/* An ELF64 x86_64 file: one PT_NOTE (the Xen PVH note if pvh, else a
 * GNU one) and a .symtab whose names are syms. */
static size_t make_elf(uint8_t *b, bool pvh, const char *syms, size_t symslen)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	Elf64_Phdr *ph = (Elf64_Phdr *)(b + 64);
	Elf64_Shdr *sh = (Elf64_Shdr *)(b + 512);
	Elf64_Nhdr *n = (Elf64_Nhdr *)(b + 256);

	memset(b, 0, 1024 + symslen);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = 64;
	eh->e_phnum = 1;
	eh->e_shoff = 512;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 3;
	n[0] = (Elf64_Nhdr){ 4, 4, 1 }; /* a GNU note first, then the one looked for */
	memcpy(b + 256 + 12, "GNU", 4);
	n = (Elf64_Nhdr *)(b + 256 + 20);
	*n = (Elf64_Nhdr){ 4, 4, pvh ? 18 : 17 };
	memcpy(b + 256 + 32, "Xen", 4);
	*ph = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 256, .p_filesz = 40 };
	sh[1] = (Elf64_Shdr){ .sh_type = SHT_SYMTAB, .sh_link = 2 };
	sh[2] = (Elf64_Shdr){ .sh_type = SHT_STRTAB, .sh_offset = 1024, .sh_size = symslen };
	memcpy(b + 1024, syms, symslen);
	return 1024 + symslen;
}

static void test_vmlinux(void)
{
	static uint8_t b[4096];
	static const char with[] = "\0start_kernel\0virtio_mmio_probe\0", without[] = "\0virtio_mmio_probe_x\0vm\0";
	char why[160];
	int fd;

	fd = file_of(b, make_elf(b, true, with, sizeof(with)));
	CHECK(qemu_microvm_probe_boot(fd, why, sizeof(why)) == MICROVM_YES);
	CHECK(qemu_microvm_probe_builtin(fd) == MICROVM_YES);
	close(fd);
	fd = file_of(b, make_elf(b, false, without, sizeof(without)));
	CHECK(qemu_microvm_probe_boot(fd, why, sizeof(why)) == MICROVM_NO && strstr(why, "no PVH entry note"));
	CHECK(qemu_microvm_probe_builtin(fd) == MICROVM_NO);
	close(fd);
	/* a note that claims more than its segment holds */
	make_elf(b, true, with, sizeof(with));
	((Elf64_Nhdr *)(b + 256 + 20))->n_descsz = 4000;
	fd = file_of(b, 1024 + sizeof(with));
	CHECK(qemu_microvm_probe_boot(fd, why, sizeof(why)) == MICROVM_NO);
	close(fd);
	/* no section table: no symbols to tell */
	make_elf(b, true, with, sizeof(with));
	((Elf64_Ehdr *)b)->e_shnum = 0;
	fd = file_of(b, 1024 + sizeof(with));
	CHECK(qemu_microvm_probe_builtin(fd) == MICROVM_UNKNOWN);
	close(fd);
}

static void test_bzimage(void)
{
	static uint8_t b[1024];
	char why[160];
	int fd;

	memcpy(b + 0x202, "HdrS\x0f\x02", 6); /* 2.15 */
	fd = file_of(b, sizeof(b));
	CHECK(qemu_microvm_probe_boot(fd, why, sizeof(why)) == MICROVM_YES);
	CHECK(qemu_microvm_probe_builtin(fd) == MICROVM_UNKNOWN);
	close(fd);
	memcpy(b + 0x202, "HdrS\x05\x02", 6);
	fd = file_of(b, sizeof(b));
	CHECK(qemu_microvm_probe_boot(fd, why, sizeof(why)) == MICROVM_NO && strstr(why, "2.05"));
	close(fd);
	memset(b, 0, sizeof(b));
	fd = file_of(b, sizeof(b));
	CHECK(qemu_microvm_probe_boot(fd, why, sizeof(why)) == MICROVM_NO && strstr(why, "neither"));
	close(fd);
}

/* One newc entry at *len: header, name (NUL included) padded to 4 with
 * the header, data padded to 4. */
static void cpio_add(uint8_t *b, size_t *len, const char *name, const char *data)
{
	size_t n = strlen(name) + 1, d = strlen(data);

	*len += (size_t)sprintf((char *)b + *len, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
				1, 0100644, 0, 0, 1, 0, d, 0, 0, 0, 0, n, 0);
	memcpy(b + *len, name, n);
	*len = (*len + n + 3) & ~(size_t)3;
	memcpy(b + *len, data, d);
	*len = (*len + d + 3) & ~(size_t)3;
}

static void test_initrd(void)
{
	static uint8_t b[8192];
	char what[160];
	size_t len = 0;
	int fd;

	memset(b, 0, sizeof(b));
	cpio_add(b, &len, "init", "#!/bin/sh\n");
	cpio_add(b, &len, "lib/modules/6.1.0/kernel/drivers/virtio/virtio_mmio.kox", "x");
	cpio_add(b, &len, "TRAILER!!!", "");
	fd = file_of(b, len);
	CHECK(qemu_microvm_probe_initrd(fd, what, sizeof(what)) == MICROVM_NO);
	close(fd);
	/* a second archive after zero padding, the module in it */
	len += 512;
	cpio_add(b, &len, "lib/modules/6.1.0/kernel/drivers/virtio/virtio_mmio.ko", "\x7f" "ELF");
	cpio_add(b, &len, "TRAILER!!!", "");
	fd = file_of(b, len);
	CHECK(qemu_microvm_probe_initrd(fd, what, sizeof(what)) == MICROVM_YES && strstr(what, "virtio/virtio_mmio.ko"));
	close(fd);
	/* a compressed part before it: not read here */
	memcpy(b + len, "\x1f\x8b\x08\x00", 4);
	fd = file_of(b + len, 64);
	CHECK(qemu_microvm_probe_initrd(fd, what, sizeof(what)) == MICROVM_UNKNOWN && strstr(what, "gzip"));
	close(fd);
	/* a header whose sizes are not hex */
	memcpy(b, "070701zzzzzzzz", 14);
	fd = file_of(b, 200);
	CHECK(qemu_microvm_probe_initrd(fd, what, sizeof(what)) == MICROVM_NO && strstr(what, "not a cpio"));
	close(fd);
}

static void test_blocker(void)
{
	struct guest_config g;
	char buf[160];

	memset(&g, 0, sizeof(g));
	g.kernel = "/k";
	g.initrd = "";
	g.nic = GUESTHW_NIC_VIRTIO;
	CHECK(qemu_microvm_blocker(&g, buf, sizeof(buf)) == NULL);
	g.disks[0].bus = GUESTHW_BUS_SCSI;
	g.ndisks = 1;
	CHECK(qemu_microvm_blocker(&g, buf, sizeof(buf)) == NULL);
	g.disks[1].bus = GUESTHW_BUS_NVME;
	g.ndisks = 2;
	CHECK(qemu_microvm_blocker(&g, buf, sizeof(buf)) && strstr(buf, "nvme disk needs PCI"));
	g.ndisks = 0;
	g.nics[0].model = GUESTHW_NIC_VIRTIO;
	g.nics[1].model = GUESTHW_NIC_E1000;
	g.nnics = 2;
	CHECK(qemu_microvm_blocker(&g, buf, sizeof(buf)) && strstr(buf, "NIC e1000 is a PCI card"));
	g.nnics = 0;
	g.firmware = GUEST_FW_UEFI;
	CHECK(qemu_microvm_blocker(&g, buf, sizeof(buf)) && strstr(qemu_microvm_blocker(&g, buf, sizeof(buf)), "firmware"));
	g.firmware = GUEST_FW_KERNEL;
	g.qemu_args = "-trace 'virtio_*' -device virtio-rng-device,id=r -global a=b";
	CHECK(qemu_microvm_blocker(&g, buf, sizeof(buf)) == NULL);
	g.qemu_args = "-device virtio-rng-device -device 'pci-testdev,id=t'";
	CHECK(qemu_microvm_blocker(&g, buf, sizeof(buf)) &&
	      strstr(buf, "QEMU_ARGS adds -device pci-testdev, which may need PCI"));
	g.qemu_args = "-nic user";
	CHECK(qemu_microvm_blocker(&g, buf, sizeof(buf)) && strstr(buf, "QEMU_ARGS has -nic"));
	g.qemu_args = NULL;
	g.arch = GUESTHW_ARCH_AARCH64;
	CHECK(qemu_microvm_blocker(&g, buf, sizeof(buf)) != NULL);
}

/* The whole decision on files: an explicit machine is taken as it is,
 * auto looks at the kernel and the initrd and says why. */
static void test_pick(void)
{
	static uint8_t b[8192];
	static const char syms[] = "\0start_kernel\0";
	char kernel[64], initrd[64], why[640];
	struct guest_config g;
	size_t len = 0;
	FILE *f;

	snprintf(kernel, sizeof(kernel), "%s/vmlinux", dir);
	snprintf(initrd, sizeof(initrd), "%s/initrd", dir);
	f = fopen(kernel, "w");
	fwrite(b, 1, make_elf(b, true, syms, sizeof(syms)), f);
	fclose(f);
	memset(b, 0, sizeof(b));
	cpio_add(b, &len, "lib/modules/6.1.0/kernel/drivers/virtio/virtio_mmio.ko", "x");
	f = fopen(initrd, "w");
	fwrite(b, 1, len, f);
	fclose(f);
	memset(&g, 0, sizeof(g));
	g.kernel = kernel;
	g.initrd = initrd;
	g.nic = GUESTHW_NIC_VIRTIO;
	CHECK(qemu_microvm_pick(&g, kernel, why, sizeof(why)) == GUEST_MACHINE_MICROVM && strstr(why, "microvm:"));
	g.initrd = "";
	CHECK(qemu_microvm_pick(&g, kernel, why, sizeof(why)) == GUEST_MACHINE_PC &&
	      strstr(why, "pc, not microvm: its kernel has no virtio_mmio built in and it has no initrd"));
	g.initrd = initrd;
	g.nic = GUESTHW_NIC_E1000;
	CHECK(qemu_microvm_pick(&g, kernel, why, sizeof(why)) == GUEST_MACHINE_PC && strstr(why, "e1000"));
	g.machine = GUEST_MACHINE_MICROVM; /* the validator refused e1000 with it already */
	CHECK(qemu_microvm_pick(&g, kernel, why, sizeof(why)) == GUEST_MACHINE_MICROVM && why[0] == '\0');
	g.machine = GUEST_MACHINE_PC;
	g.nic = GUESTHW_NIC_VIRTIO;
	CHECK(qemu_microvm_pick(&g, kernel, why, sizeof(why)) == GUEST_MACHINE_PC && why[0] == '\0');
	unlink(kernel);
	unlink(initrd);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_vmlinux();
	test_bzimage();
	test_initrd();
	test_blocker();
	test_pick();
	CHECK(qemu_microvm_host_tsc_khz() > 100000); /* an x86 host's TSC runs above 100 MHz */
	rmdir(dir);
	return T_DONE();
}
