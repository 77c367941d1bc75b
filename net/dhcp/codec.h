/* The DHCP message codec (RFC 2131, RFC 2132, RFC 3396): a pure parser into
 * typed fields and a bounded option writer. No sockets, clocks or globals. */
#ifndef LAB_DHCP_CODEC_H
#define LAB_DHCP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

#define DHCP_MIN_LEN 240            /* fixed header 236 + magic cookie */
#define DHCP_BOOTP_MIN_LEN 300      /* RFC 1542 §2.1: the smallest message we send */
/* The largest message a UDP datagram can carry (65535 - IPv4 20 - UDP 8). */
#define DHCP_MAX_LEN 65507

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define DHCP_HTYPE_ETHER 1
#define DHCP_FLAG_BROADCAST 0x8000  /* RFC 2131 §2, figure 2 */

enum dhcp_msg_type {
	DHCPDISCOVER = 1,
	DHCPOFFER,
	DHCPREQUEST,
	DHCPDECLINE,
	DHCPACK,
	DHCPNAK,
	DHCPRELEASE,
	DHCPINFORM,
};

/* Option codes this codec knows (RFC 2132 unless noted). */
enum dhcp_opt {
	DHCP_OPT_PAD = 0,
	DHCP_OPT_SUBNET_MASK = 1,
	DHCP_OPT_ROUTER = 3,
	DHCP_OPT_DNS = 6,
	DHCP_OPT_HOST_NAME = 12,
	DHCP_OPT_DOMAIN_NAME = 15,
	DHCP_OPT_MTU = 26,
	DHCP_OPT_BROADCAST = 28,
	DHCP_OPT_REQUESTED_IP = 50,
	DHCP_OPT_LEASE_TIME = 51,
	DHCP_OPT_OVERLOAD = 52,
	DHCP_OPT_MSG_TYPE = 53,
	DHCP_OPT_SERVER_ID = 54,
	DHCP_OPT_PRL = 55,
	DHCP_OPT_MESSAGE = 56,
	DHCP_OPT_MAX_SIZE = 57,
	DHCP_OPT_T1 = 58,
	DHCP_OPT_T2 = 59,
	DHCP_OPT_VENDOR_CLASS = 60,
	DHCP_OPT_CLIENT_ID = 61,
	DHCP_OPT_TFTP_SERVER = 66,
	DHCP_OPT_BOOTFILE = 67,
	DHCP_OPT_USER_CLASS = 77,   /* RFC 3004 */
	DHCP_OPT_RAPID_COMMIT = 80, /* RFC 4039 */
	DHCP_OPT_AGENT_INFO = 82,   /* RFC 3046 */
	DHCP_OPT_CLIENT_ARCH = 93,  /* RFC 4578 §2.1 */
	DHCP_OPT_CLIENT_NDI = 94,   /* RFC 4578 §2.2 */
	DHCP_OPT_CLIENT_UUID = 97,  /* RFC 4578 §2.3 */
	DHCP_OPT_IPXE = 175,        /* iPXE's encapsulated options (its own, not IANA's) */
	DHCP_OPT_END = 255,
};

/* The BOOTP 'file' header field (RFC 951): a boot file name of at most
 * 127 octets and its NUL. */
#define DHCP_FILE_MAX 127

/* Option overload values (RFC 2132 §9.3). */
#define DHCP_OVERLOAD_FILE 1
#define DHCP_OVERLOAD_SNAME 2

/*
 * A message parsed once into typed fields. Addresses are in host byte order,
 * like lib/core/addr.h. The header fields mirror RFC 2131 §2, figure 1; 'sname'
 * and 'file' are not kept (a client's are meaningless to a server; a reply's
 * 'file' is written by dhcp_build_file()).
 */
struct dhcp_msg {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];

	uint8_t type;                      /* 53, 0 if absent (plain BOOTP) */
	bool has_requested_ip;
	uint32_t requested_ip;             /* 50 */
	bool has_server_id;
	uint32_t server_id;                /* 54 */
	bool has_lease_time;
	uint32_t lease_time;               /* 51, seconds; 0xffffffff = infinite */
	bool has_t1, has_t2;
	uint32_t t1, t2;                   /* 58, 59; T1 < T2 < lease is the caller's check */
	bool has_netmask;
	uint32_t netmask;                  /* 1, contiguous masks only */
	uint32_t routers[4];
	unsigned nrouters;                 /* 3, the first 4 kept */
	uint32_t dns[4];
	unsigned ndns;                     /* 6, the first 4 kept */
	bool has_broadcast;
	uint32_t broadcast;                /* 28 */
	uint16_t mtu;
	bool has_mtu;                      /* 26, value >= 68 */
	uint16_t max_size;                 /* 57, 0 if absent or < 576 */
	char hostname[64];                 /* 12, RFC 1123 name <= 63; empty if absent or invalid */
	char domain[256];                  /* 15, RFC 1123 name <= 253, no trailing dot; same */
	uint8_t client_id[255];            /* 61, 2..255 octets: RFC 4361 DUID ids reach 135 */
	uint8_t client_id_len;
	uint8_t prl[64];                   /* 55, the first 64 codes kept */
	uint8_t prl_len;
	char message[128];                 /* 56, truncated, non-printable octets shown as '?' */
	bool rapid_commit;                 /* 80 */
	uint8_t agent_info[255];           /* 82, echoed verbatim by a server (RFC 3046 §2.2) */
	uint8_t agent_info_len;
	uint8_t overload;                  /* 52 as received: 0 or DHCP_OVERLOAD_* bits */
	/* What a netbooting client says it is (RFC 4578, RFC 3004, iPXE) */
	bool has_arch;
	uint16_t arch;                     /* 93, the first type of the list (an IANA "Processor
					      Architecture Type": 0 BIOS, 7 x64 UEFI, ...) */
	bool has_ndi;
	uint8_t ndi[3];                    /* 94: type 1, UNDI major, minor */
	bool has_uuid;
	uint8_t uuid[17];                  /* 97: type 0, then the 16-octet machine UUID */
	char vendor_class[128];            /* 60, truncated, non-printable octets shown as '?' */
	char user_class[64];               /* 77, the first class (either form), as vendor_class */
	bool ipxe;                         /* 175 present: iPXE is asking */
};

/*
 * Parses a DHCP message (the UDP payload). Returns 0, or -EBADMSG with *out
 * zeroed. The rules, with their reasons:
 *  - framing: shorter than DHCP_MIN_LEN, a cookie other than 99.130.83.99
 *    (RFC 2131 §3), op other than BOOTREQUEST/BOOTREPLY (RFC 951), or
 *    hlen > 16 (chaddr is 16 octets, RFC 2131 §2) is rejected;
 *  - options are walked per field with a cursor that cannot step past the
 *    field: an option whose length octet or value runs past it is rejected.
 *    A field may end without END when all it held were whole options and
 *    pads (Postel; RFC 2131 §4.1 asks for END). Octets after END are ignored
 *    (RFC 2132 §3.2 asks only that they "should" be pads);
 *  - option overload (52) is honoured only in the options field, where RFC
 *    2131 §4.1 says it MUST appear; it must be 1 octet valued 1..3 (RFC 2132
 *    §9.3). Then 'file' and/or 'sname' are walked once each, in the fixed
 *    order options, file, sname (RFC 3396 §5); a 52 inside them is ignored,
 *    so no loop is possible;
 *  - every instance of a known option, in any field, is concatenated before
 *    decoding (RFC 3396 §7). Duplicates of a fixed-size option therefore
 *    make it the wrong length, and the message is rejected;
 *  - a known option whose (concatenated) length is wrong is rejected:
 *    exact lengths for fixed-size options (zero-length included), a
 *    multiple of 4 for address lists, at least 1 for 55, 2..255 for 61 and
 *    82 (RFC 2132 §9.14, RFC 3046 §2.0; identifiers are never truncated),
 *    0 for 80 (RFC 4039 §4);
 *  - a well-formed option with an unusable value is dropped, the message
 *    kept: 26 below 68 (RFC 2132 §5.1), 57 below 576 (§9.10), a
 *    non-contiguous mask, a 53 of value 0, a host or domain name that is
 *    not an RFC 1123 §2.1 name or does not fit its field. Trailing NULs of
 *    text options are deleted first (RFC 2132 §2);
 *  - the boot hints 60, 77, 93, 94, 97 and 175 only choose a boot file, so
 *    a wrong one is dropped, never the message (a firmware's odd option
 *    must not cost it its address): 93 a non-empty list of 16-bit types
 *    (the first kept), 94 exactly 3 octets with type 1, 97 exactly 17
 *    with type 0 (RFC 4578 §2.1-2.3), 60 and 77 at least 1 octet. 77 is
 *    RFC 3004 §2 (length-prefixed classes, the first kept) when its
 *    octets parse that way exactly, else one plain string as iPXE and
 *    older clients send it ("iPXE"). Only 175's presence is kept;
 *  - unknown options are skipped.
 */
int dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_msg *out);

/*
 * Builder: an option writer over a caller buffer that never writes past its
 * end. Errors are sticky and reported once, by dhcp_build_finish(): 'overflow'
 * (-ENOSPC) when something did not fit, 'invalid' (-EINVAL) for a header or
 * option this codec's parser would reject (op not 1/2, hlen > 16, writing code
 * PAD or END as an option). One octet is always kept free for END. Values
 * longer than 255 octets are split into consecutive instances (RFC 3396 §6).
 * Only the options field is written; no overload.
 */
struct dhcp_builder {
	uint8_t *buf;
	size_t size, len;
	bool overflow;
	bool invalid;
};

/* Writes the fixed header from hdr (op, htype, hlen, hops, xid, secs, flags,
 * ciaddr, yiaddr, siaddr, giaddr, chaddr; sname and file zeroed) and the
 * cookie. size is capped at DHCP_MAX_LEN. */
void dhcp_build_init(struct dhcp_builder *b, uint8_t *buf, size_t size, const struct dhcp_msg *hdr);
void dhcp_opt_u8(struct dhcp_builder *b, uint8_t code, uint8_t v);
void dhcp_opt_u16(struct dhcp_builder *b, uint8_t code, uint16_t v);
void dhcp_opt_u32(struct dhcp_builder *b, uint8_t code, uint32_t v);
void dhcp_opt_ip(struct dhcp_builder *b, uint8_t code, uint32_t ip);
/* n == 0 writes nothing: an empty address list is not a valid option. */
void dhcp_opt_ips(struct dhcp_builder *b, uint8_t code, const uint32_t *ips, unsigned n);
/* len 0 writes a zero-length option (RFC 4039's rapid commit); data may then be NULL. */
void dhcp_opt_bytes(struct dhcp_builder *b, uint8_t code, const void *data, size_t len);
/* Without the NUL: RFC 2132 §2 says text options SHOULD NOT carry one. */
void dhcp_opt_str(struct dhcp_builder *b, uint8_t code, const char *s);
/* Writes the BOOTP 'file' header field (RFC 951; RFC 2131 §2: "boot file
 * name"), NUL-padded; a name over DHCP_FILE_MAX octets is 'invalid'. Call
 * after dhcp_build_init(). */
void dhcp_build_file(struct dhcp_builder *b, const char *file);
/* Writes END and pads with zeros (PAD) to DHCP_BOOTP_MIN_LEN (RFC 1542 §2.1;
 * some clients drop shorter replies). Returns the message length, -ENOSPC or
 * -EINVAL. Call once. A server sizes the buffer from the client's 57
 * (max_size - 28 for IP and UDP) or 548 = 576 - 28 by default (RFC 2131 §2). */
int dhcp_build_finish(struct dhcp_builder *b);

bool dhcp_prl_has(const struct dhcp_msg *m, uint8_t code);
/* "DHCPDISCOVER".."DHCPINFORM", "BOOTP" for 0, "UNKNOWN" otherwise. */
const char *dhcp_type_name(uint8_t type);

#endif
