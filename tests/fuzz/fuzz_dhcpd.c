/* libFuzzer target: the DHCP server's handler on whatever parses, one
 * long-lived server so lease state accumulates across inputs, and the
 * lease-file line parser and the lease journal's parser on the same
 * bytes (a record it passes on must be one the line parser takes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dhcpd/dhcpd.h"
#include "net/dhcpd/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dhcpd D;
static time_t now = 1800000000;

static void init_once(void)
{
	/* the profile's defaults, with the range .10-.40 */
	static const struct dhcpd_config c = {
		.server_ip = 0x0a4d0001,
		.network = 0x0a4d0000,
		.prefix = 24,
		.range_start = 0x0a4d000a,
		.range_end = 0x0a4d0028,
		.dns = 0x0a4d0001,
		.domain = "lab",
		.lease_time = 3600,
		/* netboot on, one netbooting guest (52:54:00:00:00:21) */
		.nknown = 1,
		.known = { { .mac = { 0x52, 0x54, 0, 0, 0, 0x21 }, .name = "nb1", .netboots = true,
			     .boot_file = "nb1/ipxe.efi" } },
		.boot = { .enabled = true,
			  .file = { [DHCPD_LOADER_BIOS] = "pxelinux.0", [DHCPD_LOADER_UEFI_X64] = "grubnetx64.efi",
				    [DHCPD_LOADER_IPXE] = "labinit/boot.ipxe" } },
	};
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 1, 2, 3 };

	if (dhcpd_init(&D, &c) < 0)
		abort();
	dhcpd_pool_reserve(&D.pool, mac, 0x0a4d0005, "vm1");
}

/* A lease the journal's parser passes on has what the line parser
 * demands of one: an expiry, the bound state. */
static void record(void *arg, const struct dhcpd_lease *l, bool bound)
{
	(void)arg;
	if (bound && (l->expires <= 0 || l->state != LEASE_BOUND))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcpd_read_stats st = { 0 };
	static int ready;
	struct dhcpd_reply r;
	struct dhcpd_lease l;
	struct dhcp_msg m;
	char line[1100];

	if (!ready++)
		init_once();
	if (dhcp_parse(data, size, &m) == 0) {
		dhcpd_handle(&D, &m, now, &r);
		if (r.dest != DHCPD_NONE && dhcp_parse(r.msg, r.len, &m) != 0)
			abort(); /* the server must only send what it can parse itself */
	}
	now += size % 7;
	dhcpd_expire(&D.pool, now);
	if (size < sizeof(line)) {
		memcpy(line, data, size);
		line[size] = '\0';
		dhcpd_lease_parse_line(line, &l);
	}
	dhcpd_journal_parse((const char *)data, size, record, NULL, &st);
	return 0;
}
