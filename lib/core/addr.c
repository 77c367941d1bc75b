/* IPv4 and MAC address text codecs. Strict: no leading zeros that inet_aton
 * would read as octal, no trailing garbage, no shorthand forms. */
#include "lib/core/addr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int parse_decimal(const char **sp, unsigned max, unsigned *out)
{
	const char *s = *sp;
	unsigned v = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9') {
		if (digits && v == 0)
			return -EINVAL; /* leading zero */
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max || ++digits > 10)
			return -EINVAL;
		s++;
	}
	if (!digits)
		return -EINVAL;
	*sp = s;
	*out = v;
	return 0;
}

static int parse_ip4_prefix_of(const char **sp, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned octet;

		if (i && *(*sp)++ != '.')
			return -EINVAL;
		if (parse_decimal(sp, 255, &octet) < 0)
			return -EINVAL;
		a = (a << 8) | octet;
	}
	*out = a;
	return 0;
}

int addr_parse_ip4(const char *s, uint32_t *out)
{
	if (parse_ip4_prefix_of(&s, out) < 0 || *s)
		return -EINVAL;
	return 0;
}

int addr_parse_prefix(const char *s, struct ip4_prefix *out)
{
	unsigned len;

	if (parse_ip4_prefix_of(&s, &out->addr) < 0 || *s++ != '/')
		return -EINVAL;
	if (parse_decimal(&s, 32, &len) < 0 || *s)
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int addr_parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi, lo;

		if (i && *s++ != ':')
			return -EINVAL;
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0)
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return *s ? -EINVAL : 0;
}

void addr_format_ip4(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

void addr_format_mac(const uint8_t m[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

uint32_t addr_mask(uint8_t len)
{
	return len == 0 ? 0 : len >= 32 ? 0xffffffffu : ~(0xffffffffu >> len);
}

bool addr_in_prefix(uint32_t a, const struct ip4_prefix *p)
{
	return (a & addr_mask(p->len)) == (p->addr & addr_mask(p->len));
}

bool addr_prefixes_overlap(const struct ip4_prefix *a, const struct ip4_prefix *b)
{
	uint8_t len = a->len < b->len ? a->len : b->len;
	uint32_t m = addr_mask(len);

	return (a->addr & m) == (b->addr & m);
}

uint32_t addr_fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (uint8_t)*s++;
		h *= 16777619u;
	}
	return h;
}

void addr_eui64(const uint8_t prefix[16], const uint8_t mac[6], uint8_t out[16])
{
	memcpy(out, prefix, 8);
	out[8] = mac[0] ^ 0x02; /* the universal/local bit, inverted */
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}
