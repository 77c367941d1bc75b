/* The DNS message codec (RFC 1035, RFC 1034): a pure cursor parser for
 * queries and for the header and question of responses, names in wire form
 * compared case-insensitively, and a bounded response builder. No sockets,
 * clocks or globals. */
#ifndef LAB_DNS_CODEC_H
#define LAB_DNS_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_PORT 53
#define DNS_HDR_LEN 12             /* RFC 1035 §4.1.1 */
#define DNS_MAX_NAME 255           /* octets in wire form, root included (§2.3.4) */
#define DNS_MAX_LABEL 63           /* §2.3.4 */
#define DNS_UDP_MAX 512            /* a UDP message without EDNS (§2.3.4, §4.2.1) */
#define DNS_TCP_MAX 65535          /* the 2-octet length prefix (§4.2.2, RFC 7766 §8) */

/* Header flag bits in the second 16-bit word, RFC 1035 §4.1.1. */
#define DNS_F_QR 0x8000
#define DNS_F_OPCODE 0x7800
#define DNS_F_AA 0x0400
#define DNS_F_TC 0x0200
#define DNS_F_RD 0x0100
#define DNS_F_RA 0x0080
#define DNS_F_RCODE 0x000f

#define DNS_OPCODE_QUERY 0

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
};

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_AAAA = 28,        /* RFC 3596 */
	DNS_TYPE_IXFR = 251,       /* RFC 1995 */
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_ANY = 255,        /* QTYPE "*" */
};

#define DNS_CLASS_IN 1

/* A domain name in uncompressed wire form: length-prefixed labels ending
 * with the zero-length root label; len counts that final zero octet. */
struct dns_name {
	uint8_t wire[DNS_MAX_NAME];
	uint8_t len;
	uint8_t nlabels;           /* not counting the root */
};

struct dns_header {
	uint16_t id, flags;
	uint16_t qdcount, ancount, nscount, arcount;
};

struct dns_question {
	struct dns_name name;      /* as received: the case is echoed back (RFC 4343 §4) */
	uint16_t qtype, qclass;
};

struct dns_msg {
	struct dns_header h;
	bool has_question;         /* h.qdcount == 1 and the question parsed */
	struct dns_question q;
	size_t qend;               /* offset just past the question */
};

/*
 * Parses a query. Returns:
 *  - a negative errno: drop it, nothing to answer (shorter than a header,
 *    or QR set: a response must never be answered, or two servers loop);
 *  - DNS_RCODE_NOTIMP: an opcode other than QUERY (RFC 1035 §4.1.1);
 *  - DNS_RCODE_FORMERR: QDCOUNT other than 1 (RFC 9619, which updates RFC
 *    1035 §4.1.2), or a question name that does not parse (dns_read_name)
 *    or that ends short of QTYPE and QCLASS;
 *  - DNS_RCODE_NOERROR (0): m->q holds the question.
 * With a positive result m->h is valid and m->has_question is false, so a
 * header-only error can be built. What follows the question (EDNS OPT,
 * other records) is not parsed.
 */
int dns_parse_query(const uint8_t *buf, size_t len, struct dns_msg *m);

/* Parses the header and the one question of a response (QR set, QDCOUNT 1),
 * for matching it to a query. Returns 0 or -EBADMSG. */
int dns_parse_response(const uint8_t *buf, size_t len, struct dns_msg *m);

/*
 * Reads the name at *pos into out and moves *pos past it. Returns 0 or
 * -EBADMSG. Rules: a label is at most 63 octets and the name at most 255
 * (RFC 1035 §2.3.4); label types 01 and 10 are rejected (RFC 6891 §5);
 * a compression pointer (§4.1.4) must point inside the message, past the
 * header, and strictly before the start of the run of labels that contains
 * it, so every jump goes backwards to a new lowest offset and no loop is
 * possible; nothing is read past len.
 */
int dns_read_name(const uint8_t *buf, size_t len, size_t *pos, struct dns_name *out);

/* "vm1.lab" or "vm1.lab." (and "." or "" for the root) to wire form: labels
 * of 1..63 octets, 255 in all; no escapes. Returns 0 or -EINVAL. */
int dns_name_from_text(struct dns_name *n, const char *text);
/* label (1..63 octets) prepended to zone. Returns 0 or -EINVAL. */
int dns_name_join(struct dns_name *out, const char *label, size_t label_len,
		  const struct dns_name *zone);
/* Presentation form for logs, with "\DDD" for octets that are not
 * printable and "\." for a dot inside a label (RFC 4343 §2.1). */
void dns_name_to_text(const struct dns_name *n, char *buf, size_t size);
/* ASCII case-insensitive equality (RFC 4343 §2). */
bool dns_name_equal(const struct dns_name *a, const struct dns_name *b);
/* How many labels n has below zone (0: n is zone), or -1 if n is not in it. */
int dns_name_depth_in(const struct dns_name *n, const struct dns_name *zone);
/* The first label of n (n->nlabels >= 1); *p points into n->wire. */
void dns_name_first_label(const struct dns_name *n, const uint8_t **p, uint8_t *len);

/*
 * A name under in-addr.arpa (RFC 1035 §3.5): the decimal octet labels right
 * before "in-addr.arpa" (up to 4, no leading zeros) in *octets, their value
 * in *addr as an address (a prefix of *octets * 8 bits, the rest zero),
 * and the number of labels further left in *extra. Returns 0, or -EINVAL
 * when n is not under in-addr.arpa.
 */
int dns_name_reverse4(const struct dns_name *n, uint32_t *addr, unsigned *octets, unsigned *extra);
/* The same for N.N.....ip6.arpa (RFC 3596 §2.5): the leading nibbles into
 * addr (the rest zero), their count, and the labels left of them. */
int dns_name_reverse6(const struct dns_name *n, uint8_t addr[16], unsigned *nibbles, unsigned *extra);

/*
 * Response builder over a caller buffer that never writes past its end.
 * Records are written whole or not at all: a record that does not fit sets
 * TC (RFC 1035 §4.1.1; §4.2.1 for UDP) and the ones after it are skipped.
 */
struct dns_builder {
	uint8_t *buf;
	size_t size, len;
	uint16_t ancount;
	bool question;             /* a question was written, at offset 12 */
	bool truncated;
	bool overflow;             /* not even the header and question fitted */
};

/* The header (ID, opcode and RD copied from the query; QR set; flags may add
 * DNS_F_AA and DNS_F_RA), then the question when q->has_question. */
void dns_build_reply(struct dns_builder *b, uint8_t *buf, size_t size, const struct dns_msg *q,
		     uint8_t rcode, uint16_t flags);
/* Answer records owned by the question's name, through a compression
 * pointer to it (RFC 1035 §4.1.4); only after a question was written. */
void dns_add_a(struct dns_builder *b, uint32_t ttl, uint32_t addr);
void dns_add_ptr(struct dns_builder *b, uint32_t ttl, const struct dns_name *target);
void dns_add_aaaa(struct dns_builder *b, uint32_t ttl, const uint8_t addr[16]);
/* Fills in ANCOUNT; returns the message length, or -ENOSPC. */
int dns_build_finish(struct dns_builder *b);

/* The ID of a message of at least 2 octets, and rewriting it in place. */
uint16_t dns_get_id(const uint8_t *buf);
void dns_set_id(uint8_t *buf, uint16_t id);

const char *dns_rcode_name(unsigned rcode);

#endif
