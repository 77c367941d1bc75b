/* The arithmetic of a transfer: option negotiation, block counts, and
 * ACK numbers across the 16-bit roll-over. */
#include "net/tftp/session.h"
#include "t.h"

static void test_negotiate(void)
{
	struct tftp_limits lim = { 1468, 0 };
	struct tftp_params p;

	tftp_negotiate(&(struct tftp_opts){ 0 }, 100, &lim, &p);
	CHECK(!p.send_oack && p.blksize == 512 && p.windowsize == 1 && p.timeout_s == 1);

	tftp_negotiate(&(struct tftp_opts){ .has_blksize = true, .blksize = 65464 }, 100, &lim, &p);
	CHECK(p.send_oack && p.oack.has_blksize && p.oack.blksize == 1468 && p.blksize == 1468);
	tftp_negotiate(&(struct tftp_opts){ .has_blksize = true, .blksize = 512 }, 100, &lim, &p);
	CHECK(p.blksize == 512 && p.oack.blksize == 512);
	tftp_negotiate(&(struct tftp_opts){ .has_blksize = true, .blksize = 7 }, 100, &lim, &p);
	CHECK(!p.send_oack && p.blksize == 512);                      /* below RFC 2348's 8 */
	tftp_negotiate(&(struct tftp_opts){ .has_blksize = true, .blksize = 8 }, 100, &lim, &p);
	CHECK(p.blksize == 8);
	lim.max_blksize = 0;
	tftp_negotiate(&(struct tftp_opts){ .has_blksize = true, .blksize = 99999 }, 100, &lim, &p);
	CHECK(p.blksize == 65464 && p.oack.blksize == 65464);
	lim.max_blksize = 65503;                                      /* MTU 65535 - 32 */
	tftp_negotiate(&(struct tftp_opts){ .has_blksize = true, .blksize = 65464 }, 100, &lim, &p);
	CHECK(p.blksize == 65464);

	tftp_negotiate(&(struct tftp_opts){ .has_tsize = true, .tsize = 0 }, 123, &lim, &p);
	CHECK(p.send_oack && p.oack.has_tsize && p.oack.tsize == 123 && p.blksize == 512);
	tftp_negotiate(&(struct tftp_opts){ .has_timeout = true, .timeout = 0 }, 1, &lim, &p);
	CHECK(!p.send_oack && p.timeout_s == 1);
	tftp_negotiate(&(struct tftp_opts){ .has_timeout = true, .timeout = 256 }, 1, &lim, &p);
	CHECK(!p.send_oack);
	tftp_negotiate(&(struct tftp_opts){ .has_timeout = true, .timeout = 255 }, 1, &lim, &p);
	CHECK(p.send_oack && p.timeout_s == 255 && p.oack.timeout == 255);
	tftp_negotiate(&(struct tftp_opts){ .has_windowsize = true, .windowsize = 1000 }, 1, &lim, &p);
	CHECK(p.windowsize == TFTP_MAX_WINDOW && p.oack.windowsize == TFTP_MAX_WINDOW);
	tftp_negotiate(&(struct tftp_opts){ .has_windowsize = true, .windowsize = 0 }, 1, &lim, &p);
	CHECK(!p.send_oack && p.windowsize == 1);
	tftp_negotiate(&(struct tftp_opts){ .has_windowsize = true, .windowsize = 8, .has_blksize = true,
					    .blksize = 65464 }, 1, &(struct tftp_limits){ 0 }, &p);
	CHECK(p.windowsize == 1 && p.oack.windowsize == 1);             /* 64 KiB a window */
	tftp_negotiate(&(struct tftp_opts){ .has_windowsize = true, .windowsize = 16, .has_blksize = true,
					    .blksize = 8192 }, 1, &(struct tftp_limits){ 0 }, &p);
	CHECK(p.windowsize == 8);
	tftp_negotiate(&(struct tftp_opts){ .has_windowsize = true, .windowsize = 64, .has_blksize = true,
					    .blksize = 1468 }, 1, &lim, &p);
	CHECK(p.windowsize == 44);
	lim.max_window = 4;
	tftp_negotiate(&(struct tftp_opts){ .has_windowsize = true, .windowsize = 8 }, 1, &lim, &p);
	CHECK(p.windowsize == 4);
}

static void test_blocks(void)
{
	CHECK(tftp_nblocks(0, 512) == 1);
	CHECK(tftp_nblocks(511, 512) == 1);
	CHECK(tftp_nblocks(512, 512) == 2);      /* then an empty block */
	CHECK(tftp_nblocks(513, 512) == 2);
	CHECK(tftp_nblocks(40ull << 20, 512) == 81921);
	CHECK(tftp_wire_block(65535) == 65535);
	CHECK(tftp_wire_block(65536) == 0);      /* rolls over to 0 */
	CHECK(tftp_wire_block(65537) == 1);
}

static void test_ack_index(void)
{
	CHECK(tftp_ack_index(0, 1, 1) == 1);
	CHECK(tftp_ack_index(0, 1, 0) == 0);            /* duplicate */
	CHECK(tftp_ack_index(0, 1, 2) == 0);            /* never sent */
	CHECK(tftp_ack_index(5, 13, 13) == 13);         /* a whole window */
	CHECK(tftp_ack_index(5, 13, 9) == 9);           /* part of it */
	CHECK(tftp_ack_index(5, 13, 14) == 0);
	CHECK(tftp_ack_index(5, 13, 4) == 0);           /* old */
	/* across the roll-over: block 65536 is wire 0, 65537 wire 1 */
	CHECK(tftp_ack_index(65535, 65536, 0) == 65536);
	CHECK(tftp_ack_index(65530, 65540, 3) == 65539);
	CHECK(tftp_ack_index(65530, 65540, 65533) == 65533);
	CHECK(tftp_ack_index(65536, 65537, 1) == 65537);
	CHECK(tftp_ack_index(65536, 65537, 0) == 0);    /* duplicate of 65536 */
	CHECK(tftp_ack_index(3 * 65536 + 10, 3 * 65536 + 18, 17) == 3 * 65536 + 17);
}

int main(void)
{
	test_negotiate();
	test_blocks();
	test_ack_index();
	return T_DONE();
}
