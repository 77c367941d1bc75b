/* net/capture: the 802.1Q tag put back into a frame after the two MAC
 * addresses (IEEE 802.1Q §9.3; where libpcap puts it), byte for byte. */
#include <string.h>

#include "net/capture/capture_priv.h"
#include "t.h"

int main(void)
{
	/* 4 spare octets, then dst, src, IPv4 ethertype, one octet of payload. */
	uint8_t buf[4 + 15] = { 0xee, 0xee, 0xee, 0xee, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00, 0x45 };
	static const uint8_t want[19] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0x20, 0x05, 0x08, 0x00, 0x45 };
	uint8_t shortf[4 + 11] = { 0 };

	CHECK(capture_insert_vlan(buf, 15, 0x8100, 0x2005) == 19); /* priority 1, VLAN 5 */
	CHECK(memcmp(buf, want, sizeof(want)) == 0);
	/* An 802.1ad outer tag keeps its TPID. */
	memcpy(buf + 4, want, 12);
	CHECK(capture_insert_vlan(buf, 12, 0x88a8, 0x0064) == 16 && buf[12] == 0x88 && buf[13] == 0xa8 &&
	      buf[14] == 0x00 && buf[15] == 0x64);
	/* Shorter than two addresses: left alone. */
	CHECK(capture_insert_vlan(shortf, 11, 0x8100, 5) == 0);
	return T_DONE();
}
