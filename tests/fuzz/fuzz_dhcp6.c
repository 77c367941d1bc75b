/* libFuzzer target: arbitrary bytes as a DHCPv6 message from the bridge.
 * What parses is built back and parsed again, and handled by one
 * long-lived server (bindings accumulate across inputs), whose reply
 * must parse too; the same bytes as a DHCPv6 lease-file line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dhcp6/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dhcp6_server S;
static time_t now = 1800000000;

static void init_once(void)
{
	/* a small range, so exhaustion and reuse are reached; one known guest
	 * with a fixed address, one without */
	static struct dhcp6_config c = {
		.prefix = { 0xfd, 0, 1, 0xab, 0, 0, 0, 1 },
		.server_mac = { 2, 0, 0, 0, 0, 1 },
		.range_first = 0x1000,
		.range_last = 0x1007,
		.dns = { 0xfd, 0, 1, 0xab, 0, 0, 0, 1, [15] = 1 },
		.domain = "lab",
		.lease_time = 3600,
		.known = { { { 0x52, 0x54, 0, 1, 2, 3 }, "vm1", { 0xfd, 0, 1, 0xab, 0, 0, 0, 1, [15] = 5 } },
			   { { 0x52, 0x54, 0, 1, 2, 4 }, "vm2", { 0 } } },
		.nknown = 2,
	};

	if (dhcp6_server_init(&S, &c) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static struct dhcp6_reply r;
	static uint8_t wire[4096];
	struct dhcp6_msg m, back;
	struct dhcp6_lease l;
	char line[1100];
	int n;

	if (!ready++)
		init_once();
	if (dhcp6_parse(data, size, &m) == 0) {
		n = dhcp6_build(&m, wire, sizeof(wire));
		if (n < 0 || dhcp6_parse(wire, (size_t)n, &back) != 0)
			abort(); /* what parses is written back whole */
		dhcp6_handle(&S, &m, now, &r);
		if (r.send && dhcp6_parse(r.msg, r.len, &back) != 0)
			abort(); /* the server sends only what it parses itself */
	}
	now += size % 7;
	dhcp6_expire(&S, now);
	if (size < sizeof(line)) {
		memcpy(line, data, size);
		line[size] = '\0';
		if (dhcp6_lease_parse_line(line, &l) == 0 && dhcp6_lease_format_line(&l, line, sizeof(line)) <= 0)
			abort();
	}
	return 0;
}
