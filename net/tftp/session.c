/* See session.h. */
#include "net/tftp/session.h"

#include <string.h>

static uint64_t cap(uint64_t v, uint64_t max)
{
	return v > max ? max : v;
}

void tftp_negotiate(const struct tftp_opts *req, uint64_t size, const struct tftp_limits *lim,
		    struct tftp_params *out)
{
	uint64_t max_blk = lim->max_blksize ? cap(lim->max_blksize, TFTP_MAX_BLKSIZE) : TFTP_MAX_BLKSIZE;
	uint64_t max_win = lim->max_window ? cap(lim->max_window, TFTP_MAX_WINDOW) : TFTP_MAX_WINDOW;
	struct tftp_opts *a = &out->oack;

	memset(out, 0, sizeof(*out));
	out->blksize = TFTP_DEFAULT_BLKSIZE;
	out->windowsize = 1;
	out->timeout_s = TFTP_DEFAULT_TIMEOUT_S;
	if (req->has_blksize && req->blksize >= TFTP_MIN_BLKSIZE) {
		a->has_blksize = true;
		a->blksize = cap(req->blksize, max_blk < TFTP_MIN_BLKSIZE ? TFTP_MIN_BLKSIZE : max_blk);
		out->blksize = (uint32_t)a->blksize;
	}
	if (req->has_timeout && req->timeout >= 1 && req->timeout <= TFTP_MAX_TIMEOUT_S) {
		a->has_timeout = true;
		a->timeout = req->timeout;
		out->timeout_s = (uint32_t)req->timeout;
	}
	if (req->has_tsize) {
		a->has_tsize = true;
		a->tsize = size;
	}
	if (req->has_windowsize && req->windowsize >= 1) {
		if (max_win > TFTP_WINDOW_BYTES / out->blksize)
			max_win = TFTP_WINDOW_BYTES / out->blksize ? TFTP_WINDOW_BYTES / out->blksize : 1;
		a->has_windowsize = true;
		a->windowsize = cap(req->windowsize, max_win);
		out->windowsize = (uint32_t)a->windowsize;
	}
	out->send_oack = a->has_blksize || a->has_timeout || a->has_tsize || a->has_windowsize;
}

uint64_t tftp_nblocks(uint64_t size, uint32_t blksize)
{
	return size / blksize + 1;
}

uint64_t tftp_ack_index(uint64_t acked, uint64_t sent, uint16_t wire)
{
	uint64_t delta = (uint16_t)(wire - tftp_wire_block(acked));

	if (!delta || delta > sent - acked)
		return 0;
	return acked + delta;
}
