/* The DHCP client's I/O: a raw AF_PACKET socket (we have no address yet)
 * with a BPF filter for UDP port 68, a UDP socket for unicast renewals, an
 * rtnetlink socket subscribed to link events for carrier changes, signals
 * through a signalfd, all in one epoll loop. */
#include "net/dhcpc/dhcpc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/if.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/addr.h"
#include "lib/core/log.h"
#include "lib/core/daemon.h"
#include "lib/core/loop.h"
#include "lib/core/sandbox.h"
#include "net/dhcp/sock.h"
#include "net/dhcpc/fsm.h"
#include "net/dhcp/ipudp.h"
#include "net/netlink/rtnl.h"

struct client {
	struct daemon dm;
	struct dhcpc fsm;
	struct loop_timer timer;
	struct nl_sock rt;
	const struct dhcpc_opts *opts;
	int ifindex;
	int raw, udp, events;
	bool carrier;
};

/* UDP to port 68, unfragmented: everything else stays in the kernel.
 * Offsets are from the IP header (SOCK_DGRAM packet sockets). */
static int open_raw(int ifindex)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),                  /* protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),                  /* fragment offset */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),                 /* X = IP header length */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),                  /* UDP destination port */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 68, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	return dhcp_raw_socket(ifindex, &prog, 1);
}

static int open_link_events(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static void send_broadcast(struct client *c, const struct dhcpc_out *out)
{
	int r = dhcp_send_frame(c->raw, c->ifindex, NULL, out->msg, out->len, out->src, 68, 0xffffffffu, 67);

	if (r < 0)
		log_warn("dhcpc %s: send: %s", c->opts->ifname, strerror(-r));
}

static void send_out(struct client *c, const struct dhcpc_out *out)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(67), .sin_addr.s_addr = htonl(out->dst) };

	if (out->dst == 0xffffffffu || c->udp < 0) {
		send_broadcast(c, out);
		return;
	}
	if (sendto(c->udp, out->msg, out->len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		log_warn("dhcpc %s: send to the server: %s", c->opts->ifname, strerror(errno));
}

static void write_resolvers(const struct client *c, const struct dhcpc_lease *l)
{
	char path[128], tmp[140], ip[16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/resolv.%s", DHCPC_RESOLV_DIR, c->opts->ifname);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w")))
		return;
	for (unsigned i = 0; i < l->ndns; i++) {
		addr_format_ip4(l->dns[i], ip);
		fprintf(f, "nameserver %s\n", ip);
	}
	if (l->domain[0])
		fprintf(f, "search %s\n", l->domain);
	if (fclose(f) == 0)
		rename(tmp, path);
}

static void remove_lease(struct client *c, const struct dhcpc_lease *l)
{
	struct rtnl_addr a = { c->ifindex, l->addr, l->prefix, RTNL_PROTO_LABINIT };
	struct rtnl_route r = { 0, 0, l->router, c->ifindex, RT_TABLE_MAIN, RTNL_PROTO_LABINIT, RTN_UNICAST };
	struct nl_error e;

	if (l->router)
		rtnl_route_del(&c->rt, &r, &e);
	rtnl_addr_del(&c->rt, &a, &e);
}

static void apply_lease(struct client *c, const struct dhcpc_out *out)
{
	const struct dhcpc_lease *l = &c->fsm.lease;
	struct nl_error e = { 0 };
	char ip[16], gw[16];
	int r;

	if (out->replaced)
		remove_lease(c, &out->old);
	r = rtnl_addr_add(&c->rt, c->ifindex, l->addr, l->prefix, &e);
	if (r == 0 && l->router)
		r = rtnl_route_add(&c->rt, 0, 0, l->router, c->ifindex, &e);
	addr_format_ip4(l->addr, ip);
	addr_format_ip4(l->router, gw);
	if (r < 0)
		log_err("dhcpc %s: applying %s/%u: %s %s", c->opts->ifname, ip, l->prefix, strerror(-r), e.msg);
	else
		log_info("dhcpc %s: %s/%u via %s, lease %u s (T1 %u s, T2 %u s)", c->opts->ifname, ip, l->prefix,
			 l->router ? gw : "-", l->lease_s, l->t1_s, l->t2_s);
	write_resolvers(c, l);
	if (c->opts->ready_fd >= 0) {
		(void)!write(c->opts->ready_fd, "1", 1);
		close(c->opts->ready_fd);
	}
}

static void on_timer(struct loop *l, struct loop_timer *t);

static void act(struct client *c, const struct dhcpc_out *out)
{
	if (out->log)
		log_info("dhcpc %s: %s (%s)", c->opts->ifname, out->log, dhcpc_state_name(c->fsm.state));
	if (out->actions & DHCPC_ACT_DROP)
		remove_lease(c, &out->old);
	if (out->actions & DHCPC_ACT_APPLY)
		apply_lease(c, out);
	if (out->actions & DHCPC_ACT_SEND)
		send_out(c, out);
	c->timer.fn = on_timer;
	c->timer.data = c;
	if (c->fsm.timer_ms)
		loop_timer_arm(&c->dm.loop, &c->timer, c->fsm.timer_ms);
	else
		loop_timer_cancel(&c->dm.loop, &c->timer);
}

static void on_timer(struct loop *l, struct loop_timer *t)
{
	struct client *c = t->data;
	struct dhcpc_out out;

	(void)l;
	dhcpc_timer(&c->fsm, loop_now_ms(), &out);
	act(c, &out);
}

/* TP_STATUS_CSUMNOTREADY: a local sender's checksum offload left the UDP
 * checksum unfinished; the packet is still good. */
static unsigned aux_flags(struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		const struct tpacket_auxdata *aux = (const void *)CMSG_DATA(cm);

		if (cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA &&
		    (aux->tp_status & TP_STATUS_CSUMNOTREADY))
			return IPUDP_CSUM_NOT_READY;
	}
	return 0;
}

static void on_packet(struct loop *l, int fd, uint32_t events, void *data)
{
	struct client *c = data;
	uint8_t buf[1600], ctl[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	const uint8_t *payload;
	struct dhcp_ipudp_info info;
	struct dhcpc_out out;
	struct dhcp_msg m;
	size_t plen;
	ssize_t n;

	(void)l;
	(void)events;
	while ((n = recvmsg(fd, &mh, 0)) > 0) {
		if (dhcp_ipudp_parse_flags(buf, (size_t)n, 68, aux_flags(&mh), &info, &payload, &plen) == 0 &&
		    dhcp_parse(payload, plen, &m) == 0) {
			dhcpc_receive(&c->fsm, &m, loop_now_ms(), &out);
			act(c, &out);
		}
		mh.msg_controllen = sizeof(ctl);
	}
}

static bool link_has_carrier(const struct nlmsghdr *h, int ifindex, bool *carrier)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) || ifi->ifi_index != ifindex)
		return false;
	*carrier = (ifi->ifi_flags & IFF_LOWER_UP) && (ifi->ifi_flags & IFF_UP);
	return true;
}

static void on_link_event(struct loop *l, int fd, uint32_t events, void *data)
{
	struct client *c = data;
	uint8_t buf[8192];
	struct dhcpc_out out;
	ssize_t n;

	(void)l;
	(void)events;
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		size_t left = (size_t)n;
		bool carrier;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (!link_has_carrier(h, c->ifindex, &carrier) || carrier == c->carrier)
				continue;
			c->carrier = carrier;
			dhcpc_carrier(&c->fsm, carrier, loop_now_ms(), &out);
			act(c, &out);
		}
	}
}

/* A stop releases the lease (RFC 2131 §4.4.6) and takes its address and
 * route away before the loop ends. */
static void on_stop(struct daemon *dm)
{
	struct client *c = (struct client *)((char *)dm - offsetof(struct client, dm));
	struct dhcpc_lease lease = c->fsm.lease;
	struct dhcpc_out out;

	if (!c->fsm.have_lease)
		return;
	dhcpc_release(&c->fsm, &out);
	send_out(c, &out);
	remove_lease(c, &lease);
	log_info("dhcpc %s: lease released", c->opts->ifname);
}

static uint32_t random_u32(void *ctx)
{
	uint32_t v;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	(void)ctx;
	if (fd < 0 || read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		v = (uint32_t)loop_now_ms() * 2654435761u;
	if (fd >= 0)
		close(fd);
	return v;
}

/* What needed root is open (the packet socket, port 68, netlink). The
 * client parses what any server on the uplink's LAN sends: from here on it
 * is an unprivileged user that keeps CAP_NET_ADMIN alone (rtnetlink checks
 * it at each address or route change), in the seccomp sandbox, and owns
 * the directory it writes its resolvers to. */
static int drop_root(struct client *c)
{
	uid_t uid = c->opts->uid;

	if (geteuid() == 0) {
		mkdir(PATH_RUN_DIR, 0755);
		mkdir(DHCPC_DIR, 0755);
		lchown(DHCPC_DIR, 0, 0); /* root's: the pid files and logs */
		if (mkdir(DHCPC_RESOLV_DIR, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (uid && chown(DHCPC_RESOLV_DIR, uid, uid) < 0)
			return -errno;
	}
	return sandbox_enter(&(struct sandbox){ "dhcpc", uid, uid, SANDBOX_NO_NEW_SOCKETS, 1ull << CAP_NET_ADMIN });
}

static int setup(struct client *c)
{
	struct rtnl_link link;
	int r;

	if ((r = nl_open(&c->rt, NETLINK_ROUTE)) < 0 || (r = rtnl_link_get(&c->rt, c->opts->ifname, &link)) < 0)
		return r;
	c->ifindex = link.index;
	c->carrier = (link.flags & IFF_LOWER_UP) && (link.flags & IFF_UP);
	dhcpc_init(&c->fsm, link.mac, c->opts->hostname, random_u32, NULL);
	dhcpc_avoid(&c->fsm, c->opts->lab.addr, c->opts->lab.len);
	c->dm.on_stop = on_stop;
	if ((r = daemon_init(&c->dm)) < 0 || (c->raw = open_raw(c->ifindex)) < 0 ||
	    (c->events = open_link_events()) < 0)
		return r < 0 ? r : c->raw < 0 ? c->raw : c->events;
	/* For unicast renewals: the kernel routes and resolves the server's MAC. */
	if ((c->udp = dhcp_udp_socket(c->opts->ifname, 68)) < 0)
		log_warn("dhcpc %s: no UDP socket on port 68 (%s); renewals are broadcast", c->opts->ifname,
			 strerror(-c->udp));
	if ((r = loop_add(&c->dm.loop, c->raw, EPOLLIN, on_packet, c)) < 0 ||
	    (r = loop_add(&c->dm.loop, c->events, EPOLLIN, on_link_event, c)) < 0)
		return r;
	return drop_root(c);
}

int dhcpc_main(const struct dhcpc_opts *o)
{
	static struct client c;
	struct dhcpc_out out;
	int r;

	memset(&c, 0, sizeof(c));
	c.opts = o;
	c.udp = -1;
	log_set_prefix("labinit-dhcpc");
	if ((r = setup(&c)) < 0) {
		log_err("dhcpc %s: %s", o->ifname, strerror(-r));
		return 1;
	}
	if (!c.carrier)
		log_info("dhcpc %s: waiting for carrier", o->ifname);
	else {
		dhcpc_start(&c.fsm, loop_now_ms(), &out);
		act(&c, &out);
	}
	return daemon_run(&c.dm) < 0;
}

void dhcpc_pidfile_path(const char *ifname, char *buf, unsigned size)
{
	struct stat st;

	/* /run is shared by every network namespace of the host. */
	if (stat("/proc/self/ns/net", &st) < 0)
		st.st_ino = 0;
	snprintf(buf, size, "%s/dhcpc.%lu.%s.pid", DHCPC_DIR, (unsigned long)st.st_ino, ifname);
}
