/* IPv4 + UDP header codec for DHCP over packet sockets, with RFC 1071
 * checksums. */
#include "net/dhcp/ipudp.h"

#include <errno.h>

#include "lib/core/bytes.h"

#define IP_HDR_LEN 20
#define UDP_HDR_LEN 8
#define IPPROTO_UDP_NUM 17
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff


uint16_t dhcp_ipudp_checksum(const void *data, size_t len, uint32_t initial)
{
	const uint8_t *p = data;
	uint64_t sum = initial; /* 64 bits: no carry is lost before folding */

	for (; len > 1; p += 2, len -= 2)
		sum += get_be16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t dhcp_ipudp_pseudo_sum(uint32_t src_ip, uint32_t dst_ip, uint16_t udp_len)
{
	return (src_ip >> 16) + (src_ip & 0xffff) + (dst_ip >> 16) + (dst_ip & 0xffff) +
	       IPPROTO_UDP_NUM + udp_len;
}

size_t dhcp_ipudp_build(uint8_t *buf, size_t payload_len, uint32_t src_ip, uint16_t src_port,
		   uint32_t dst_ip, uint16_t dst_port, uint8_t ttl)
{
	uint8_t *ip = buf, *udp = buf + IP_HDR_LEN;
	size_t total = IPUDP_HDR_LEN + payload_len;
	uint16_t udp_len, sum;

	if (payload_len > 0xffff - IPUDP_HDR_LEN)
		return 0;
	udp_len = (uint16_t)(UDP_HDR_LEN + payload_len);

	ip[0] = 0x45; /* version 4, IHL 5 words */
	ip[1] = 0;    /* TOS */
	put_be16(ip + 2, (uint16_t)total);
	put_be16(ip + 4, 0);     /* ID: meaningless in an atomic datagram, RFC 6864 §4.1 */
	put_be16(ip + 6, IP_DF); /* DF, offset 0 */
	ip[8] = ttl;
	ip[9] = IPPROTO_UDP_NUM;
	put_be16(ip + 10, 0);
	put_be32(ip + 12, src_ip);
	put_be32(ip + 16, dst_ip);
	put_be16(ip + 10, dhcp_ipudp_checksum(ip, IP_HDR_LEN, 0));

	put_be16(udp, src_port);
	put_be16(udp + 2, dst_port);
	put_be16(udp + 4, udp_len);
	put_be16(udp + 6, 0);
	sum = dhcp_ipudp_checksum(udp, udp_len, dhcp_ipudp_pseudo_sum(src_ip, dst_ip, udp_len));
	/* RFC 768 says a computed zero goes out as 0xffff, but busybox udhcpc
	 * compares the field literally and drops such a frame (every resend
	 * too: the bytes do not change). 0 means "no checksum", which every
	 * client accepts, as ISC dhcpd and udhcpd send it. */
	put_be16(udp + 6, sum);
	return total;
}

int dhcp_ipudp_parse_flags(const uint8_t *buf, size_t len, uint16_t dst_port, unsigned flags,
		      struct dhcp_ipudp_info *info, const uint8_t **payload, size_t *payload_len)
{
	const uint8_t *udp;
	size_t ihl, total;
	uint16_t frag, udp_len, dport, sum;
	uint32_t src, dst;

	if (len < IP_HDR_LEN || buf[0] >> 4 != 4)
		return -EBADMSG;
	ihl = (size_t)(buf[0] & 0x0f) * 4;
	total = get_be16(buf + 2);
	if (ihl < IP_HDR_LEN || ihl > len || total < ihl || total > len)
		return -EBADMSG;
	if (dhcp_ipudp_checksum(buf, ihl, 0) != 0)
		return -EBADMSG;
	frag = get_be16(buf + 6);
	if (frag & (IP_MF | IP_OFFMASK))
		return -ENOMSG;
	if (buf[9] != IPPROTO_UDP_NUM)
		return -ENOMSG;
	if (total - ihl < UDP_HDR_LEN)
		return -EBADMSG;
	udp = buf + ihl;
	dport = get_be16(udp + 2);
	if (dport != dst_port)
		return -ENOMSG;
	udp_len = get_be16(udp + 4);
	if (udp_len < UDP_HDR_LEN || udp_len > total - ihl)
		return -EBADMSG;
	src = get_be32(buf + 12);
	dst = get_be32(buf + 16);
	sum = get_be16(udp + 6);
	if (sum != 0 && !(flags & IPUDP_CSUM_NOT_READY) &&
	    dhcp_ipudp_checksum(udp, udp_len, dhcp_ipudp_pseudo_sum(src, dst, udp_len)) != 0)
		return -EBADMSG;

	info->src_ip = src;
	info->dst_ip = dst;
	info->src_port = get_be16(udp);
	info->dst_port = dport;
	info->ttl = buf[8];
	*payload = udp + UDP_HDR_LEN;
	*payload_len = udp_len - UDP_HDR_LEN;
	return 0;
}

int dhcp_ipudp_parse(const uint8_t *buf, size_t len, uint16_t dst_port, struct dhcp_ipudp_info *info,
		const uint8_t **payload, size_t *payload_len)
{
	return dhcp_ipudp_parse_flags(buf, len, dst_port, 0, info, payload, payload_len);
}
