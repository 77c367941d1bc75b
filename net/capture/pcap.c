/* See pcap.h. */
#include "net/capture/pcap.h"

#include <errno.h>

#include "lib/core/bytes.h"

int pcap_file_header(uint8_t out[PCAP_FILE_HEADER_LEN], enum pcap_tsres res, uint32_t snaplen,
		     uint32_t linktype)
{
	if (!snaplen || snaplen > PCAP_MAX_SNAPLEN)
		return -EINVAL;
	put_le32(out, res == PCAP_TS_NSEC ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC);
	put_le16(out + 4, PCAP_VERSION_MAJOR);
	put_le16(out + 6, PCAP_VERSION_MINOR);
	put_le32(out + 8, 0);  /* thiszone: timestamps are UTC */
	put_le32(out + 12, 0); /* sigfigs: always 0 */
	put_le32(out + 16, snaplen);
	put_le32(out + 20, linktype);
	return 0;
}

int pcap_record_header(uint8_t out[PCAP_RECORD_HEADER_LEN], enum pcap_tsres res, uint64_t sec, uint32_t nsec,
		       uint32_t caplen, uint32_t origlen)
{
	if (nsec >= 1000000000u || caplen > origlen)
		return -EINVAL;
	if (sec > UINT32_MAX)
		return -ERANGE;
	put_le32(out, (uint32_t)sec);
	put_le32(out + 4, res == PCAP_TS_NSEC ? nsec : nsec / 1000u);
	put_le32(out + 8, caplen);
	put_le32(out + 12, origlen);
	return 0;
}
