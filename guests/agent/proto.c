/* The guest agent's frame codec (proto.h has the format and the reject
 * rules). A cursor {buf, pos, len} whose getters fail instead of stepping
 * past the payload; strings are copied out and NUL-terminated. */
#include "guests/agent/proto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct cur {
	const uint8_t *buf;
	size_t pos, len;
};

static int get_u8(struct cur *c, uint8_t *v)
{
	if (c->len - c->pos < 1)
		return -EBADMSG;
	*v = c->buf[c->pos++];
	return 0;
}

static int get_u16(struct cur *c, uint16_t *v)
{
	if (c->len - c->pos < 2)
		return -EBADMSG;
	*v = (uint16_t)(c->buf[c->pos] << 8 | c->buf[c->pos + 1]);
	c->pos += 2;
	return 0;
}

static int get_u32(struct cur *c, uint32_t *v)
{
	if (c->len - c->pos < 4)
		return -EBADMSG;
	*v = (uint32_t)c->buf[c->pos] << 24 | (uint32_t)c->buf[c->pos + 1] << 16 |
	     (uint32_t)c->buf[c->pos + 2] << 8 | c->buf[c->pos + 3];
	c->pos += 4;
	return 0;
}

/* A string of at most max bytes, copied to dst (room for max + 1). */
static int get_str(struct cur *c, char *dst, size_t max)
{
	uint16_t n;

	if (get_u16(c, &n) < 0 || n > max || c->len - c->pos < n || memchr(c->buf + c->pos, '\0', n))
		return -EBADMSG;
	memcpy(dst, c->buf + c->pos, n);
	dst[n] = '\0';
	c->pos += n;
	return 0;
}

/* A string into m->strbuf at *used; *out points at it. */
static int get_pooled(struct cur *c, struct agent_msg *m, size_t *used, char **out)
{
	size_t room = sizeof(m->strbuf) - *used;
	int r;

	if (room < 1)
		return -EBADMSG;
	if ((r = get_str(c, m->strbuf + *used, room - 1 < AGENT_STR_MAX ? room - 1 : AGENT_STR_MAX)) < 0)
		return r;
	*out = m->strbuf + *used;
	*used += strlen(*out) + 1;
	return 0;
}

long agent_frame_len(const uint8_t *buf, size_t len)
{
	uint32_t n;

	if (len < AGENT_HDR_LEN)
		return 0;
	n = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
	if (buf[0] != AGENT_MAGIC0 || buf[1] != AGENT_MAGIC1 || buf[3] != 0 || buf[2] < AGENT_HELLO ||
	    buf[2] > AGENT_STDIN || n > AGENT_PAYLOAD_MAX)
		return -EBADMSG;
	return (long)(AGENT_HDR_LEN + n);
}

static int parse_exec(struct cur *c, struct agent_msg *m)
{
	size_t used = 0;
	uint16_t argc, envc;
	int r;

	if ((r = get_u32(c, &m->id)) < 0 || (r = get_u32(c, &m->timeout_s)) < 0 || (r = get_u16(c, &argc)) < 0 ||
	    (r = get_u16(c, &envc)) < 0)
		return r;
	if (argc == 0 || argc > AGENT_ARGS_MAX || envc > AGENT_ENV_MAX || m->timeout_s > AGENT_TIMEOUT_MAX)
		return -EBADMSG;
	if ((r = get_pooled(c, m, &used, &m->cwd)) < 0)
		return r;
	for (m->argc = 0; m->argc < argc; m->argc++)
		if ((r = get_pooled(c, m, &used, &m->argv[m->argc])) < 0)
			return r;
	for (m->envc = 0; m->envc < envc; m->envc++)
		if ((r = get_pooled(c, m, &used, &m->env[m->envc])) < 0 || !strchr(m->env[m->envc], '='))
			return -EBADMSG;
	m->argv[m->argc] = NULL;
	m->env[m->envc] = NULL;
	return 0;
}

static int parse_body(struct cur *c, struct agent_msg *m)
{
	uint8_t kind;
	uint32_t v;
	int r;

	switch (m->type) {
	case AGENT_HELLO:
		return (r = get_u16(c, &m->version)) < 0 ? r : get_str(c, m->text, AGENT_TEXT_MAX);
	case AGENT_EXEC:
		return parse_exec(c, m);
	case AGENT_STDIN:
	case AGENT_STDOUT:
	case AGENT_STDERR:
		if ((r = get_u32(c, &m->id)) < 0 || c->len - c->pos > AGENT_CHUNK_MAX)
			return -EBADMSG;
		m->data_len = c->len - c->pos;
		memcpy(m->data, c->buf + c->pos, m->data_len);
		c->pos = c->len;
		return 0;
	case AGENT_EXIT:
		if ((r = get_u32(c, &m->id)) < 0 || (r = get_u8(c, &kind)) < 0 || (r = get_u32(c, &v)) < 0)
			return -EBADMSG;
		if (kind > AGENT_NOEXEC || (kind == AGENT_EXITED && v > 255) || (kind == AGENT_SIGNALED && (v < 1 || v > 64)) ||
		    v > INT32_MAX)
			return -EBADMSG;
		m->exit_kind = (enum agent_exit_kind)kind;
		m->exit_value = (int32_t)v;
		return 0;
	case AGENT_ERROR:
		return (r = get_u32(c, &m->id)) < 0 ? r : get_str(c, m->text, AGENT_TEXT_MAX);
	}
	return -EBADMSG;
}

int agent_session_version(unsigned peer)
{
	if (peer < AGENT_VERSION_MIN)
		return -EPROTO;
	return peer < AGENT_VERSION ? (int)peer : AGENT_VERSION;
}

int agent_parse(const uint8_t *buf, size_t len, struct agent_msg *m)
{
	long want = agent_frame_len(buf, len);
	struct cur c = { buf, AGENT_HDR_LEN, len };
	int r;

	if (want <= 0 || (size_t)want != len)
		return -EBADMSG;
	memset(m, 0, offsetof(struct agent_msg, data));
	m->type = (enum agent_type)buf[2];
	if ((r = parse_body(&c, m)) < 0)
		return r;
	return c.pos == c.len ? 0 : -EBADMSG;
}

/* The builder: puts fail once anything does not fit; end() writes the
 * header and returns the frame's length. */
struct out {
	uint8_t *buf;
	size_t pos, size;
	bool bad;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->bad || o->size - o->pos < n || o->pos + n - AGENT_HDR_LEN > AGENT_PAYLOAD_MAX) {
		o->bad = true;
		return;
	}
	memcpy(o->buf + o->pos, p, n);
	o->pos += n;
}

static void put_u16(struct out *o, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(o, b, 2);
}

static void put_u32(struct out *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(o, b, 4);
}

static void put_str(struct out *o, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		o->bad = true;
		return;
	}
	put_u16(o, (uint16_t)n);
	put(o, s, n);
}

static struct out begin(uint8_t *buf, size_t size)
{
	struct out o = { buf, AGENT_HDR_LEN, size, size < AGENT_HDR_LEN };

	return o;
}

static int end(struct out *o, enum agent_type type)
{
	size_t n = o->pos - AGENT_HDR_LEN;

	if (o->bad)
		return -E2BIG;
	o->buf[0] = AGENT_MAGIC0;
	o->buf[1] = AGENT_MAGIC1;
	o->buf[2] = (uint8_t)type;
	o->buf[3] = 0;
	o->buf[4] = (uint8_t)(n >> 24);
	o->buf[5] = (uint8_t)(n >> 16);
	o->buf[6] = (uint8_t)(n >> 8);
	o->buf[7] = (uint8_t)n;
	return (int)o->pos;
}

int agent_build_hello(uint8_t *buf, size_t size, const char *info)
{
	struct out o = begin(buf, size);

	put_u16(&o, AGENT_VERSION);
	put_str(&o, info, AGENT_TEXT_MAX);
	return end(&o, AGENT_HELLO);
}

int agent_build_exec(uint8_t *buf, size_t size, uint32_t id, uint32_t timeout_s, const char *cwd,
		     char *const argv[], char *const env[])
{
	struct out o = begin(buf, size);
	size_t argc = 0, envc = 0;

	while (argv && argv[argc])
		argc++;
	while (env && env[envc])
		if (!strchr(env[envc++], '='))
			return -EINVAL;
	if (argc == 0 || timeout_s > AGENT_TIMEOUT_MAX)
		return -EINVAL;
	if (argc > AGENT_ARGS_MAX || envc > AGENT_ENV_MAX)
		return -E2BIG;
	put_u32(&o, id);
	put_u32(&o, timeout_s);
	put_u16(&o, (uint16_t)argc);
	put_u16(&o, (uint16_t)envc);
	put_str(&o, cwd ? cwd : "", AGENT_STR_MAX);
	for (size_t i = 0; i < argc; i++)
		put_str(&o, argv[i], AGENT_STR_MAX);
	for (size_t i = 0; i < envc; i++)
		put_str(&o, env[i], AGENT_STR_MAX);
	return end(&o, AGENT_EXEC);
}

int agent_build_data(uint8_t *buf, size_t size, enum agent_type type, uint32_t id, const void *data, size_t n)
{
	struct out o = begin(buf, size);

	if (type != AGENT_STDIN && type != AGENT_STDOUT && type != AGENT_STDERR)
		return -EINVAL;
	if (n > AGENT_CHUNK_MAX)
		return -E2BIG;
	put_u32(&o, id);
	put(&o, data, n);
	return end(&o, type);
}

int agent_build_exit(uint8_t *buf, size_t size, uint32_t id, enum agent_exit_kind kind, int32_t value)
{
	struct out o = begin(buf, size);

	if (value < 0 || kind > AGENT_NOEXEC || (kind == AGENT_EXITED && value > 255))
		return -EINVAL;
	put_u32(&o, id);
	put(&o, &(uint8_t){ (uint8_t)kind }, 1);
	put_u32(&o, (uint32_t)value);
	return end(&o, AGENT_EXIT);
}

int agent_build_error(uint8_t *buf, size_t size, uint32_t id, const char *text)
{
	struct out o = begin(buf, size);
	char t[AGENT_TEXT_MAX + 1];

	snprintf(t, sizeof(t), "%s", text);  /* cut, not refused: it is a message */
	put_u32(&o, id);
	put_str(&o, t, AGENT_TEXT_MAX);
	return end(&o, AGENT_ERROR);
}
