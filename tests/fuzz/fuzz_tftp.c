/* libFuzzer target: arbitrary bytes as a TFTP packet; what parses must
 * survive a builder round trip (a request, an OACK, an ACK, an ERROR), the
 * server's negotiation must stay inside its limits, and the name must
 * clean to a path without "..". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/tftp/codec.h"
#include "net/tftp/path.h"
#include "net/tftp/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const struct tftp_msg *m)
{
	static const char *const modes[] = { "x", "octet", "netascii", "mail" };
	static uint8_t buf[TFTP_NAME_MAX + 256];
	static struct tftp_msg again;
	struct tftp_limits lim = { m->file[0] % 2 ? 1468 : 0, 0 };
	struct tftp_params p;
	char rel[TFTP_NAME_MAX];
	int n = tftp_build_request(buf, sizeof(buf), m->op, m->file, modes[m->mode], &m->opt);

	if (n < 0 || tftp_parse(buf, (size_t)n, &again) < 0 || strcmp(again.file, m->file) ||
	    again.mode != m->mode || memcmp(&again.opt, &m->opt, sizeof(m->opt)))
		abort();
	tftp_negotiate(&m->opt, m->opt.tsize, &lim, &p);
	if (p.blksize < TFTP_MIN_BLKSIZE || p.blksize > TFTP_MAX_BLKSIZE || (lim.max_blksize && p.blksize > 1468) ||
	    p.windowsize < 1 || p.windowsize > TFTP_MAX_WINDOW || p.timeout_s < 1 || p.timeout_s > 255)
		abort();
	if (tftp_path_clean(m->file, rel, sizeof(rel)) == 0 &&
	    (rel[0] == '/' || !strcmp(rel, "..") || !strncmp(rel, "../", 3) || strstr(rel, "/../") ||
	     (strlen(rel) >= 3 && !strcmp(rel + strlen(rel) - 3, "/..")) || strstr(rel, "//")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tftp_msg m, again;
	static uint8_t buf[TFTP_PACKET_MAX];
	int n = -1;

	if (tftp_parse(data, size, &m) < 0)
		return 0;
	switch (m.op) {
	case TFTP_RRQ:
	case TFTP_WRQ:
		check_request(&m);
		return 0;
	case TFTP_OACK:
		n = tftp_build_oack(buf, sizeof(buf), &m.opt);
		break;
	case TFTP_ACK:
		n = tftp_build_ack(buf, sizeof(buf), m.block);
		break;
	case TFTP_ERROR:
		n = tftp_build_error(buf, sizeof(buf), (enum tftp_errcode)m.error, m.errmsg);
		break;
	case TFTP_DATA:
		if (m.data_off != 4 || m.data_off + m.data_len != size)
			abort();
		return 0;
	}
	if (n < 0 || tftp_parse(buf, (size_t)n, &again) < 0 || again.op != m.op || again.block != m.block ||
	    again.error != m.error || memcmp(&again.opt, &m.opt, sizeof(m.opt)))
		abort();
	(void)tftp_op_name(m.op);
	(void)tftp_nblocks(m.opt.tsize, m.opt.blksize % 65464 + 8);
	(void)tftp_ack_index(m.opt.tsize, m.opt.tsize + m.opt.windowsize % 64, m.block);
	return 0;
}
