/* The classic pcap file format (libpcap's savefile, draft-ietf-opsawg-pcap
 * §4 and §5): a 24-octet file header, then one 16-octet record header
 * before each packet's captured octets. Pure encoders: no I/O, no clock.
 * Written little-endian whatever the host (a reader tells the order by the
 * magic), so a file is the same bytes on every architecture. */
#ifndef LAB_PCAP_H
#define LAB_PCAP_H

#include <stddef.h>
#include <stdint.h>

#define PCAP_MAGIC_USEC 0xa1b2c3d4u  /* timestamps in microseconds */
#define PCAP_MAGIC_NSEC 0xa1b23c4du  /* timestamps in nanoseconds */
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_LINKTYPE_ETHERNET 1     /* tcpdump.org link-layer header types */
#define PCAP_FILE_HEADER_LEN 24
#define PCAP_RECORD_HEADER_LEN 16
/* libpcap's MAXIMUM_SNAPLEN: readers refuse records longer than this. */
#define PCAP_MAX_SNAPLEN 262144u

enum pcap_tsres {
	PCAP_TS_USEC,
	PCAP_TS_NSEC,
};

/* The file header (§4): magic, version 2.4, two zero fields (thiszone,
 * sigfigs), snaplen, link type. -EINVAL for a snaplen of 0 or above
 * PCAP_MAX_SNAPLEN, else 0. */
int pcap_file_header(uint8_t out[PCAP_FILE_HEADER_LEN], enum pcap_tsres res, uint32_t snaplen,
		     uint32_t linktype);

/* A record header (§5): the time as seconds since the epoch (32 bits
 * unsigned: until 2106) and the fraction in the file's unit (microseconds:
 * truncated from nsec), the captured length, the original length.
 * -EINVAL for nsec >= 10^9 or caplen > origlen; -ERANGE for sec beyond 32
 * bits; else 0. */
int pcap_record_header(uint8_t out[PCAP_RECORD_HEADER_LEN], enum pcap_tsres res, uint64_t sec, uint32_t nsec,
		       uint32_t caplen, uint32_t origlen);

#endif
