/* See tftpd.h. One transfer is a session: its socket (connected to the
 * client, so the kernel drops packets of other transfer identifiers), its
 * file, and where it stands (blocks acknowledged, blocks sent). The file is
 * read with pread at the block's offset, so a retransmission after a block
 * number rolled over reads the right octets. */
#include "net/tftp/tftpd.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "net/dhcp/sock.h"
#include "net/tftp/codec.h"
#include "net/tftp/path.h"

#define REQUESTS_PER_WAKEUP 64
#define SESSION_SNDBUF (1 << 20)         /* a window of big blocks in one go */
#define BLOCKED_RETRY_MS 5               /* the socket buffer was full: go on soon */
#define PATH_OVERHEAD 32                 /* IPv4 20 + UDP 8 + TFTP 4: blksize = MTU - 32, no fragments */

enum sess_state { SESS_FREE, SESS_OACK, SESS_DATA };

struct tftpd_session {
	struct tftpd *t;
	enum sess_state state;
	int fd, file;
	bool own_file;                   /* not an export's shared fd */
	struct sockaddr_in client;
	char name[TFTP_NAME_MAX];
	struct tftp_params par;
	uint64_t size, nblocks, acked, sent, window_end;
	unsigned tries;
	bool blocked;                    /* the last send met a full socket buffer */
	uint64_t deadline, start;
};

/* --- logging: one line per transfer, at most TFTPD_LOG_PER_S a second -- */

static void log_transfer(struct tftpd *t, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void log_transfer(struct tftpd *t, int level, const char *fmt, ...)
{
	uint64_t now = loop_now_ms();
	char line[512];
	va_list ap;

	if (now - t->log_since >= 1000) {
		if (t->log_suppressed)
			log_info("tftp: %lu transfer lines suppressed (at most %u a second)", t->log_suppressed,
				 TFTPD_LOG_PER_S);
		t->log_since = now;
		t->log_used = 0;
		t->log_suppressed = 0;
	}
	if (t->log_used >= TFTPD_LOG_PER_S) {
		t->log_suppressed++;
		return;
	}
	t->log_used++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_msg(level, "%s", line);
}

static const char *client_text(const struct sockaddr_in *sa, char *buf, size_t size)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof(ip));
	snprintf(buf, size, "%s:%u", ip, ntohs(sa->sin_port));
	return buf;
}

static void opts_text(const struct tftp_opts *o, char *buf, size_t size)
{
	int n = 0;

	buf[0] = 0;
	if (o->has_blksize)
		n += snprintf(buf + n, size - (size_t)n, " blksize=%llu", (unsigned long long)o->blksize);
	if (o->has_windowsize && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " windowsize=%llu", (unsigned long long)o->windowsize);
	if (o->has_timeout && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " timeout=%llu", (unsigned long long)o->timeout);
	if (o->has_tsize && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " tsize");
	if (!buf[0])
		snprintf(buf, size, " none");
}

/* --- sockets ----------------------------------------------------------- */

/* A socket of the server's address (the one the request came to) and a
 * fresh port: a transfer's own, or a one-shot for an error. */
static int session_socket(struct in_addr local, const struct sockaddr_in *client, bool connected)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = local };
	int buf = SESSION_SNDBUF, fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (connected && connect(fd, (const struct sockaddr *)client, sizeof(*client)) < 0)) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* RFC 1350 §4: an error ends a transfer and is not acknowledged; it goes
 * from a port of its own, as the transfer's first packet would. */
static void send_error(struct tftpd *t, struct in_addr local, const struct sockaddr_in *client,
		       enum tftp_errcode code, const char *msg)
{
	uint8_t pkt[4 + TFTP_ERRMSG_MAX];
	int n = tftp_build_error(pkt, sizeof(pkt), code, msg), fd = session_socket(local, client, false);

	if (fd < 0)
		fd = t->udp;    /* out of sockets: from port 69 then */
	if (n > 0)
		(void)!sendto(fd, pkt, (size_t)n, 0, (const struct sockaddr *)client, sizeof(*client));
	if (fd != t->udp)
		close(fd);
}

/* --- sessions ---------------------------------------------------------- */

static void rearm(struct tftpd *t)
{
	uint64_t first = 0;

	for (unsigned i = 0; i < t->max_sessions; i++) {
		const struct tftpd_session *s = &t->sessions[i];

		if (s->state != SESS_FREE && (!first || s->deadline < first))
			first = s->deadline;
	}
	if (first)
		loop_timer_arm(t->loop, &t->timer, first);
	else
		loop_timer_cancel(t->loop, &t->timer);
}

/* The end of a transfer, whatever it was: its one log line. */
static void session_end(struct tftpd *t, struct tftpd_session *s, bool ok, const char *outcome)
{
	uint64_t ms = loop_now_ms() - s->start;
	uint64_t bytes = ok ? s->size : s->acked * s->par.blksize;
	char who[32], opts[96];

	if (!ok && bytes > s->size)
		bytes = s->size;
	opts_text(&s->par.oack, opts, sizeof(opts));
	log_transfer(t, ok ? LOG_LVL_INFO : LOG_LVL_WARN,
		     "tftp: %s to %s: %s, %llu of %llu bytes in %llu.%03llu s (%.1f MB/s), options%s", s->name,
		     client_text(&s->client, who, sizeof(who)), outcome, (unsigned long long)bytes,
		     (unsigned long long)s->size, (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
		     ms ? (double)bytes / 1000.0 / (double)ms : 0.0, opts);
	if (ok)
		t->st.done++;
	else
		t->st.failed++;
	loop_del(t->loop, s->fd);
	close(s->fd);
	if (s->own_file)
		close(s->file);
	s->state = SESS_FREE;
	t->active--;
}

/* Blocks sent+1 .. window_end; a full socket buffer stops it until
 * BLOCKED_RETRY_MS later (not a retransmission). */
static int send_window(struct tftpd *t, struct tftpd_session *s)
{
	uint64_t now = loop_now_ms();

	s->blocked = false;
	while (s->sent < s->window_end) {
		uint64_t idx = s->sent + 1, off = (idx - 1) * s->par.blksize;
		size_t want = off >= s->size ? 0 : s->size - off > s->par.blksize ? s->par.blksize : (size_t)(s->size - off);
		ssize_t got = want ? pread(s->file, t->buf + TFTP_HDR_LEN, want, (off_t)off) : 0;

		if (got < 0 || (size_t)got != want)
			return got < 0 ? -errno : -EIO;   /* shrank under us */
		tftp_build_data_hdr(t->buf, TFTP_HDR_LEN, tftp_wire_block(idx));
		if (send(s->fd, t->buf, TFTP_HDR_LEN + want, 0) < 0) {
			if (errno != EAGAIN && errno != ENOBUFS)
				return -errno;
			s->blocked = true;
			s->deadline = now + BLOCKED_RETRY_MS;
			return 0;
		}
		s->sent = idx;
	}
	s->deadline = now + (uint64_t)s->par.timeout_s * 1000;
	return 0;
}

/* The window after block acked: RFC 7440 §4, the next window starts right
 * after the last block acknowledged (a short ACK means the rest was lost). */
static int send_from(struct tftpd *t, struct tftpd_session *s)
{
	s->sent = s->acked;
	s->window_end = s->acked + s->par.windowsize;
	if (s->window_end > s->nblocks)
		s->window_end = s->nblocks;
	return send_window(t, s);
}

static int send_oack(struct tftpd *t, struct tftpd_session *s)
{
	int n = tftp_build_oack(t->buf, TFTP_PACKET_MAX, &s->par.oack);

	if (n < 0)
		return n;
	if (send(s->fd, t->buf, (size_t)n, 0) < 0 && errno != EAGAIN)
		return -errno;
	s->deadline = loop_now_ms() + (uint64_t)s->par.timeout_s * 1000;
	return 0;
}

static void fail(struct tftpd *t, struct tftpd_session *s, const char *what, int err)
{
	char outcome[96];

	snprintf(outcome, sizeof(outcome), "%s: %s", what, strerror(-err));
	session_end(t, s, false, outcome);
}

static void on_ack(struct tftpd *t, struct tftpd_session *s, uint16_t block)
{
	uint64_t idx;
	int r;

	if (s->state == SESS_OACK) {
		if (block != 0)
			return;
		s->state = SESS_DATA;
		idx = 0;
	} else if (!(idx = tftp_ack_index(s->acked, s->sent, block))) {
		return;     /* a duplicate: the timer retransmits, never a duplicate ACK */
	}
	s->acked = idx;
	s->tries = 0;
	if (s->acked == s->nblocks) {
		session_end(t, s, true, "done");
		return;
	}
	if ((r = send_from(t, s)) < 0)
		fail(t, s, "reading", r);
}

/* The client's packets: ACKs move the transfer on, an ERROR ends it, an
 * ICMP port unreachable (ECONNREFUSED on the connected socket) says the
 * client is gone. */
static void on_session(struct loop *l, int fd, uint32_t events, void *data)
{
	struct tftpd_session *s = data;
	struct tftpd *t = s->t;
	uint8_t pkt[4 + TFTP_ERRMSG_MAX + 16];
	struct tftp_msg m;

	(void)l;
	(void)events;
	while (s->state != SESS_FREE && s->fd == fd) {
		ssize_t n = recv(fd, pkt, sizeof(pkt), 0);
		char outcome[200];

		if (n < 0) {
			if (errno == ECONNREFUSED)
				session_end(t, s, false, "client gone (port unreachable)");
			break;
		}
		if (tftp_parse(pkt, (size_t)n, &m) < 0) {
			t->st.dropped++;
			continue;
		}
		if (m.op == TFTP_ACK) {
			on_ack(t, s, m.block);
		} else if (m.op == TFTP_ERROR) {
			snprintf(outcome, sizeof(outcome), "client sent error %u \"%s\"", m.error, m.errmsg);
			session_end(t, s, false, outcome);
		} else {
			t->st.dropped++;
		}
	}
	if (t->active)
		rearm(t);
}

/* A deadline passed: retransmit (the OACK, or the window after the last
 * ACK), or end a transfer that has had its TFTPD_MAX_RETRIES. */
static void on_timer(struct loop *l, struct loop_timer *tm)
{
	struct tftpd *t = tm->data;
	uint64_t now = loop_now_ms();
	char outcome[96];
	int r;

	(void)l;
	for (unsigned i = 0; i < t->max_sessions; i++) {
		struct tftpd_session *s = &t->sessions[i];

		if (s->state == SESS_FREE || s->deadline > now)
			continue;
		if (s->blocked) {
			if ((r = send_window(t, s)) < 0)
				fail(t, s, "reading", r);
			continue;
		}
		if (++s->tries > TFTPD_MAX_RETRIES) {
			snprintf(outcome, sizeof(outcome), "timeout, no ACK of block %llu after %u retransmissions",
				 (unsigned long long)(s->state == SESS_OACK ? 0 : s->acked + 1), TFTPD_MAX_RETRIES);
			session_end(t, s, false, outcome);
			continue;
		}
		r = s->state == SESS_OACK ? send_oack(t, s) : send_from(t, s);
		if (r < 0)
			fail(t, s, "retransmitting", r);
	}
	rearm(t);
}

/* --- requests ---------------------------------------------------------- */

static enum tftp_errcode errcode_of(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		return TFTP_ENOTFOUND;
	case -EACCES:
	case -EPERM:
	case -EISDIR:
	case -ELOOP:
	case -EXDEV:
	case -ENAMETOOLONG:
		return TFTP_EACCESS;
	default:
		return TFTP_EUNDEF;
	}
}

/* The namespace of tftpd.h: exports, the generated dir, the root. */
static int lookup(struct tftpd *t, const char *rel, bool *own)
{
	int fd;

	*own = false;
	for (unsigned i = 0; i < t->cfg->nexports; i++)
		if (t->export_fd[i] >= 0 && !strcmp(t->cfg->exports[i].path, rel))
			return t->export_fd[i];
	*own = true;
	if (t->genfd >= 0 && (fd = tftp_open_beneath(t->genfd, rel)) != -ENOENT)
		return fd;
	return tftp_open_beneath(t->rootfd, rel);
}

struct request {
	struct tftp_msg m;
	struct sockaddr_in client;
	struct in_addr local;
	char who[32];
};

static void refuse(struct tftpd *t, const struct request *q, enum tftp_errcode code, const char *why)
{
	t->st.refused++;
	send_error(t, q->local, &q->client, code, why);
	log_transfer(t, LOG_LVL_WARN, "tftp: %s %s from %s: refused (%u, %s)", tftp_op_name(q->m.op),
		     q->m.file[0] ? q->m.file : "-", q->who, code, why);
}

/* A request the client sent again before our first answer reached it
 * (same address and port): its transfer is already running. */
static bool running(const struct tftpd *t, const struct sockaddr_in *client)
{
	for (unsigned i = 0; i < t->max_sessions; i++) {
		const struct tftpd_session *s = &t->sessions[i];

		if (s->state != SESS_FREE && s->client.sin_port == client->sin_port &&
		    s->client.sin_addr.s_addr == client->sin_addr.s_addr)
			return true;
	}
	return false;
}

static struct tftpd_session *free_session(struct tftpd *t)
{
	for (unsigned i = 0; i < t->max_sessions; i++)
		if (t->sessions[i].state == SESS_FREE)
			return &t->sessions[i];
	return NULL;
}

static int session_begin(struct tftpd *t, struct tftpd_session *s, const struct request *q, int file, bool own)
{
	struct stat st;
	int r;

	if (fstat(file, &st) < 0)
		return -errno;
	memset(s, 0, sizeof(*s));
	s->t = t;
	s->file = file;
	s->own_file = own;
	s->client = q->client;
	snprintf(s->name, sizeof(s->name), "%s", q->m.file);
	s->size = (uint64_t)st.st_size;
	s->start = loop_now_ms();
	tftp_negotiate(&q->m.opt, s->size, &t->lim, &s->par);
	s->nblocks = tftp_nblocks(s->size, s->par.blksize);
	if ((s->fd = session_socket(q->local, &q->client, true)) < 0)
		return s->fd;
	if ((r = loop_add(t->loop, s->fd, EPOLLIN, on_session, s)) < 0) {
		close(s->fd);
		return r;
	}
	s->state = s->par.send_oack ? SESS_OACK : SESS_DATA;
	t->active++;
	r = s->par.send_oack ? send_oack(t, s) : send_from(t, s);
	if (r < 0) {
		s->own_file = false;   /* the caller closes it */
		fail(t, s, "first packet", r);
		return 0;
	}
	rearm(t);
	return 0;
}

static void on_rrq(struct tftpd *t, const struct request *q)
{
	struct tftpd_session *s;
	char rel[TFTP_NAME_MAX], why[96];
	bool own;
	int r, file = -1;

	if (running(t, &q->client)) {
		t->st.dropped++;
		return;
	}
	if (q->m.mode != TFTP_MODE_OCTET) {
		refuse(t, q, TFTP_EBADOP, q->m.mode == TFTP_MODE_NETASCII ? "netascii is not served: use octet (binary)"
									  : "unknown mode: use octet");
		return;
	}
	if (!(s = free_session(t))) {
		t->st.busy++;
		snprintf(why, sizeof(why), "server busy: %u transfers running", t->max_sessions);
		refuse(t, q, TFTP_EUNDEF, why);
		return;
	}
	if ((r = tftp_path_clean(q->m.file, rel, sizeof(rel))) < 0 || (file = lookup(t, rel, &own)) < 0) {
		enum tftp_errcode code = errcode_of(r < 0 ? r : file);

		refuse(t, q, code, code == TFTP_ENOTFOUND ? "file not found" : code == TFTP_EACCESS ? "access violation"
											       : strerror(-(r < 0 ? r : file)));
		return;
	}
	if ((r = session_begin(t, s, q, file, own)) < 0) {
		if (own)
			close(file);
		snprintf(why, sizeof(why), "server error: %s", strerror(-r));
		refuse(t, q, TFTP_EUNDEF, why);
	} else if (s->state != SESS_FREE) {
		return;
	} else if (own) {
		close(file);
	}
}

static void on_request(struct tftpd *t, struct request *q, size_t len)
{
	t->st.requests++;
	client_text(&q->client, q->who, sizeof(q->who));
	if (tftp_parse(t->buf, len, &q->m) < 0) {
		if (len >= 2 && t->buf[0] == 0 && (t->buf[1] == TFTP_RRQ || t->buf[1] == TFTP_WRQ))
			refuse(t, q, TFTP_EBADOP, "malformed request");
		else
			t->st.dropped++;
		return;
	}
	if (q->m.op == TFTP_WRQ)
		refuse(t, q, TFTP_EACCESS, "read-only server: writes are refused");
	else if (q->m.op == TFTP_RRQ)
		on_rrq(t, q);
	else
		t->st.dropped++;   /* not a request: no answer to a stray packet */
}

/* Reads requests from port 69, each with the address it was sent to
 * (IP_PKTINFO): the transfer answers from that address. */
static void on_listen(struct loop *l, int fd, uint32_t events, void *data)
{
	struct tftpd *t = data;

	(void)l;
	(void)events;
	for (unsigned i = 0; i < REQUESTS_PER_WAKEUP; i++) {
		static struct request q;
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(struct in_pktinfo))];
		} cm;
		struct iovec iov = { t->buf, TFTP_PACKET_MAX };
		struct msghdr mh = { .msg_name = &q.client, .msg_namelen = sizeof(q.client), .msg_iov = &iov,
				     .msg_iovlen = 1, .msg_control = &cm, .msg_controllen = sizeof(cm) };
		ssize_t n;

		memset(&q, 0, sizeof(q));
		if ((n = recvmsg(fd, &mh, MSG_TRUNC)) < 0)
			break;
		if ((size_t)n > TFTP_PACKET_MAX || mh.msg_namelen != sizeof(q.client) || !q.client.sin_port) {
			t->st.dropped++;
			continue;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
				q.local = ((struct in_pktinfo *)(void *)CMSG_DATA(c))->ipi_spec_dst;
		on_request(t, &q, (size_t)n);
	}
}

/* --- setup ------------------------------------------------------------- */

static int open_dir(const char *path, const char *what)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		int r = -errno;

		log_err("tftp: %s %s: %s", what, path, strerror(errno));
		return r;
	}
	return fd;
}

static void open_exports(struct tftpd *t)
{
	for (unsigned i = 0; i < TFTPD_MAX_EXPORTS; i++)
		t->export_fd[i] = -1;
	for (unsigned i = 0; i < t->cfg->nexports; i++) {
		const struct tftpd_export *e = &t->cfg->exports[i];
		struct stat st;
		int fd = open(e->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

		if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
			close(fd);
			fd = -1;
			errno = EINVAL;
		}
		if (fd < 0)
			log_warn("tftp: export %s: %s: %s; not served", e->path, e->file,
				 errno == EINVAL ? "not a regular file" : strerror(errno));
		t->export_fd[i] = fd;
	}
}

/* blksize at most the bridge's MTU - 32: a block is one unfragmented
 * datagram on the lab network (dnsmasq caps at the MTU too; tftp-hpa does
 * not, and leaves it to IP fragmentation). */
static void read_mtu(struct tftpd *t)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->cfg->bridge);
	if (ioctl(t->udp, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > PATH_OVERHEAD + TFTP_MIN_BLKSIZE) {
		t->mtu = (unsigned)ifr.ifr_mtu;
		t->lim.max_blksize = t->mtu - PATH_OVERHEAD > TFTP_MAX_BLKSIZE ? TFTP_MAX_BLKSIZE : t->mtu - PATH_OVERHEAD;
	}
}

int tftpd_open(struct tftpd *t, const struct tftpd_config *c)
{
	int one = 1, r;

	memset(t, 0, sizeof(*t));
	t->cfg = c;
	t->udp = t->rootfd = t->genfd = -1;
	open_exports(t);
	t->max_sessions = c->max_sessions ? c->max_sessions : TFTPD_DEFAULT_SESSIONS;
	if (t->max_sessions > TFTPD_MAX_SESSIONS)
		t->max_sessions = TFTPD_MAX_SESSIONS;
	if (!(t->sessions = calloc(t->max_sessions, sizeof(*t->sessions))) || !(t->buf = malloc(TFTP_PACKET_MAX))) {
		log_err("tftp: %u sessions: out of memory", t->max_sessions);
		return -ENOMEM;
	}
	if ((t->rootfd = open_dir(c->root, "root")) < 0)
		return t->rootfd;
	if (c->generated && c->generated[0] && (t->genfd = open_dir(c->generated, "generated dir")) < 0)
		log_warn("tftp: serving %s without the generated files", c->root);
	if ((t->udp = dhcp_udp_socket(c->bridge, c->port ? c->port : TFTP_PORT)) < 0) {
		r = t->udp;
		log_err("tftp: UDP port %u on %s: %s", c->port ? c->port : TFTP_PORT, c->bridge, strerror(-r));
		return r;
	}
	if (setsockopt(t->udp, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0) {
		r = -errno;
		log_err("tftp: IP_PKTINFO on %s: %s", c->bridge, strerror(errno));
		return r;
	}
	read_mtu(t);
	return 0;
}

int tftpd_start(struct tftpd *t, struct loop *l)
{
	t->loop = l;
	t->timer.fn = on_timer;
	t->timer.data = t;
	log_info("tftp: serving %s%s%s on %s port %u (%u exports, at most %u transfers, blksize at most %u)",
		 t->cfg->root, t->genfd >= 0 ? " under " : "", t->genfd >= 0 ? t->cfg->generated : "", t->cfg->bridge,
		 t->cfg->port ? t->cfg->port : TFTP_PORT, t->cfg->nexports, t->max_sessions,
		 t->lim.max_blksize ? t->lim.max_blksize : TFTP_MAX_BLKSIZE);
	return loop_add(l, t->udp, EPOLLIN, on_listen, t);
}

void tftpd_close(struct tftpd *t)
{
	for (unsigned i = 0; t->sessions && i < t->max_sessions; i++)
		if (t->sessions[i].state != SESS_FREE)
			session_end(t, &t->sessions[i], false, "stopped");
	if (t->loop) {
		loop_timer_cancel(t->loop, &t->timer);
		if (t->udp >= 0)
			loop_del(t->loop, t->udp);
	}
	if (t->log_suppressed)
		log_info("tftp: %lu transfer lines suppressed (at most %u a second)", t->log_suppressed, TFTPD_LOG_PER_S);
	if (t->loop) /* it served: its summary */
		log_info("tftp: stopped (%lu requests, %lu transfers done, %lu failed, %lu refused, %lu busy, %lu dropped)",
			 t->st.requests, t->st.done, t->st.failed, t->st.refused, t->st.busy, t->st.dropped);
	for (unsigned i = 0; i < t->cfg->nexports && i < TFTPD_MAX_EXPORTS; i++)
		if (t->export_fd[i] >= 0)
			close(t->export_fd[i]);
	if (t->udp >= 0)
		close(t->udp);
	if (t->rootfd >= 0)
		close(t->rootfd);
	if (t->genfd >= 0)
		close(t->genfd);
	free(t->sessions);
	free(t->buf);
	t->sessions = NULL;
	t->buf = NULL;
}
