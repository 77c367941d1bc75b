/* The TFTP codec against hand-assembled golden bytes (RFC 1350 §5, RFC
 * 2347..2349, RFC 7440), round trips, and malformed input. */
#include <errno.h>
#include <string.h>

#include "net/tftp/codec.h"
#include "t.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ })
#define NBYTES(...) sizeof((const uint8_t[]){ __VA_ARGS__ })
#define PARSE(m, ...) tftp_parse(BYTES(__VA_ARGS__), NBYTES(__VA_ARGS__), m)

/* RRQ "pxelinux.0" octet, blksize 1468, tsize 0, windowsize 8, timeout 3,
 * an unknown option, names in mixed case. */
static const char rrq_opts[] = "\0\1pxelinux.0\0OCTET\0blkSize\0" "1468\0tsize\0" "0\0foo\0bar\0"
			       "WINDOWSIZE\0" "8\0timeout\0" "3";

static void test_rrq(void)
{
	struct tftp_msg m;

	CHECK(tftp_parse((const uint8_t *)rrq_opts, sizeof(rrq_opts), &m) == 0);
	CHECK(m.op == TFTP_RRQ);
	CHECK(!strcmp(m.file, "pxelinux.0"));
	CHECK(m.mode == TFTP_MODE_OCTET);
	CHECK(m.nopts == 5);
	CHECK(m.opt.has_blksize && m.opt.blksize == 1468);
	CHECK(m.opt.has_tsize && m.opt.tsize == 0);
	CHECK(m.opt.has_windowsize && m.opt.windowsize == 8);
	CHECK(m.opt.has_timeout && m.opt.timeout == 3);

	/* plain RFC 1350, netascii */
	CHECK(PARSE(&m, 0, 1, 'a', 0, 'n', 'e', 't', 'a', 's', 'c', 'i', 'i', 0) == 0);
	CHECK(m.mode == TFTP_MODE_NETASCII && m.nopts == 0 && !m.opt.has_blksize);
	CHECK(PARSE(&m, 0, 2, 'a', 0, 'o', 'c', 't', 'e', 't', 0) == 0 && m.op == TFTP_WRQ);
	CHECK(PARSE(&m, 0, 1, 'a', 0, 'x', 0) == 0 && m.mode == TFTP_MODE_OTHER);
	/* a value that is not a number, a duplicate: ignored, the first kept */
	CHECK(PARSE(&m, 0, 1, 'a', 0, 'o', 0, 'b', 'l', 'k', 's', 'i', 'z', 'e', 0, '1', 'x', 0) == 0);
	CHECK(!m.opt.has_blksize);
	CHECK(PARSE(&m, 0, 1, 'a', 0, 'o', 0, 't', 's', 'i', 'z', 'e', 0, '5', 0, 't', 's', 'i', 'z', 'e', 0, '7', 0) == 0);
	CHECK(m.opt.has_tsize && m.opt.tsize == 5);
	CHECK(PARSE(&m, 0, 1, 'a', 0, 'o', 0, 't', 's', 'i', 'z', 'e', 0, 0) == 0 && !m.opt.has_tsize);
	CHECK(PARSE(&m, 0, 1, 'a', 0, 'o', 0, 't', 's', 'i', 'z', 'e', 0, '-', '1', 0) == 0 && !m.opt.has_tsize);
}

static void test_malformed(void)
{
	struct tftp_msg m;
	char longname[300];
	uint8_t buf[400];

	CHECK(tftp_parse(BYTES(0), 1, &m) == -EBADMSG);
	CHECK(tftp_parse(BYTES(0), 0, &m) == -EBADMSG);
	CHECK(PARSE(&m, 0, 7) == -EBADMSG);                         /* opcode 7 */
	CHECK(PARSE(&m, 0, 0) == -EBADMSG);                         /* opcode 0 */
	CHECK(PARSE(&m, 0, 1, 'a', 0, 'o', 'c') == -EBADMSG);       /* mode unterminated */
	CHECK(PARSE(&m, 0, 1, 'a') == -EBADMSG);                    /* name unterminated */
	CHECK(PARSE(&m, 0, 1, 0, 'o', 0) == -EBADMSG);              /* empty name */
	CHECK(PARSE(&m, 0, 1, 'a', 0, 'o', 0, 'x', 0) == -EBADMSG); /* option without value */
	CHECK(PARSE(&m, 0, 1, 'a', 0, 'o', 0, 'x', 0, '1') == -EBADMSG);
	CHECK(PARSE(&m, 0, 4, 0) == -EBADMSG);                      /* short ACK */
	CHECK(PARSE(&m, 0, 3, 0) == -EBADMSG);                      /* short DATA */
	CHECK(PARSE(&m, 0, 5, 0, 1, 'x') == -EBADMSG);              /* ERROR unterminated */
	CHECK(PARSE(&m, 0, 5, 0) == -EBADMSG);
	memset(longname, 'a', sizeof(longname));
	longname[sizeof(longname) - 1] = 0;
	CHECK(tftp_build_request(buf, sizeof(buf), TFTP_RRQ, longname, "octet", NULL) > 0);
	CHECK(tftp_parse(buf, strlen(longname) + 9, &m) == -EBADMSG);   /* name of 299 > 255 */
	longname[TFTP_NAME_MAX - 1] = 0;
	CHECK(tftp_build_request(buf, sizeof(buf), TFTP_RRQ, longname, "octet", NULL) > 0);
	CHECK(tftp_parse(buf, strlen(longname) + 9, &m) == 0);          /* 255: fits */
}

static void test_data_ack_error(void)
{
	static const uint8_t data[] = { 0, 3, 0xff, 0xff, 'h', 'i' };
	struct tftp_msg m;
	uint8_t buf[64];

	CHECK(tftp_parse(data, sizeof(data), &m) == 0);
	CHECK(m.op == TFTP_DATA && m.block == 65535 && m.data_off == 4 && m.data_len == 2);
	CHECK(PARSE(&m, 0, 3, 0, 0) == 0 && m.block == 0 && m.data_len == 0);
	CHECK(PARSE(&m, 0, 4, 0x12, 0x34) == 0 && m.op == TFTP_ACK && m.block == 0x1234);
	CHECK(PARSE(&m, 0, 5, 0, 1, 'n', 'o', 0) == 0 && m.op == TFTP_ERROR && m.error == 1 && !strcmp(m.errmsg, "no"));

	CHECK(tftp_build_ack(buf, sizeof(buf), 0xabcd) == 4 && !memcmp(buf, BYTES(0, 4, 0xab, 0xcd), 4));
	CHECK(tftp_build_data_hdr(buf, sizeof(buf), 1) == 4 && !memcmp(buf, BYTES(0, 3, 0, 1), 4));
	CHECK(tftp_build_error(buf, sizeof(buf), TFTP_EACCESS, "no") == 7);
	CHECK(!memcmp(buf, BYTES(0, 5, 0, 2, 'n', 'o', 0), 7));
	CHECK(tftp_build_error(buf, 6, TFTP_EACCESS, "no") == -EMSGSIZE);
	CHECK(tftp_build_ack(buf, 3, 1) == -EMSGSIZE);
}

static void test_oack(void)
{
	static const char golden[] = "\0\6blksize\0" "1468\0tsize\0" "123456\0windowsize\0" "8";
	struct tftp_opts o = { .has_blksize = true, .blksize = 1468, .has_tsize = true, .tsize = 123456,
			       .has_windowsize = true, .windowsize = 8 };
	struct tftp_msg m;
	uint8_t buf[128];
	int n = tftp_build_oack(buf, sizeof(buf), &o);

	CHECK(n == (int)sizeof(golden));
	CHECK(n > 0 && !memcmp(buf, golden, (size_t)n));
	CHECK(tftp_parse(buf, (size_t)n, &m) == 0 && m.op == TFTP_OACK);
	CHECK(!memcmp(&m.opt, &o, sizeof(o)));
	CHECK(tftp_build_oack(buf, 20, &o) == -EMSGSIZE);
	CHECK(tftp_build_oack(buf, sizeof(buf), &(struct tftp_opts){ 0 }) == 2);
}

int main(void)
{
	test_rrq();
	test_malformed();
	test_data_ack_error();
	test_oack();
	return T_DONE();
}
