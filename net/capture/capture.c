/* See capture.h. The socket is made with protocol 0, which delivers
 * nothing, and bound to the interface with ETH_P_ALL (packet(7)): so no
 * frame of another interface queued between socket(2) and bind(2) needs
 * draining, as it would with a socket made with ETH_P_ALL. Outgoing frames
 * are kept (PACKET_IGNORE_OUTGOING is left unset): both directions. */
#include "net/capture/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/loop.h"
#include "lib/core/sandbox.h"
#include "lib/core/bytes.h"
#include "lib/core/writefile.h"
#include "net/capture/capture_priv.h"
#include "net/capture/pcap.h"

_Static_assert(CAPTURE_MAX_SNAPLEN == PCAP_MAX_SNAPLEN, "a snaplen every reader accepts");

/* Frames read per wake-up before the timer and the stop fd get a turn. */
#define CAPTURE_BATCH 64
/* The socket's receive queue (SO_RCVBUFFORCE, as root): a burst waits
 * there while the file is written, instead of being dropped. */
#define CAPTURE_RCVBUF (4 << 20)

struct cap {
	const struct capture_config *c;
	struct capture_result *res;
	uint32_t count, seconds, snaplen, max_bytes;
	int sock, out;
	bool regular;       /* out is a regular file: a short write is undone */
	off_t base;         /* out's offset at the start */
	/* One record: room for a VLAN tag, the record header, then up to
	 * snaplen octets of frame; the header moves back by the tag's
	 * length when a tag is put back. */
	uint8_t *buf;
	struct loop loop;
	bool have_loop;
	struct loop_timer deadline;
	uint64_t start_ms;
	bool done;
	int err;            /* the -errno that stopped the capture */
};

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

static int bad(struct capture_result *res, const char *field)
{
	res->step = field;
	return -EINVAL;
}

int capture_config_check(const struct capture_config *c, struct capture_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!c->ifname || !c->ifname[0] || strlen(c->ifname) >= IFNAMSIZ)
		return bad(res, "ifname");
	if (!c->path && c->fd < 0)
		return bad(res, "output");
	if (c->count > CAPTURE_MAX_COUNT)
		return bad(res, "count");
	if (c->seconds > CAPTURE_MAX_SECONDS)
		return bad(res, "seconds");
	if (c->snaplen > CAPTURE_MAX_SNAPLEN)
		return bad(res, "snaplen");
	if (c->max_bytes > CAPTURE_MAX_MAX_BYTES ||
	    (c->max_bytes && c->max_bytes < PCAP_FILE_HEADER_LEN))
		return bad(res, "max_bytes");
	return 0;
}

static int fail(struct cap *k, const char *step, int err)
{
	k->res->step = step;
	k->err = -err;
	return -err;
}

/* The interface's index, refusing what has no Ethernet header (a tun
 * device, a WireGuard link): the file says LINKTYPE_ETHERNET. */
static int interface_index(struct cap *k, int *ifindex)
{
	struct ifreq ifr = { 0 };

	memcpy(ifr.ifr_name, k->c->ifname, strlen(k->c->ifname));
	if (ioctl(k->sock, SIOCGIFINDEX, &ifr) < 0)
		return fail(k, "finding the interface", errno);
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(k->sock, SIOCGIFHWADDR, &ifr) < 0)
		return fail(k, "reading the interface's link type", errno);
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER && ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK)
		return fail(k, "checking the interface is Ethernet", EPROTONOSUPPORT);
	return 0;
}

static int open_socket(struct cap *k)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int one = 1, rcvbuf = CAPTURE_RCVBUF, r;

	if ((k->sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return fail(k, "opening the packet socket", errno);
	if ((r = interface_index(k, &sa.sll_ifindex)) < 0)
		return r;
	/* Each frame's arrival time in a control message (socket(7)). */
	if (setsockopt(k->sock, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0)
		return fail(k, "asking for timestamps", errno);
	/* The VLAN tag that offload took out of the frame (packet(7)). */
	if (setsockopt(k->sock, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0)
		return fail(k, "asking for VLAN tags", errno);
	if (setsockopt(k->sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(k->sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(k->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail(k, "binding the packet socket", errno);
	k->start_ms = loop_now_ms();
	return 0;
}

/* A new file, never an old one written through (a hard link to a file
 * that matters): an old regular file is unlinked, anything else there (a
 * symlink, a device, a FIFO) refused; O_EXCL then refuses whatever took the
 * name meanwhile. */
static int create_file(struct cap *k)
{
	const struct capture_config *c = k->c;
	struct stat st;

	if (lstat(c->path, &st) == 0 && !S_ISREG(st.st_mode))
		return fail(k, "replacing the output file (not a regular file)", EEXIST);
	if (unlink(c->path) < 0 && errno != ENOENT)
		return fail(k, "replacing the output file", errno);
	k->out = open(c->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (k->out < 0)
		return fail(k, "creating the output file", errno);
	if (c->uid && geteuid() == 0 && fchown(k->out, c->uid, c->gid) < 0)
		return fail(k, "giving the output file to its user", errno);
	if (fchmod(k->out, 0644) < 0) /* whatever the umask */
		return fail(k, "setting the output file's mode", errno);
	return 0;
}

static int open_output(struct cap *k)
{
	struct stat st;
	int r;

	if (k->c->path && (r = create_file(k)) < 0)
		return r;
	if (!k->c->path)
		k->out = k->c->fd;
	if (fstat(k->out, &st) < 0)
		return fail(k, "reading the output's type", errno);
	k->regular = S_ISREG(st.st_mode);
	k->base = k->regular ? lseek(k->out, 0, SEEK_CUR) : 0;
	if (k->base < 0)
		return fail(k, "reading the output's offset", errno);
	return 0;
}

/* One write(2) of a whole record. Short only when the disk is full (or a
 * pipe's reader is slow): a file is cut back to its last whole record, a
 * pipe gets the rest (its reader sees one stream). */
static int write_record(struct cap *k, const uint8_t *p, size_t len)
{
	ssize_t n;
	int r;

	do
		n = write(k->out, p, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(k, "writing the output", errno);
	if ((size_t)n < len && k->regular) {
		if (ftruncate(k->out, k->base + (off_t)k->res->bytes) < 0)
			return fail(k, "cutting a short write back", errno);
		return fail(k, "writing the output", ENOSPC);
	}
	if ((size_t)n < len && (r = write_all(k->out, p + n, len - (size_t)n)) < 0)
		return fail(k, "writing the output", -r);
	k->res->bytes += len;
	return 0;
}

static int write_header(struct cap *k)
{
	uint8_t h[PCAP_FILE_HEADER_LEN];

	pcap_file_header(h, k->c->nsec ? PCAP_TS_NSEC : PCAP_TS_USEC, k->snaplen, PCAP_LINKTYPE_ETHERNET);
	return write_record(k, h, sizeof(h));
}

static void stop(struct cap *k, enum capture_stop why)
{
	if (k->done)
		return;
	k->done = true;
	k->res->stop = why;
	k->res->elapsed_ms = loop_now_ms() - k->start_ms;
}

size_t capture_insert_vlan(uint8_t *buf, size_t len, uint16_t tpid, uint16_t tci)
{
	if (len < 2 * ETH_ALEN)
		return 0;
	memmove(buf, buf + CAPTURE_VLAN_TAG_LEN, 2 * ETH_ALEN);
	put_be16(buf + 2 * ETH_ALEN, tpid);
	put_be16(buf + 2 * ETH_ALEN + 2, tci);
	return len + CAPTURE_VLAN_TAG_LEN;
}

/* What the control messages say of a frame. */
struct frame_info {
	struct timespec ts;       /* its arrival (SCM_TIMESTAMPNS); now if missing */
	bool vlan;
	uint16_t tpid, tci;
};

static void frame_info(struct msghdr *m, struct frame_info *fi)
{
	struct tpacket_auxdata aux;

	memset(fi, 0, sizeof(*fi));
	clock_gettime(CLOCK_REALTIME, &fi->ts);
	for (struct cmsghdr *h = CMSG_FIRSTHDR(m); h; h = CMSG_NXTHDR(m, h)) {
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_TIMESTAMPNS &&
		    h->cmsg_len >= CMSG_LEN(sizeof(fi->ts)))
			memcpy(&fi->ts, CMSG_DATA(h), sizeof(fi->ts));
		if (h->cmsg_level != SOL_PACKET || h->cmsg_type != PACKET_AUXDATA || h->cmsg_len < CMSG_LEN(sizeof(aux)))
			continue;
		memcpy(&aux, CMSG_DATA(h), sizeof(aux));
		/* Kernels before 3.0 set no TP_STATUS_VLAN_VALID: there a
		 * nonzero TCI says a tag was taken out (libpcap reads it so). */
		fi->vlan = (aux.tp_status & TP_STATUS_VLAN_VALID) || aux.tp_vlan_tci;
		fi->tci = aux.tp_vlan_tci;
		fi->tpid = aux.tp_status & TP_STATUS_VLAN_TPID_VALID ? aux.tp_vlan_tpid : ETH_P_8021Q;
	}
}

/* Records the frame at k->buf + TAG + HEADER (n octets on the wire, caplen
 * of them received): its header goes right before it, after its VLAN tag
 * is put back. 1, 0 at the file size cap, or -errno. */
static int record(struct cap *k, const struct frame_info *fi, uint32_t caplen, uint32_t n)
{
	uint8_t *frame = k->buf + CAPTURE_VLAN_TAG_LEN + PCAP_RECORD_HEADER_LEN;
	size_t tagged;
	int r;

	if (fi->vlan && (tagged = capture_insert_vlan(frame - CAPTURE_VLAN_TAG_LEN, caplen, fi->tpid, fi->tci))) {
		frame -= CAPTURE_VLAN_TAG_LEN;
		caplen = tagged < k->snaplen ? (uint32_t)tagged : k->snaplen;
		n += CAPTURE_VLAN_TAG_LEN;
	}
	if (k->res->bytes + PCAP_RECORD_HEADER_LEN + caplen > k->max_bytes) {
		stop(k, CAPTURE_STOP_SIZE);
		return 0;
	}
	r = pcap_record_header(frame - PCAP_RECORD_HEADER_LEN, k->c->nsec ? PCAP_TS_NSEC : PCAP_TS_USEC,
			       (uint64_t)fi->ts.tv_sec, (uint32_t)fi->ts.tv_nsec, caplen, n);
	if (r < 0)
		return fail(k, "encoding a record", -r);
	if ((r = write_record(k, frame - PCAP_RECORD_HEADER_LEN, PCAP_RECORD_HEADER_LEN + caplen)) < 0)
		return r;
	if (++k->res->packets >= k->count)
		stop(k, CAPTURE_STOP_COUNT);
	return 1;
}

/* One frame into the file: 1, 0 when none is queued, or -errno. */
static int capture_one(struct cap *k)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(struct tpacket_auxdata)) + 64];
	} ctl;
	struct iovec iov = { k->buf + CAPTURE_VLAN_TAG_LEN + PCAP_RECORD_HEADER_LEN, k->snaplen };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
	/* MSG_TRUNC: the frame's whole length, not what fitted (packet(7)). */
	ssize_t n = recvmsg(k->sock, &m, MSG_TRUNC | MSG_DONTWAIT);
	struct frame_info fi;

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : fail(k, "reading a frame", errno);
	frame_info(&m, &fi);
	return record(k, &fi, (size_t)n < k->snaplen ? (uint32_t)n : k->snaplen, (uint32_t)n);
}

static void on_packets(struct loop *l, int fd, uint32_t events, void *data)
{
	struct cap *k = data;
	int r = 1;

	(void)l;
	(void)fd;
	(void)events;
	for (unsigned i = 0; i < CAPTURE_BATCH && !k->done && r > 0; i++)
		r = capture_one(k);
	if (r < 0)
		stop(k, CAPTURE_STOP_ERROR);
}

static void on_stop_fd(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l;
	(void)fd;
	(void)events;
	stop(data, CAPTURE_STOP_STOP_FD);
}

static void on_deadline(struct loop *l, struct loop_timer *t)
{
	(void)l;
	stop(t->data, CAPTURE_STOP_SECONDS);
}

static int start_loop(struct cap *k)
{
	int r;

	if ((r = loop_init(&k->loop)) < 0)
		return fail(k, "making the event loop", -r);
	k->have_loop = true;
	if ((r = loop_add(&k->loop, k->sock, EPOLLIN, on_packets, k)) < 0 ||
	    (k->c->stop_fd >= 0 && (r = loop_add(&k->loop, k->c->stop_fd, EPOLLIN, on_stop_fd, k)) < 0))
		return fail(k, "watching the sockets", -r);
	k->deadline = (struct loop_timer){ .fn = on_deadline, .data = k };
	if ((r = loop_timer_arm(&k->loop, &k->deadline, k->start_ms + (uint64_t)k->seconds * 1000u)) < 0)
		return fail(k, "arming the time limit", -r);
	return 0;
}

/* Everything that needs root, then the drop: no frame is read as root. */
static int prepare(struct cap *k)
{
	int r;

	if ((r = open_socket(k)) < 0 || (r = open_output(k)) < 0)
		return r;
	if (!(k->buf = malloc(CAPTURE_VLAN_TAG_LEN + PCAP_RECORD_HEADER_LEN + (size_t)k->snaplen)))
		return fail(k, "allocating the frame buffer", ENOMEM);
	if ((r = start_loop(k)) < 0)
		return r;
	if ((r = sandbox_enter(&(struct sandbox){ "capture", k->c->uid, k->c->gid, SANDBOX_NO_NEW_SOCKETS, 0 })) < 0)
		return fail(k, "becoming the unprivileged user", -r);
	return write_header(k);
}

static int run(struct cap *k)
{
	int r;

	while (!k->done)
		if ((r = loop_run_once(&k->loop)) < 0 && r != -EINTR) {
			stop(k, CAPTURE_STOP_ERROR);
			return fail(k, "waiting for frames", -r);
		}
	return k->res->stop == CAPTURE_STOP_ERROR ? k->err : 0;
}

/* tp_drops: frames the kernel dropped because the queue was full. */
static void read_drops(struct cap *k)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (getsockopt(k->sock, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
		k->res->kernel_drops = st.tp_drops;
}

static void cleanup(struct cap *k)
{
	if (k->have_loop)
		loop_close(&k->loop);
	if (k->sock >= 0)
		close(k->sock);
	if (k->c->path && k->out >= 0)
		close(k->out);
	free(k->buf);
}

int capture_run(const struct capture_config *c, struct capture_result *res)
{
	struct cap k = { .c = c, .res = res, .sock = -1, .out = -1 };
	int r;

	if ((r = capture_config_check(c, res)) < 0)
		return r;
	k.count = or_default(c->count, CAPTURE_DEFAULT_COUNT);
	k.seconds = or_default(c->seconds, CAPTURE_DEFAULT_SECONDS);
	k.snaplen = or_default(c->snaplen, CAPTURE_DEFAULT_SNAPLEN);
	k.max_bytes = or_default(c->max_bytes, CAPTURE_DEFAULT_MAX_BYTES);
	if ((r = prepare(&k)) < 0)
		res->stop = CAPTURE_STOP_NONE;
	else
		r = run(&k);
	if (k.sock >= 0)
		read_drops(&k);
	cleanup(&k);
	return r;
}
