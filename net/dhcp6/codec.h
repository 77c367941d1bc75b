/* The DHCPv6 message codec (RFC 8415): a pure parser of client/server
 * messages into typed fields and a builder from the same struct. No
 * sockets, clocks or globals. Relay messages (§9) are not handled: the
 * server answers its own link only. */
#ifndef LAB_DHCP6_CODEC_H
#define LAB_DHCP6_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547
#define DHCP6_HDR_LEN 4              /* msg-type, transaction-id (§8) */
#define DHCP6_DUID_MAX 130           /* type code + at most 128 octets (§11.1) */
/* What one message keeps; more of a kind are ignored (bounded struct). */
#define DHCP6_IA_MAX 4               /* IA_NA options per message */
#define DHCP6_IA_ADDRS_MAX 4         /* IAADDR options per IA_NA */
#define DHCP6_ORO_MAX 32
#define DHCP6_DNS_MAX 4
#define DHCP6_DOMAINS_MAX 4
#define DHCP6_DOMAIN_LEN 254         /* dotted text of a 255-octet wire name, + NUL */
#define DHCP6_STATUS_MSG_LEN 64

enum dhcp6_type {
	DHCP6_SOLICIT = 1,
	DHCP6_ADVERTISE,
	DHCP6_REQUEST,
	DHCP6_CONFIRM,
	DHCP6_RENEW,
	DHCP6_REBIND,
	DHCP6_REPLY,
	DHCP6_RELEASE,
	DHCP6_DECLINE,
	DHCP6_RECONFIGURE,
	DHCP6_INFORMATION_REQUEST,
};

/* Option codes (§21; 23, 24 from RFC 3646). */
enum dhcp6_opt {
	DHCP6_OPT_CLIENTID = 1,
	DHCP6_OPT_SERVERID = 2,
	DHCP6_OPT_IA_NA = 3,
	DHCP6_OPT_IAADDR = 5,
	DHCP6_OPT_ORO = 6,
	DHCP6_OPT_PREFERENCE = 7,
	DHCP6_OPT_ELAPSED_TIME = 8,
	DHCP6_OPT_STATUS_CODE = 13,
	DHCP6_OPT_RAPID_COMMIT = 14,
	DHCP6_OPT_DNS_SERVERS = 23,
	DHCP6_OPT_DOMAIN_LIST = 24,
};

/* §21.13 */
enum dhcp6_status {
	DHCP6_SUCCESS = 0,
	DHCP6_UNSPEC_FAIL = 1,
	DHCP6_NO_ADDRS_AVAIL = 2,
	DHCP6_NO_BINDING = 3,
	DHCP6_NOT_ON_LINK = 4,
	DHCP6_USE_MULTICAST = 5,
};

#define DHCP6_DUID_LLT 1             /* §11.2 */
#define DHCP6_DUID_LL 3              /* §11.4 */
#define DHCP6_HWTYPE_ETHER 1

struct dhcp6_duid {
	uint8_t id[DHCP6_DUID_MAX];
	uint8_t len;                 /* 0: absent */
};

struct dhcp6_status_opt {
	bool present;
	uint16_t code;
	char msg[DHCP6_STATUS_MSG_LEN]; /* truncated, non-printable octets as '?' */
};

struct dhcp6_iaaddr {
	uint8_t addr[16];
	uint32_t preferred, valid;
	struct dhcp6_status_opt status;
};

struct dhcp6_ia {
	uint32_t iaid, t1, t2;
	struct dhcp6_iaaddr addr[DHCP6_IA_ADDRS_MAX];
	unsigned naddr;
	struct dhcp6_status_opt status;
};

struct dhcp6_msg {
	uint8_t type;
	uint32_t xid;                /* 24 bits */
	struct dhcp6_duid client_id, server_id;
	struct dhcp6_ia ia[DHCP6_IA_MAX];
	unsigned nia;
	uint16_t oro[DHCP6_ORO_MAX];
	unsigned noro;
	bool has_elapsed;
	uint16_t elapsed;            /* hundredths of a second */
	bool rapid_commit;
	bool has_preference;
	uint8_t preference;
	struct dhcp6_status_opt status;
	uint8_t dns[DHCP6_DNS_MAX][16];
	unsigned ndns;
	char domains[DHCP6_DOMAINS_MAX][DHCP6_DOMAIN_LEN];
	unsigned ndomains;
};

/*
 * Parses a DHCPv6 message (the UDP payload). Returns 0, or -EBADMSG with
 * *out zeroed. Rejected, with their reasons:
 *  - shorter than the 4-octet header, a msg-type outside 1..11 (relay
 *    messages, §9, and unassigned types);
 *  - any option (top level or encapsulated) whose 4-octet header or value
 *    runs past its container: a cursor per container that cannot step out;
 *  - a second CLIENTID, SERVERID, ELAPSED_TIME, PREFERENCE, RAPID_COMMIT or
 *    STATUS_CODE in the same container (§21: each appears once);
 *  - wrong lengths: a DUID of fewer than 3 or more than 130 octets (§11.1),
 *    IA_NA below 12 (§21.4), IAADDR below 24 (§21.6), ORO odd (§21.7),
 *    PREFERENCE not 1 (§21.8), ELAPSED_TIME not 2 (§21.9), STATUS_CODE
 *    below 2 (§21.13), RAPID_COMMIT not 0 (§21.14), DNS_SERVERS empty or
 *    not a multiple of 16 (RFC 3646 §3);
 *  - a DOMAIN_LIST that is not a run of uncompressed RFC 1035 §3.1 names
 *    whose labels pass name_is_label (RFC 3646 §4 forbids compression,
 *    RFC 8415 §10);
 *  - in an IA_NA, T1 > T2 when T2 is not 0 (§21.4); in an IAADDR a
 *    preferred lifetime above the valid one (§21.6).
 * Kept but bounded: the first DHCP6_IA_MAX IA_NAs, DHCP6_IA_ADDRS_MAX
 * addresses each, DHCP6_ORO_MAX codes, DHCP6_DNS_MAX servers and
 * DHCP6_DOMAINS_MAX domains. Unknown options are skipped.
 */
int dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_msg *out);

/* Writes m: header, CLIENTID, SERVERID, the IA_NAs with their addresses
 * and status, ORO, ELAPSED_TIME, PREFERENCE, RAPID_COMMIT, STATUS_CODE,
 * DNS_SERVERS, DOMAIN_LIST, each only when present. The message length,
 * or -ENOSPC (buf too small) / -EINVAL (a field dhcp6_parse would reject:
 * a type outside 1..11, a domain that is not a name). */
int dhcp6_build(const struct dhcp6_msg *m, uint8_t *buf, size_t size);

/* The MAC a DUID-LL or DUID-LLT of Ethernet carries: true and mac set,
 * else false (DUID-EN, DUID-UUID, another hardware type). */
bool dhcp6_duid_mac(const struct dhcp6_duid *d, uint8_t mac[6]);
/* A DUID-LL (§11.4) for an Ethernet MAC. */
void dhcp6_duid_ll(const uint8_t mac[6], struct dhcp6_duid *out);
bool dhcp6_duid_equal(const struct dhcp6_duid *a, const struct dhcp6_duid *b);
bool dhcp6_oro_has(const struct dhcp6_msg *m, uint16_t code);
/* "SOLICIT".."INFORMATION-REQUEST", "UNKNOWN" otherwise. */
const char *dhcp6_type_name(uint8_t type);

#endif
