/* nf_tables expression encoders. Each nft_expr_* appends one expression to a
 * rule's NFTA_RULE_EXPRESSIONS nest; each nft_match_* / nft_stmt_* appends
 * the short sequence nft(8) itself emits for one term of a rule, so that
 * `nft list ruleset` prints our rules back in its own syntax. Pure: they only
 * write into the message (a full message sets m->overflow). Layouts follow
 * <linux/netfilter/nf_tables.h>. */
#ifndef LAB_NFT_EXPR_H
#define LAB_NFT_EXPR_H

#include <stdint.h>

#include "lib/core/addr.h"
#include "net/netlink/nl.h"

/* One expression. Registers are the 128-bit NFT_REG_1.. as nft uses them;
 * u32 attributes go out big-endian as the kernel reads them (ntohl). */
void nft_expr_payload(struct nl_msg *m, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg);
void nft_expr_meta(struct nl_msg *m, uint32_t key, uint32_t dreg);
void nft_expr_ct(struct nl_msg *m, uint32_t key, uint32_t dreg);
/* reg = (reg & mask) ^ xor over len bytes. */
void nft_expr_bitwise(struct nl_msg *m, uint32_t reg, const void *mask, const void *xor, uint32_t len);
void nft_expr_cmp(struct nl_msg *m, uint32_t op, uint32_t sreg, const void *data, uint32_t len);
void nft_expr_immediate(struct nl_msg *m, uint32_t dreg, const void *data, uint32_t len);
/* NF_ACCEPT, NF_DROP (<linux/netfilter.h>) or NFT_RETURN, NFT_CONTINUE. */
void nft_expr_verdict(struct nl_msg *m, int32_t code);
/* flags: NF_NAT_RANGE_* (<linux/netfilter/nf_nat.h>); reg 0: no port range. */
void nft_expr_masq(struct nl_msg *m, uint32_t flags, uint32_t reg_proto_min, uint32_t reg_proto_max);
/* type NFT_NAT_SNAT/DNAT, IPv4 (the rule must match meta nfproto ipv4);
 * reg_proto 0: keep the port. */
void nft_expr_nat(struct nl_msg *m, uint32_t type, uint32_t reg_addr, uint32_t reg_proto);
void nft_expr_reject(struct nl_msg *m, uint32_t type, uint8_t icmp_code);

/* Matches. IPv4 addresses and ports are host byte order here; IPv6
 * addresses are their 16 bytes. Address matches carry their family's
 * meta nfproto dependency, as the table is inet. */
/* meta nfproto NFPROTO_IPV4 / NFPROTO_IPV6. */
void nft_match_nfproto(struct nl_msg *m, uint8_t family);
/* iifname/oifname NAME: key NFT_META_IIFNAME or NFT_META_OIFNAME. */
void nft_match_ifname(struct nl_msg *m, uint32_t key, const char *name);
/* ip saddr/daddr [!=] PREFIX: op NFT_CMP_EQ or NFT_CMP_NEQ. */
void nft_match_saddr(struct nl_msg *m, const struct ip4_prefix *p, uint32_t op);
void nft_match_daddr(struct nl_msg *m, const struct ip4_prefix *p, uint32_t op);
/* ip6 saddr [!=] ADDR/LEN. */
void nft_match_saddr6(struct nl_msg *m, const uint8_t addr[16], unsigned len, uint32_t op);
void nft_match_daddr6(struct nl_msg *m, const uint8_t addr[16], unsigned len, uint32_t op);
/* meta l4proto PROTO (IPPROTO_TCP, ...). */
void nft_match_l4proto(struct nl_msg *m, uint8_t proto);
/* tcp/udp dport PORT (meta l4proto PROTO th dport PORT). */
void nft_match_dport(struct nl_msg *m, uint8_t proto, uint16_t port);
/* icmp type TYPE (ICMP_ECHO, ... from <linux/icmp.h>). */
void nft_match_icmp_type(struct nl_msg *m, uint8_t type);
/* icmpv6 type TYPE (ICMPV6_ECHO_REQUEST, NDISC_* numbers). */
void nft_match_icmp6_type(struct nl_msg *m, uint8_t type);
/* ct state/status with any of bits set: key NFT_CT_STATE or NFT_CT_STATUS. */
void nft_match_ct(struct nl_msg *m, uint32_t key, uint32_t bits);

/* Statements that end a rule (a plain verdict is nft_expr_verdict). */
/* masquerade [to :MIN-MAX]; min 0: no port range. */
void nft_stmt_masq(struct nl_msg *m, uint16_t port_min, uint16_t port_max);
/* dnat to ADDR[:PORT]; port 0: keep the port. */
void nft_stmt_dnat(struct nl_msg *m, uint32_t addr, uint16_t port);
/* reject with icmpx type port-unreachable (nft prints plain "reject"). */
void nft_stmt_reject(struct nl_msg *m);

#endif
