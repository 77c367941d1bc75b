/* The ruleset builder without a kernel: the largest config the profile can
 * make fits NFT_BATCH_SIZE and the batch's message count, and the chains'
 * policies follow host_shared (the rules themselves are read back by nft in
 * tests/net/test_up_down.sh and tested against real traffic in
 * tests/pid1/test_host_firewall.sh). */
#include <errno.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/bytes.h"
#include "net/nft/nft.h"
#include "t.h"

static struct nft_config largest(void)
{
	static const char *const bridges[NFT_MAX_NETS] = { "virbr0", "virbr1", "virbr2", "virbr3" };
	struct nft_config c = { .uplink_ifname = "eth0" };

	/* every network in NAT mode, dual stack, with every service */
	for (unsigned i = 0; i < NFT_MAX_NETS; i++)
		c.nets[i] = (struct nft_net){ bridges[i], NFT_NAT, true, { 0x0a4d0000 + (i << 8), 24 }, true,
					      { 0xfd, 1, 2, 3, 4, 5, 0, (uint8_t)(i + 1) }, true, true, true,
					      0, false, NULL, 0, true };
	c.nnets = NFT_MAX_NETS;

	for (unsigned i = 0; i < NFT_MAX_PORTS; i++)
		c.ports[i] = (struct nft_port){ IPPROTO_TCP, (uint16_t)(1000 + i), NFT_ON_BRIDGE | NFT_ON_UPLINK };
	c.nports = NFT_MAX_PORTS;
	for (unsigned i = 0; i < NFT_MAX_FORWARDS; i++)
		c.forwards[i] = (struct nft_forward){ IPPROTO_UDP, (uint16_t)(2000 + i), 53, 0x0a4d0002 + i, true,
						      { 0xfd, 1, 2, 3, 4, 5, 0, 1, [15] = (uint8_t)i }, 0, false, { 0 } };
	c.nforwards = NFT_MAX_FORWARDS;
	return c;
}

/* The policies of the NEWCHAIN messages, in order. */
static unsigned policies(const struct nl_batch *b, uint32_t *out, unsigned max)
{
	unsigned n = 0;

	for (size_t off = 0; off < b->len;) {
		const struct nlmsghdr *h = (const void *)(b->buf + off);
		const uint8_t *a = (const uint8_t *)NLMSG_DATA(h) + sizeof(struct nfgenmsg);

		if ((h->nlmsg_type & 0xff) == NFT_MSG_NEWCHAIN && (h->nlmsg_type >> 8) == NFNL_SUBSYS_NFTABLES)
			while (a < (const uint8_t *)h + h->nlmsg_len) {
				const struct nlattr *na = (const void *)a;

				if (na->nla_type == NFTA_CHAIN_POLICY && n < max)
					out[n++] = get_be32((const uint8_t *)na + NLA_HDRLEN);
				a += NLA_ALIGN(na->nla_len);
			}
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return n;
}

static void test_largest_fits(void)
{
	static uint8_t buf[NFT_BATCH_SIZE];
	static struct nl_batch b;
	struct nl_sock s = { 0 };
	struct nft_config c = largest();

	nl_batch_init(&b, &s, buf, sizeof(buf));
	CHECK(nft_build_ruleset(&b, &c, true) == 0);
	CHECK_MSG(!b.overflow && b.len < sizeof(buf) * 3 / 4, "%zu of %zu bytes, %u messages", b.len, sizeof(buf),
		  b.n);
}

static void test_policies(void)
{
	static uint8_t buf[NFT_BATCH_SIZE];
	static struct nl_batch b;
	struct nl_sock s = { 0 };
	struct nft_config c = largest();
	uint32_t p[8];

	/* postrouting, prerouting, output (nat: accept), forward, input */
	nl_batch_init(&b, &s, buf, sizeof(buf));
	CHECK(nft_build_ruleset(&b, &c, false) == 0);
	CHECK(policies(&b, p, 8) == 5 && p[0] == NF_ACCEPT && p[1] == NF_ACCEPT && p[2] == NF_ACCEPT &&
	      p[3] == NF_DROP && p[4] == NF_DROP);
	c.host_shared = true;
	nl_batch_init(&b, &s, buf, sizeof(buf));
	CHECK(nft_build_ruleset(&b, &c, false) == 0);
	CHECK(policies(&b, p, 8) == 5 && p[3] == NF_ACCEPT && p[4] == NF_ACCEPT);
	/* Without forwards, no prerouting or output chain. */
	c.nforwards = 0;
	nl_batch_init(&b, &s, buf, sizeof(buf));
	CHECK(nft_build_ruleset(&b, &c, false) == 0 && policies(&b, p, 8) == 3);
}

static void test_long_ifname(void)
{
	static uint8_t buf[NFT_BATCH_SIZE];
	static struct nl_batch b;
	struct nl_sock s = { 0 };
	struct nft_config c = largest();

	c.uplink_ifname = "an-interface-name-too-long";
	nl_batch_init(&b, &s, buf, sizeof(buf));
	CHECK(nft_build_ruleset(&b, &c, false) == -EINVAL);
}

static unsigned count_what(const struct nl_batch *b, const char *part)
{
	unsigned n = 0;

	for (unsigned i = 0; i < b->n; i++)
		n += strstr(b->item[i].what, part) != NULL;
	return n;
}

/* Span networks: the uplink takes VXLAN from each peer (from anyone, and
 * IGMP, with a group); nothing leaves or enters them by forwarding. */
static void test_span(void)
{
	static const uint32_t peers[8] = { 0xac1e0002, 0xac1e0003, 0xac1e0004, 0xac1e0005,
					   0xac1e0006, 0xac1e0007, 0xac1e0008, 0xac1e0009 };
	static uint8_t buf[NFT_BATCH_SIZE];
	static struct nl_batch b;
	struct nl_sock s = { 0 };
	struct nft_config c = largest();

	for (unsigned i = 1; i < NFT_MAX_NETS; i++) {
		c.nets[i].mode = NFT_SPAN;
		c.nets[i].span_port = 4789;
		c.nets[i].span_peers = peers;
		c.nets[i].span_npeers = i == 3 ? 0 : 8;
		c.nets[i].span_group = i == 3;
	}
	nl_batch_init(&b, &s, buf, sizeof(buf));
	CHECK(nft_build_ruleset(&b, &c, false) == 0 && !b.overflow);
	/* (what is cut at 63 characters) */
	CHECK(count_what(&b, "iifname eth0 ip saddr 172.30.0.9 udp dport") == 2);
	CHECK(count_what(&b, "iifname eth0 ip saddr 172.30.0.") == 16);
	CHECK(count_what(&b, "iifname eth0 udp dport 4789 accept") == 1);
	CHECK(count_what(&b, "iifname eth0 igmp accept") == 1);
	CHECK(count_what(&b, "iifname virbr1 ip saddr 10.77.1.0/24 accept") == 0);
	CHECK(count_what(&b, "iifname virbr0 ip saddr 10.77.0.0/24 accept") == 1);
	CHECK(count_what(&b, "oifname virbr2 reject") == 1 && count_what(&b, "iifname virbr2 reject") == 2);
}

int main(void)
{
	test_largest_fits();
	test_span();
	test_policies();
	test_long_ifname();
	return T_DONE();
}
