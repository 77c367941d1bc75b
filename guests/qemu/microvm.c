/* MACHINE=auto for x86_64 guests: microvm when it can run the guest, else
 * pc, and the reason either way. The kernel checks read a few headers,
 * never a whole image: the ELF notes and the symbol names of a vmlinux,
 * the setup header of a bzImage (Documentation/arch/x86/boot.rst), the
 * newc headers of an initrd (Documentation/driver-api/early-userspace/
 * buffer-format.rst). */
#include "guests/qemu/microvm.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guests/qemu/qemu.h"
#include "lib/core/words.h"

/* include/xen/interface/elfnote.h: the 32-bit PVH entry point QEMU's
 * -kernel looks for in a vmlinux (CONFIG_PVH). */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define NOTE_MAX (64u << 10)      /* a PT_NOTE segment read whole */
#define STRTAB_MAX (64u << 20)    /* vmlinux's symbol names (a distribution's: ~4 MiB) */
#define CPIO_MAX_ENTRIES 100000   /* an initrd's uncompressed part walked this far */

/* A device QEMU_ARGS adds that may need PCI: -device with a driver
 * that is not a virtio-mmio one (*-device), or an option that makes a PCI
 * device of its own. Words as the validator split them. */
static const char *extra_devices(const char *args, char *buf, size_t size)
{
	static const char *const pci_options[] = { "-virtfs", "-nic", "-net", "-usb", "-vga", NULL };
	char words[4096], *w[QEMU_MAX_ARGS + 1];
	const char *why;
	int n;

	if (!args || !args[0] || (n = words_split(args, words, sizeof(words), w, QEMU_MAX_ARGS, &why)) < 0)
		return NULL;
	for (int i = 0; i < n; i++) {
		const char *d = i + 1 < n ? w[i + 1] : "";
		size_t len = strcspn(d, ",");

		if (!strcmp(w[i], "-device")) {
			if (len > 7 && !strncmp(d + len - 7, "-device", 7))
				continue;
			snprintf(buf, size, "QEMU_ARGS adds -device %.*s, which may need PCI", (int)len, d);
			return buf;
		}
		for (unsigned k = 0; pci_options[k]; k++)
			if (!strcmp(w[i], pci_options[k])) {
				snprintf(buf, size, "QEMU_ARGS has %s, which makes a PCI device", w[i]);
				return buf;
			}
	}
	return NULL;
}

const char *qemu_microvm_blocker(const struct guest_config *g, char *buf, size_t size)
{
	buf[0] = '\0';
	if (g->arch != GUESTHW_ARCH_X86_64)
		return "not an x86_64 guest";
	if (g->firmware != GUEST_FW_KERNEL || !g->kernel[0])
		return "it boots firmware, not a kernel: microvm has only qboot";
	if (g->boot_network)
		return "it netboots: that needs a NIC option ROM";
	for (unsigned i = 0; i < g->nnics || i == 0; i++) {
		enum guesthw_nic m = g->nnics ? g->nics[i].model : g->nic;

		if (!guesthw_nics[m].mmio) {
			snprintf(buf, size, "its NIC %s is a PCI card", guesthw_nics[m].name);
			return buf;
		}
	}
	for (unsigned i = 0; i < g->ndisks; i++)
		if (!guesthw_buses[g->disks[i].bus].mmio) {
			snprintf(buf, size, "its %s disk needs PCI", guesthw_buses[g->disks[i].bus].name);
			return buf;
		}
	return extra_devices(g->qemu_args, buf, size);
}

static bool read_at(int fd, void *buf, size_t n, uint64_t off)
{
	ssize_t r = pread(fd, buf, n, (off_t)off);

	return r >= 0 && (size_t)r == n;
}

static bool elf_header(int fd, Elf64_Ehdr *eh)
{
	return read_at(fd, eh, sizeof(*eh), 0) && !memcmp(eh->e_ident, ELFMAG, SELFMAG) &&
	       eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_ident[EI_DATA] == ELFDATA2LSB &&
	       eh->e_machine == EM_X86_64;
}

/* Walks one PT_NOTE segment's notes (elf(5): namesz, descsz, type, then
 * name and desc each padded to 4) for Xen's PVH entry. */
static bool notes_have_pvh(const uint8_t *p, size_t len)
{
	size_t pos = 0;

	while (len - pos >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr n;
		size_t name, desc;

		memcpy(&n, p + pos, sizeof(n));
		pos += sizeof(n);
		name = ((size_t)n.n_namesz + 3) & ~(size_t)3;
		desc = ((size_t)n.n_descsz + 3) & ~(size_t)3;
		if (name > len - pos || desc > len - pos - name)
			return false;
		if (n.n_namesz == 4 && !memcmp(p + pos, "Xen", 4) && n.n_type == XEN_ELFNOTE_PHYS32_ENTRY)
			return true;
		pos += name + desc;
	}
	return false;
}

static bool elf_has_pvh(int fd, const Elf64_Ehdr *eh)
{
	static uint8_t note[NOTE_MAX];

	for (unsigned i = 0; i < eh->e_phnum && i < 64; i++) {
		Elf64_Phdr ph;

		if (!read_at(fd, &ph, sizeof(ph), eh->e_phoff + (uint64_t)i * sizeof(ph)))
			return false;
		if (ph.p_type == PT_NOTE && ph.p_filesz <= NOTE_MAX && read_at(fd, note, ph.p_filesz, ph.p_offset) &&
		    notes_have_pvh(note, ph.p_filesz))
			return true;
	}
	return false;
}

/* The bzImage setup header: "HdrS" at 0x202, the protocol version at
 * 0x206; 2.06 is the first with cmdline_size, which qboot's loader reads. */
static enum microvm_probe bzimage_boot(int fd, char *why, size_t size)
{
	uint8_t h[8];

	if (!read_at(fd, h, sizeof(h), 0x202) || memcmp(h, "HdrS", 4)) {
		snprintf(why, size, "the kernel is neither an x86_64 vmlinux nor a bzImage");
		return MICROVM_NO;
	}
	if ((h[4] | h[5] << 8) < 0x0206) {
		snprintf(why, size, "its bzImage speaks boot protocol %u.%02u (2.06 needed)", h[5], h[4]);
		return MICROVM_NO;
	}
	return MICROVM_YES;
}

enum microvm_probe qemu_microvm_probe_boot(int fd, char *why, size_t size)
{
	Elf64_Ehdr eh;

	if (!elf_header(fd, &eh))
		return bzimage_boot(fd, why, size);
	if (elf_has_pvh(fd, &eh))
		return MICROVM_YES;
	snprintf(why, size, "its vmlinux has no PVH entry note (CONFIG_PVH)");
	return MICROVM_NO;
}

/* "\0virtio_mmio_probe\0" in the string table of .symtab: the driver of
 * drivers/virtio/virtio_mmio.c is linked in (a static function, so only
 * there when built in). */
static enum microvm_probe strtab_has(int fd, const Elf64_Shdr *st)
{
	static const char sym[] = "virtio_mmio_probe";
	enum microvm_probe r = MICROVM_NO;
	char *s;

	if (st->sh_size > STRTAB_MAX || !(s = malloc(st->sh_size + 1)))
		return MICROVM_UNKNOWN;
	if (!read_at(fd, s, st->sh_size, st->sh_offset)) {
		free(s);
		return MICROVM_UNKNOWN;
	}
	s[st->sh_size] = '\0';
	for (size_t i = 0; i < st->sh_size; i += strlen(s + i) + 1)
		if (!strcmp(s + i, sym)) {
			r = MICROVM_YES;
			break;
		}
	free(s);
	return r;
}

enum microvm_probe qemu_microvm_probe_builtin(int fd)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh, st;

	if (!elf_header(fd, &eh) || eh.e_shentsize != sizeof(sh))
		return MICROVM_UNKNOWN;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		if (!read_at(fd, &sh, sizeof(sh), eh.e_shoff + (uint64_t)i * sizeof(sh)))
			return MICROVM_UNKNOWN;
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		if (sh.sh_link >= eh.e_shnum ||
		    !read_at(fd, &st, sizeof(st), eh.e_shoff + (uint64_t)sh.sh_link * sizeof(st)))
			return MICROVM_UNKNOWN;
		return strtab_has(fd, &st);
	}
	return MICROVM_UNKNOWN;
}

/* A newc header field: 8 hex digits. */
static bool hex8(const char *p, uint32_t *out)
{
	char s[9];
	char *end;

	memcpy(s, p, 8);
	s[8] = '\0';
	*out = (uint32_t)strtoul(s, &end, 16);
	return end == s + 8;
}

static bool is_virtio_mmio_ko(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	return !strncmp(base, "virtio_mmio.ko", 14) && (!base[14] || base[14] == '.');
}

/* The compressed formats the kernel unpacks an initrd part from
 * (usr/Kconfig), by their magic. */
static const char *compressed(const uint8_t *m)
{
	if (m[0] == 0x1f && (m[1] == 0x8b || m[1] == 0x9e))
		return "gzip";
	if (!memcmp(m, "BZh", 3))
		return "bzip2";
	if (!memcmp(m, "\xfd" "7zXZ", 5))
		return "xz";
	if (!memcmp(m, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	if (!memcmp(m, "\x02\x21\x4c\x18", 4))
		return "lz4";
	if (!memcmp(m, "\x89LZO", 4))
		return "lzo";
	if (m[0] == 0x5d && m[1] == 0)
		return "lzma";
	return NULL;
}

/* Walks newc entries (110-byte header, name padded to 4 with the header,
 * data padded to 4) from off; the kernel takes archives one after the
 * other, with zeros between them. */
enum microvm_probe qemu_microvm_probe_initrd(int fd, char *what, size_t size)
{
	uint64_t off = 0;
	char h[110], name[256];
	uint8_t m[6];
	const char *z;

	snprintf(what, size, "no virtio_mmio.ko in it");
	for (unsigned n = 0; n < CPIO_MAX_ENTRIES; n++) {
		uint32_t namesize, filesize;

		memset(m, 0, sizeof(m));
		if (pread(fd, m, sizeof(m), (off_t)off) < 4)
			return MICROVM_NO;
		if (!memcmp(m, "\0\0\0\0", 4)) {
			off += 4;
			continue;
		}
		if ((z = compressed(m))) {
			snprintf(what, size, "a %s-compressed part", z);
			return MICROVM_UNKNOWN;
		}
		if (!read_at(fd, h, sizeof(h), off) || (memcmp(h, "070701", 6) && memcmp(h, "070702", 6)) ||
		    !hex8(h + 54, &filesize) || !hex8(h + 94, &namesize) || namesize == 0) {
			snprintf(what, size, "not a cpio archive at byte %llu", (unsigned long long)off);
			return MICROVM_NO;
		}
		if (namesize <= sizeof(name) && read_at(fd, name, namesize, off + sizeof(h))) {
			name[namesize - 1] = '\0';
			if (is_virtio_mmio_ko(name)) {
				snprintf(what, size, "%s", name);
				return MICROVM_YES;
			}
		}
		off = (off + sizeof(h) + namesize + 3) & ~(uint64_t)3;
		off = (off + filesize + 3) & ~(uint64_t)3;
	}
	return MICROVM_NO;
}

static enum microvm_probe probe_file(const char *path, enum microvm_probe (*probe)(int), int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	enum microvm_probe r;

	*err = fd < 0 ? errno : 0;
	if (fd < 0)
		return MICROVM_UNKNOWN;
	r = probe(fd);
	close(fd);
	return r;
}

static char initrd_what[160];

static enum microvm_probe probe_initrd_fd(int fd)
{
	return qemu_microvm_probe_initrd(fd, initrd_what, sizeof(initrd_what));
}

static char boot_why[160];

static enum microvm_probe probe_boot_fd(int fd)
{
	return qemu_microvm_probe_boot(fd, boot_why, sizeof(boot_why));
}

/* virtio-mmio reachable: built into vmlinux (the kernel itself, or the
 * vmlinux beside a bzImage, as crash decoding finds it), else its module
 * in the initrd. Returns the reason it is not, or NULL. */
static const char *mmio_missing(const struct guest_config *g, const char *vmlinux, char *buf, size_t size)
{
	enum microvm_probe built = MICROVM_UNKNOWN, in_initrd;
	int err = 0;

	if (vmlinux && vmlinux[0] && (built = probe_file(vmlinux, qemu_microvm_probe_builtin, &err)) == MICROVM_YES)
		return NULL;
	if (!g->initrd[0]) {
		snprintf(buf, size, built == MICROVM_NO ? "its kernel has no virtio_mmio built in and it has no initrd"
							: "no vmlinux with symbols tells whether virtio_mmio is built in, "
							  "and it has no initrd");
		return buf;
	}
	if ((in_initrd = probe_file(g->initrd, probe_initrd_fd, &err)) == MICROVM_YES)
		return NULL;
	if (err)
		snprintf(buf, size, "%s: %s", g->initrd, strerror(err));
	else
		snprintf(buf, size, "virtio_mmio is not built into its kernel%s, and its initrd has %s%s",
			 built == MICROVM_UNKNOWN ? " (or no vmlinux symbols tell)" : "", initrd_what,
			 in_initrd == MICROVM_UNKNOWN ? ", unread here: cannot tell whether it carries virtio_mmio" : "");
	return buf;
}

enum guest_machine qemu_microvm_pick(const struct guest_config *g, const char *vmlinux, char *why, size_t size)
{
	static char buf[512];
	const char *no;
	int err;

	why[0] = '\0';
	if (g->machine != GUEST_MACHINE_AUTO || g->arch != GUESTHW_ARCH_X86_64)
		return g->machine == GUEST_MACHINE_MICROVM ? GUEST_MACHINE_MICROVM : GUEST_MACHINE_PC;
	if (!(no = qemu_microvm_blocker(g, buf, sizeof(buf)))) {
		boot_why[0] = '\0';
		if (probe_file(g->kernel, probe_boot_fd, &err) != MICROVM_YES) {
			snprintf(buf, sizeof(buf), "%s", err ? strerror(err) : boot_why[0] ? boot_why : "its kernel");
			no = buf;
		} else {
			no = mmio_missing(g, vmlinux, buf, sizeof(buf));
		}
	}
	if (no) {
		snprintf(why, size, "pc, not microvm: %s (MACHINE=auto)", no);
		return GUEST_MACHINE_PC;
	}
	snprintf(why, size, "microvm: a direct-kernel boot with virtio-mmio (MACHINE=auto; pc: MACHINE=pc)");
	return GUEST_MACHINE_MICROVM;
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* TCG's guest TSC is the host's (cpu_get_host_ticks), so the host's rate
 * is the guest's: counted against CLOCK_MONOTONIC_RAW over 20 ms. */
unsigned qemu_microvm_host_tsc_khz(void)
{
	static unsigned khz;
	uint64_t t0, c0, t1;

	if (khz)
		return khz;
	t0 = now_ns();
	c0 = __builtin_ia32_rdtsc();
	while ((t1 = now_ns()) - t0 < 20000000u)
		;
	khz = (unsigned)((__builtin_ia32_rdtsc() - c0) * 1000000u / (t1 - t0));
	return khz;
}
#else
unsigned qemu_microvm_host_tsc_khz(void)
{
	return 0;
}
#endif
