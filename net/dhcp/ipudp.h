/* IPv4 + UDP headers of a DHCP datagram on a raw (AF_PACKET, SOCK_DGRAM,
 * ETH_P_IP) socket: built and checked by us, checksums included. Pure. */
#ifndef LAB_IPUDP_H
#define LAB_IPUDP_H

#include <stddef.h>
#include <stdint.h>

#define IPUDP_HDR_LEN 28 /* IPv4 header without options (20) + UDP header (8) */

/* Addresses and ports in host byte order, like lib/core/addr.h. */
struct dhcp_ipudp_info {
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint8_t ttl;
};

/*
 * Builds IPv4 + UDP headers in front of payload already placed at
 * buf + IPUDP_HDR_LEN; buf holds IPUDP_HDR_LEN + payload_len octets. Returns
 * the total length, or 0 if it would exceed 65535. The datagram is atomic
 * (DF set, ID 0: RFC 6864 §4.1), has no IP options, TOS 0, and both
 * checksums: the header's (RFC 791 §3.1) and UDP's over the pseudo-header
 * (RFC 768), sent as 0xffff when it computes to zero. Checksum offload does
 * not apply to packet sockets, so nobody else fills them in.
 */
size_t dhcp_ipudp_build(uint8_t *buf, size_t payload_len, uint32_t src_ip, uint16_t src_port,
		   uint32_t dst_ip, uint16_t dst_port, uint8_t ttl);

/*
 * Validates a received IPv4 datagram (as read from an AF_PACKET SOCK_DGRAM
 * socket) carrying UDP to dst_port; on success points *payload and *payload_len
 * at the UDP payload (inside buf) and fills info. Returns 0,
 *   -EBADMSG  corrupt: len < 20, version not 4, IHL < 5 or past the buffer,
 *             total length < IHL or past the buffer, bad header checksum
 *             (RFC 1122 §3.2.1.2: a host MUST verify it), no room for the
 *             UDP header, UDP length < 8 or past the IP payload, a non-zero
 *             UDP checksum that does not verify (zero means none, RFC 768);
 *   -ENOMSG   not ours, drop quietly: a fragment (MF or offset set; DHCP
 *             fits 576 octets, RFC 2131 §2, and a packet socket gets no
 *             reassembly), not UDP, another destination port.
 * Octets past the IP total length (Ethernet padding) and past the UDP
 * length are ignored, as Linux's own UDP input does. IP options are skipped.
 */
int dhcp_ipudp_parse(const uint8_t *buf, size_t len, uint16_t dst_port, struct dhcp_ipudp_info *info,
		const uint8_t **payload, size_t *payload_len);

/* The sender's checksum offload (virtio-net, veth, tap) can hand a packet
 * socket a UDP checksum not yet computed; the kernel flags it with
 * TP_STATUS_CSUMNOTREADY in PACKET_AUXDATA (linux/if_packet.h). Then only
 * that check is skipped; everything else is verified as above. */
#define IPUDP_CSUM_NOT_READY 1u
int dhcp_ipudp_parse_flags(const uint8_t *buf, size_t len, uint16_t dst_port, unsigned flags,
		      struct dhcp_ipudp_info *info, const uint8_t **payload, size_t *payload_len);

/*
 * The Internet checksum (RFC 1071): the one's complement of the one's
 * complement sum of `initial` and of data read as big-endian 16-bit words
 * (an odd last octet padded with zero). Returns the value to store, in host
 * order; over data that includes a correct checksum it returns 0. `initial`
 * is an unfolded sum such as dhcp_ipudp_pseudo_sum().
 */
uint16_t dhcp_ipudp_checksum(const void *data, size_t len, uint32_t initial);
/* The UDP pseudo-header's sum: addresses, protocol 17, UDP length (RFC 768). */
uint32_t dhcp_ipudp_pseudo_sum(uint32_t src_ip, uint32_t dst_ip, uint16_t udp_len);

#endif
