/* The router advertisement sender (RFC 4861 §6.2.4, §6.2.6): one raw
 * ICMPv6 socket bound to the bridge that hears only router solicitations,
 * an RA to all nodes (ff02::1) at start, a few more soon after, then one
 * every 30-60 s, and one more after a solicitation, never two closer than
 * NDP_MIN_DELAY_MS. The kernel picks the bridge's link-local source and
 * fills the checksum. */
#include <errno.h>
#include <sys/epoll.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "net/ndp/ndp.h"

static const struct in6_addr all_nodes = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } };
static const struct in6_addr all_routers = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 } } };

static int set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

/* Only solicitations reach us; hop limit 255 out (receivers drop
 * anything else, §6.1.2) and in (we drop anything else, §6.1.1). */
static int configure(int fd, int ifindex)
{
	struct icmp6_filter filter;
	struct ipv6_mreq join = { all_routers, (unsigned)ifindex };
	char name[IF_NAMESIZE];

	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(NDP_RS, &filter);
	if (!if_indextoname((unsigned)ifindex, name) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (socklen_t)strlen(name)) < 0 ||
	    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &join, sizeof(join)) < 0)
		return -errno;
	return 0;
}

int ndp_sender_open(struct ndp_sender *s, const struct ndp_config *c, int ifindex)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->c = *c;
	s->ifindex = ifindex;
	if ((s->ra_len = ndp_build_ra(c, s->ra, sizeof(s->ra))) < 0)
		return s->ra_len;
	if ((s->fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6)) < 0)
		return -errno;
	if ((r = configure(s->fd, ifindex)) < 0) {
		close(s->fd);
		s->fd = -1;
	}
	return r;
}

/* Until the bridge's link-local address has passed duplicate address
 * detection the kernel has no source for the RA (EADDRNOTAVAIL): the
 * caller tries again a second later. */
static int send_ra(struct ndp_sender *s)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = all_nodes,
				   .sin6_scope_id = (uint32_t)s->ifindex };

	if (sendto(s->fd, s->ra, (size_t)s->ra_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	s->sent++;
	s->last_ms = loop_now_ms();
	return 0;
}

/* The next unsolicited RA: soon while the first few go out, then a
 * random point of [MIN, MAX] (§6.2.4: routers on a link do not sync). */
static uint64_t next_unsolicited(const struct ndp_sender *s)
{
	unsigned span = (NDP_MAX_INTERVAL_S - NDP_MIN_INTERVAL_S) * 1000u;

	if (s->sent < NDP_INITIAL_COUNT)
		return s->last_ms + NDP_INITIAL_INTERVAL_S * 1000u;
	return s->last_ms + NDP_MIN_INTERVAL_S * 1000u + (unsigned)random() % span;
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	struct ndp_sender *s = t->data;
	int r = send_ra(s);

	s->answer_due = false;
	if (r < 0) {
		if (r != -EADDRNOTAVAIL)
			log_warn("ra: sending on ifindex %d: %s", s->ifindex, strerror(-r));
		loop_timer_arm(l, t, loop_now_ms() + 1000);
		return;
	}
	loop_timer_arm(l, t, next_unsolicited(s));
}

/* The hop limit the packet arrived with (IPV6_HOPLIMIT), or -1. */
static int hop_limit_of(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	return -1;
}

/* §6.2.6: an answer no sooner than MIN_DELAY_BETWEEN_RAS after the last
 * RA, multicast, so one RA answers every guest that asked meanwhile. */
static void answer(struct ndp_sender *s)
{
	uint64_t at = s->last_ms + NDP_MIN_DELAY_MS, now = loop_now_ms();

	s->solicited++;
	if (s->answer_due)
		return;
	s->answer_due = true;
	loop_timer_arm(s->loop, &s->timer, at > now ? at : now);
}

static void on_packet(struct loop *l, int fd, uint32_t events, void *data)
{
	struct ndp_sender *s = data;
	uint8_t pkt[NDP_MAX_PACKET];
	union {
		char buf[CMSG_SPACE(sizeof(int)) * 2];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_in6 from;
	struct iovec iov = { pkt, sizeof(pkt) };
	struct msghdr mh = { .msg_name = &from, .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf };

	(void)l;
	(void)events;
	/* A bounded batch per wake-up: a flood cannot hold the loop. */
	for (int i = 0; i < 64; i++) {
		ssize_t n;

		mh.msg_namelen = sizeof(from);
		mh.msg_controllen = sizeof(ctl.buf);
		if ((n = recvmsg(fd, &mh, 0)) < 0)
			return;
		if (ndp_valid_rs(pkt, (size_t)n, hop_limit_of(&mh), IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr)))
			answer(s);
	}
}

int ndp_sender_start(struct ndp_sender *s, struct loop *l)
{
	int r;

	s->loop = l;
	s->timer.fn = on_timer;
	s->timer.data = s;
	if ((r = loop_add(l, s->fd, EPOLLIN, on_packet, s)) < 0)
		return r;
	return loop_timer_arm(l, &s->timer, loop_now_ms());
}

void ndp_sender_close(struct ndp_sender *s)
{
	if (s->fd < 0)
		return;
	if (s->loop) {
		loop_timer_cancel(s->loop, &s->timer);
		loop_del(s->loop, s->fd);
	}
	close(s->fd);
	s->fd = -1;
}
