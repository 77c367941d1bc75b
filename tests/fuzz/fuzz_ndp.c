/* libFuzzer target: arbitrary bytes as a router solicitation from the
 * bridge (the first byte picks the hop limit and whether the source was
 * ::), and as the domain of a router advertisement. */
#include <stdint.h>
#include <string.h>

#include "net/ndp/ndp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndp_config c = { .prefix = { 0xfd }, .rdnss = { 0xfd, [15] = 1 }, .mtu = 1500 };
	uint8_t ra[NDP_MAX_PACKET];
	char domain[300];
	size_t n;
	int len;

	if (size < 1)
		return 0;
	if (ndp_valid_rs(data + 1, size - 1, data[0] & 1 ? 255 : data[0], data[0] & 2) &&
	    (size < 9 || data[1] != NDP_RS))
		__builtin_trap();
	n = size - 1 < sizeof(domain) - 1 ? size - 1 : sizeof(domain) - 1;
	memcpy(domain, data + 1, n);
	domain[n] = '\0';
	c.domain = domain;
	len = ndp_build_ra(&c, ra, sizeof(ra));
	/* Whole options only: the RA is a multiple of 8 bytes. */
	if (len > 0 && (len % 8 || len > (int)sizeof(ra)))
		__builtin_trap();
	return 0;
}
