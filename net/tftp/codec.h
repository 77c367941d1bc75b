/* TFTP packets: RFC 1350 (RRQ, WRQ, DATA, ACK, ERROR) with the option
 * extension of RFC 2347 (OACK) and the options the server knows: blksize
 * (RFC 2348), timeout and tsize (RFC 2349), windowsize (RFC 7440). A pure
 * parser into a typed struct and builders into caller buffers: no sockets,
 * clocks or globals, so unit tests and the fuzz target drive them directly.
 *
 * Rejected by tftp_parse (-EBADMSG), each rule from RFC 1350 §5 / RFC 2347:
 * a packet shorter than its opcode's fixed part; an opcode outside 1..6; a
 * request whose file name or mode is not NUL-terminated inside the packet,
 * or whose file name is empty or longer than TFTP_NAME_MAX - 1; an option
 * name without its NUL-terminated value; an ERROR whose message is not
 * NUL-terminated. Options the server does not know are skipped (RFC 2347:
 * "unrecognized options are ignored"), and so is a known option whose value
 * is not a decimal number below 2^63 or that was already given. */
#ifndef LAB_TFTP_CODEC_H
#define LAB_TFTP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFTP_PORT 69
#define TFTP_HDR_LEN 4                 /* opcode + block number */
#define TFTP_DEFAULT_BLKSIZE 512       /* RFC 1350 */
#define TFTP_MIN_BLKSIZE 8             /* RFC 2348 */
#define TFTP_MAX_BLKSIZE 65464         /* RFC 2348 §2 */
#define TFTP_NAME_MAX 256              /* file name with its NUL */
#define TFTP_ERRMSG_MAX 128
/* The largest packet either side sends: a DATA of the largest block. */
#define TFTP_PACKET_MAX (TFTP_HDR_LEN + TFTP_MAX_BLKSIZE)

enum tftp_op { TFTP_RRQ = 1, TFTP_WRQ = 2, TFTP_DATA = 3, TFTP_ACK = 4, TFTP_ERROR = 5, TFTP_OACK = 6 };

/* RFC 1350 §5 and RFC 2347 (8). */
enum tftp_errcode {
	TFTP_EUNDEF = 0, TFTP_ENOTFOUND = 1, TFTP_EACCESS = 2, TFTP_ENOSPACE = 3,
	TFTP_EBADOP = 4, TFTP_EBADID = 5, TFTP_EEXISTS = 6, TFTP_ENOUSER = 7, TFTP_EOPTNEG = 8,
};

enum tftp_mode { TFTP_MODE_OTHER, TFTP_MODE_OCTET, TFTP_MODE_NETASCII, TFTP_MODE_MAIL };

/* The options of a request or an OACK; has_* says which were present. */
struct tftp_opts {
	bool has_blksize, has_timeout, has_tsize, has_windowsize;
	uint64_t blksize, timeout, tsize, windowsize;
};

struct tftp_msg {
	enum tftp_op op;
	/* RRQ, WRQ */
	char file[TFTP_NAME_MAX];
	enum tftp_mode mode;
	/* RRQ, WRQ, OACK */
	struct tftp_opts opt;
	unsigned nopts;                     /* options seen, known or not */
	/* DATA, ACK */
	uint16_t block;
	/* DATA: the payload, as an offset and a length into the packet parsed */
	size_t data_off, data_len;
	/* ERROR */
	uint16_t error;
	char errmsg[TFTP_ERRMSG_MAX];       /* truncated to fit */
};

/* 0, or -EBADMSG for the reasons in this file's opening comment. */
int tftp_parse(const uint8_t *pkt, size_t len, struct tftp_msg *m);

/* The builders return the packet's length, or -EMSGSIZE when it does not
 * fit in size. */
int tftp_build_request(uint8_t *buf, size_t size, enum tftp_op op, const char *file, const char *mode,
		       const struct tftp_opts *o);
int tftp_build_oack(uint8_t *buf, size_t size, const struct tftp_opts *o);
/* The 4-octet DATA header; the caller puts the payload after it. */
int tftp_build_data_hdr(uint8_t *buf, size_t size, uint16_t block);
int tftp_build_ack(uint8_t *buf, size_t size, uint16_t block);
int tftp_build_error(uint8_t *buf, size_t size, enum tftp_errcode code, const char *msg);

const char *tftp_op_name(unsigned op);

#endif
