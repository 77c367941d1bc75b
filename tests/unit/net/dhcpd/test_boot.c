/* Netboot: the boot hints the codec parses from what real loaders send
 * (iPXE on UEFI and from SeaBIOS's NIC ROM, a classic BIOS PXE ROM, OVMF,
 * U-Boot arm64), and what the server answers each (siaddr, 'file', 66,
 * 67), known netbooting guests and their override, and clients that get
 * nothing. The requests are written from the clients' sources (iPXE
 * src/net/udp/dhcp.c, EDK2 PxeBcDhcp4.c, U-Boot net/bootp.c), option for
 * option in their order. */
#include <errno.h>
#include <string.h>

#include "net/dhcpd/dhcpd.h"
#include "t.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ })
#define NBYTES(...) sizeof((const uint8_t[]){ __VA_ARGS__ })

struct pkt {
	uint8_t b[1024];
	size_t len;
};

static void add(struct pkt *p, const uint8_t *v, size_t n)
{
	memcpy(p->b + p->len, v, n);
	p->len += n;
}

#define ADD(p, ...) add(p, BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__))

static void add_str(struct pkt *p, uint8_t code, const char *s)
{
	ADD(p, code, (uint8_t)strlen(s));
	add(p, (const uint8_t *)s, strlen(s));
}

/* A DISCOVER header from MAC 52:54:00:00:00:<last>, broadcast bit set. */
static void discover(struct pkt *p, uint8_t last)
{
	memset(p, 0, sizeof(*p));
	ADD(p, 1, 1, 6, 0, 0xde, 0xad, 0x00, last, 0, 4, 0x80, 0);
	p->len = 28;
	ADD(p, 0x52, 0x54, 0x00, 0x00, 0x00, last);
	p->len = 236;
	ADD(p, 99, 130, 83, 99, 53, 1, 1);
}

static void end(struct pkt *p)
{
	ADD(p, 255);
	if (p->len < 300)
		p->len = 300;
}

/* iPXE 1.21 (ipxe.efi, x86-64 UEFI): 57, 93, 94, 60, 77 plain, 175, 61, 97, 55. */
static void ipxe_efi(struct pkt *p, uint8_t last)
{
	discover(p, last);
	ADD(p, 57, 2, 0x05, 0xc0);
	ADD(p, 93, 2, 0x00, 0x07);
	ADD(p, 94, 3, 1, 3, 10);
	add_str(p, 60, "PXEClient:Arch:00007:UNDI:003010");
	add_str(p, 77, "iPXE");
	/* 175: bus id (177), version (235), feature flags: PXE ext, iSCSI, HTTP, EFI */
	ADD(p, 175, 21, 177, 5, 1, 0x1a, 0xf4, 0x10, 0x00, 235, 3, 1, 21, 1, 19, 1, 1, 17, 1, 1, 36, 1, 1);
	ADD(p, 61, 7, 1, 0x52, 0x54, 0x00, 0x00, 0x00, last);
	ADD(p, 97, 17, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
	ADD(p, 55, 23, 1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132, 133, 134, 135,
	    175, 203);
	end(p);
}

/* QEMU's NIC ROM under SeaBIOS (iPXE undionly): arch 0, 77 in the RFC 3004
 * form here to cover it (iPXE's own is plain), no 175. */
static void ipxe_bios(struct pkt *p, uint8_t last)
{
	discover(p, last);
	ADD(p, 57, 2, 0x05, 0xc0);
	ADD(p, 93, 2, 0x00, 0x00);
	ADD(p, 94, 3, 1, 2, 1);
	add_str(p, 60, "PXEClient:Arch:00000:UNDI:002001");
	ADD(p, 77, 5, 4, 'i', 'P', 'X', 'E');
	ADD(p, 55, 8, 1, 3, 6, 12, 15, 43, 66, 67);
	end(p);
}

/* A classic PXE 2.1 BIOS ROM: 93 = 0, no iPXE, 66 and 67 not asked for. */
static void pxe_bios(struct pkt *p, uint8_t last)
{
	discover(p, last);
	ADD(p, 57, 2, 0x04, 0xec);
	ADD(p, 93, 2, 0x00, 0x00);
	ADD(p, 94, 3, 1, 2, 1);
	ADD(p, 97, 17, 0, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
	add_str(p, 60, "PXEClient:Arch:00000:UNDI:002001");
	ADD(p, 55, 6, 1, 3, 43, 60, 128, 129);
	end(p);
}

/* OVMF (EDK2 PxeBcDhcp4.c, PxeBcBuildDhcp4Options): 57, 55 with 66/67,
 * 97, 94, 93 = 7, 60 "PXEClient:Arch:00007:UNDI:003000". */
static void ovmf(struct pkt *p, uint8_t last)
{
	discover(p, last);
	ADD(p, 57, 2, 0x05, 0xc0);
	ADD(p, 55, 35, 1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59,
	    60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135, 97);
	ADD(p, 97, 17, 0, 0x8f, 0x3b, 0x12, 0x7e, 0x55, 0x01, 0x42, 0x1c, 0x9a, 0x6d, 0x11, 0x22, 0x33, 0x44,
	    0x55, 0x66);
	ADD(p, 94, 3, 1, 3, 0);
	ADD(p, 93, 2, 0x00, 0x07);
	add_str(p, 60, "PXEClient:Arch:00007:UNDI:003000");
	end(p);
}

/* U-Boot qemu_arm64 (net/bootp.c, CONFIG_BOOTP_PXE): 57 576, 93 = 0x16,
 * 94, 60 CONFIG_BOOTP_VCI_STRING, 55 without 66/67. */
static void uboot_arm64(struct pkt *p, uint8_t last)
{
	discover(p, last);
	ADD(p, 57, 2, 0x02, 0x40);
	ADD(p, 93, 2, 0x00, 0x16);
	ADD(p, 94, 3, 1, 0, 0);
	add_str(p, 60, "U-Boot.armv8");
	ADD(p, 55, 6, 1, 3, 6, 12, 15, 17);
	end(p);
}

/* U-Boot qemu-x86_64: no CONFIG_BOOTP_PXE_CLIENTARCH (no 93), no VCI
 * string (no 60), but 94 as UNDI 0.0 as every U-Boot. */
static void uboot_x86(struct pkt *p, uint8_t last)
{
	discover(p, last);
	ADD(p, 57, 2, 0x02, 0x40);
	ADD(p, 94, 3, 1, 0, 0);
	ADD(p, 55, 5, 1, 3, 6, 12, 17);
	end(p);
}

/* A booted Linux's udhcpc: none of the hints. */
static void plain(struct pkt *p, uint8_t last)
{
	discover(p, last);
	ADD(p, 55, 4, 1, 3, 6, 15);
	end(p);
}

static void test_parse_hints(void)
{
	struct pkt p;
	struct dhcp_msg m;

	ipxe_efi(&p, 1);
	CHECK(dhcp_parse(p.b, p.len, &m) == 0);
	CHECK(m.has_arch && m.arch == 7);
	CHECK(m.has_ndi && m.ndi[1] == 3 && m.ndi[2] == 10);
	CHECK(m.has_uuid && m.uuid[0] == 0 && m.uuid[16] == 16);
	CHECK(!strcmp(m.vendor_class, "PXEClient:Arch:00007:UNDI:003010"));
	CHECK(!strcmp(m.user_class, "iPXE"));
	CHECK(m.ipxe);
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_IPXE);

	ipxe_bios(&p, 2);
	CHECK(dhcp_parse(p.b, p.len, &m) == 0);
	CHECK(!strcmp(m.user_class, "iPXE") && !m.ipxe); /* the RFC 3004 form */
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_IPXE);

	pxe_bios(&p, 3);
	CHECK(dhcp_parse(p.b, p.len, &m) == 0);
	CHECK(m.has_arch && m.arch == 0 && !m.user_class[0]);
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_BIOS);

	ovmf(&p, 4);
	CHECK(dhcp_parse(p.b, p.len, &m) == 0);
	CHECK(m.has_arch && m.arch == 7 && m.has_uuid && m.uuid[1] == 0x8f);
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_UEFI_X64);

	uboot_arm64(&p, 5);
	CHECK(dhcp_parse(p.b, p.len, &m) == 0);
	CHECK(m.has_arch && m.arch == 0x16 && !strcmp(m.vendor_class, "U-Boot.armv8"));
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_UBOOT);

	uboot_x86(&p, 7);
	CHECK(dhcp_parse(p.b, p.len, &m) == 0);
	CHECK(!m.has_arch && m.has_ndi && !m.vendor_class[0]);
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_UBOOT);

	plain(&p, 6);
	CHECK(dhcp_parse(p.b, p.len, &m) == 0);
	CHECK(!m.has_arch && !m.has_ndi && !m.has_uuid && !m.vendor_class[0] && !m.ipxe);
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_NONE);
}

/* Malformed hints are dropped; the message stays. */
static void test_parse_bad_hints(void)
{
	struct pkt p;
	struct dhcp_msg m;

	discover(&p, 9);
	ADD(&p, 93, 3, 0, 7, 0);       /* odd length */
	ADD(&p, 94, 2, 1, 3);          /* not 3 */
	ADD(&p, 97, 17, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); /* type not 0 */
	ADD(&p, 60, 0);
	ADD(&p, 77, 3, 2, 'a', 'b');   /* RFC 3004 exactly: "ab" */
	end(&p);
	CHECK(dhcp_parse(p.b, p.len, &m) == 0);
	CHECK(m.type == DHCPDISCOVER);
	CHECK(!m.has_arch && !m.has_ndi && !m.has_uuid && !m.vendor_class[0]);
	CHECK(!strcmp(m.user_class, "ab"));

	discover(&p, 9);
	ADD(&p, 93, 4, 0x00, 0x0b, 0x00, 0x07); /* a list: the first counts */
	ADD(&p, 77, 4, 9, 'x', 0x01, 'y');      /* not RFC 3004: plain, '?' for octets */
	end(&p);
	CHECK(dhcp_parse(p.b, p.len, &m) == 0);
	CHECK(m.has_arch && m.arch == 0x0b);
	CHECK(!strcmp(m.user_class, "?x?y"));
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_UEFI_ARM64);
}

static void test_loader_of_arch(void)
{
	static const struct { uint16_t arch; enum dhcpd_loader l; } cases[] = {
		{ 0x00, DHCPD_LOADER_BIOS }, { 0x06, DHCPD_LOADER_NONE }, { 0x07, DHCPD_LOADER_UEFI_X64 },
		{ 0x09, DHCPD_LOADER_UEFI_X64 }, { 0x0a, DHCPD_LOADER_NONE }, { 0x0b, DHCPD_LOADER_UEFI_ARM64 },
		{ 0x10, DHCPD_LOADER_NONE }, { 0x13, DHCPD_LOADER_NONE }, { 0x15, DHCPD_LOADER_UBOOT },
		{ 0x16, DHCPD_LOADER_UBOOT }, { 0x19, DHCPD_LOADER_NONE }, { 0x1b, DHCPD_LOADER_UEFI_RISCV64 },
		{ 0x1c, DHCPD_LOADER_NONE }, { 0xffff, DHCPD_LOADER_NONE },
	};
	struct dhcp_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&m, 0, sizeof(m));
		m.has_arch = true;
		m.arch = cases[i].arch;
		CHECK_MSG(dhcpd_loader_of(&m) == cases[i].l, "arch 0x%x", cases[i].arch);
	}
	/* no 93: a PXE 2.1 vendor class carries the type */
	memset(&m, 0, sizeof(m));
	strcpy(m.vendor_class, "PXEClient:Arch:00011:UNDI:003000");
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_UEFI_ARM64);
	strcpy(m.vendor_class, "PXEClient:Arch:7");
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_NONE);
	strcpy(m.vendor_class, "U-Boot.x86");
	CHECK(dhcpd_loader_of(&m) == DHCPD_LOADER_UBOOT);
	CHECK(!strcmp(dhcpd_loader_name(DHCPD_LOADER_UEFI_X64), "uefi-x64"));
}

/* --- the server's replies ------------------------------------------------ */

static struct dhcpd D;
static const time_t T0 = 1800000000;

/* The lab's default network; boot files as the profile's defaults. */
static void server(bool enabled, uint32_t next_server)
{
	struct dhcpd_config c = {
		.server_ip = IP4(10, 77, 0, 1),
		.network = IP4(10, 77, 0, 0),
		.prefix = 24,
		.range_start = IP4(10, 77, 0, 2),
		.range_end = IP4(10, 77, 0, 254),
		.lease_time = 600,
		.nknown = 2,
	};

	memcpy(c.known[0].mac, "\x52\x54\x00\x00\x00\x21", 6);
	strcpy(c.known[0].name, "vm1");
	c.known[0].netboots = true;
	strcpy(c.known[0].boot_file, "vm1/ipxe.efi");
	memcpy(c.known[1].mac, "\x52\x54\x00\x00\x00\x22", 6);
	strcpy(c.known[1].name, "board");
	c.known[1].netboots = true; /* a board without its own file */
	c.boot.enabled = enabled;
	c.boot.next_server = next_server;
	strcpy(c.boot.file[DHCPD_LOADER_BIOS], "pxelinux.0");
	strcpy(c.boot.file[DHCPD_LOADER_UEFI_X64], "grubnetx64.efi");
	strcpy(c.boot.file[DHCPD_LOADER_UEFI_ARM64], "grubnetaa64.efi");
	strcpy(c.boot.file[DHCPD_LOADER_UEFI_RISCV64], "grubnetriscv64.efi");
	strcpy(c.boot.file[DHCPD_LOADER_IPXE], "labinit/boot.ipxe");
	CHECK(dhcpd_init(&D, &c) == 0);
}

/* What the reply says about booting. */
struct boot_seen {
	uint32_t siaddr;
	char file[129];
	char opt66[256], opt67[256];
	bool has66, has67, has60, has97;
};

static void opt_text(const uint8_t *v, uint8_t n, char *out)
{
	memcpy(out, v, n);
	out[n] = '\0';
}

static void seen(const struct dhcpd_reply *r, struct boot_seen *s)
{
	memset(s, 0, sizeof(*s));
	s->siaddr = (uint32_t)r->msg[20] << 24 | (uint32_t)r->msg[21] << 16 | (uint32_t)r->msg[22] << 8 | r->msg[23];
	memcpy(s->file, r->msg + 108, 128);
	for (size_t i = 240; i + 1 < r->len && r->msg[i] != 255;) {
		uint8_t code = r->msg[i], n;

		if (code == 0) {
			i++;
			continue;
		}
		n = r->msg[i + 1];
		if (code == 66)
			opt_text(r->msg + i + 2, n, s->opt66), s->has66 = true;
		if (code == 67)
			opt_text(r->msg + i + 2, n, s->opt67), s->has67 = true;
		s->has60 |= code == 60;
		s->has97 |= code == 97;
		i += 2 + (size_t)n;
	}
}

/* DISCOVER then REQUEST from p; checks both replies say the same; s from the ACK. */
static void run(const struct pkt *p, struct boot_seen *s, struct dhcpd_reply *ack)
{
	struct dhcpd_reply r;
	struct dhcp_msg m;
	struct boot_seen o;
	struct pkt q = *p;

	CHECK(dhcp_parse(p->b, p->len, &m) == 0);
	dhcpd_handle(&D, &m, T0, &r);
	CHECK(r.type == DHCPOFFER);
	seen(&r, &o);
	/* the same client's REQUEST for the offered address */
	q.b[242] = DHCPREQUEST;
	q.len = 0;
	{
		size_t e = 240;

		while (q.b[e] != 255)
			e += q.b[e] ? 2 + (size_t)q.b[e + 1] : 1;
		q.len = e;
	}
	ADD(&q, 50, 4, r.msg[16], r.msg[17], r.msg[18], r.msg[19], 54, 4, 10, 77, 0, 1);
	end(&q);
	CHECK(dhcp_parse(q.b, q.len, &m) == 0);
	dhcpd_handle(&D, &m, T0, ack);
	CHECK(ack->type == DHCPACK);
	seen(ack, s);
	CHECK(o.siaddr == s->siaddr && !strcmp(o.file, s->file) && o.has66 == s->has66 && o.has67 == s->has67);
	CHECK(!s->has60 && !s->has97); /* EDK2 would take a "PXEClient" offer for BINL */
}

static void test_replies(void)
{
	struct pkt p;
	struct boot_seen s;
	struct dhcpd_reply r;

	server(true, 0);
	ipxe_efi(&p, 1); /* iPXE: its script; 66/67 asked for */
	run(&p, &s, &r);
	CHECK(s.siaddr == IP4(10, 77, 0, 1));
	CHECK(!strcmp(s.file, "labinit/boot.ipxe") && s.has67 && !strcmp(s.opt67, "labinit/boot.ipxe"));
	CHECK(s.has66 && !strcmp(s.opt66, "10.77.0.1"));
	CHECK_MSG(strstr(r.log, "boot labinit/boot.ipxe (ipxe)") != NULL, "%s", r.log);

	ipxe_bios(&p, 2);
	run(&p, &s, &r);
	CHECK(!strcmp(s.file, "labinit/boot.ipxe"));

	pxe_bios(&p, 3); /* file header and siaddr only: 66/67 not asked for */
	run(&p, &s, &r);
	CHECK(!strcmp(s.file, "pxelinux.0") && !s.has66 && !s.has67 && s.siaddr == IP4(10, 77, 0, 1));

	ovmf(&p, 4);
	run(&p, &s, &r);
	CHECK(!strcmp(s.file, "grubnetx64.efi") && s.has67 && !strcmp(s.opt67, "grubnetx64.efi") && s.has66);
	CHECK_MSG(strstr(r.log, "boot grubnetx64.efi (uefi-x64)") != NULL, "%s", r.log);

	uboot_arm64(&p, 5); /* BOOT_FILE_UBOOT empty: siaddr, no file */
	run(&p, &s, &r);
	CHECK(s.siaddr == IP4(10, 77, 0, 1) && !s.file[0] && !s.has67);
	CHECK_MSG(strstr(r.log, "boot without a file (u-boot)") != NULL, "%s", r.log);

	uboot_x86(&p, 7); /* told apart by its UNDI 0.0 */
	run(&p, &s, &r);
	CHECK(s.siaddr == IP4(10, 77, 0, 1) && !s.file[0]);

	plain(&p, 6); /* a booted OS: nothing */
	run(&p, &s, &r);
	CHECK(s.siaddr == 0 && !s.file[0] && !s.has66 && !s.has67);
	CHECK_MSG(!strstr(r.log, "boot"), "%s", r.log);
	dhcpd_free(&D);
}

static void test_known_and_disabled(void)
{
	struct pkt p;
	struct boot_seen s;
	struct dhcpd_reply r;

	server(false, IP4(192, 168, 1, 10)); /* boot not enabled for strangers */
	ovmf(&p, 4);
	run(&p, &s, &r);
	CHECK(s.siaddr == 0 && !s.file[0] && !s.has67);

	ovmf(&p, 0x21); /* vm1 netboots: its own file, the next server set */
	run(&p, &s, &r);
	CHECK(s.siaddr == IP4(192, 168, 1, 10) && !strcmp(s.file, "vm1/ipxe.efi") && !strcmp(s.opt67, "vm1/ipxe.efi"));
	CHECK(!strcmp(s.opt66, "192.168.1.10"));
	CHECK_MSG(strstr(r.log, "vm1 boot vm1/ipxe.efi (uefi-x64, the guest's own)") != NULL, "%s", r.log);

	ipxe_efi(&p, 0x21); /* ...which, as iPXE, gets iPXE's script, not itself again */
	run(&p, &s, &r);
	CHECK(!strcmp(s.file, "labinit/boot.ipxe"));

	plain(&p, 0x21); /* a netbooting guest gets siaddr and its file whatever it sends */
	run(&p, &s, &r);
	CHECK(s.siaddr == IP4(192, 168, 1, 10) && !strcmp(s.file, "vm1/ipxe.efi") && !s.has67);

	pxe_bios(&p, 0x22); /* the board: the loader's default */
	run(&p, &s, &r);
	CHECK(!strcmp(s.file, "pxelinux.0"));
	plain(&p, 0x22); /* and with no loader named: the server, no file */
	run(&p, &s, &r);
	CHECK(s.siaddr == IP4(192, 168, 1, 10) && !s.file[0]);
	dhcpd_free(&D);
}

/* A 127-octet file fits the header; the builder refuses 128. */
static void test_file_field(void)
{
	uint8_t buf[600];
	struct dhcp_builder b;
	struct dhcp_msg h = { .op = BOOTREPLY, .htype = 1, .hlen = 6 };
	char name[130];

	memset(name, 'f', 127);
	name[127] = '\0';
	dhcp_build_init(&b, buf, sizeof(buf), &h);
	dhcp_build_file(&b, name);
	CHECK(dhcp_build_finish(&b) > 0);
	CHECK(buf[108] == 'f' && buf[108 + 126] == 'f' && buf[108 + 127] == 0);
	name[127] = 'f';
	name[128] = '\0';
	dhcp_build_init(&b, buf, sizeof(buf), &h);
	dhcp_build_file(&b, name);
	CHECK(dhcp_build_finish(&b) == -EINVAL);
}

int main(void)
{
	test_parse_hints();
	test_parse_bad_hints();
	test_loader_of_arch();
	test_replies();
	test_known_and_disabled();
	test_file_field();
	return T_DONE();
}
