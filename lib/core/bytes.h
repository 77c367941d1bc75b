/* Network byte order (and little-endian, for pcap files) in and out of
 * packet buffers, and the read cursor the codecs parse with: every getter
 * fails instead of stepping past len. */
#ifndef LAB_BYTES_H
#define LAB_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Little-endian: the formats that fix it (pcap files). */
static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

struct cursor {
	const uint8_t *buf;
	size_t pos, len;
};

/* n octets at the cursor, or false (pos unchanged) if fewer are left. */
static inline bool cur_take(struct cursor *c, size_t n, const uint8_t **p)
{
	if (c->pos > c->len || n > c->len - c->pos)
		return false;
	*p = c->buf + c->pos;
	c->pos += n;
	return true;
}

static inline bool cur_u8(struct cursor *c, uint8_t *v)
{
	const uint8_t *p;

	if (!cur_take(c, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static inline bool cur_u16(struct cursor *c, uint16_t *v)
{
	const uint8_t *p;

	if (!cur_take(c, 2, &p))
		return false;
	*v = get_be16(p);
	return true;
}

static inline bool cur_u32(struct cursor *c, uint32_t *v)
{
	const uint8_t *p;

	if (!cur_take(c, 4, &p))
		return false;
	*v = get_be32(p);
	return true;
}

#endif
