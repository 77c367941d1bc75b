/* IPv6 router advertisements for a lab network (RFC 4861 §4.2, §6.2),
 * with the DNS options of RFC 8106 (RDNSS, DNSSL): what makes a guest's
 * kernel configure its address by SLAAC, its default route through the
 * lab host, and its resolver. The codec is pure (unit-tested with golden
 * bytes); the sender (ndp_sender_*) lives in the DHCP worker's event loop
 * on a raw ICMPv6 socket it opened before dropping root. */
#ifndef LAB_NDP_H
#define LAB_NDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/core/loop.h"

#define NDP_RS 133
#define NDP_RA 134

/* RFC 4861 §6.2.1 defaults, scaled for a lab: guests boot often and
 * should not wait minutes for a router; an unsolicited RA every 30-60 s
 * keeps a guest that missed one from waiting long. */
#define NDP_MAX_INTERVAL_S 60
#define NDP_MIN_INTERVAL_S 30
#define NDP_ROUTER_LIFETIME_S 1800
/* §10: the first few unsolicited ones come faster; answers to
 * solicitations are at most one per this many ms (MIN_DELAY_BETWEEN_RAS). */
#define NDP_INITIAL_INTERVAL_S 16
#define NDP_INITIAL_COUNT 3
#define NDP_MIN_DELAY_MS 3000
#define NDP_PREFIX_VALID_S 86400
#define NDP_PREFIX_PREFERRED_S 14400
/* RFC 8106 §5.1: at least 3 x MaxRtrAdvInterval. */
#define NDP_DNS_LIFETIME_S (3 * NDP_MAX_INTERVAL_S)
#define NDP_MAX_PACKET 1280

struct ndp_config {
	uint8_t mac[6];              /* the bridge's: the source link-layer option */
	uint8_t prefix[16];          /* the /64 guests configure themselves in */
	uint8_t rdnss[16];           /* the DNS server; all zero: none */
	const char *domain;          /* DNSSL; NULL or "": none */
	unsigned mtu;                /* 0: no MTU option */
	bool managed, other;         /* the M and O flags (DHCPv6) */
};

/* The RA for c into buf: its length, or -EMSGSIZE / -EINVAL (a domain
 * that is not a name). The checksum is left 0: the kernel fills it for
 * raw ICMPv6 sockets (RFC 3542 §3.1). */
int ndp_build_ra(const struct ndp_config *c, uint8_t *buf, size_t size);

/* A router solicitation worth answering (RFC 4861 §6.1.1): ICMP type 133,
 * code 0, hop limit 255 (never forwarded), at least 8 bytes, every option
 * of non-zero length within the packet, and no source link-layer option
 * when the source is the unspecified address. */
bool ndp_valid_rs(const uint8_t *pkt, size_t len, int hop_limit, bool from_unspecified);

/* The sender: unsolicited RAs on a timer, and answers to solicitations
 * no closer than NDP_MIN_DELAY_MS. */
struct ndp_sender {
	struct ndp_config c;
	int fd, ifindex;
	struct loop *loop;
	struct loop_timer timer;
	uint8_t ra[NDP_MAX_PACKET];
	int ra_len;
	unsigned sent, solicited;
	uint64_t last_ms;
	bool answer_due;             /* a solicitation waits for the next slot */
};

/* Opens the raw socket on ifindex (needs CAP_NET_RAW: call it before the
 * worker drops root) and builds the RA. 0 or -errno. */
int ndp_sender_open(struct ndp_sender *s, const struct ndp_config *c, int ifindex);
/* Registers with the loop and sends the first RA. */
int ndp_sender_start(struct ndp_sender *s, struct loop *l);
void ndp_sender_close(struct ndp_sender *s);

#endif
