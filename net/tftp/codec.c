/* See codec.h. A cursor {buf, pos, len} whose getters fail rather than step
 * past the end; strings are taken only when their NUL lies inside. */
#include "net/tftp/codec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct cur {
	const uint8_t *buf;
	size_t pos, len;
};

static bool get_u16(struct cur *c, uint16_t *v)
{
	if (c->len - c->pos < 2)
		return false;
	*v = (uint16_t)(c->buf[c->pos] << 8 | c->buf[c->pos + 1]);
	c->pos += 2;
	return true;
}

/* A NUL-terminated string inside the packet: its start, and the cursor
 * past its NUL. */
static const char *get_str(struct cur *c)
{
	const uint8_t *s = c->buf + c->pos, *nul = memchr(s, 0, c->len - c->pos);

	if (!nul)
		return NULL;
	c->pos += (size_t)(nul - s) + 1;
	return (const char *)s;
}

/* A decimal number below 2^63, nothing else (no sign, no space). */
static bool parse_num(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (UINT64_MAX / 2 - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return true;
}

static void set_opt(bool *has, uint64_t *field, const char *value)
{
	uint64_t v;

	if (!*has && parse_num(value, &v)) {
		*has = true;
		*field = v;
	}
}

/* RFC 2347: option name and value pairs, names case-insensitive. */
static int parse_opts(struct cur *c, struct tftp_msg *m)
{
	while (c->pos < c->len) {
		const char *name = get_str(c), *value = name ? get_str(c) : NULL;

		if (!value)
			return -EBADMSG;
		m->nopts++;
		if (!strcasecmp(name, "blksize"))
			set_opt(&m->opt.has_blksize, &m->opt.blksize, value);
		else if (!strcasecmp(name, "timeout"))
			set_opt(&m->opt.has_timeout, &m->opt.timeout, value);
		else if (!strcasecmp(name, "tsize"))
			set_opt(&m->opt.has_tsize, &m->opt.tsize, value);
		else if (!strcasecmp(name, "windowsize"))
			set_opt(&m->opt.has_windowsize, &m->opt.windowsize, value);
	}
	return 0;
}

static enum tftp_mode mode_of(const char *s)
{
	if (!strcasecmp(s, "octet"))
		return TFTP_MODE_OCTET;
	if (!strcasecmp(s, "netascii"))
		return TFTP_MODE_NETASCII;
	return strcasecmp(s, "mail") ? TFTP_MODE_OTHER : TFTP_MODE_MAIL;
}

static int parse_request(struct cur *c, struct tftp_msg *m)
{
	const char *file = get_str(c), *mode = file ? get_str(c) : NULL;
	size_t n = file ? strlen(file) : 0;

	if (!mode || !n || n >= sizeof(m->file))
		return -EBADMSG;
	memcpy(m->file, file, n + 1);
	m->mode = mode_of(mode);
	return parse_opts(c, m);
}

static int parse_error(struct cur *c, struct tftp_msg *m)
{
	const char *msg;

	if (!get_u16(c, &m->error) || !(msg = get_str(c)))
		return -EBADMSG;
	snprintf(m->errmsg, sizeof(m->errmsg), "%s", msg);
	return 0;
}

int tftp_parse(const uint8_t *pkt, size_t len, struct tftp_msg *m)
{
	struct cur c = { pkt, 0, len };
	uint16_t op;

	memset(m, 0, sizeof(*m));
	if (!get_u16(&c, &op))
		return -EBADMSG;
	m->op = (enum tftp_op)op;
	switch (op) {
	case TFTP_RRQ:
	case TFTP_WRQ:
		return parse_request(&c, m);
	case TFTP_DATA:
		if (!get_u16(&c, &m->block))
			return -EBADMSG;
		m->data_off = c.pos;
		m->data_len = len - c.pos;
		return 0;
	case TFTP_ACK:
		return get_u16(&c, &m->block) ? 0 : -EBADMSG;
	case TFTP_ERROR:
		return parse_error(&c, m);
	case TFTP_OACK:
		return parse_opts(&c, m);
	default:
		return -EBADMSG;
	}
}

/* --- builders ---------------------------------------------------------- */

struct out {
	uint8_t *buf;
	size_t pos, size;
	bool full;
};

static void put_u16(struct out *o, uint16_t v)
{
	if (o->size - o->pos < 2) {
		o->full = true;
		return;
	}
	o->buf[o->pos++] = (uint8_t)(v >> 8);
	o->buf[o->pos++] = (uint8_t)v;
}

static void put_str(struct out *o, const char *s)
{
	size_t n = strlen(s) + 1;

	if (o->full || o->size - o->pos < n) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->pos, s, n);
	o->pos += n;
}

static void put_opt(struct out *o, bool has, const char *name, uint64_t v)
{
	char num[24];

	if (!has)
		return;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	put_str(o, name);
	put_str(o, num);
}

static void put_opts(struct out *o, const struct tftp_opts *opt)
{
	if (!opt)
		return;
	put_opt(o, opt->has_blksize, "blksize", opt->blksize);
	put_opt(o, opt->has_timeout, "timeout", opt->timeout);
	put_opt(o, opt->has_tsize, "tsize", opt->tsize);
	put_opt(o, opt->has_windowsize, "windowsize", opt->windowsize);
}

static int finish(const struct out *o)
{
	return o->full ? -EMSGSIZE : (int)o->pos;
}

int tftp_build_request(uint8_t *buf, size_t size, enum tftp_op op, const char *file, const char *mode,
		       const struct tftp_opts *opt)
{
	struct out o = { buf, 0, size, false };

	put_u16(&o, (uint16_t)op);
	put_str(&o, file);
	put_str(&o, mode);
	put_opts(&o, opt);
	return finish(&o);
}

int tftp_build_oack(uint8_t *buf, size_t size, const struct tftp_opts *opt)
{
	struct out o = { buf, 0, size, false };

	put_u16(&o, TFTP_OACK);
	put_opts(&o, opt);
	return finish(&o);
}

static int build_block(uint8_t *buf, size_t size, enum tftp_op op, uint16_t block)
{
	struct out o = { buf, 0, size, false };

	put_u16(&o, (uint16_t)op);
	put_u16(&o, block);
	return finish(&o);
}

int tftp_build_data_hdr(uint8_t *buf, size_t size, uint16_t block)
{
	return build_block(buf, size, TFTP_DATA, block);
}

int tftp_build_ack(uint8_t *buf, size_t size, uint16_t block)
{
	return build_block(buf, size, TFTP_ACK, block);
}

int tftp_build_error(uint8_t *buf, size_t size, enum tftp_errcode code, const char *msg)
{
	struct out o = { buf, 0, size, false };

	put_u16(&o, TFTP_ERROR);
	put_u16(&o, (uint16_t)code);
	put_str(&o, msg);
	return finish(&o);
}

const char *tftp_op_name(unsigned op)
{
	static const char *const names[] = { "?", "RRQ", "WRQ", "DATA", "ACK", "ERROR", "OACK" };

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}
