/* net/capture/pcap: the file header and record headers byte for byte
 * (draft-ietf-opsawg-pcap §4, §5; little-endian), a record as capture
 * writes it, and the refusals. */
#include <errno.h>
#include <string.h>

#include "net/capture/pcap.h"
#include "t.h"

static void check_bytes(const uint8_t *got, const uint8_t *want, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		CHECK_MSG(got[i] == want[i], "%s byte %zu: %02x, want %02x", what, i, got[i], want[i]);
}

static void test_file_header(void)
{
	static const uint8_t usec[PCAP_FILE_HEADER_LEN] = {
		0xd4, 0xc3, 0xb2, 0xa1, /* magic 0xa1b2c3d4: microseconds */
		2, 0, 4, 0,             /* version 2.4 */
		0, 0, 0, 0, 0, 0, 0, 0, /* thiszone, sigfigs */
		0xff, 0xff, 0, 0,       /* snaplen 65535 */
		1, 0, 0, 0,             /* LINKTYPE_ETHERNET */
	};
	static const uint8_t nsec[PCAP_FILE_HEADER_LEN] = {
		0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x04, 0x00, 1, 0, 0, 0,
	};
	uint8_t h[PCAP_FILE_HEADER_LEN];

	memset(h, 0xaa, sizeof(h));
	CHECK(pcap_file_header(h, PCAP_TS_USEC, 65535, PCAP_LINKTYPE_ETHERNET) == 0);
	check_bytes(h, usec, sizeof(h), "usec header");
	CHECK(pcap_file_header(h, PCAP_TS_NSEC, PCAP_MAX_SNAPLEN, PCAP_LINKTYPE_ETHERNET) == 0);
	check_bytes(h, nsec, sizeof(h), "nsec header");
	CHECK(pcap_file_header(h, PCAP_TS_USEC, 0, PCAP_LINKTYPE_ETHERNET) == -EINVAL);
	CHECK(pcap_file_header(h, PCAP_TS_USEC, PCAP_MAX_SNAPLEN + 1, PCAP_LINKTYPE_ETHERNET) == -EINVAL);
}

/* 2026-12-06T00:00:00.123456789Z, a 60-octet ARP frame cut to 14. */
static void test_record(void)
{
	static const uint8_t frame[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06 };
	static const uint8_t usec[PCAP_RECORD_HEADER_LEN + sizeof(frame)] = {
		0x80, 0xa5, 0x14, 0x6b, /* 1796515200 s */
		0x40, 0xe2, 0x01, 0x00, /* 123456 µs (truncated) */
		14, 0, 0, 0,            /* captured */
		60, 0, 0, 0,            /* on the wire */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06,
	};
	static const uint8_t nsec[PCAP_RECORD_HEADER_LEN] = {
		0x80, 0xa5, 0x14, 0x6b, 0x15, 0xcd, 0x5b, 0x07, 14, 0, 0, 0, 60, 0, 0, 0, /* 123456789 ns */
	};
	uint8_t rec[PCAP_RECORD_HEADER_LEN + sizeof(frame)];

	/* As capture writes it: the header, then the frame, one buffer. */
	memcpy(rec + PCAP_RECORD_HEADER_LEN, frame, sizeof(frame));
	CHECK(pcap_record_header(rec, PCAP_TS_USEC, 1796515200u, 123456789u, 14, 60) == 0);
	check_bytes(rec, usec, sizeof(rec), "usec record");
	CHECK(pcap_record_header(rec, PCAP_TS_NSEC, 1796515200u, 123456789u, 14, 60) == 0);
	check_bytes(rec, nsec, sizeof(nsec), "nsec record");
	/* The last second 32 bits hold, and the refusals. */
	CHECK(pcap_record_header(rec, PCAP_TS_USEC, UINT32_MAX, 999999999u, 0, 0) == 0);
	CHECK(rec[4] == 0x3f && rec[5] == 0x42 && rec[6] == 0x0f && rec[7] == 0); /* 999999 µs */
	CHECK(pcap_record_header(rec, PCAP_TS_USEC, (uint64_t)UINT32_MAX + 1, 0, 0, 0) == -ERANGE);
	CHECK(pcap_record_header(rec, PCAP_TS_NSEC, 0, 1000000000u, 0, 0) == -EINVAL);
	CHECK(pcap_record_header(rec, PCAP_TS_USEC, 0, 0, 61, 60) == -EINVAL);
}

int main(void)
{
	test_file_header();
	test_record();
	return T_DONE();
}
