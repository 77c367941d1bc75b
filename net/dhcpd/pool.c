/* DHCP server lease table: one slot per address of the range, so choosing
 * and checking an address is an index, and a lease file line maps to one
 * slot. Reservations (profile guests with a fixed IP) live beside it. */
#include "net/dhcpd/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/addr.h"

int dhcpd_pool_init(struct dhcpd_pool *p, uint32_t first, uint32_t last, uint32_t network,
		    uint8_t prefix, uint32_t gateway)
{
	memset(p, 0, sizeof(*p));
	if (last < first || last - first >= (1u << 20))
		return -EINVAL;
	p->first = first;
	p->last = last;
	p->prefix = prefix;
	p->network = network & addr_mask(prefix);
	p->broadcast = p->network | ~addr_mask(prefix);
	p->gateway = gateway;
	p->size = p->count = (size_t)(last - first) + 1;
	p->slot = calloc(p->size, sizeof(*p->slot));
	p->changed = calloc(p->size, sizeof(*p->changed));
	if (!p->slot || !p->changed) {
		dhcpd_pool_free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->size; i++)
		p->slot[i].ip = first + (uint32_t)i;
	return 0;
}

void dhcpd_pool_free(struct dhcpd_pool *p)
{
	free(p->slot);
	free(p->changed);
	memset(p, 0, sizeof(*p));
}

/* A fixed address outside the range gets a slot of its own at the end. */
static int add_extra_slot(struct dhcpd_pool *p, uint32_t ip)
{
	struct dhcpd_lease *s = realloc(p->slot, (p->count + 1) * sizeof(*s));
	size_t *c;

	if (!s)
		return -ENOMEM;
	p->slot = s;
	if (!(c = realloc(p->changed, (p->count + 1) * sizeof(*c))))
		return -ENOMEM;
	p->changed = c;
	memset(&s[p->count], 0, sizeof(*s));
	s[p->count++].ip = ip;
	return 0;
}

int dhcpd_pool_reserve(struct dhcpd_pool *p, const uint8_t mac[6], uint32_t ip, const char *name)
{
	struct dhcpd_reservation *r;

	if (p->nres == DHCPD_MAX_RESERVATIONS)
		return -ENOSPC;
	if ((ip < p->first || ip > p->last) && add_extra_slot(p, ip) < 0)
		return -ENOMEM;
	r = &p->res[p->nres++];
	memcpy(r->mac, mac, 6);
	r->ip = ip;
	strncpy(r->name, name ? name : "", sizeof(r->name) - 1);
	return 0;
}

const struct dhcpd_reservation *dhcpd_reservation_for(const struct dhcpd_pool *p, const uint8_t mac[6])
{
	for (unsigned i = 0; i < p->nres; i++)
		if (!memcmp(p->res[i].mac, mac, 6))
			return &p->res[i];
	return NULL;
}

static const struct dhcpd_reservation *reservation_of_ip(const struct dhcpd_pool *p, uint32_t ip)
{
	for (unsigned i = 0; i < p->nres; i++)
		if (p->res[i].ip == ip)
			return &p->res[i];
	return NULL;
}

struct dhcpd_lease *dhcpd_lease_at(struct dhcpd_pool *p, uint32_t ip)
{
	if (ip >= p->first && ip <= p->last)
		return &p->slot[ip - p->first];
	for (size_t i = p->size; i < p->count; i++)
		if (p->slot[i].ip == ip)
			return &p->slot[i];
	return NULL;
}

static bool live(const struct dhcpd_lease *l, time_t now)
{
	return l->state != LEASE_FREE && l->expires > now;
}

static bool same_client(const struct dhcpd_lease *l, const struct dhcpd_client *c)
{
	if (c->client_id_len && l->client_id_len)
		return l->client_id_len == c->client_id_len && !memcmp(l->client_id, c->client_id, c->client_id_len);
	return !memcmp(l->mac, c->mac, 6);
}

struct dhcpd_lease *dhcpd_lease_of(struct dhcpd_pool *p, const struct dhcpd_client *c, time_t now)
{
	for (size_t i = 0; i < p->count; i++) {
		struct dhcpd_lease *l = &p->slot[i];

		if (live(l, now) && l->state != LEASE_DECLINED && same_client(l, c))
			return l;
	}
	return NULL;
}

/* Addresses a reservation may use even outside the range (a fixed IP
 * anywhere in the subnet) have no slot: they are checked here alone. */
bool dhcpd_ip_ok_for(struct dhcpd_pool *p, uint32_t ip, const struct dhcpd_client *c, time_t now)
{
	const struct dhcpd_reservation *r = reservation_of_ip(p, ip);
	struct dhcpd_lease *l;

	if (!ip || ip == p->gateway || ip == p->network || ip == p->broadcast ||
	    (ip & addr_mask(p->prefix)) != p->network)
		return false;
	if (r && memcmp(r->mac, c->mac, 6) != 0)
		return false;
	l = dhcpd_lease_at(p, ip);
	if (!l)
		return false;
	return !live(l, now) || (l->state != LEASE_DECLINED && same_client(l, c));
}

/* §4.3.1's order, plus an address derived from the MAC so a client that
 * lost its lease (or the server its file) gets the same address again. */
uint32_t dhcpd_choose(struct dhcpd_pool *p, const struct dhcpd_client *c, uint32_t requested, time_t now)
{
	const struct dhcpd_reservation *r = dhcpd_reservation_for(p, c->mac);
	struct dhcpd_lease *cur;
	uint32_t h;

	if (r)
		return r->ip;
	if ((cur = dhcpd_lease_of(p, c, now)) && dhcpd_ip_ok_for(p, cur->ip, c, now))
		return cur->ip;
	if (requested && dhcpd_ip_ok_for(p, requested, c, now))
		return requested;
	h = addr_fnv1a((const char[7]){ (char)c->mac[0], (char)c->mac[1], (char)c->mac[2], (char)c->mac[3],
					(char)c->mac[4], (char)c->mac[5], 0 });
	h = p->first + h % (uint32_t)p->size;
	if (!p->slot[h - p->first].reclaimed && dhcpd_ip_ok_for(p, h, c, now))
		return h;
	/* A reclaimed offer's address last: handing it straight to the next
	 * client (it is the lowest free one under an avalanche) NAKs the
	 * REQUEST its first client is about to send, which a client like
	 * perfdhcp's repeats forever instead of starting again. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < p->size; i++)
			if ((pass || !p->slot[i].reclaimed) && dhcpd_ip_ok_for(p, p->slot[i].ip, c, now))
				return p->slot[i].ip;
	return 0;
}

static void mark_changed(struct dhcpd_pool *p, struct dhcpd_lease *l)
{
	p->dirty = true;
	if (!l->queued) {
		l->queued = true;
		p->changed[p->nchanged++] = (size_t)(l - p->slot);
	}
}

struct dhcpd_lease *dhcpd_lease_set(struct dhcpd_pool *p, uint32_t ip, const struct dhcpd_client *c,
				    enum lease_state st, time_t expires, const char *hostname)
{
	struct dhcpd_lease *l = dhcpd_lease_at(p, ip);

	if (!l)
		return NULL;
	l->state = st;
	memcpy(l->mac, c->mac, 6);
	l->client_id_len = c->client_id_len;
	if (c->client_id_len)
		memcpy(l->client_id, c->client_id, c->client_id_len);
	if (hostname)
		strncpy(l->hostname, hostname, sizeof(l->hostname) - 1);
	l->expires = expires;
	l->line_len = 0;
	l->pinned = false;
	l->reclaimed = false;
	if (st == LEASE_OFFERED)
		l->offer_seq = ++p->offer_seq;
	else
		mark_changed(p, l);
	return l;
}

void dhcpd_lease_clear(struct dhcpd_pool *p, struct dhcpd_lease *l)
{
	uint32_t ip = l->ip;
	bool queued = l->queued, was_bound = l->state == LEASE_BOUND;

	memset(l, 0, sizeof(*l));
	l->ip = ip;
	l->queued = queued;
	if (was_bound)
		mark_changed(p, l);
}

void dhcpd_changes_clear(struct dhcpd_pool *p)
{
	for (size_t i = 0; i < p->nchanged; i++)
		p->slot[p->changed[i]].queued = false;
	p->nchanged = 0;
	p->dirty = false;
}

unsigned dhcpd_lease_clear_others(struct dhcpd_pool *p, const struct dhcpd_client *c, uint32_t keep, time_t now)
{
	unsigned n = 0;

	for (size_t i = 0; i < p->count; i++) {
		struct dhcpd_lease *l = &p->slot[i];

		if (l->ip != keep && live(l, now) && l->state != LEASE_DECLINED && same_client(l, c)) {
			dhcpd_lease_clear(p, l);
			n++;
		}
	}
	return n;
}

static bool live_offer(const struct dhcpd_lease *l, time_t now)
{
	return l->state == LEASE_OFFERED && l->expires > now;
}

/* The extra slots past the range are reservations, which no offer from
 * the range can take: they count for held and oldest, not for the cap. */
static void count_offer(const struct dhcpd_pool *p, struct dhcpd_lease *l, time_t now, unsigned *avail,
			struct dhcpd_offers *o)
{
	if ((size_t)(l - p->slot) < p->size && (!live(l, now) || l->state == LEASE_OFFERED))
		(*avail)++;
	if (!live_offer(l, now) || l->pinned)
		return;
	o->held++;
	if (!o->oldest || l->offer_seq < o->oldest->offer_seq)
		o->oldest = l;
}

unsigned dhcpd_offers_scan(struct dhcpd_pool *p, const uint8_t mac[6], uint32_t keep, time_t now,
			   struct dhcpd_offers *o)
{
	unsigned n = 0, avail = 0;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < p->count; i++) {
		struct dhcpd_lease *l = &p->slot[i];

		if (l->ip != keep && live_offer(l, now) && !memcmp(l->mac, mac, 6)) {
			dhcpd_lease_clear(p, l);
			n++;
		}
		count_offer(p, l, now, &avail, o);
	}
	o->cap = avail / 2 ? avail / 2 : 1;
	return n;
}

unsigned dhcpd_expire(struct dhcpd_pool *p, time_t now)
{
	unsigned n = 0;

	for (size_t i = 0; i < p->count; i++)
		if (p->slot[i].state != LEASE_FREE && p->slot[i].expires <= now) {
			dhcpd_lease_clear(p, &p->slot[i]);
			n++;
		}
	return n;
}

unsigned dhcpd_count(const struct dhcpd_pool *p, enum lease_state st)
{
	unsigned n = 0;

	for (size_t i = 0; i < p->count; i++)
		n += p->slot[i].state == st;
	return n;
}
