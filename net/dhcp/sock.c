/* DHCP sockets for the uplink client and the lab's server. */
#include "net/dhcp/sock.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/dhcp/ipudp.h"

static int fail_close(int fd)
{
	int r = -errno;

	close(fd);
	return r;
}

int dhcp_udp_socket(const char *ifname, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail_close(fd);
	return fd;
}

int dhcp_raw_socket(int ifindex, const struct sock_fprog *filter, int auxdata)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = ifindex };
	int one = 1, fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_IP));

	if (fd < 0)
		return -errno;
	if (auxdata)
		setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, filter, sizeof(*filter)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail_close(fd);
	return fd;
}

int dhcp_send_frame(int fd, int ifindex, const uint8_t *mac, const uint8_t *msg, size_t len, uint32_t src_ip,
		    uint16_t src_port, uint32_t dst_ip, uint16_t dst_port)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = ifindex, .sll_halen = 6 };
	uint8_t frame[IPUDP_HDR_LEN + 1500];
	size_t n;

	if (len > sizeof(frame) - IPUDP_HDR_LEN)
		return -EMSGSIZE;
	if (mac)
		memcpy(sa.sll_addr, mac, 6);
	else
		memset(sa.sll_addr, 0xff, 6);
	memcpy(frame + IPUDP_HDR_LEN, msg, len);
	n = dhcp_ipudp_build(frame, len, src_ip, src_port, dst_ip, dst_port, 64);
	return sendto(fd, frame, n, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
}
