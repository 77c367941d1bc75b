/* Netlink request helper. See nl.h; after libmnl's nlmsg/attr/callback API
 * (examples/rtnl/rtnl-link-set.c): build, ask for an ACK, validate replies. */
#include "net/netlink/nl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/bytes.h"

/* A netlink peer that stops answering must not hang the lab host. */
#define NL_TIMEOUT_S 5

int nl_open(struct nl_sock *s, int protocol)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	socklen_t len = sizeof(sa);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (s->fd < 0)
		return -errno;
	setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&sa, &len) < 0) {
		int r = -errno;

		close(s->fd);
		s->fd = -1;
		return r;
	}
	s->portid = sa.nl_pid;
	s->seq = (uint32_t)time(NULL);
	return 0;
}

void nl_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void nl_msg_init(struct nl_msg *m, void *buf, size_t size, uint16_t type, uint16_t flags)
{
	m->nlh = buf;
	m->size = size;
	m->overflow = size < NLMSG_HDRLEN;
	if (m->overflow)
		return;
	memset(buf, 0, NLMSG_HDRLEN);
	m->nlh->nlmsg_len = NLMSG_HDRLEN;
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
}

/* Reserves len bytes (aligned, zeroed) at the end of the message. */
static void *msg_reserve(struct nl_msg *m, size_t len)
{
	size_t at = m->nlh->nlmsg_len, need = NLMSG_ALIGN(len);
	void *p;

	if (m->overflow || at + need > m->size) {
		m->overflow = true;
		return NULL;
	}
	p = (uint8_t *)m->nlh + at;
	memset(p, 0, need);
	m->nlh->nlmsg_len = (uint32_t)(at + need);
	return p;
}

void *nl_msg_put_header(struct nl_msg *m, size_t len)
{
	return msg_reserve(m, len);
}

void nl_attr_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a;

	if (len > 0xffff - NLA_HDRLEN) {
		m->overflow = true;
		return;
	}
	a = msg_reserve(m, NLA_HDRLEN + len);
	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
}

void nl_attr_put_u8(struct nl_msg *m, uint16_t type, uint8_t v)
{
	nl_attr_put(m, type, &v, sizeof(v));
}

void nl_attr_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_attr_put(m, type, &v, sizeof(v));
}

void nl_attr_put_be32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	nl_attr_put(m, type, b, sizeof(b));
}

void nl_attr_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_attr_put(m, type, s, strlen(s) + 1);
}

struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type)
{
	struct nlattr *a = msg_reserve(m, NLA_HDRLEN);

	if (a)
		a->nla_type = (uint16_t)(type | NLA_F_NESTED);
	return a;
}

void nl_nest_end(struct nl_msg *m, struct nlattr *nest)
{
	size_t len;

	if (!nest || m->overflow)
		return;
	len = (size_t)((uint8_t *)m->nlh + m->nlh->nlmsg_len - (uint8_t *)nest);
	if (len > 0xffff)
		m->overflow = true;
	else
		nest->nla_len = (uint16_t)len;
}

int nl_attr_parse(const void *data, size_t len, const struct nlattr **tb, unsigned max)
{
	const uint8_t *p = data, *end = p + len;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		unsigned type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - p)
			return -EBADMSG;
		if (type <= max)
			tb[type] = a;
		p += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

const void *nl_attr_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

size_t nl_attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

uint8_t nl_attr_u8(const struct nlattr *a)
{
	return nl_attr_len(a) >= 1 ? *(const uint8_t *)nl_attr_data(a) : 0;
}

uint32_t nl_attr_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (nl_attr_len(a) >= sizeof(v))
		memcpy(&v, nl_attr_data(a), sizeof(v));
	return v;
}

const char *nl_attr_str(const struct nlattr *a)
{
	size_t n = nl_attr_len(a);

	if (n == 0 || ((const char *)nl_attr_data(a))[n - 1] != '\0')
		return NULL;
	return nl_attr_data(a);
}

int nl_msg_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, unsigned max)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	if (nlh->nlmsg_len < off)
		return -EBADMSG;
	return nl_attr_parse((const uint8_t *)nlh + off, nlh->nlmsg_len - off, tb, max);
}

/* With no text, nf_tables and rtnetlink still say which attribute they
 * refused (NLMSGERR_ATTR_OFFS, an offset into our request): name it. */
static void describe_offset(const struct nlattr *offs, const struct nlmsghdr *req, struct nl_error *e)
{
	uint32_t off = nl_attr_u32(offs);
	const struct nlattr *a;

	if (!req || off < NLMSG_HDRLEN || off + NLA_HDRLEN > req->nlmsg_len) {
		snprintf(e->msg, sizeof(e->msg), "the kernel refused the attribute at offset %u", off);
		return;
	}
	a = (const struct nlattr *)((const uint8_t *)req + off);
	snprintf(e->msg, sizeof(e->msg), "the kernel refused attribute type %u (offset %u, %u bytes)",
		 a->nla_type & NLA_TYPE_MASK, off, a->nla_len);
}

/* NLMSG_ERROR: the errno, and with NETLINK_EXT_ACK the kernel's message. */
static int parse_error(const struct nlmsghdr *nlh, const struct nlmsghdr *req, struct nl_error *e)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*err))
		return -EBADMSG;
	if (e && err->error) {
		e->err = err->error;
		e->msg[0] = '\0';
		/* With NETLINK_CAP_ACK only the request's header is echoed. */
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(err->msg);
		if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && nl_msg_attrs(nlh, off, tb, NLMSGERR_ATTR_MAX) == 0) {
			if (tb[NLMSGERR_ATTR_MSG] && nl_attr_str(tb[NLMSGERR_ATTR_MSG]))
				snprintf(e->msg, sizeof(e->msg), "%s", nl_attr_str(tb[NLMSGERR_ATTR_MSG]));
			else if (tb[NLMSGERR_ATTR_OFFS])
				describe_offset(tb[NLMSGERR_ATTR_OFFS], req, e);
		}
	}
	return err->error > 0 ? -err->error : err->error;
}

/* Reads one datagram; returns its length or -errno. */
static ssize_t nl_recv(struct nl_sock *s, void *buf, size_t size)
{
	struct sockaddr_nl sa;
	struct iovec iov = { buf, size };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	do
		n = recvmsg(s->fd, &mh, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -ENOBUFS;
	if (sa.nl_pid != 0)
		return -EPROTO; /* not from the kernel */
	return n;
}

static int send_all(struct nl_sock *s, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int size = (int)len + 65536;
	ssize_t n;

	/* The kernel refuses a message above the socket's send buffer
	 * (EMSGSIZE): a large nftables batch (several networks, every port
	 * and forward) raises it, past wmem_max when root may. */
	if (len > 128 * 1024 && setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	n = sendto(s->fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

int nl_request(struct nl_sock *s, struct nl_msg *m, nl_cb cb, void *data, struct nl_error *e)
{
	static uint8_t buf[NL_BUF_SIZE];
	bool dump = (m->nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	uint32_t seq = ++s->seq;
	int r, cb_err = 0;

	if (e)
		memset(e, 0, sizeof(*e));
	if (m->overflow)
		return e ? (e->err = -EMSGSIZE) : -EMSGSIZE;
	m->nlh->nlmsg_seq = seq;
	m->nlh->nlmsg_pid = 0;
	if (!dump)
		m->nlh->nlmsg_flags |= NLM_F_ACK;
	if ((r = send_all(s, m->nlh, m->nlh->nlmsg_len)) < 0)
		return e ? (e->err = r) : r;
	for (;;) {
		ssize_t n = nl_recv(s, buf, sizeof(buf));
		size_t left;

		if (n < 0)
			return e ? (e->err = (int)n) : (int)n;
		left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq || h->nlmsg_pid != s->portid)
				continue; /* a stale answer to an earlier request */
			if (h->nlmsg_type == NLMSG_ERROR)
				return cb_err ? cb_err : parse_error(h, m->nlh, e);
			if (h->nlmsg_type == NLMSG_DONE)
				return cb_err;
			if (cb && !cb_err && (r = cb(h, data)) < 0)
				cb_err = r; /* keep reading to the end of the answer */
		}
	}
}

void nl_batch_init(struct nl_batch *b, struct nl_sock *s, void *buf, size_t size)
{
	memset(b, 0, sizeof(*b));
	b->sock = s;
	b->buf = buf;
	b->size = size;
}

void nl_batch_msg(struct nl_batch *b, struct nl_msg *m, uint16_t type, uint16_t flags)
{
	nl_msg_init(m, b->buf + b->len, b->size - b->len, type, flags);
	if (b->n == NL_BATCH_MAX)
		m->overflow = true;
}

void nl_batch_add(struct nl_batch *b, struct nl_msg *m, const char *what)
{
	if (m->overflow || b->n == NL_BATCH_MAX) {
		b->overflow = true;
		return;
	}
	m->nlh->nlmsg_seq = ++b->sock->seq;
	b->item[b->n].seq = m->nlh->nlmsg_seq;
	b->item[b->n].off = b->len;
	b->item[b->n].ack = m->nlh->nlmsg_flags & NLM_F_ACK;
	snprintf(b->item[b->n].what, sizeof(b->item[b->n].what), "%s", what ? what : "");
	b->n++;
	b->len += NLMSG_ALIGN(m->nlh->nlmsg_len);
}

static int batch_find(const struct nl_batch *b, uint32_t seq)
{
	for (unsigned i = 0; i < b->n; i++)
		if (b->item[i].seq == seq)
			return (int)i;
	return -1;
}

/* Reads one answer per acknowledged message; the kernel sends them all
 * after processing the whole batch, errors included. An error for a message
 * that asked no ACK (the batch header) means the batch was refused whole. */
static int batch_read(struct nl_batch *b, unsigned expected, struct nl_error *e)
{
	static uint8_t buf[NL_BUF_SIZE];
	unsigned got = 0;
	int first_err = 0;

	while (got < expected) {
		ssize_t n = nl_recv(b->sock, buf, sizeof(buf));
		size_t left;

		if (n < 0)
			return first_err ? first_err : (e->err = (int)n);
		left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			int i = batch_find(b, h->nlmsg_seq), r;
			struct nl_error tmp = { 0 };

			if (i < 0 || h->nlmsg_pid != b->sock->portid || h->nlmsg_type != NLMSG_ERROR)
				continue;
			got++;
			if ((r = parse_error(h, (const struct nlmsghdr *)(b->buf + b->item[i].off), &tmp)) < 0 &&
			    !first_err) {
				*e = tmp;
				e->err = first_err = r;
				snprintf(e->what, sizeof(e->what), "%s", b->item[i].what);
			}
			if (r < 0 && !b->item[i].ack)
				return r;
		}
	}
	return first_err;
}

int nl_batch_send(struct nl_batch *b, struct nl_error *e)
{
	unsigned expected = 0;
	int r;

	memset(e, 0, sizeof(*e));
	if (b->overflow) {
		snprintf(e->what, sizeof(e->what), "batch of %u messages", b->n);
		return e->err = -EMSGSIZE;
	}
	for (unsigned i = 0; i < b->n; i++)
		expected += b->item[i].ack;
	if ((r = send_all(b->sock, b->buf, b->len)) < 0)
		return e->err = r;
	return batch_read(b, expected, e);
}
