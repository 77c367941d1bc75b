/* nf_tables expression encoders; see nft_expr.h. An expression is
 * NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA { per-kind attributes } }
 * inside the rule's NFTA_RULE_EXPRESSIONS (<linux/netfilter/nf_tables.h>).
 * The match sequences are the ones `nft --debug=netlink` shows for the same
 * rule, so nft decodes ours back into the syntax we mean. */
#include "net/nft/expr.h"

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/udp.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lib/core/bytes.h"

struct expr {
	struct nlattr *elem, *data;
};

static struct expr expr_begin(struct nl_msg *m, const char *name)
{
	struct expr e;

	e.elem = nl_nest_start(m, NFTA_LIST_ELEM);
	nl_attr_put_str(m, NFTA_EXPR_NAME, name);
	e.data = nl_nest_start(m, NFTA_EXPR_DATA);
	return e;
}

static void expr_end(struct nl_msg *m, struct expr e)
{
	nl_nest_end(m, e.data);
	nl_nest_end(m, e.elem);
}

/* Constants travel as struct nft_data: TYPE { NFTA_DATA_VALUE: bytes }. */
static void put_value(struct nl_msg *m, uint16_t type, const void *data, uint32_t len)
{
	struct nlattr *n = nl_nest_start(m, type);

	nl_attr_put(m, NFTA_DATA_VALUE, data, len);
	nl_nest_end(m, n);
}


void nft_expr_payload(struct nl_msg *m, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg)
{
	struct expr e = expr_begin(m, "payload");

	nl_attr_put_be32(m, NFTA_PAYLOAD_DREG, dreg);
	nl_attr_put_be32(m, NFTA_PAYLOAD_BASE, base);
	nl_attr_put_be32(m, NFTA_PAYLOAD_OFFSET, offset);
	nl_attr_put_be32(m, NFTA_PAYLOAD_LEN, len);
	expr_end(m, e);
}

void nft_expr_meta(struct nl_msg *m, uint32_t key, uint32_t dreg)
{
	struct expr e = expr_begin(m, "meta");

	nl_attr_put_be32(m, NFTA_META_DREG, dreg);
	nl_attr_put_be32(m, NFTA_META_KEY, key);
	expr_end(m, e);
}

void nft_expr_ct(struct nl_msg *m, uint32_t key, uint32_t dreg)
{
	struct expr e = expr_begin(m, "ct");

	nl_attr_put_be32(m, NFTA_CT_DREG, dreg);
	nl_attr_put_be32(m, NFTA_CT_KEY, key);
	expr_end(m, e);
}

/* No NFTA_BITWISE_OP: the kernel defaults to NFT_BITWISE_BOOL (mask/xor). */
void nft_expr_bitwise(struct nl_msg *m, uint32_t reg, const void *mask, const void *xor, uint32_t len)
{
	struct expr e = expr_begin(m, "bitwise");

	nl_attr_put_be32(m, NFTA_BITWISE_SREG, reg);
	nl_attr_put_be32(m, NFTA_BITWISE_DREG, reg);
	nl_attr_put_be32(m, NFTA_BITWISE_LEN, len);
	put_value(m, NFTA_BITWISE_MASK, mask, len);
	put_value(m, NFTA_BITWISE_XOR, xor, len);
	expr_end(m, e);
}

void nft_expr_cmp(struct nl_msg *m, uint32_t op, uint32_t sreg, const void *data, uint32_t len)
{
	struct expr e = expr_begin(m, "cmp");

	nl_attr_put_be32(m, NFTA_CMP_SREG, sreg);
	nl_attr_put_be32(m, NFTA_CMP_OP, op);
	put_value(m, NFTA_CMP_DATA, data, len);
	expr_end(m, e);
}

void nft_expr_immediate(struct nl_msg *m, uint32_t dreg, const void *data, uint32_t len)
{
	struct expr e = expr_begin(m, "immediate");

	nl_attr_put_be32(m, NFTA_IMMEDIATE_DREG, dreg);
	put_value(m, NFTA_IMMEDIATE_DATA, data, len);
	expr_end(m, e);
}

/* A verdict is an immediate into NFT_REG_VERDICT whose data is
 * NFTA_DATA_VERDICT { NFTA_VERDICT_CODE: be32 } (nft_verdict_attributes). */
void nft_expr_verdict(struct nl_msg *m, int32_t code)
{
	struct expr e = expr_begin(m, "immediate");
	struct nlattr *data, *verdict;

	nl_attr_put_be32(m, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	data = nl_nest_start(m, NFTA_IMMEDIATE_DATA);
	verdict = nl_nest_start(m, NFTA_DATA_VERDICT);
	nl_attr_put_be32(m, NFTA_VERDICT_CODE, (uint32_t)code);
	nl_nest_end(m, verdict);
	nl_nest_end(m, data);
	expr_end(m, e);
}

void nft_expr_masq(struct nl_msg *m, uint32_t flags, uint32_t reg_proto_min, uint32_t reg_proto_max)
{
	struct expr e = expr_begin(m, "masq");

	if (flags)
		nl_attr_put_be32(m, NFTA_MASQ_FLAGS, flags);
	if (reg_proto_min) {
		nl_attr_put_be32(m, NFTA_MASQ_REG_PROTO_MIN, reg_proto_min);
		nl_attr_put_be32(m, NFTA_MASQ_REG_PROTO_MAX, reg_proto_max);
	}
	expr_end(m, e);
}

/* The kernel derives MAP_IPS / PROTO_SPECIFIED from the registers given
 * (nft_nat_init); we send them too so the intent is in the message. */
void nft_expr_nat(struct nl_msg *m, uint32_t type, uint32_t reg_addr, uint32_t reg_proto)
{
	struct expr e = expr_begin(m, "nat");
	uint32_t flags = 0;

	nl_attr_put_be32(m, NFTA_NAT_TYPE, type);
	nl_attr_put_be32(m, NFTA_NAT_FAMILY, NFPROTO_IPV4);
	if (reg_addr) {
		nl_attr_put_be32(m, NFTA_NAT_REG_ADDR_MIN, reg_addr);
		flags |= NF_NAT_RANGE_MAP_IPS;
	}
	if (reg_proto) {
		nl_attr_put_be32(m, NFTA_NAT_REG_PROTO_MIN, reg_proto);
		flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	}
	if (flags)
		nl_attr_put_be32(m, NFTA_NAT_FLAGS, flags);
	expr_end(m, e);
}

void nft_expr_reject(struct nl_msg *m, uint32_t type, uint8_t icmp_code)
{
	struct expr e = expr_begin(m, "reject");

	nl_attr_put_be32(m, NFTA_REJECT_TYPE, type);
	nl_attr_put_u8(m, NFTA_REJECT_ICMP_CODE, icmp_code);
	expr_end(m, e);
}

/* meta iifname/oifname yields the IFNAMSIZ-byte, zero-padded name; nft
 * compares all of it so "virbr0" does not match "virbr01". */
void nft_match_ifname(struct nl_msg *m, uint32_t key, const char *name)
{
	char buf[IFNAMSIZ] = { 0 };
	size_t n = strlen(name);

	if (n >= IFNAMSIZ) {
		m->overflow = true; /* the profile validator refuses such names */
		return;
	}
	memcpy(buf, name, n);
	nft_expr_meta(m, key, NFT_REG_1);
	nft_expr_cmp(m, NFT_CMP_EQ, NFT_REG_1, buf, sizeof(buf));
}

/* meta nfproto FAMILY: what nft puts before any match on an IPv4 or IPv6
 * header in an inet table (its protocol dependency), so that an IPv6 packet
 * is never read as if it were IPv4. nft prints the rule without it. */
void nft_match_nfproto(struct nl_msg *m, uint8_t family)
{
	nft_expr_meta(m, NFT_META_NFPROTO, NFT_REG_1);
	nft_expr_cmp(m, NFT_CMP_EQ, NFT_REG_1, &family, sizeof(family));
}

/* As nft: a byte-aligned prefix loads just its bytes; any other prefix
 * loads the whole address and masks it (bitwise) before comparing.
 * addr is the network-order address of alen bytes. */
static void match_prefix(struct nl_msg *m, uint8_t family, uint32_t offset, const uint8_t *addr,
			 unsigned alen, unsigned plen, uint32_t op)
{
	uint8_t val[16], mask[16], zero[16] = { 0 };
	bool aligned = plen > 0 && plen % 8 == 0;
	unsigned len = aligned ? plen / 8 : alen;

	for (unsigned i = 0; i < len; i++) {
		unsigned bits = plen >= (i + 1) * 8 ? 8 : plen > i * 8 ? plen - i * 8 : 0;

		mask[i] = (uint8_t)(0xff00u >> bits);
		val[i] = addr[i] & mask[i];
	}
	nft_match_nfproto(m, family);
	nft_expr_payload(m, NFT_PAYLOAD_NETWORK_HEADER, offset, len, NFT_REG_1);
	if (!aligned)
		nft_expr_bitwise(m, NFT_REG_1, mask, zero, len);
	nft_expr_cmp(m, op, NFT_REG_1, val, len);
}

static void match_addr(struct nl_msg *m, uint32_t offset, const struct ip4_prefix *p, uint32_t op)
{
	uint8_t addr[4];

	put_be32(addr, p->addr);
	match_prefix(m, NFPROTO_IPV4, offset, addr, sizeof(addr), p->len, op);
}

void nft_match_saddr(struct nl_msg *m, const struct ip4_prefix *p, uint32_t op)
{
	match_addr(m, offsetof(struct iphdr, saddr), p, op);
}

void nft_match_daddr(struct nl_msg *m, const struct ip4_prefix *p, uint32_t op)
{
	match_addr(m, offsetof(struct iphdr, daddr), p, op);
}

void nft_match_saddr6(struct nl_msg *m, const uint8_t addr[16], unsigned len, uint32_t op)
{
	match_prefix(m, NFPROTO_IPV6, offsetof(struct ipv6hdr, saddr), addr, 16, len, op);
}

void nft_match_daddr6(struct nl_msg *m, const uint8_t addr[16], unsigned len, uint32_t op)
{
	match_prefix(m, NFPROTO_IPV6, offsetof(struct ipv6hdr, daddr), addr, 16, len, op);
}

/* meta l4proto, not ip protocol: it is what nft emits as the dependency of
 * tcp/udp/icmp matches, and it skips IPv4 options the same way. */
void nft_match_l4proto(struct nl_msg *m, uint8_t proto)
{
	nft_expr_meta(m, NFT_META_L4PROTO, NFT_REG_1);
	nft_expr_cmp(m, NFT_CMP_EQ, NFT_REG_1, &proto, sizeof(proto));
}

/* The destination port sits at the same offset in TCP and UDP headers
 * (<linux/udp.h>, <linux/tcp.h>): nft's "th dport". */
void nft_match_dport(struct nl_msg *m, uint8_t proto, uint16_t port)
{
	uint8_t be[2];

	put_be16(be, port);
	nft_match_l4proto(m, proto);
	nft_expr_payload(m, NFT_PAYLOAD_TRANSPORT_HEADER, offsetof(struct udphdr, dest), sizeof(be),
			 NFT_REG_1);
	nft_expr_cmp(m, NFT_CMP_EQ, NFT_REG_1, be, sizeof(be));
}

static void match_type(struct nl_msg *m, uint8_t l4proto, uint8_t type)
{
	nft_match_l4proto(m, l4proto);
	nft_expr_payload(m, NFT_PAYLOAD_TRANSPORT_HEADER, 0, sizeof(type), NFT_REG_1);
	nft_expr_cmp(m, NFT_CMP_EQ, NFT_REG_1, &type, sizeof(type));
}

/* The type is the first byte of both headers (struct icmphdr, icmp6hdr). */
void nft_match_icmp_type(struct nl_msg *m, uint8_t type)
{
	_Static_assert(offsetof(struct icmphdr, type) == 0, "icmp type first");
	match_type(m, IPPROTO_ICMP, type);
}

void nft_match_icmp6_type(struct nl_msg *m, uint8_t type)
{
	_Static_assert(offsetof(struct icmp6hdr, icmp6_type) == 0, "icmpv6 type first");
	match_type(m, IPPROTO_ICMPV6, type);
}

/* ct state and ct status are 32-bit words in host byte order (nft_ct.c
 * copies them as u32); "any of bits" is (word & bits) != 0. */
void nft_match_ct(struct nl_msg *m, uint32_t key, uint32_t bits)
{
	uint32_t zero = 0;

	nft_expr_ct(m, key, NFT_REG_1);
	nft_expr_bitwise(m, NFT_REG_1, &bits, &zero, sizeof(bits));
	nft_expr_cmp(m, NFT_CMP_NEQ, NFT_REG_1, &zero, sizeof(zero));
}

/* nft_masq.c applies the port range only with NF_NAT_RANGE_PROTO_SPECIFIED
 * in the flags, which it takes from userspace as given. */
void nft_stmt_masq(struct nl_msg *m, uint16_t port_min, uint16_t port_max)
{
	uint8_t lo[2], hi[2];

	if (!port_min) {
		nft_expr_masq(m, 0, 0, 0);
		return;
	}
	put_be16(lo, port_min);
	put_be16(hi, port_max);
	nft_expr_immediate(m, NFT_REG_1, lo, sizeof(lo));
	nft_expr_immediate(m, NFT_REG_2, hi, sizeof(hi));
	nft_expr_masq(m, NF_NAT_RANGE_PROTO_SPECIFIED, NFT_REG_1, NFT_REG_2);
}

void nft_stmt_dnat(struct nl_msg *m, uint32_t addr, uint16_t port)
{
	uint8_t a[4], p[2];

	put_be32(a, addr);
	put_be16(p, port);
	nft_expr_immediate(m, NFT_REG_1, a, sizeof(a));
	if (port)
		nft_expr_immediate(m, NFT_REG_2, p, sizeof(p));
	nft_expr_nat(m, NFT_NAT_DNAT, NFT_REG_1, port ? NFT_REG_2 : 0);
}

/* Port unreachable is what iptables' REJECT and libvirt send; in an inet
 * table it is ICMPX, which the kernel turns into ICMP or ICMPv6 by the
 * packet's family (nft_reject_inet). */
void nft_stmt_reject(struct nl_msg *m)
{
	nft_expr_reject(m, NFT_REJECT_ICMPX_UNREACH, NFT_REJECT_ICMPX_PORT_UNREACH);
}
