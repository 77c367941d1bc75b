/* The DHCP client's state machine (RFC 2131 §4.4, figure 5) as pure
 * functions: each takes the client, an event and the time, and fills a
 * struct dhcpc_out with what to send and what to do. No sockets or clocks,
 * so the unit tests drive it with fixed transaction ids and times. */
#ifndef LAB_DHCPC_FSM_H
#define LAB_DHCPC_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/dhcp/codec.h"

enum dhcpc_state {
	DHCPC_INIT,        /* no lease; carrier down or about to discover */
	DHCPC_SELECTING,   /* DISCOVER sent, waiting for an OFFER */
	DHCPC_REQUESTING,  /* REQUEST for an offer sent */
	DHCPC_BOUND,
	DHCPC_RENEWING,    /* after T1: REQUEST unicast to the server */
	DHCPC_REBINDING,   /* after T2: REQUEST broadcast to any server */
	DHCPC_REBOOTING,   /* carrier back with a lease: confirm it (INIT-REBOOT) */
};

struct dhcpc_lease {
	uint32_t addr;
	uint8_t prefix;
	uint32_t router;        /* 0: none */
	uint32_t server_id;
	uint32_t dns[4];
	unsigned ndns;
	char domain[256];
	uint16_t mtu;           /* 0: not given */
	uint32_t lease_s, t1_s, t2_s;
	uint64_t start_ms;      /* when the REQUEST that got the ACK was sent */
};

struct dhcpc {
	enum dhcpc_state state;
	uint8_t mac[6];
	char hostname[64];
	uint32_t xid;
	unsigned tries;
	uint64_t timer_ms;      /* when dhcpc_timer is due; 0: never */
	uint64_t sent_ms;       /* last REQUEST sent (leases count from it) */
	struct dhcpc_lease offer;
	struct dhcpc_lease lease;
	bool have_lease;
	uint32_t (*random)(void *ctx); /* xids and retransmission jitter */
	void *random_ctx;
	/* The lab's own subnet (len 0: none): an uplink lease inside it, or a
	 * router there, would send the host's traffic to a guest; resolvers
	 * there would make the lab's DNS forward every query to one. */
	uint32_t avoid_addr;
	uint8_t avoid_len;
};

enum dhcpc_action {
	DHCPC_ACT_SEND = 1 << 0,   /* send out.msg */
	DHCPC_ACT_APPLY = 1 << 1,  /* configure client->lease (new or changed) */
	DHCPC_ACT_DROP = 1 << 2,   /* remove out.old: the lease is gone */
};

struct dhcpc_out {
	unsigned actions;
	uint8_t msg[576];
	size_t len;
	uint32_t dst;              /* 0xffffffff: broadcast on the link; else unicast via UDP */
	uint32_t src;              /* the address to send from (0 before a lease) */
	struct dhcpc_lease old;    /* with DROP, or APPLY replacing a different address */
	bool replaced;             /* APPLY: old holds a different previous lease */
	const char *log;           /* a line worth logging, or NULL */
};

void dhcpc_init(struct dhcpc *c, const uint8_t mac[6], const char *hostname,
		uint32_t (*random)(void *ctx), void *ctx);
/* Refuse offers whose network or router lies in addr/len, and drop the
 * resolvers that do (a rogue server on the uplink). */
void dhcpc_avoid(struct dhcpc *c, uint32_t addr, uint8_t len);
void dhcpc_start(struct dhcpc *c, uint64_t now, struct dhcpc_out *out);
void dhcpc_timer(struct dhcpc *c, uint64_t now, struct dhcpc_out *out);
void dhcpc_receive(struct dhcpc *c, const struct dhcp_msg *m, uint64_t now, struct dhcpc_out *out);
void dhcpc_carrier(struct dhcpc *c, bool up, uint64_t now, struct dhcpc_out *out);
/* Sends DHCPRELEASE for the current lease (when the uplink is taken down). */
void dhcpc_release(struct dhcpc *c, struct dhcpc_out *out);
const char *dhcpc_state_name(enum dhcpc_state s);

#endif
