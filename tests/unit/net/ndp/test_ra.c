/* net/ndp: the router advertisement byte for byte (RFC 4861 §4.2, §4.6;
 * RFC 8106 §5), and which solicitations are answered (§6.1.1). */
#include <errno.h>
#include <string.h>

#include "net/ndp/ndp.h"
#include "t.h"

static void test_ra_golden(void)
{
	struct ndp_config c = { .mac = { 0x02, 0x4c, 0xf4, 0x92, 0x60, 0x62 },
				.prefix = { 0xfd, 0x00, 0x01, 0xab, 0, 0, 0, 1 },
				.rdnss = { 0xfd, 0x00, 0x01, 0xab, 0, 0, 0, 1, [15] = 1 },
				.domain = "lab.test", .mtu = 1500 };
	static const uint8_t want[] = {
		134, 0, 0, 0, 64, 0x00, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,        /* RA, hop limit 64, 1800 s */
		1, 1, 0x02, 0x4c, 0xf4, 0x92, 0x60, 0x62,                          /* source link-layer address */
		5, 1, 0, 0, 0, 0, 0x05, 0xdc,                                      /* MTU 1500 */
		3, 4, 64, 0xc0, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0,    /* prefix /64 L A 86400 14400 */
		0xfd, 0x00, 0x01, 0xab, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		25, 3, 0, 0, 0, 0, 0, 180,                                         /* RDNSS, 180 s */
		0xfd, 0x00, 0x01, 0xab, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
		31, 3, 0, 0, 0, 0, 0, 180,                                         /* DNSSL, 180 s, padded */
		3, 'l', 'a', 'b', 4, 't', 'e', 's', 't', 0, 0, 0, 0, 0, 0, 0,
	};
	uint8_t buf[NDP_MAX_PACKET];
	int n = ndp_build_ra(&c, buf, sizeof(buf));

	CHECK_MSG(n == (int)sizeof(want), "%d bytes", n);
	for (unsigned i = 0; n == (int)sizeof(want) && i < sizeof(want); i++)
		CHECK_MSG(buf[i] == want[i], "byte %u: %02x, want %02x", i, buf[i], want[i]);
	/* No RDNSS, DNSSL or MTU when there is none; M and O flags. */
	memset(c.rdnss, 0, sizeof(c.rdnss));
	c.domain = NULL;
	c.mtu = 0;
	c.managed = c.other = true;
	CHECK(ndp_build_ra(&c, buf, sizeof(buf)) == 16 + 8 + 32 && buf[5] == 0xc0);
	CHECK(ndp_build_ra(&c, buf, 40) == -EMSGSIZE);
	c.domain = "bad..name";
	CHECK(ndp_build_ra(&c, buf, sizeof(buf)) == -EINVAL);
}

static void test_rs(void)
{
	uint8_t rs[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

	CHECK(ndp_valid_rs(rs, 16, 255, false));
	CHECK(ndp_valid_rs(rs, 8, 255, true));                  /* no options from :: */
	CHECK(!ndp_valid_rs(rs, 16, 254, false));               /* forwarded: §6.1.1 */
	CHECK(!ndp_valid_rs(rs, 16, -1, false));                /* no hop limit known */
	CHECK(!ndp_valid_rs(rs, 16, 255, true));                /* a source LLA from :: */
	CHECK(!ndp_valid_rs(rs, 7, 255, false));
	CHECK(!ndp_valid_rs(rs, 12, 255, false));               /* option cut short */
	rs[9] = 0;
	CHECK(!ndp_valid_rs(rs, 16, 255, false));               /* zero-length option */
	rs[9] = 1;
	rs[1] = 1;
	CHECK(!ndp_valid_rs(rs, 16, 255, false));               /* code 1 */
	rs[1] = 0;
	rs[0] = 134;
	CHECK(!ndp_valid_rs(rs, 16, 255, false));               /* an RA */
}

int main(void)
{
	test_ra_golden();
	test_rs();
	return T_DONE();
}
