/* libFuzzer target: arbitrary bytes as a DNS query, a response, a name at
 * any offset and a resolv file, and through the server's policy
 * (dnsd_answer_local) into an output buffer exactly as large as the input
 * says (ASan's redzone right after it). What parses must build back into
 * a message that parses to the same question. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns/codec.h"
#include "net/dns/dnsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dnsd D;

static void setup_once(void)
{
	/* the profile's defaults, with the host "labhost" */
	static const struct dnsd_config c = {
		.bridge_name = "virbr0",
		.dns_domain = "lab",
		.hostname = "labhost",
		.gateway = 0x0a4d0001,
		.subnet = { 0x0a4d0000, 24 },
		.uplink_dhcp = true,
		.uplink_ifname = "eth0",
	};
	static int done;

	if (done)
		return;
	done = 1;
	if (dnsd_setup(&D, &c) < 0)
		abort();
	dnsd_host_set(&D, "vm1", 0x0a4d000b);
	dnsd_host_set(&D, "vm2", 0x0a4d000c);
	dnsd_host_set(&D, "vm3", 0x0a4d000b);
}

static void same_question(const struct dns_msg *a, const struct dns_msg *b)
{
	if (!dns_name_equal(&a->q.name, &b->q.name) || a->q.qtype != b->q.qtype || a->q.qclass != b->q.qclass ||
	    a->q.name.len != b->q.name.len || memcmp(a->q.name.wire, b->q.name.wire, a->q.name.len) != 0)
		abort();
}

static void check_query(const uint8_t *data, size_t size)
{
	static uint8_t out[DNS_UDP_MAX];
	struct dns_msg m, r;
	struct dns_builder b;
	uint32_t ip;
	unsigned octets, extra;
	char text[4 * DNS_MAX_NAME + 1];
	int st = dns_parse_query(data, size, &m), n;

	if (st < 0)
		return;
	if (st > 0 && m.has_question)
		abort();
	dns_build_reply(&b, out, sizeof(out), &m, (uint8_t)st, DNS_F_AA);
	n = dns_build_finish(&b);
	if (n < DNS_HDR_LEN || dns_get_id(out) != m.h.id)
		abort();
	if (st > 0)
		return;
	if (m.qend > size || m.q.name.len > DNS_MAX_NAME || m.q.name.len < 1 || m.q.name.wire[m.q.name.len - 1])
		abort();
	if (dns_parse_response(out, (size_t)n, &r) != 0)
		abort();
	same_question(&m, &r);
	dns_name_to_text(&m.q.name, text, sizeof(text));
	if (dns_name_reverse4(&m.q.name, &ip, &octets, &extra) == 0 && octets > 4)
		abort();
}

/* The policy into an output buffer of the size data[0] chooses. */
static void check_local(const uint8_t *data, size_t size)
{
	size_t outsize;
	uint8_t *out;
	struct dns_msg r;
	int n;

	if (size < 1)
		return;
	outsize = (size_t)data[0] * 4;
	out = malloc(outsize ? outsize : 1);
	if (!out)
		return;
	n = dnsd_answer_local(&D, data + 1, size - 1, out, outsize);
	if (n > 0) {
		if ((size_t)n > outsize || n < DNS_HDR_LEN || dns_get_id(out) != dns_get_id(data + 1))
			abort();
		if (out[5] == 1 && dns_parse_response(out, (size_t)n, &r) != 0)
			abort();
	}
	free(out);
}

static void check_names(const uint8_t *data, size_t size)
{
	struct dns_name n;
	size_t pos;

	for (size_t off = 0; off < size && off < 64; off++) {
		pos = off;
		if (dns_read_name(data, size, &pos, &n) == 0 && (pos > size || pos <= off || n.len > DNS_MAX_NAME))
			abort();
	}
}

static void check_resolv(const uint8_t *data, size_t size)
{
	uint32_t ips[DNSD_MAX_UPSTREAMS];

	if (dnsd_parse_resolv((const char *)data, size, ips, DNSD_MAX_UPSTREAMS) > DNSD_MAX_UPSTREAMS)
		abort();
}

static void check_match(const uint8_t *data, size_t size)
{
	static struct dnsd_pending p;
	static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
				     3, 'v', 'm', '1', 3, 'l', 'a', 'b', 0, 0, 1, 0, 1 };

	if (!p.query.has_question && dns_parse_query(q, sizeof(q), &p.query) != 0)
		abort();
	p.up_id = 0x1234;
	(void)dnsd_pending_match(&p, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_msg m;

	setup_once();
	check_query(data, size);
	(void)dns_parse_response(data, size, &m);
	check_local(data, size);
	check_names(data, size);
	check_resolv(data, size);
	check_match(data, size);
	return 0;
}
