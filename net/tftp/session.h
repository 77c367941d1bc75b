/* The arithmetic of one transfer, without I/O: which options the server
 * acknowledges (RFC 2347..2349, RFC 7440), how many blocks a file takes,
 * and where a 16-bit ACK number lands in a transfer that may be longer than
 * 65535 blocks (the number rolls over to 0, as tftp-hpa, dnsmasq and the
 * clients that support big files do; RFC 1350 leaves it unsaid). */
#ifndef LAB_TFTP_SESSION_H
#define LAB_TFTP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "net/tftp/codec.h"

#define TFTP_DEFAULT_TIMEOUT_S 1     /* without the timeout option */
#define TFTP_MAX_TIMEOUT_S 255       /* RFC 2349 §1: 1..255 */
#define TFTP_MAX_WINDOW 64           /* RFC 7440 lets the server answer less than asked */
/* ...and the octets of a window are capped too: a burst must fit the
 * client's receive buffer (Linux's default is 208 KiB of skb truesize, and
 * a 64 KiB datagram takes twice its size there): a window of 4 blocks of
 * 65464 was seen to lose its last blocks on every window with atftp,
 * 0.2 MB/s. 64 KiB: 44 blocks of 1468, 8 of 8192, 1 of 65464. */
#define TFTP_WINDOW_BYTES 65536

struct tftp_limits {
	uint32_t max_blksize;        /* the path's limit (the bridge MTU - 32); 0: TFTP_MAX_BLKSIZE */
	uint32_t max_window;         /* 0: TFTP_MAX_WINDOW */
};

/* What a transfer runs with, and the OACK that says so. */
struct tftp_params {
	uint32_t blksize, windowsize, timeout_s;
	struct tftp_opts oack;       /* the options acknowledged; none: no OACK, DATA 1 at once */
	bool send_oack;
};

/* The server's answer to a read request's options, for a file of size
 * octets: blksize below 8 is not acknowledged (512 stays), above the limit
 * it is lowered to the limit (RFC 2348 §2 lets the server answer less);
 * timeout outside 1..255 is not acknowledged; tsize is answered with the
 * size (RFC 2349 §2); windowsize 0 is not acknowledged, above the limit it
 * is lowered, to at most TFTP_WINDOW_BYTES of blocks (at least one). */
void tftp_negotiate(const struct tftp_opts *req, uint64_t size, const struct tftp_limits *lim,
		    struct tftp_params *out);

/* Blocks a file of size octets takes: the last one is shorter than blksize,
 * possibly empty (RFC 1350 §6). */
uint64_t tftp_nblocks(uint64_t size, uint32_t blksize);

/* The 16-bit block number of block index idx (1 = the first). */
static inline uint16_t tftp_wire_block(uint64_t idx)
{
	return (uint16_t)idx;
}

/* The index an ACK of wire number wire acknowledges, given that blocks up
 * to acked are acknowledged and up to sent were sent: a number in
 * (acked, sent]; else 0 (a duplicate or a number never sent: ignored,
 * which also keeps the Sorcerer's Apprentice syndrome away, RFC 1123
 * §4.2.3.1). */
uint64_t tftp_ack_index(uint64_t acked, uint64_t sent, uint16_t wire);

#endif
