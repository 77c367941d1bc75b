/* Validation of the guest slots and the port forwards that point at them:
 * names, MACs, fixed IPs and gdb ports must be unique, and the files a
 * guest boots must exist before anything starts. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/guesthw.h"
#include "lib/core/name.h"
#include "lib/core/readfile.h"
#include "lib/core/sshkey.h"
#include "lib/core/words.h"
#include "lib/profile/config.h"
#include "lib/profile/validate_priv.h"

void profile_guest_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = addr_fnv1a(name);

	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

/* A path QEMU is given inside an option list (-drive file=...): a ',' or
 * a control character would change the option's meaning. */
static bool qemu_path_ok(struct vctx *c, unsigned key, const char *path)
{
	for (const char *p = path; *p; p++)
		if (*p == ',' || (unsigned char)*p < 0x20 || *p == 0x7f) {
			vc_error(c, key, "%s: QEMU cannot take a path with a ',' or a control character", path);
			return false;
		}
	return true;
}

/* v resolved against FILES_DIR into out: a file that exists and QEMU can
 * read. Files that do not exist yet are counted (a lab disk may bring them). */
static void resolve_path(struct vctx *c, unsigned key, const char *v, char *out, size_t size)
{
	struct stat st;

	if (v[0] == '/')
		snprintf(out, size, "%s", v);
	else
		snprintf(out, size, "%s/%s", c->p->files_dir, v);
	if (!qemu_path_ok(c, key, out))
		return;
	if (stat(out, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			c->p->missing_files++;
		vc_error(c, key, "%s: %s%s", out, strerror(errno),
			 v[0] == '/' ? "" : " (relative paths start at CONFIG_FILES_DIR)");
	}
	else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		vc_error(c, key, "%s is not a regular file", out);
	else if (access(out, R_OK) < 0)
		vc_error(c, key, "%s: %s", out, strerror(errno));
}

static void resolve_file(struct vctx *c, unsigned key, char *out, size_t size, const char *required)
{
	const char *v = vc_str(c, key);

	out[0] = '\0';
	if (!*v) {
		if (required)
			vc_error(c, key, "%s", required);
		return;
	}
	resolve_path(c, key, v, out, size);
}

static void guest_name(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	unsigned key = K_GUEST(slot, GF_NAME);

	g->name = vc_str(c, key);
	if (!name_is_label(g->name, strlen(g->name), 15)) {
		vc_error(c, key, "\"%s\": a guest name is 1-15 letters, digits or '-' (it names the tap)",
			 g->name);
		return;
	}
	if (!strcmp(g->name, c->p->uplink_ifname))
		vc_error(c, key, "\"%s\" is also the uplink's name", g->name);
	for (unsigned i = 0; i < c->p->nnets; i++)
		if (!strcmp(g->name, c->p->nets[i].bridge_name))
			vc_error(c, key, "\"%s\" is also the bridge of network %u", g->name, c->p->nets[i].num);
	/* Guests are services under their names, beside labinit's own. */
	if (vc_reserved_service(g->name))
		vc_error(c, key, "\"%s\" is the name of one of labinit's own services", g->name);
	for (unsigned i = 0; i < c->p->nservices; i++)
		if (!strcmp(c->p->services[i].name, g->name))
			vc_error(c, key, "\"%s\" is also the name of an extra service", g->name);
	for (unsigned i = 0; i < c->p->nguests; i++)
		if (!strcasecmp(c->p->guests[i].name, g->name))
			vc_error(c, key, "\"%s\" is also the name of guest %u", g->name, c->p->guests[i].slot);
}

/* Index of s in the NULL-terminated words, or -1. */
static int word_index(const char *const words[], const char *s)
{
	for (int i = 0; words[i]; i++)
		if (!strcmp(words[i], s))
			return i;
	return -1;
}

static void guest_nic_restart(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	/* In the order of enum restart_policy. */
	static const char *const policies[] = { "on-failure", "always", "never", NULL };
	const char *nic = vc_str(c, K_GUEST(slot, GF_NIC));
	const char *rs = vc_str(c, K_GUEST(slot, GF_RESTART));
	char names[256];
	int i;

	i = guesthw_lookup(guesthw_nics, GUESTHW_NICS, nic);
	if (i >= 0 && (guesthw_nics[i].archs & GUESTHW_ON(g->arch))) {
		g->nic = (enum guesthw_nic)i;
	} else {
		guesthw_list(guesthw_nics, GUESTHW_NICS, g->arch, names, sizeof(names));
		vc_error(c, K_GUEST(slot, GF_NIC), "\"%s\": expected one of QEMU's NIC models for %s: %s", nic,
			 guesthw_archs[g->arch].name, names);
	}
	if ((i = word_index(policies, rs)) >= 0)
		g->restart = (enum restart_policy)i;
	else
		vc_error(c, K_GUEST(slot, GF_RESTART), "\"%s\": expected always, on-failure or never", rs);
}

/* The architecture, first: the NIC, the buses and the firmware a guest
 * may have depend on it. */
static void guest_arch(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	unsigned key = K_GUEST(slot, GF_ARCH);
	int i = guesthw_arch_lookup(vc_str(c, key));

	g->arch = GUESTHW_ARCH_X86_64;
	if (i >= 0)
		g->arch = (enum guesthw_arch)i;
	else
		vc_error(c, key, "\"%s\": expected x86_64, aarch64 or riscv64", vc_str(c, key));
}

/* SeaBIOS and OVMF are x86 firmware; a virt machine boots its kernel
 * directly (riscv64 through OpenSBI) or runs a firmware file given by path.
 * U-Boot: Debian's u-boot-qemu builds for QEMU's x86_64 pc and arm64 virt
 * machines (its riscv64 build needs OpenSBI below it, not wired here). */
static void guest_firmware_arch(struct vctx *c, const struct guest_cfg *g, unsigned slot)
{
	if (g->arch != GUESTHW_ARCH_X86_64 && (g->firmware == FIRMWARE_BIOS || g->firmware == FIRMWARE_UEFI))
		vc_error(c, K_GUEST(slot, GF_FIRMWARE),
			 "\"%s\": SeaBIOS and OVMF are x86_64 firmware, and CONFIG_GUEST%u_ARCH is %s; "
			 "use kernel, u-boot, or the path of a firmware file for its virt machine",
			 vc_str(c, K_GUEST(slot, GF_FIRMWARE)), slot + 1, guesthw_archs[g->arch].name);
	if (g->firmware == FIRMWARE_UBOOT && g->arch == GUESTHW_ARCH_RISCV64)
		vc_error(c, K_GUEST(slot, GF_FIRMWARE),
			 "u-boot: labinit runs Debian's u-boot-qemu builds for x86_64 and aarch64; on riscv64 give "
			 "the path of an S-mode U-Boot with OpenSBI instead");
}

/* "kernel", "bios", "uefi", "u-boot" (in the order of enum firmware_kind)
 * or the absolute path of a firmware file. */
static void guest_firmware(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	static const char *const kinds[] = { "kernel", "bios", "uefi", "u-boot", NULL };
	unsigned key = K_GUEST(slot, GF_FIRMWARE);
	const char *v = vc_str(c, key);
	int i;

	g->firmware_file[0] = '\0';
	if ((i = word_index(kinds, v)) >= 0) {
		g->firmware = (enum firmware_kind)i;
		guest_firmware_arch(c, g, slot);
		return;
	}
	g->firmware = FIRMWARE_FILE;
	if (v[0] != '/') {
		vc_error(c, key, "\"%s\": expected kernel, bios, uefi, u-boot or the absolute path of a firmware file",
			 v);
		return;
	}
	resolve_path(c, key, v, g->firmware_file, sizeof(g->firmware_file));
}

/* A bus named in key's value, into *bus; false (reported) if unknown or
 * if the guest's machine lacks it. */
static bool parse_bus(struct vctx *c, unsigned key, const struct guest_cfg *g, const char *what, const char *v,
		      enum guesthw_bus *bus)
{
	char names[128];
	int i = guesthw_lookup(guesthw_buses, GUESTHW_BUSES, v);

	guesthw_list(guesthw_buses, GUESTHW_BUSES, g->arch, names, sizeof(names));
	if (i < 0) {
		vc_error(c, key, "%s\"%s\": expected a disk bus: %s", what, v, names);
		return false;
	}
	if (!(guesthw_buses[i].archs & GUESTHW_ON(g->arch))) {
		vc_error(c, key, "%s\"%s\": the %s machine of CONFIG_GUEST%u_ARCH=%s has no such bus; it has %s", what,
			 v, guesthw_archs[g->arch].machine, g->slot, guesthw_archs[g->arch].name, names);
		return false;
	}
	*bus = (enum guesthw_bus)i;
	return true;
}

/* One word of EXTRA_DISKS, FILE[:BUS][:rw], appended to g->disks. */
static void parse_extra_disk(struct vctx *c, unsigned key, struct guest_cfg *g, char *word)
{
	struct disk_cfg *d = &g->disks[g->ndisks];
	char *part[4], *save = NULL, what[160];
	unsigned n = 0;

	snprintf(what, sizeof(what), "\"%.100s\": ", word);
	for (char *s = strtok_r(word, ":", &save); s && n < 4; s = strtok_r(NULL, ":", &save))
		part[n++] = s;
	memset(d, 0, sizeof(*d));
	d->bus = GUESTHW_BUS_VIRTIO;
	if (n > 1 && !strcmp(part[n - 1], "rw")) {
		d->persistent = true;
		n--;
	}
	if (n == 0 || n > 2) {
		vc_error(c, key, "%sexpected FILE[:BUS][:rw], e.g. \"scratch.img:ide:rw\"", what);
		return;
	}
	if (n == 2 && !parse_bus(c, key, g, what, part[1], &d->bus))
		return;
	resolve_path(c, key, part[0], d->path, sizeof(d->path));
	g->ndisks++;
}

static void guest_extra_disks(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	unsigned key = K_GUEST(slot, GF_EXTRA_DISKS);
	char buf[CONFIG_LINE_MAX], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", vc_str(c, key));
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (g->ndisks == 1 + PROFILE_MAX_EXTRA_DISKS) {
			vc_error(c, key, "more than %d extra disks", PROFILE_MAX_EXTRA_DISKS);
			return;
		}
		parse_extra_disk(c, key, g, tok);
	}
}

/* What the machine cannot seat: more disks on a bus than it has
 * positions (the pc machine's IDE: 2 buses x 2 units, with no CD-ROM). */
static void guest_bus_room(struct vctx *c, const struct guest_cfg *g, unsigned slot)
{
	unsigned on_bus[GUESTHW_BUSES] = { 0 };

	for (unsigned i = 0; i < g->ndisks; i++)
		on_bus[g->disks[i].bus]++;
	for (unsigned b = 0; b < GUESTHW_BUSES; b++)
		if (guesthw_buses[b].max && on_bus[b] > guesthw_buses[b].max)
			vc_error(c, K_GUEST(slot, GF_EXTRA_DISKS),
				 "%u disks on %s (with CONFIG_GUEST%u_DISK_BUS): the %s machine has room for %u", on_bus[b],
				 guesthw_buses[b].name, slot + 1, guesthw_archs[g->arch].machine, guesthw_buses[b].max);
}

/* The first disk, the extra ones, and what they leave to boot from. */
static void guest_disks(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	struct disk_cfg *d = &g->disks[0];

	g->ndisks = 0;
	memset(d, 0, sizeof(*d));
	resolve_file(c, K_GUEST(slot, GF_DISK), d->path, sizeof(d->path), NULL);
	d->persistent = vc_num(c, K_GUEST(slot, GF_DISK_PERSISTENT));
	parse_bus(c, K_GUEST(slot, GF_DISK_BUS), g, "", vc_str(c, K_GUEST(slot, GF_DISK_BUS)), &d->bus);
	if (*vc_str(c, K_GUEST(slot, GF_DISK)))
		g->ndisks = 1;
	guest_extra_disks(c, g, slot);
	guest_bus_room(c, g, slot);
}

/* "qemu", "uml" or "board", in the order of enum guest_runner. */
static void guest_kind(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	static const char *const kinds[] = { "qemu", "uml", "board", NULL };
	unsigned key = K_GUEST(slot, GF_KIND);
	int i = word_index(kinds, vc_str(c, key));

	if (i < 0)
		vc_error(c, key, "\"%s\": expected qemu, uml (User-Mode Linux) or board (a machine the lab serves "
			 "but does not run)", vc_str(c, key));
	g->kind = i < 0 ? RUNNER_QEMU : (enum guest_runner)i;
}

/* A key set away from its default that a UML guest (or a board) cannot honour. */
static void kind_refuse(struct vctx *c, unsigned slot, enum guest_field f, const char *what, const char *why)
{
	char def[64];
	unsigned key = K_GUEST(slot, f);

	if (strcmp(vc_str(c, key), profile_key_default(key, def)))
		vc_error(c, key, "%s %s", what, why);
}

static void uml_refuse(struct vctx *c, unsigned slot, enum guest_field f, const char *why)
{
	kind_refuse(c, slot, f, "a UML guest", why);
}

/* A board: a machine the lab serves (DHCP, DNS, TFTP, the netboot menus
 * that boot its KERNEL) but never runs. What would configure its QEMU is
 * refused; its MAC is how the lab knows it, so it is required. */
static void guest_board(struct vctx *c, const struct guest_cfg *g, unsigned slot)
{
	static const enum guest_field qemu_only[] = { GF_FIRMWARE, GF_DISK, GF_DISK_PERSISTENT, GF_DISK_BUS,
						      GF_EXTRA_DISKS, GF_CLOUD_INIT, GF_MEMORY, GF_CPUS, GF_NIC,
						      GF_GDB_PORT, GF_GDB_WAIT, GF_QEMU_ARGS, GF_AUTOSTART, GF_RESTART,
						      GF_RESET };
	static const char why[] = "is not run by the lab (KIND=board): this key configures the QEMU of a guest "
				  "the lab runs";

	for (unsigned i = 0; i < sizeof(qemu_only) / sizeof(qemu_only[0]); i++)
		kind_refuse(c, slot, qemu_only[i], "a board", why);
	if (!*vc_str(c, K_GUEST(slot, GF_MAC)))
		vc_error(c, K_GUEST(slot, GF_MAC), "a board is known by its MAC (KIND=board): set it, e.g. "
			 "\"02:00:00:00:00:01\" for a QEMU you run, or the board's own");
	if (g->nnics > 1 || (g->nnics && g->nics[0].macvtap))
		vc_error(c, K_GUEST(slot, GF_NICS), "a board has one NIC on a lab network: NICS names that network "
			 "only (e.g. \"2\"), its MAC is CONFIG_GUEST%u_MAC", slot + 1);
}

/* CONFIG_GUESTn_BOOT: "auto" (its firmware boots the kernel QEMU was
 * given, else the first disk) or "network" (its firmware netboots from
 * the lab: DHCP, then the netboot menus boot KERNEL/INITRD/APPEND). A
 * board always netboots. Needs the first NIC on a lab network that serves
 * DHCP, and a firmware that netboots. */
static void guest_boot_network(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	static const char *const boots[] = { "auto", "network", NULL };
	unsigned key = K_GUEST(slot, GF_BOOT);
	int i = word_index(boots, vc_str(c, key));
	const struct net_cfg *n;

	if (i < 0)
		vc_error(c, key, "\"%s\": expected auto or network", vc_str(c, key));
	g->boot_network = i == 1 || g->kind == RUNNER_BOARD;
	if (!g->boot_network)
		return;
	if (g->kind == RUNNER_UML)
		vc_error(c, key, "network: a UML guest is its kernel and has no firmware to netboot; use KIND=qemu");
	else if (g->kind == RUNNER_QEMU && g->firmware == FIRMWARE_KERNEL)
		vc_error(c, key, "network: with CONFIG_GUEST%u_FIRMWARE=\"kernel\" QEMU loads the kernel itself; "
			 "netbooting needs a firmware: bios (iPXE), uefi (OVMF) or u-boot", slot + 1);
	/* (a board's, like FIRMWARE=kernel's, is required already) */
	if (g->kind == RUNNER_QEMU && g->firmware != FIRMWARE_KERNEL && !*vc_str(c, K_GUEST(slot, GF_KERNEL)))
		vc_error(c, K_GUEST(slot, GF_KERNEL), "BOOT=network needs a kernel: the lab's netboot menus boot it");
	if (!words_cmdline_plain(g->append))
		vc_error(c, K_GUEST(slot, GF_APPEND), "a netbooted kernel's command line passes through GRUB, iPXE "
			 "and U-Boot scripts: no $ { } ; ' \" \\ ` or control characters");
	if (!g->nnics || g->nics[0].macvtap) {
		vc_error(c, g->kind == RUNNER_BOARD ? K_GUEST(slot, GF_NICS) : key,
			 "its first NIC is not on a lab network (macvtap, or none): the lab's DHCP and TFTP "
			 "cannot netboot it");
		return;
	}
	/* Seen under TCG with Debian's 2023.01 builds (tests/e2e/test_netboot.sh):
	 * U-Boot's virtio-net driver takes the MAC as 52:52:52:52:52:52, its
	 * first byte six times, so DHCP and the menus cannot know the guest. */
	if (g->firmware == FIRMWARE_UBOOT && g->nics[0].model == GUESTHW_NIC_VIRTIO)
		vc_error(c, K_GUEST(slot, g->nnics && *vc_str(c, K_GUEST(slot, GF_NICS)) ? GF_NICS : GF_NIC),
			 "virtio-net: U-Boot 2023.01 (Debian's u-boot-qemu) reads its MAC as 52:52:52:52:52:52, and a "
			 "netboot is by MAC; give its first NIC the e1000 model");
	n = &c->p->nets[g->nics[0].net];
	if (!n->dhcp)
		vc_error(c, key, "%s: network %u (%s) of its first NIC serves no DHCP (CONFIG_NET%u_DHCP), "
			 "which a netboot starts with", g->kind == RUNNER_BOARD ? "board" : "network", n->num,
			 n->name, n->num);
}

/* What a UML guest is: its kernel run as a process, one CPU, ubd disks
 * (whose option splits paths at ':'), the vector driver's NIC, debugged
 * with gdb attached to the process. */
static void guest_uml(struct vctx *c, const struct guest_cfg *g, unsigned slot)
{
	unsigned first_extra = *vc_str(c, K_GUEST(slot, GF_DISK)) ? 1 : 0;

	uml_refuse(c, slot, GF_ARCH, "runs on the lab host's own CPU: x86_64 (another architecture needs KIND=qemu)");
	uml_refuse(c, slot, GF_FIRMWARE, "is its kernel, run as a host process: no firmware (a firmware boot "
					 "needs KIND=qemu)");
	uml_refuse(c, slot, GF_DISK_BUS, "has ubd disks (ubd0, ubd1...): there is no bus to choose");
	uml_refuse(c, slot, GF_NIC, "has UML's own NIC (vec0 in the guest): there is no model to choose");
	uml_refuse(c, slot, GF_CPUS, "runs one CPU (UML has no SMP)");
	uml_refuse(c, slot, GF_GDB_PORT, "is a host process: debug it with gdb -p PID (labctl guests shows the PID)");
	uml_refuse(c, slot, GF_GDB_WAIT, "is a host process: debug it with gdb -p PID (labctl guests shows the PID)");
	uml_refuse(c, slot, GF_QEMU_ARGS, "runs no QEMU: UML's own options go into APPEND");
	uml_refuse(c, slot, GF_CLOUD_INIT, "gets no cloud-init seed (labinit attaches it to QEMU guests only)");
	if (g->kernel[0] && access(g->kernel, X_OK) < 0)
		vc_error(c, K_GUEST(slot, GF_KERNEL), "%s: a UML kernel is a program, and this one is not executable",
			 g->kernel);
	for (unsigned i = 0; i < g->ndisks; i++) {
		bool extra = i >= first_extra;
		unsigned key = K_GUEST(slot, extra ? GF_EXTRA_DISKS : GF_DISK);

		if (strchr(g->disks[i].path, ':'))
			vc_error(c, key, "%s: UML's ubd option takes ':' as a separator; a UML disk's path has none",
				 g->disks[i].path);
		if (extra && g->disks[i].bus != GUESTHW_BUS_VIRTIO)
			vc_error(c, key, "%s: a UML guest has ubd disks: no bus to choose", g->disks[i].path);
	}
}

/* A kernel boots the guest directly; without one, its firmware boots
 * the first disk. QEMU takes an initrd and a command line only with a
 * kernel. */
static void guest_boot(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	bool has_kernel = *vc_str(c, K_GUEST(slot, GF_KERNEL)) != '\0';

	guest_firmware(c, g, slot);
	resolve_file(c, K_GUEST(slot, GF_KERNEL), g->kernel, sizeof(g->kernel),
		     g->kind == RUNNER_UML ? "a UML guest needs its UML kernel (Debian's /usr/bin/linux.uml, or the "
					     "./linux of make ARCH=um)"
		     : g->firmware == FIRMWARE_KERNEL
			     ? "a guest needs a kernel (bzImage or vmlinux; an Image on aarch64 and riscv64)"
			     : NULL);
	resolve_file(c, K_GUEST(slot, GF_INITRD), g->initrd, sizeof(g->initrd), NULL);
	g->append = vc_str(c, K_GUEST(slot, GF_APPEND));
	guest_disks(c, g, slot);
	if (g->firmware == FIRMWARE_UBOOT && has_kernel && strcmp(vc_str(c, K_GUEST(slot, GF_BOOT)), "network"))
		vc_error(c, K_GUEST(slot, GF_KERNEL),
			 "U-Boot boots its disk or, with CONFIG_GUEST%u_BOOT=\"network\", this kernel from the lab's "
			 "netboot menus; QEMU cannot hand it a kernel (-kernel): set BOOT, or FIRMWARE=kernel",
			 slot + 1);
	if (has_kernel || g->firmware == FIRMWARE_KERNEL || g->kind == RUNNER_BOARD ||
	    !strcmp(vc_str(c, K_GUEST(slot, GF_BOOT)), "network"))
		return;
	if (!*vc_str(c, K_GUEST(slot, GF_DISK)))
		vc_error(c, K_GUEST(slot, GF_DISK),
			 "CONFIG_GUEST%u_FIRMWARE=\"%s\" boots from the first disk: set this, or CONFIG_GUEST%u_KERNEL",
			 slot + 1, vc_str(c, K_GUEST(slot, GF_FIRMWARE)), slot + 1);
	if (*vc_str(c, K_GUEST(slot, GF_INITRD)))
		vc_error(c, K_GUEST(slot, GF_INITRD), "an initrd needs CONFIG_GUEST%u_KERNEL", slot + 1);
	if (*g->append)
		vc_error(c, K_GUEST(slot, GF_APPEND),
			 "a kernel command line needs CONFIG_GUEST%u_KERNEL (a disk's bootloader has its own)", slot + 1);
}

static void guest_mac(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	unsigned key = K_GUEST(slot, GF_MAC);

	if (!*vc_str(c, key)) {
		profile_guest_mac(g->name, g->mac);
	} else if (addr_parse_mac(vc_str(c, key), g->mac) < 0) {
		vc_error(c, key, "\"%s\" is not a MAC address (e.g. 52:54:00:12:34:56)", vc_str(c, key));
		return;
	} else if (g->mac[0] & 1) {
		vc_error(c, key, "%s is a multicast address", vc_str(c, key));
		return;
	}
}

/* A MAC no other NIC has, nor a bridge. */
static void mac_unique(struct vctx *c, unsigned key, const struct guest_cfg *g, const uint8_t mac[6], unsigned upto)
{
	char text[18];

	addr_format_mac(mac, text);
	for (unsigned i = 0; i < c->p->nnets; i++)
		if (!memcmp(mac, c->p->nets[i].bridge_mac, 6))
			vc_error(c, key, "%s is also the MAC of bridge %s", text, c->p->nets[i].bridge_name);
	for (unsigned i = 0; i < c->p->nguests; i++)
		for (unsigned k = 0; k < c->p->guests[i].nnics; k++)
			if (!memcmp(c->p->guests[i].nics[k].mac, mac, 6))
				vc_error(c, key, "%s is also the MAC of guest %u (%s)", text, c->p->guests[i].slot,
					 c->p->guests[i].name);
	for (unsigned k = 0; k < upto; k++)
		if (!memcmp(g->nics[k].mac, mac, 6))
			vc_error(c, key, "%s is the MAC of two of its NICs", text);
}

/* A macvtap NIC is a QEMU guest's, on an uplink no bridge network took:
 * the kernel refuses a macvlan on a bridge port (EBUSY), and a guest there
 * reaches the LAN through that network already. */
static bool nic_macvtap_ok(struct vctx *c, unsigned key, const struct guest_cfg *g)
{
	if (g->kind == RUNNER_UML) {
		vc_error(c, key, "macvtap: a UML guest has no macvtap NIC (its vector driver takes a tap); use KIND=qemu");
		return false;
	}
	for (unsigned i = 0; i < c->p->nnets; i++)
		if (c->p->nets[i].mode == NET_BRIDGE) {
			vc_error(c, key, "macvtap: the uplink is a port of bridge network %u (%s); put the NIC on that "
				 "network instead", c->p->nets[i].num, c->p->nets[i].name);
			return false;
		}
	return true;
}

/* "NET[:MODEL][:MAC]": NET a network's number or name, or "macvtap"; a MAC has colons
 * of its own, so what follows NET is a model, a MAC, or both. */
static void parse_nic(struct vctx *c, unsigned key, struct guest_cfg *g, char *w)
{
	struct nic_cfg *n = &g->nics[g->nnics];
	char *rest, *mac = NULL, *spec = strchr(w, '@'), names[256], err[128];
	int i;

	memset(n, 0, sizeof(*n));
	if (spec) { /* "@delay=20ms,loss=1%": the link's impairments */
		*spec++ = '\0';
		if (netem_parse(spec, &n->impair, err, sizeof(err)) < 0) {
			vc_error(c, key, "\"%s\": %s", spec, err);
			return;
		}
	}
	if ((rest = strchr(w, ':')))
		*rest++ = '\0';
	if (!strcmp(w, "macvtap")) {
		if (!nic_macvtap_ok(c, key, g))
			return;
		n->macvtap = true;
	} else if ((i = profile_find_net(c->p, w)) < 0) {
		vc_error(c, key, "\"%s\": no network has that number or name (CONFIG_NET1_NAME, CONFIG_NETn)", w);
		return;
	} else {
		n->net = (unsigned)i;
	}
	n->model = g->nic;
	if (rest && addr_parse_mac(rest, n->mac) == 0) {
		mac = rest;
	} else if (rest) {
		char *colon = strchr(rest, ':');

		if (colon) {
			*colon = '\0';
			mac = colon + 1;
		}
		i = guesthw_lookup(guesthw_nics, GUESTHW_NICS, rest);
		if (i < 0 || !(guesthw_nics[i].archs & GUESTHW_ON(g->arch))) {
			guesthw_list(guesthw_nics, GUESTHW_NICS, g->arch, names, sizeof(names));
			vc_error(c, key, "\"%s\": expected one of QEMU's NIC models for %s: %s", rest,
				 guesthw_archs[g->arch].name, names);
			return;
		}
		n->model = (enum guesthw_nic)i;
		if (mac && addr_parse_mac(mac, n->mac) < 0) {
			vc_error(c, key, "\"%s\" is not a MAC address (e.g. 52:54:00:12:34:56)", mac);
			return;
		}
	}
	if (mac && (n->mac[0] & 1)) {
		vc_error(c, key, "%s is a multicast address", mac);
		return;
	}
	if (!mac && g->nnics == 0) {
		memcpy(n->mac, g->mac, 6); /* CONFIG_GUESTn_MAC, or the one the name gives */
	} else if (!mac) {
		char seed[32];

		snprintf(seed, sizeof(seed), "%s/%u", g->name, g->nnics);
		profile_guest_mac(seed, n->mac);
	}
	mac_unique(c, key, g, n->mac, g->nnics);
	g->nnics++;
}

/* CONFIG_GUESTn_NICS, or one NIC on network 1 (NIC and MAC). The first
 * NIC's tap is the guest's name, the others' NAME.1, NAME.2... */
static void guest_nics(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	unsigned key = K_GUEST(slot, GF_NICS);
	char buf[CONFIG_LINE_MAX], *w, *save = NULL;

	g->nnics = 0;
	snprintf(buf, sizeof(buf), "%s", vc_str(c, key));
	for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (g->nnics == PROFILE_MAX_NICS) {
			vc_error(c, key, "more than %d NICs", PROFILE_MAX_NICS);
			break;
		}
		parse_nic(c, key, g, w);
	}
	if (!*vc_str(c, key)) {
		g->nics[0] = (struct nic_cfg){ 0, false, g->nic, { 0 }, { 0 }, { 0 } };
		memcpy(g->nics[0].mac, g->mac, 6);
		mac_unique(c, K_GUEST(slot, GF_MAC), g, g->mac, 0);
		g->nnics = 1;
	}
	if (g->nnics > 1 && strlen(g->name) > 13)
		vc_error(c, key, "a guest with several NICs has a name of at most 13 characters: its taps are "
			 "NAME, NAME.1, ...");
	for (unsigned k = 0; k < g->nnics; k++)
		snprintf(g->nics[k].tap, sizeof(g->nics[k].tap), k ? "%.13s.%u" : "%s", g->name, k);
	if (g->nnics) {
		g->nic = g->nics[0].model;
		memcpy(g->mac, g->nics[0].mac, 6);
	}
}

static void guest_ip(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	unsigned key = K_GUEST(slot, GF_IP);
	const struct net_cfg *n = &c->p->nets[g->nnics ? g->nics[0].net : 0];

	g->ip = 0;
	if (!*vc_str(c, key))
		return;
	if (g->nnics && g->nics[0].macvtap) { /* the LAN's DHCP server, not the lab's, addresses it */
		vc_error(c, key, "its first NIC is a macvtap NIC, on the LAN: the lab has no address to give it");
		return;
	}
	if (!vc_parse_ip(c, key, &g->ip) || !n->host_addr || !vc_is_host_in(g->ip, &n->subnet)) {
		if (g->ip && n->host_addr)
			vc_error(c, key, "%s is not a host address inside the subnet of network %u (%s), its first NIC's",
				 vc_str(c, key), n->num, n->name);
		else if (g->ip)
			vc_error(c, key, "network %u (%s) of its first NIC has no lab addresses", n->num, n->name);
		g->ip = 0;
		return;
	}
	if (g->ip == n->gateway)
		vc_error(c, key, "%s is the lab gateway's address", vc_str(c, key));
	for (unsigned i = 0; i < c->p->nguests; i++)
		if (c->p->guests[i].ip == g->ip)
			vc_error(c, key, "%s is also the address of guest %u (%s)", vc_str(c, key),
				 c->p->guests[i].slot, c->p->guests[i].name);
}

static void guest_gdb(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	g->gdb_port = (uint16_t)vc_num(c, K_GUEST(slot, GF_GDB_PORT));
	g->gdb_wait = vc_num(c, K_GUEST(slot, GF_GDB_WAIT));
	if (!g->gdb_port)
		return;
	for (unsigned i = 0; i < c->p->nguests; i++)
		if (c->p->guests[i].gdb_port == g->gdb_port)
			vc_error(c, K_GUEST(slot, GF_GDB_PORT), "port %u is also the gdb port of guest %u (%s)",
				 g->gdb_port, c->p->guests[i].slot, c->p->guests[i].name);
}

/* QEMU_ARGS: words a shell would split the same way, none of which makes
 * QEMU leave its supervisor's hands. */
static void guest_qemu_args(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	static const char *const refused[] = { "-daemonize", "-runas", "-chroot", NULL };
	unsigned key = K_GUEST(slot, GF_QEMU_ARGS);
	char buf[CONFIG_LINE_MAX], *w[PROFILE_MAX_QEMU_ARGS + 1];
	const char *why;
	int n;

	g->qemu_args = vc_str(c, key);
	n = words_split(g->qemu_args, buf, sizeof(buf), w, PROFILE_MAX_QEMU_ARGS, &why);
	if (n < 0) {
		vc_error(c, key, "%s (words are split as by a shell: quote with '...' or \"...\"; at most %d words)",
			 why, PROFILE_MAX_QEMU_ARGS);
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *o = w[i][0] == '-' && w[i][1] == '-' ? w[i] + 1 : w[i];

		if (word_index(refused, o) >= 0)
			vc_error(c, key, "%s: labinit supervises QEMU as the guest's own user, in the foreground", w[i]);
	}
}

/* CONFIG_GUESTn_RESET: "reboot" (`labctl reset` restarts the guest) or
 * "snapshot" (it loads the state saved when the guest was first ready,
 * guests/qemu/qmp_snap.c). The snapshot holds memory and devices only:
 * a disk the guest writes would keep its writes across a reset while
 * its page cache went back, so a guest with a disk is refused; so is UML,
 * which has no snapshot. */
static void guest_reset(struct vctx *c, struct guest_cfg *g, unsigned slot)
{
	unsigned key = K_GUEST(slot, GF_RESET);
	const char *v = vc_str(c, key);

	g->reset_snapshot = !strcmp(v, "snapshot");
	if (!g->reset_snapshot && strcmp(v, "reboot"))
		vc_error(c, key, "\"%s\": expected reboot or snapshot", v);
	if (!g->reset_snapshot || g->kind == RUNNER_BOARD)
		return;
	if (g->kind == RUNNER_UML)
		vc_error(c, key, "snapshot: a UML guest has no snapshot; use reboot (the default)");
	else if (g->ndisks)
		vc_error(c, key, "snapshot: the guest has a disk (%s), whose writes a snapshot reset would not undo; "
			 "use reboot, or a guest without disks (kernel and initramfs)", g->disks[0].path);
}

static void guest_validate(struct vctx *c, unsigned slot)
{
	struct guest_cfg *g = &c->p->guests[c->p->nguests];

	memset(g, 0, sizeof(*g));
	g->slot = slot + 1;
	guest_name(c, g, slot);
	guest_kind(c, g, slot);
	guest_arch(c, g, slot);
	guest_boot(c, g, slot);
	if (g->kind == RUNNER_UML)
		guest_uml(c, g, slot);
	g->memory_mib = (unsigned)vc_num(c, K_GUEST(slot, GF_MEMORY));
	g->cpus = (unsigned)vc_num(c, K_GUEST(slot, GF_CPUS));
	guest_nic_restart(c, g, slot);
	guest_reset(c, g, slot);
	guest_mac(c, g, slot);
	guest_nics(c, g, slot);
	if (g->kind == RUNNER_BOARD)
		guest_board(c, g, slot);
	guest_boot_network(c, g, slot);
	guest_ip(c, g, slot);
	guest_gdb(c, g, slot);
	g->autostart = vc_num(c, K_GUEST(slot, GF_AUTOSTART));
	g->cloud_init = vc_num(c, K_GUEST(slot, GF_CLOUD_INIT));
	guest_qemu_args(c, g, slot);
	vc_guest_boot_file(c, g, slot);
	vc_guest_machine(c, g, slot);
	c->p->nguests++;
}

/* The keys written in the value ("ssh-ed25519 AAAA... me@host", several
 * separated by ';') or in the file it names (FILES_DIR-relative, one key
 * a line as in ~/.ssh/authorized_keys), into p->ssh_keys one per line. */
static void ssh_keys(struct vctx *c)
{
	const char *v = vc_str(c, K_SSH_AUTHORIZED_KEYS), *why;
	char path[4096], *text = NULL;
	unsigned line;
	size_t len;
	int r;

	c->p->ssh_keys[0] = '\0';
	if (!*v)
		return;
	if (!strncmp(v, "ssh-", 4) || !strncmp(v, "ecdsa-", 6) || !strncmp(v, "sk-", 3)) {
		if (!sshkey_text_ok(v, ';', &line, &why))
			vc_error(c, K_SSH_AUTHORIZED_KEYS, "key %u: %s", line, why);
		snprintf(c->p->ssh_keys, sizeof(c->p->ssh_keys), "%s", v);
		for (char *s = c->p->ssh_keys; (s = strchr(s, ';'));)
			*s = '\n';
		return;
	}
	snprintf(path, sizeof(path), v[0] == '/' ? "%s%s" : "%s/%s", v[0] == '/' ? "" : c->p->files_dir, v);
	if ((r = read_whole_file(path, sizeof(c->p->ssh_keys) - 1, &text, &len)) < 0) {
		if (r == -ENOENT)
			c->p->missing_files++;
		vc_error(c, K_SSH_AUTHORIZED_KEYS, "%s: %s%s", path, r == -EFBIG ? "larger than 16 KiB" : strerror(-r),
			 v[0] == '/' ? "" : " (relative paths start at CONFIG_FILES_DIR; or write the keys themselves)");
		return;
	}
	if (strlen(text) != len || !sshkey_text_ok(text, '\n', &line, &why))
		vc_error(c, K_SSH_AUTHORIZED_KEYS, "%s: line %u: %s", path, strlen(text) != len ? 0 : line,
			 strlen(text) != len ? "a NUL byte" : why);
	else
		memcpy(c->p->ssh_keys, text, len + 1);
	free(text);
}

void vc_guests(struct vctx *c)
{
	c->p->nguests = 0;
	ssh_keys(c);
	for (unsigned slot = 0; slot < PROFILE_GUEST_SLOTS; slot++)
		if (vc_num(c, K_GUEST(slot, GF_ENABLE)))
			guest_validate(c, slot);
}

static int parse_port(const char *s, uint16_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 1 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static const struct guest_cfg *find_guest(const struct profile *p, const char *name)
{
	for (unsigned i = 0; i < p->nguests; i++)
		if (!strcmp(p->guests[i].name, name))
			return &p->guests[i];
	return NULL;
}

/* The target of a forward: a guest with a fixed address, or an address. */
static bool forward_target(struct vctx *c, struct port_forward *f)
{
	const struct guest_cfg *g = find_guest(c->p, f->guest);
	struct ip4_prefix *sn = &c->p->subnet;

	if (g && !g->ip) {
		vc_error(c, K_NAT_PORT_FORWARDS, "forward to %s: set CONFIG_GUEST%u_IP, a forwarded guest needs a fixed address",
			 f->guest, g->slot);
		return false;
	}
	if (g) {
		f->guest_ip = g->ip;
		return true;
	}
	if (addr_parse_ip4(f->guest, &f->guest_ip) < 0) {
		vc_error(c, K_NAT_PORT_FORWARDS, "forward to \"%s\": no guest has that name", f->guest);
		return false;
	}
	if (sn->len && (!addr_in_prefix(f->guest_ip, sn) || f->guest_ip == c->p->gateway)) {
		vc_error(c, K_NAT_PORT_FORWARDS, "forward to %s: not a guest address inside the lab subnet %s",
			 f->guest, vc_str(c, K_LAB_SUBNET));
		return false;
	}
	return true;
}

static bool forward_conflicts(struct vctx *c, const struct port_forward *f)
{
	const struct profile *p = c->p;

	for (unsigned i = 0; i < p->nforwards; i++)
		if (p->forwards[i].proto == f->proto && p->forwards[i].host_port == f->host_port) {
			vc_error(c, K_NAT_PORT_FORWARDS, "host port %u/%s is forwarded twice", f->host_port,
				 f->proto == IPPROTO_TCP ? "tcp" : "udp");
			return true;
		}
	for (unsigned i = 0; i < p->nguests; i++)
		if (f->proto == IPPROTO_TCP && p->guests[i].gdb_port == f->host_port) {
			vc_error(c, K_NAT_PORT_FORWARDS, "host port %u/tcp is guest %s's gdb port", f->host_port,
				 p->guests[i].name);
			return true;
		}
	return false;
}

/* "@192.168.1.50" or "@[2001:db8::2]": the one host address a forward
 * answers at. */
static bool parse_bind(struct vctx *c, const char *a, struct port_forward *f)
{
	char text[64];
	size_t n = strlen(a);

	if (a[0] == '[' && n > 2 && a[n - 1] == ']') {
		snprintf(text, sizeof(text), "%.*s", (int)(n - 2), a + 1);
		if (inet_pton(AF_INET6, text, f->bind6) == 1) {
			f->bound6 = true;
			return true;
		}
	} else if (addr_parse_ip4(a, &f->bind4) == 0 && f->bind4) {
		return true;
	}
	vc_error(c, K_NAT_PORT_FORWARDS, "\"@%s\": a forward is bound to one address of the host, "
		 "IPv4 (@192.168.1.50) or IPv6 in brackets (@[2001:db8::2])", a);
	return false;
}

/* "tcp:2222:vm1:22", "tcp:2222:vm1:22@192.168.1.50" */
static void parse_forward(struct vctx *c, char *tok)
{
	struct port_forward f = { 0 };
	char *part[4], *save = NULL, orig[128], *at = strchr(tok, '@');
	unsigned n = 0;

	snprintf(orig, sizeof(orig), "%s", tok);
	if (at) {
		*at = '\0';
		if (!parse_bind(c, at + 1, &f))
			return;
	}
	for (char *s = strtok_r(tok, ":", &save); s && n < 4; s = strtok_r(NULL, ":", &save))
		part[n++] = s;
	if (n != 4 || strtok_r(NULL, ":", &save)) {
		vc_error(c, K_NAT_PORT_FORWARDS, "\"%s\": expected PROTO:HOSTPORT:GUEST:PORT (e.g. tcp:2222:vm1:22)",
			 orig);
		return;
	}
	if (!strcmp(part[0], "tcp"))
		f.proto = IPPROTO_TCP;
	else if (!strcmp(part[0], "udp"))
		f.proto = IPPROTO_UDP;
	if (!f.proto || parse_port(part[1], &f.host_port) < 0 || parse_port(part[3], &f.guest_port) < 0) {
		vc_error(c, K_NAT_PORT_FORWARDS, "\"%s:%s:%s:%s\": protocol is tcp or udp, ports are 1..65535",
			 part[0], part[1], part[2], part[3]);
		return;
	}
	snprintf(f.guest, sizeof(f.guest), "%s", part[2]);
	if (!forward_target(c, &f) || forward_conflicts(c, &f))
		return;
	if (f.bound6 && (!c->p->ipv6 || !find_guest(c->p, f.guest))) {
		vc_error(c, K_NAT_PORT_FORWARDS, "\"%s\": a forward bound to an IPv6 address goes to a guest by name "
			 "(its address in the lab's /64), with CONFIG_LAB_IPV6", orig);
		return;
	}
	if (c->p->nforwards == PROFILE_MAX_FORWARDS) {
		vc_error(c, K_NAT_PORT_FORWARDS, "more than %d forwards", PROFILE_MAX_FORWARDS);
		return;
	}
	c->p->forwards[c->p->nforwards++] = f;
}

void vc_forwards(struct vctx *c)
{
	char buf[CONFIG_LINE_MAX], *tok, *save = NULL;

	c->p->nforwards = 0;
	snprintf(buf, sizeof(buf), "%s", vc_str(c, K_NAT_PORT_FORWARDS));
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		parse_forward(c, tok);
}
