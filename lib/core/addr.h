/* Pure parsers and formatters for IPv4 addresses, prefixes and MAC addresses. */
#ifndef LAB_ADDR_H
#define LAB_ADDR_H

#include <stdbool.h>
#include <stdint.h>

/* Addresses are kept in host byte order; callers convert at the socket. */
struct ip4_prefix {
	uint32_t addr;
	uint8_t len;
};

int addr_parse_ip4(const char *s, uint32_t *out);
int addr_parse_prefix(const char *s, struct ip4_prefix *out);
int addr_parse_mac(const char *s, uint8_t mac[6]);
void addr_format_ip4(uint32_t a, char buf[16]);
void addr_format_mac(const uint8_t mac[6], char buf[18]);

uint32_t addr_mask(uint8_t len);
bool addr_in_prefix(uint32_t a, const struct ip4_prefix *p);
bool addr_prefixes_overlap(const struct ip4_prefix *a, const struct ip4_prefix *b);
/* 32-bit FNV-1a: a stable hash for deriving MAC addresses from names. */
uint32_t addr_fnv1a(const char *s);
/* prefix's first 64 bits and the modified EUI-64 interface identifier of
 * mac (RFC 4291 appendix A): the address a kernel's SLAAC gives that NIC
 * (addr_gen_mode eui64, Linux's default). */
void addr_eui64(const uint8_t prefix[16], const uint8_t mac[6], uint8_t out[16]);

#endif
