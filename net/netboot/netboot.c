/* The netboot menus (netboot.h): pure builders, and the writer of the tree.
 * Each menu boots at once (no prompt, no timeout): a lab guest has one
 * entry, and nobody watches its console while it boots. */
#include "net/netboot/netboot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/core/name.h"
#include "lib/core/strbuf.h"
#include "lib/core/words.h"
#include "lib/core/writefile.h"

static bool append_ok(const char *s)
{
	return words_cmdline_plain(s);
}

bool netboot_append_ok(const char *append)
{
	return append_ok(append);
}

static void mac_hyphens(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x-%02x-%02x-%02x-%02x-%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void netboot_menu_path(enum netboot_menu kind, const uint8_t mac[6], char *buf, size_t size)
{
	static const char *const dir[NETBOOT_MENUS] = {
		[NETBOOT_PXELINUX] = "pxelinux.cfg/01-",
		[NETBOOT_GRUB] = "grub/grub.cfg-01-",
		[NETBOOT_IPXE] = "labinit/ipxe/",
	};
	char m[18];

	mac_hyphens(mac, m);
	snprintf(buf, size, "%s%s%s", dir[kind], m, kind == NETBOOT_IPXE ? ".ipxe" : "");
}

/* The kernel's command line: its console first, as QEMU's -append has it
 * (guests/qemu add_boot), then the guest's APPEND. */
static void cmdline(const struct netboot_guest *g, char *buf, size_t size)
{
	snprintf(buf, size, "console=%s%s%s", guesthw_archs[g->arch].console, g->append[0] ? " " : "", g->append);
}

/* syslinux's format (doc/syslinux.txt), which U-Boot's pxe command reads
 * too (boot/pxe_utils.c): paths relative to the TFTP root, as pxelinux.0
 * sits there and U-Boot's bootfile (boot.scr.uimg) has no directory. */
static void menu_pxelinux(struct strbuf *sb, const struct netboot_guest *g, const char *cmd)
{
	strbuf_put(sb, "# labinit: guest %s, generated\nDEFAULT %s\nPROMPT 0\nTIMEOUT 1\n\nLABEL %s\n", g->name, g->name,
		   g->name);
	strbuf_put(sb, "\tKERNEL labinit/guests/%s/kernel\n", g->name);
	if (g->initrd)
		strbuf_put(sb, "\tINITRD labinit/guests/%s/initrd\n", g->name);
	strbuf_put(sb, "\tAPPEND %s\n", cmd);
}

/* GRUB names files by device and absolute path: "/labinit/..." is on
 * $root, which the netboot image's prefix (tftp)/grub set to (tftp), the
 * server it came from. */
static void menu_grub(struct strbuf *sb, const struct netboot_guest *g, const char *cmd)
{
	strbuf_put(sb, "# labinit: guest %s, generated\nset default=0\nset timeout=0\n\nmenuentry '%s' {\n", g->name,
		   g->name);
	strbuf_put(sb, "\tlinux /labinit/guests/%s/kernel %s\n", g->name, cmd);
	if (g->initrd)
		strbuf_put(sb, "\tinitrd /labinit/guests/%s/initrd\n", g->name);
	strbuf_put(sb, "}\n");
}

/* iPXE resolves a relative URI against the script's own
 * (tftp://SERVER/labinit/ipxe/...). The initrd is named, and named on the
 * command line, for a kernel started through UEFI's LoadImage, whose EFI
 * stub looks the initrd=NAME up in iPXE's file system; a BIOS kernel
 * ignores the word. */
static void menu_ipxe(struct strbuf *sb, const struct netboot_guest *g, const char *cmd)
{
	strbuf_put(sb, "#!ipxe\n# labinit: guest %s, generated\n", g->name);
	strbuf_put(sb, "kernel ../guests/%s/kernel %s%s\n", g->name, g->initrd ? "initrd=initrd " : "", cmd);
	if (g->initrd)
		strbuf_put(sb, "initrd --name initrd ../guests/%s/initrd\n", g->name);
	strbuf_put(sb, "boot\n");
}

static int finish(const struct strbuf *sb)
{
	return sb->len + 1 >= sb->size ? -E2BIG : (int)sb->len;
}

int netboot_menu(enum netboot_menu kind, const struct netboot_guest *g, char *buf, size_t size)
{
	struct strbuf sb = { buf, size, 0 };
	char cmd[1024];

	if (!size)
		return -E2BIG;
	buf[0] = '\0';
	if (!name_is_label(g->name, strlen(g->name), 63) || !append_ok(g->append))
		return -EINVAL;
	cmdline(g, cmd, sizeof(cmd));
	if (kind == NETBOOT_PXELINUX)
		menu_pxelinux(&sb, g, cmd);
	else if (kind == NETBOOT_GRUB)
		menu_grub(&sb, g, cmd);
	else
		menu_ipxe(&sb, g, cmd);
	return finish(&sb);
}

/* A DHCP boot file of labinit/boot.ipxe leads here: the guest's own
 * script by MAC; an unknown machine gets iPXE's shell-less failure. */
int netboot_ipxe_boot(char *buf, size_t size)
{
	struct strbuf sb = { buf, size, 0 };

	if (!size)
		return -E2BIG;
	strbuf_put(&sb, "#!ipxe\n# labinit: the netboot menus are per MAC, generated\n"
			"chain ipxe/${mac:hexhyp}.ipxe || echo labinit: no netboot menu for ${mac}\n");
	return finish(&sb);
}

/* GRUB 2.06's normal mode looks for $prefix/grub.cfg-01-MAC (and by IP)
 * before $prefix/grub.cfg only in builds with the net search patch;
 * this grub.cfg does the same by $net_default_mac, whichever build asks. */
int netboot_grub_index(const struct netboot_config *c, char *buf, size_t size)
{
	struct strbuf sb = { buf, size, 0 };
	char mac[18], m[18];

	if (!size)
		return -E2BIG;
	strbuf_put(&sb, "# labinit: the netboot menus are per MAC, generated\n");
	for (unsigned i = 0; i < c->nguests && i < NETBOOT_MAX_GUESTS; i++) {
		const uint8_t *a = c->guests[i].mac;

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
		mac_hyphens(a, m);
		strbuf_put(&sb, "if [ \"$net_default_mac\" = \"%s\" ]; then configfile $prefix/grub.cfg-01-%s; fi\n", mac,
			   m);
	}
	strbuf_put(&sb, "echo \"labinit: no netboot menu for $net_default_mac\"\n");
	return finish(&sb);
}

/* CRC-32 (IEEE 802.3, reflected, as U-Boot's and zlib's crc32). */
static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A U-Boot legacy script image (include/image.h, struct legacy_img_hdr:
 * big-endian, CRC-32s of the header and of the data), the data as
 * `mkimage -T script` makes it: a table of lengths ended by 0, the text. */
static int uboot_image(const char *text, uint8_t *buf, size_t size)
{
	enum { HDR = 64, IH_OS_LINUX = 5, IH_TYPE_SCRIPT = 6, IH_COMP_NONE = 0 };
	size_t len = strlen(text), data = 8 + len;

	if (size < HDR + data)
		return -E2BIG;
	memset(buf, 0, HDR + data);
	be32(buf + HDR, (uint32_t)len);
	memcpy(buf + HDR + 8, text, len);
	be32(buf, 0x27051956);                    /* ih_magic */
	be32(buf + 12, (uint32_t)data);           /* ih_size; ih_time, ih_load, ih_ep 0 */
	be32(buf + 24, crc32(buf + HDR, data));   /* ih_dcrc */
	buf[28] = IH_OS_LINUX;
	buf[30] = IH_TYPE_SCRIPT;
	buf[31] = IH_COMP_NONE;
	snprintf((char *)buf + 32, 32, "labinit netboot");
	be32(buf + 4, crc32(buf, HDR));           /* ih_hcrc, over the header with it 0 */
	return (int)(HDR + data);
}

/* U-Boot 2023.01's distro boot (include/config_distro_bootcmd.h,
 * bootcmd_dhcp) runs `dhcp ${scriptaddr} boot.scr.uimg; source` before
 * trying an EFI binary: this script hands over to `pxe get`, which reads
 * pxelinux.cfg/01-MAC (then by IP, then default) beside it. Debian's
 * qemu-x86 build sets no pxefile_addr_r and has no setexpr: the menu goes
 * where the kernel will, which `pxe boot` loads only once it has parsed
 * the menu (boot/pxe_utils.c keeps the labels' own copies). On x86, `pxe
 * boot` hands zboot an initrd of 12 bytes (seen: "Initial RAM disk at
 * linear address 0x04000000, size 12 bytes"), so x86 first sources the
 * guest's own script, labinit/uboot/MAC.scr (MAC as U-Boot's ${ethaddr}
 * writes it), loaded at 96 MiB (above the initrd's 64 MiB, below a
 * 128 MiB guest's end). */
static const char uboot_text[] =
	"# labinit: U-Boot's distro boot sources this; the guest's menu is pxelinux.cfg/01-MAC\n"
	"if test \"${arch}\" = x86 && tftpboot 0x6000000 labinit/uboot/${ethaddr}.scr; then source 0x6000000; fi\n"
	"if test -z \"${pxefile_addr_r}\"; then setenv pxefile_addr_r ${kernel_addr_r}; fi\n"
	"pxe get && pxe boot\n"
	"echo labinit: no netboot menu for ${ethaddr}\n";

int netboot_uboot_script(uint8_t *buf, size_t size)
{
	return uboot_image(uboot_text, buf, size);
}

/* An x86 guest's U-Boot script: zboot with the initrd's size said. */
int netboot_uboot_x86(const struct netboot_guest *g, uint8_t *buf, size_t size)
{
	char text[2048], cmd[1024];
	struct strbuf sb = { text, sizeof(text), 0 };

	if (!name_is_label(g->name, strlen(g->name), 63) || !append_ok(g->append))
		return -EINVAL;
	cmdline(g, cmd, sizeof(cmd));
	strbuf_put(&sb, "# labinit: guest %s, generated\nsetenv bootargs '%s'\nsetenv initrd_size 0\n", g->name, cmd);
	if (g->initrd)
		strbuf_put(&sb, "tftpboot ${ramdisk_addr_r} labinit/guests/%s/initrd && setenv initrd_size ${filesize}\n",
			   g->name);
	strbuf_put(&sb, "tftpboot ${kernel_addr_r} labinit/guests/%s/kernel && "
			"zboot ${kernel_addr_r} 0 ${ramdisk_addr_r} ${initrd_size}\n", g->name);
	if (finish(&sb) < 0)
		return -E2BIG;
	return uboot_image(text, buf, size);
}

/* mkdir -p of path's directories below dir (path relative to dir). */
static int make_dirs(const char *dir, const char *path)
{
	char p[512];

	if (snprintf(p, sizeof(p), "%s/%s", dir, path) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

/* dir/path by a temporary beside it and a rename: readers (the TFTP
 * server, another worker writing the same) see a whole file. */
static int put_file(const char *dir, const char *path, const void *data, size_t len)
{
	char final[512], tmp[540];
	int fd, r;

	if (snprintf(final, sizeof(final), "%s/%s", dir, path) >= (int)sizeof(final))
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", final, (long)getpid());
	if ((r = make_dirs(dir, path)) < 0)
		return r;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, final) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static int put_logged(const char *dir, const char *path, const void *data, int len)
{
	int r = len < 0 ? len : put_file(dir, path, data, (size_t)len);

	if (r < 0)
		log_err("netboot: %s/%s: %s", dir, path, strerror(-r));
	return r;
}

static int write_guest(const struct netboot_guest *g, const char *dir)
{
	static char buf[4096];
	static uint8_t scr[4096];
	const uint8_t *m = g->mac;
	char path[128];
	int r;

	for (int k = 0; k < NETBOOT_MENUS; k++) {
		netboot_menu_path((enum netboot_menu)k, g->mac, path, sizeof(path));
		if ((r = put_logged(dir, path, buf, netboot_menu((enum netboot_menu)k, g, buf, sizeof(buf)))) < 0)
			return r;
	}
	if (g->arch != GUESTHW_ARCH_X86_64)
		return 0;
	snprintf(path, sizeof(path), "labinit/uboot/%02x:%02x:%02x:%02x:%02x:%02x.scr", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	return put_logged(dir, path, scr, netboot_uboot_x86(g, scr, sizeof(scr)));
}

/* The per-MAC menus of guests no longer in the profile: a MAC reused by
 * a machine outside the lab must not boot the old kernel. Only names of
 * the menus' own shape are removed, so nothing else put there is touched. */
struct menu_dir {
	const char *dir, *prefix, *suffix;
};

static const struct menu_dir menu_dirs[] = {
	{ "pxelinux.cfg", "01-", "" },
	{ "grub", "grub.cfg-01-", "" },
	{ "labinit/ipxe", "", ".ipxe" },
	{ "labinit/uboot", "", ".scr" },
};

static bool written(const struct netboot_config *c, const char *path)
{
	char want[128];

	for (unsigned i = 0; i < c->nguests && i < NETBOOT_MAX_GUESTS; i++) {
		const uint8_t *m = c->guests[i].mac;

		for (int k = 0; k < NETBOOT_MENUS; k++) {
			netboot_menu_path((enum netboot_menu)k, m, want, sizeof(want));
			if (!strcmp(want, path))
				return true;
		}
		snprintf(want, sizeof(want), "labinit/uboot/%02x:%02x:%02x:%02x:%02x:%02x.scr", m[0], m[1], m[2],
			 m[3], m[4], m[5]);
		if (!strcmp(want, path))
			return true;
	}
	return false;
}

static void prune(const struct netboot_config *c, const char *dir)
{
	for (size_t d = 0; d < sizeof(menu_dirs) / sizeof(menu_dirs[0]); d++) {
		const struct menu_dir *md = &menu_dirs[d];
		char sub[4096], path[320];
		struct dirent *e;
		DIR *dp;

		snprintf(sub, sizeof(sub), "%s/%s", dir, md->dir);
		if (!(dp = opendir(sub)))
			continue;
		while ((e = readdir(dp))) {
			size_t n = strlen(e->d_name), ls = strlen(md->suffix);

			/* a MAC's 17 characters between the prefix and the suffix */
			if (n != strlen(md->prefix) + 17 + ls || strncmp(e->d_name, md->prefix, strlen(md->prefix)) ||
			    strcmp(e->d_name + n - ls, md->suffix))
				continue;
			snprintf(path, sizeof(path), "%s/%s", md->dir, e->d_name);
			if (written(c, path))
				continue;
			if (unlinkat(dirfd(dp), e->d_name, 0) == 0)
				log_info("netboot: removed %s (no such guest now)", path);
			else
				log_warn("netboot: removing %s/%s: %s", sub, e->d_name, strerror(errno));
		}
		closedir(dp);
	}
}

int netboot_write(const struct netboot_config *c, const char *dir)
{
	static char buf[16384];
	static uint8_t scr[1024];
	int r;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_err("netboot: %s: %s", dir, strerror(errno));
		return -errno;
	}
	for (unsigned i = 0; i < c->nguests && i < NETBOOT_MAX_GUESTS; i++)
		if ((r = write_guest(&c->guests[i], dir)) < 0)
			return r;
	if ((r = put_logged(dir, "labinit/boot.ipxe", buf, netboot_ipxe_boot(buf, sizeof(buf)))) < 0 ||
	    (r = put_logged(dir, "grub/grub.cfg", buf, netboot_grub_index(c, buf, sizeof(buf)))) < 0 ||
	    (r = put_logged(dir, "boot.scr.uimg", scr, netboot_uboot_script(scr, sizeof(scr)))) < 0)
		return r;
	prune(c, dir);
	return 0;
}
