/* libFuzzer target: arbitrary bytes as a DHCP message and as an IPv4/UDP
 * datagram; what parses must survive a builder round trip unchanged, and the
 * builder, driven by the same bytes, must never write past its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dhcp/codec.h"
#include "net/dhcp/ipudp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The boot hints; 77 in the RFC 3004 form, which parses back to the same
 * first class whatever its text. */
static void rebuild_boot_hints(const struct dhcp_msg *m, struct dhcp_builder *b)
{
	uint8_t uc[sizeof(m->user_class)];
	size_t n = strlen(m->user_class);

	if (m->has_arch)
		dhcp_opt_u16(b, DHCP_OPT_CLIENT_ARCH, m->arch);
	if (m->has_ndi)
		dhcp_opt_bytes(b, DHCP_OPT_CLIENT_NDI, m->ndi, sizeof(m->ndi));
	if (m->has_uuid)
		dhcp_opt_bytes(b, DHCP_OPT_CLIENT_UUID, m->uuid, sizeof(m->uuid));
	if (m->vendor_class[0])
		dhcp_opt_str(b, DHCP_OPT_VENDOR_CLASS, m->vendor_class);
	if (n) {
		uc[0] = (uint8_t)n;
		memcpy(uc + 1, m->user_class, n);
		dhcp_opt_bytes(b, DHCP_OPT_USER_CLASS, uc, n + 1);
	}
	if (m->ipxe)
		dhcp_opt_bytes(b, DHCP_OPT_IPXE, NULL, 0);
}

/* Writes every field dhcp_parse() filled in; returns the length or < 0. */
static int rebuild(const struct dhcp_msg *m, uint8_t *buf, size_t size)
{
	struct dhcp_builder b;

	dhcp_build_init(&b, buf, size, m);
	if (m->type)
		dhcp_opt_u8(&b, DHCP_OPT_MSG_TYPE, m->type);
	if (m->has_requested_ip)
		dhcp_opt_ip(&b, DHCP_OPT_REQUESTED_IP, m->requested_ip);
	if (m->has_server_id)
		dhcp_opt_ip(&b, DHCP_OPT_SERVER_ID, m->server_id);
	if (m->has_lease_time)
		dhcp_opt_u32(&b, DHCP_OPT_LEASE_TIME, m->lease_time);
	if (m->has_t1)
		dhcp_opt_u32(&b, DHCP_OPT_T1, m->t1);
	if (m->has_t2)
		dhcp_opt_u32(&b, DHCP_OPT_T2, m->t2);
	if (m->has_netmask)
		dhcp_opt_ip(&b, DHCP_OPT_SUBNET_MASK, m->netmask);
	dhcp_opt_ips(&b, DHCP_OPT_ROUTER, m->routers, m->nrouters);
	dhcp_opt_ips(&b, DHCP_OPT_DNS, m->dns, m->ndns);
	if (m->has_broadcast)
		dhcp_opt_ip(&b, DHCP_OPT_BROADCAST, m->broadcast);
	if (m->has_mtu)
		dhcp_opt_u16(&b, DHCP_OPT_MTU, m->mtu);
	if (m->max_size)
		dhcp_opt_u16(&b, DHCP_OPT_MAX_SIZE, m->max_size);
	if (m->hostname[0])
		dhcp_opt_str(&b, DHCP_OPT_HOST_NAME, m->hostname);
	if (m->domain[0])
		dhcp_opt_str(&b, DHCP_OPT_DOMAIN_NAME, m->domain);
	if (m->client_id_len)
		dhcp_opt_bytes(&b, DHCP_OPT_CLIENT_ID, m->client_id, m->client_id_len);
	if (m->prl_len)
		dhcp_opt_bytes(&b, DHCP_OPT_PRL, m->prl, m->prl_len);
	if (m->message[0])
		dhcp_opt_str(&b, DHCP_OPT_MESSAGE, m->message);
	if (m->rapid_commit)
		dhcp_opt_bytes(&b, DHCP_OPT_RAPID_COMMIT, NULL, 0);
	if (m->agent_info_len)
		dhcp_opt_bytes(&b, DHCP_OPT_AGENT_INFO, m->agent_info, m->agent_info_len);
	rebuild_boot_hints(m, &b);
	return dhcp_build_finish(&b);
}

static void check_dhcp(const uint8_t *data, size_t size)
{
	static struct dhcp_msg m, again;
	static uint8_t buf[2048];
	int n;

	if (dhcp_parse(data, size, &m) < 0)
		return;
	n = rebuild(&m, buf, sizeof(buf));
	if (n < 0)
		abort();
	if (dhcp_parse(buf, (size_t)n, &again) < 0)
		abort();
	m.overload = 0; /* the builder never overloads */
	if (memcmp(&m, &again, sizeof(m)) != 0)
		abort();
	(void)dhcp_type_name(m.type);
	(void)dhcp_prl_has(&m, data[0]);
}

static void check_ipudp(const uint8_t *data, size_t size)
{
	static uint8_t frame[IPUDP_HDR_LEN + 4096];
	struct dhcp_ipudp_info info;
	const uint8_t *pl;
	size_t pl_len, n;

	for (unsigned flags = 0; flags < 2; flags++) {
		if (dhcp_ipudp_parse_flags(data, size, DHCP_SERVER_PORT, flags, &info, &pl, &pl_len) == 0 ||
		    dhcp_ipudp_parse_flags(data, size, DHCP_CLIENT_PORT, flags, &info, &pl, &pl_len) == 0) {
			if (pl < data + 28 || pl + pl_len > data + size)
				abort();
			check_dhcp(pl, pl_len);
		}
	}

	/* Any payload, wrapped and unwrapped, comes back unchanged. */
	if (size > sizeof(frame) - IPUDP_HDR_LEN)
		return;
	memcpy(frame + IPUDP_HDR_LEN, data, size);
	n = dhcp_ipudp_build(frame, size, size > 3 ? (uint32_t)data[0] << 24 | data[3] : 0, 68,
			0xffffffff, 67, 64);
	if (n != IPUDP_HDR_LEN + size)
		abort();
	if (dhcp_ipudp_parse(frame, n, 67, &info, &pl, &pl_len) != 0 || pl_len != size ||
	    memcmp(pl, data, size) != 0 || info.src_port != 68)
		abort();
}

/* The builder driven by the input: a buffer of data[0] * 4 octets (ASan's
 * redzone right after it), then options of the sizes and codes that follow. */
static void check_builder(const uint8_t *data, size_t size)
{
	struct dhcp_msg h = { .op = BOOTREQUEST, .htype = 1, .hlen = 6 };
	struct dhcp_builder b;
	size_t cap, i;
	uint8_t *buf;
	int n;

	if (size < 1)
		return;
	cap = (size_t)data[0] * 4;
	buf = malloc(cap ? cap : 1);
	if (!buf)
		return;
	dhcp_build_init(&b, buf, cap, &h);
	for (i = 1; i + 1 < size; i += 2) {
		uint8_t code = data[i], len = data[i + 1];

		if (code == DHCP_OPT_PAD || code == DHCP_OPT_END)
			code = 43;
		if (len > size - i - 2)
			len = (uint8_t)(size - i - 2);
		dhcp_opt_bytes(&b, code, data + i + 2, len);
		i += len;
	}
	n = dhcp_build_finish(&b);
	if (n >= 0 && ((size_t)n > cap || n < DHCP_BOOTP_MIN_LEN))
		abort();
	if (n < 0 && cap >= 1024 && size < 600)
		abort(); /* it all fitted, so it must have been written */
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size)
		check_dhcp(data, size);
	check_ipudp(data, size);
	check_builder(data, size);
	return 0;
}
