/* The sockets the DHCP client and server share: a UDP socket bound to one
 * interface, and a raw IPv4 packet socket for frames to hosts that have no
 * address yet (our own IP/UDP headers and checksums, see ipudp.c). */
#ifndef LAB_DHCP_SOCK_H
#define LAB_DHCP_SOCK_H

#include <stddef.h>
#include <stdint.h>

struct sock_fprog;

/* UDP on 0.0.0.0:port, bound to ifname (SO_BINDTODEVICE), broadcast
 * allowed, non-blocking. Returns the fd or -errno. */
int dhcp_udp_socket(const char *ifname, uint16_t port);
/* AF_PACKET SOCK_DGRAM for IPv4 on ifindex with filter attached; with
 * auxdata, PACKET_AUXDATA reports unfinished checksums. fd or -errno. */
int dhcp_raw_socket(int ifindex, const struct sock_fprog *filter, int auxdata);
/* Sends msg as a UDP datagram in a frame to mac (NULL: broadcast). */
int dhcp_send_frame(int fd, int ifindex, const uint8_t *mac, const uint8_t *msg, size_t len, uint32_t src_ip,
		    uint16_t src_port, uint32_t dst_ip, uint16_t dst_port);

#endif
