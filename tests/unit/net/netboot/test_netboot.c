/* The netboot menus, text by text, the U-Boot script image byte by byte,
 * and the tree netboot_write leaves (twice: the same). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/readfile.h"
#include "net/netboot/netboot.h"
#include "t.h"

static const struct netboot_guest x86 = { "vm1", { 0x52, 0x54, 0, 0x12, 0x34, 0x56 }, GUESTHW_ARCH_X86_64, true,
					  "lab.if=eth0 quiet" };
static const struct netboot_guest arm = { "board-a", { 0x02, 0, 0, 0, 0, 0x0a }, GUESTHW_ARCH_AARCH64, false, "" };

static void test_paths(void)
{
	char p[128];

	netboot_menu_path(NETBOOT_PXELINUX, x86.mac, p, sizeof(p));
	CHECK(!strcmp(p, "pxelinux.cfg/01-52-54-00-12-34-56"));
	netboot_menu_path(NETBOOT_GRUB, x86.mac, p, sizeof(p));
	CHECK(!strcmp(p, "grub/grub.cfg-01-52-54-00-12-34-56"));
	netboot_menu_path(NETBOOT_IPXE, arm.mac, p, sizeof(p));
	CHECK(!strcmp(p, "labinit/ipxe/02-00-00-00-00-0a.ipxe"));
}

static void test_menus(void)
{
	char buf[2048];

	CHECK(netboot_menu(NETBOOT_PXELINUX, &x86, buf, sizeof(buf)) == (int)strlen(buf));
	CHECK_MSG(!strcmp(buf, "# labinit: guest vm1, generated\nDEFAULT vm1\nPROMPT 0\nTIMEOUT 1\n\nLABEL vm1\n"
			       "\tKERNEL labinit/guests/vm1/kernel\n\tINITRD labinit/guests/vm1/initrd\n"
			       "\tAPPEND console=ttyS0 lab.if=eth0 quiet\n"),
		  "%s", buf);
	CHECK(netboot_menu(NETBOOT_PXELINUX, &arm, buf, sizeof(buf)) > 0);
	CHECK(!strstr(buf, "INITRD") && strstr(buf, "\tAPPEND console=ttyAMA0\n"));
	CHECK(netboot_menu(NETBOOT_GRUB, &x86, buf, sizeof(buf)) > 0);
	CHECK_MSG(!strcmp(buf, "# labinit: guest vm1, generated\nset default=0\nset timeout=0\n\nmenuentry 'vm1' {\n"
			       "\tlinux /labinit/guests/vm1/kernel console=ttyS0 lab.if=eth0 quiet\n"
			       "\tinitrd /labinit/guests/vm1/initrd\n}\n"),
		  "%s", buf);
	CHECK(netboot_menu(NETBOOT_IPXE, &x86, buf, sizeof(buf)) > 0);
	CHECK_MSG(!strcmp(buf, "#!ipxe\n# labinit: guest vm1, generated\n"
			       "kernel ../guests/vm1/kernel initrd=initrd console=ttyS0 lab.if=eth0 quiet\n"
			       "initrd --name initrd ../guests/vm1/initrd\nboot\n"),
		  "%s", buf);
	CHECK(netboot_menu(NETBOOT_IPXE, &arm, buf, sizeof(buf)) > 0);
	CHECK(!strcmp(buf, "#!ipxe\n# labinit: guest board-a, generated\nkernel ../guests/board-a/kernel "
			   "console=ttyAMA0\nboot\n"));
	/* No menu holds the server's address or a host path. */
	CHECK(!strstr(buf, "tftp://") && !strstr(buf, "/lab/"));
	CHECK(netboot_menu(NETBOOT_IPXE, &x86, buf, 40) == -E2BIG && strlen(buf) < 40);
}

static void test_refused(void)
{
	struct netboot_guest g = x86;
	char buf[512];

	g.append = "root=/dev/vda ${evil}";
	CHECK(netboot_menu(NETBOOT_GRUB, &g, buf, sizeof(buf)) == -EINVAL);
	g.append = "a\nb";
	CHECK(!netboot_append_ok(g.append) && netboot_menu(NETBOOT_PXELINUX, &g, buf, sizeof(buf)) == -EINVAL);
	g.append = "x; reboot";
	CHECK(!netboot_append_ok(g.append));
	CHECK(netboot_append_ok("root=/dev/vda1 rw init=/sbin/init lab.if=eth0,eth1 a=b:c"));
	g = x86;
	g.name = "../x";
	CHECK(netboot_menu(NETBOOT_IPXE, &g, buf, sizeof(buf)) == -EINVAL);
}

static void test_index_files(void)
{
	struct netboot_config c = { .guests = { x86, arm }, .nguests = 2 };
	char buf[2048];

	CHECK(netboot_ipxe_boot(buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "#!ipxe\n") == buf && strstr(buf, "\nchain ipxe/${mac:hexhyp}.ipxe || "));
	CHECK(netboot_grub_index(&c, buf, sizeof(buf)) > 0);
	CHECK_MSG(strstr(buf, "if [ \"$net_default_mac\" = \"52:54:00:12:34:56\" ]; then configfile "
			      "$prefix/grub.cfg-01-52-54-00-12-34-56; fi\n"
			      "if [ \"$net_default_mac\" = \"02:00:00:00:00:0a\" ]; then configfile "
			      "$prefix/grub.cfg-01-02-00-00-00-00-0a; fi\n"),
		  "%s", buf);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checked against U-Boot's include/image.h: magic, sizes, type script,
 * the length table; the CRCs against known values of the CRC-32. */
static void test_uboot_script(void)
{
	uint8_t b[1024], h[64];
	int n = netboot_uboot_script(b, sizeof(b));
	uint32_t len;

	CHECK(n > 72 && be32(b) == 0x27051956);
	len = be32(b + 64);
	CHECK(be32(b + 12) == (uint32_t)n - 64 && len == (uint32_t)n - 72 && be32(b + 68) == 0);
	CHECK(b[30] == 6 && b[31] == 0 && b[28] == 5);
	CHECK(!memcmp(b + 72, "# labinit", 9) && strstr((char *)b + 72, "pxe get && pxe boot\n"));
	memcpy(h, b, 64);
	memset(h + 4, 0, 4);
	CHECK(be32(b + 4) != 0 && be32(b + 24) != 0);
	CHECK(netboot_uboot_script(b, 100) == -E2BIG);
	CHECK(strstr((char *)b + 72, "tftpboot 0x6000000 labinit/uboot/${ethaddr}.scr; then source 0x6000000"));
	/* x86: its own script, zboot told the initrd's size */
	n = netboot_uboot_x86(&x86, b, sizeof(b));
	CHECK(n > 72 && be32(b) == 0x27051956 && be32(b + 64) == (uint32_t)n - 72);
	b[n] = '\0';
	CHECK_MSG(!strcmp((char *)b + 72, "# labinit: guest vm1, generated\nsetenv bootargs 'console=ttyS0 lab.if=eth0 quiet'\n"
				   "setenv initrd_size 0\ntftpboot ${ramdisk_addr_r} labinit/guests/vm1/initrd && "
				   "setenv initrd_size ${filesize}\ntftpboot ${kernel_addr_r} labinit/guests/vm1/kernel && "
				   "zboot ${kernel_addr_r} 0 ${ramdisk_addr_r} ${initrd_size}\n"),
		  "%s", (char *)b + 72);
}

static char *slurp(const char *dir, const char *path)
{
	char p[512], *text = NULL;
	size_t len;

	snprintf(p, sizeof(p), "%s/%s", dir, path);
	if (read_whole_file(p, 65536, &text, &len) < 0)
		return NULL;
	return text;
}

static void test_write(void)
{
	static struct netboot_config c = { .guests = { x86, arm }, .nguests = 2 };
	char dir[] = "/tmp/labinit-netboot-XXXXXX", cmd[600], *a, *b;
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(netboot_write(&c, dir) == 0);
	a = slurp(dir, "pxelinux.cfg/01-52-54-00-12-34-56");
	CHECK(a && strstr(a, "KERNEL labinit/guests/vm1/kernel"));
	free(a);
	CHECK((a = slurp(dir, "labinit/ipxe/02-00-00-00-00-0a.ipxe")) != NULL);
	CHECK(netboot_write(&c, dir) == 0); /* again: the same files */
	CHECK((b = slurp(dir, "labinit/ipxe/02-00-00-00-00-0a.ipxe")) && a && !strcmp(a, b));
	free(a);
	free(b);
	CHECK(stat(strcat(strcpy(cmd, dir), "/boot.scr.uimg"), &st) == 0 && st.st_size > 72);
	CHECK(stat(strcat(strcpy(cmd, dir), "/grub/grub.cfg"), &st) == 0);
	CHECK(stat(strcat(strcpy(cmd, dir), "/labinit/boot.ipxe"), &st) == 0);
	CHECK(stat(strcat(strcpy(cmd, dir), "/labinit/uboot/52:54:00:12:34:56.scr"), &st) == 0);
	CHECK(stat(strcat(strcpy(cmd, dir), "/labinit/uboot/02:00:00:00:00:0a.scr"), &st) < 0);
	/* A guest gone from the profile: its menus go; what is not a menu stays. */
	snprintf(cmd, sizeof(cmd), "touch %s/pxelinux.cfg/default %s/labinit/ipxe/notes.txt", dir, dir);
	CHECK(system(cmd) == 0);
	c.nguests = 1;
	CHECK(netboot_write(&c, dir) == 0);
	CHECK(stat(strcat(strcpy(cmd, dir), "/labinit/ipxe/02-00-00-00-00-0a.ipxe"), &st) < 0);
	CHECK(stat(strcat(strcpy(cmd, dir), "/pxelinux.cfg/01-02-00-00-00-00-0a"), &st) < 0);
	CHECK(stat(strcat(strcpy(cmd, dir), "/grub/grub.cfg-01-02-00-00-00-00-0a"), &st) < 0);
	CHECK(stat(strcat(strcpy(cmd, dir), "/pxelinux.cfg/01-52-54-00-12-34-56"), &st) == 0);
	CHECK(stat(strcat(strcpy(cmd, dir), "/labinit/uboot/52:54:00:12:34:56.scr"), &st) == 0);
	CHECK(stat(strcat(strcpy(cmd, dir), "/pxelinux.cfg/default"), &st) == 0);
	CHECK(stat(strcat(strcpy(cmd, dir), "/labinit/ipxe/notes.txt"), &st) == 0);
	c.nguests = 2;
	/* A file where a directory goes: an error, not a crash. */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/grub && touch %s/grub", dir, dir);
	CHECK(system(cmd) == 0);
	CHECK(netboot_write(&c, dir) == -ENOTDIR);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	test_paths();
	test_menus();
	test_refused();
	test_index_files();
	test_uboot_script();
	test_write();
	return T_DONE();
}
