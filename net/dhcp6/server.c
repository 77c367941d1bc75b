/* DHCPv6 server message handling, RFC 8415 §16 (which messages are
 * discarded) and §18.3 (what is answered). One address per IA_NA, bound
 * to (DUID, IAID); a profile guest known by the MAC in its DUID-LL/LLT
 * gets its fixed address. An Advertise holds nothing (as an IPv4 offer in
 * dnsmasq): the Request decides, so a Solicit flood fills no table. */
#include "net/dhcp6/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/core/addr.h"

static const uint8_t zero16[16];

int dhcp6_server_init(struct dhcp6_server *s, const struct dhcp6_config *c)
{
	memset(s, 0, sizeof(*s));
	if (c->range_first < 2 || c->range_last < c->range_first || c->nknown > DHCP6_KNOWN_MAX || !c->lease_time)
		return -EINVAL;
	s->cfg = *c;
	dhcp6_duid_ll(c->server_mac, &s->duid);
	return 0;
}

static bool live(const struct dhcp6_lease *l, time_t now)
{
	return l->state != DHCP6_FREE && l->expires > now;
}

static bool on_link(const struct dhcp6_server *s, const uint8_t a[16])
{
	return !memcmp(a, s->cfg.prefix, 8);
}

static bool in_range(const struct dhcp6_server *s, const uint8_t a[16])
{
	uint16_t host = (uint16_t)(a[14] << 8 | a[15]);

	return on_link(s, a) && !memcmp(a + 8, zero16, 6) && host >= s->cfg.range_first && host <= s->cfg.range_last;
}

static void range_addr(const struct dhcp6_server *s, uint32_t host, uint8_t out[16])
{
	memcpy(out, s->cfg.prefix, 8);
	memset(out + 8, 0, 8);
	out[14] = (uint8_t)(host >> 8);
	out[15] = (uint8_t)host;
}

static const struct dhcp6_known *known_of(const struct dhcp6_server *s, const struct dhcp6_duid *d)
{
	uint8_t mac[6];

	if (!dhcp6_duid_mac(d, mac))
		return NULL;
	for (unsigned i = 0; i < s->cfg.nknown; i++)
		if (!memcmp(s->cfg.known[i].mac, mac, 6))
			return &s->cfg.known[i];
	return NULL;
}

static const struct dhcp6_known *fixed_owner(const struct dhcp6_server *s, const uint8_t a[16])
{
	for (unsigned i = 0; i < s->cfg.nknown; i++)
		if (memcmp(s->cfg.known[i].addr, zero16, 16) && !memcmp(s->cfg.known[i].addr, a, 16))
			return &s->cfg.known[i];
	return NULL;
}

static struct dhcp6_lease *lease_at(struct dhcp6_server *s, const uint8_t a[16], time_t now)
{
	for (size_t i = 0; i < DHCP6_LEASES_MAX; i++)
		if (live(&s->lease[i], now) && !memcmp(s->lease[i].addr, a, 16))
			return &s->lease[i];
	return NULL;
}

static struct dhcp6_lease *binding_of(struct dhcp6_server *s, const struct dhcp6_duid *d, uint32_t iaid, time_t now)
{
	for (size_t i = 0; i < DHCP6_LEASES_MAX; i++) {
		struct dhcp6_lease *l = &s->lease[i];

		if (live(l, now) && l->state == DHCP6_BOUND && l->iaid == iaid && dhcp6_duid_equal(&l->duid, d))
			return l;
	}
	return NULL;
}

static struct dhcp6_lease *free_slot(struct dhcp6_server *s, time_t now)
{
	for (size_t i = 0; i < DHCP6_LEASES_MAX; i++)
		if (!live(&s->lease[i], now))
			return &s->lease[i];
	return NULL;
}

/* May this client's IA have a now? In the range, or the client's own fixed
 * address; never another guest's fixed address; not bound to another IA,
 * not declined. A guest with a fixed address has only that one, for the
 * first IA_NA that asks (a second IA gets NoAddrsAvail). */
static bool addr_ok(struct dhcp6_server *s, const uint8_t a[16], const struct dhcp6_duid *d, uint32_t iaid,
		    time_t now)
{
	const struct dhcp6_known *k = known_of(s, d), *owner = fixed_owner(s, a);
	struct dhcp6_lease *l;

	if (k && memcmp(k->addr, zero16, 16))
		return !memcmp(k->addr, a, 16) && (!(l = lease_at(s, a, now)) ||
						  (l->state == DHCP6_BOUND && l->iaid == iaid && dhcp6_duid_equal(&l->duid, d)));
	if (owner || !in_range(s, a))
		return false;
	l = lease_at(s, a, now);
	return !l || (l->state == DHCP6_BOUND && l->iaid == iaid && dhcp6_duid_equal(&l->duid, d));
}

static uint32_t hash_client(const struct dhcp6_duid *d, uint32_t iaid)
{
	uint32_t h = 2166136261u; /* FNV-1a, as addr_fnv1a, over DUID and IAID */

	for (unsigned i = 0; i < d->len; i++)
		h = (h ^ d->id[i]) * 16777619u;
	for (int i = 0; i < 4; i++)
		h = (h ^ (uint8_t)(iaid >> (8 * i))) * 16777619u;
	return h;
}

/* The address for an IA: its binding, the guest's fixed address, an
 * address the client asked for (§18.2.1 hints), one derived from (DUID,
 * IAID) so a client that lost its binding gets the same one again, the
 * first free. false: none, or no room in the table. */
static bool choose(struct dhcp6_server *s, const struct dhcp6_duid *d, const struct dhcp6_ia *ia, time_t now,
		   uint8_t out[16])
{
	const struct dhcp6_known *k = known_of(s, d);
	struct dhcp6_lease *b = binding_of(s, d, ia->iaid, now);
	uint32_t size = (uint32_t)s->cfg.range_last - s->cfg.range_first + 1, h;

	if (b && addr_ok(s, b->addr, d, ia->iaid, now)) {
		memcpy(out, b->addr, 16);
		return true;
	}
	if (!b && !free_slot(s, now))
		return false;
	if (k && memcmp(k->addr, zero16, 16)) {
		memcpy(out, k->addr, 16);
		return addr_ok(s, out, d, ia->iaid, now);
	}
	for (unsigned i = 0; i < ia->naddr; i++)
		if (addr_ok(s, ia->addr[i].addr, d, ia->iaid, now)) {
			memcpy(out, ia->addr[i].addr, 16);
			return true;
		}
	h = hash_client(d, ia->iaid) % size;
	for (uint32_t i = 0; i < size; i++) {
		range_addr(s, s->cfg.range_first + (h + i) % size, out);
		if (addr_ok(s, out, d, ia->iaid, now))
			return true;
	}
	return false;
}

/* Records the binding (one address per DUID and IAID: another one of
 * this IA is freed). NULL when the table is full. */
static struct dhcp6_lease *bind_ia(struct dhcp6_server *s, const uint8_t a[16], const struct dhcp6_duid *d,
				uint32_t iaid, time_t now)
{
	const struct dhcp6_known *k = known_of(s, d);
	struct dhcp6_lease *old = binding_of(s, d, iaid, now), *l = lease_at(s, a, now);

	if (old && old != l)
		old->state = DHCP6_FREE;
	if (!l && !(l = free_slot(s, now)))
		return NULL;
	memset(l, 0, sizeof(*l));
	l->state = DHCP6_BOUND;
	memcpy(l->addr, a, 16);
	l->duid = *d;
	l->iaid = iaid;
	l->expires = now + (time_t)s->cfg.lease_time;
	if (k)
		snprintf(l->name, sizeof(l->name), "%s", k->name);
	s->dirty = true;
	return l;
}

static void start(struct dhcp6_server *s, const struct dhcp6_msg *m, uint8_t type, struct dhcp6_msg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->xid = m->xid;
	r->client_id = m->client_id;
	r->server_id = s->duid;
}

static void set_status(struct dhcp6_status_opt *st, uint16_t code, const char *msg)
{
	st->present = true;
	st->code = code;
	snprintf(st->msg, sizeof(st->msg), "%s", msg);
}

/* DNS_SERVERS and DOMAIN_LIST when the client asks for them (ORO, §21.7),
 * or always for an Information-request. */
static void put_config(const struct dhcp6_server *s, const struct dhcp6_msg *m, bool always, struct dhcp6_msg *r)
{
	if (memcmp(s->cfg.dns, zero16, 16) && (always || dhcp6_oro_has(m, DHCP6_OPT_DNS_SERVERS))) {
		memcpy(r->dns[0], s->cfg.dns, 16);
		r->ndns = 1;
	}
	if (s->cfg.domain[0] && (always || dhcp6_oro_has(m, DHCP6_OPT_DOMAIN_LIST))) {
		snprintf(r->domains[0], sizeof(r->domains[0]), "%s", s->cfg.domain);
		r->ndomains = 1;
	}
}

static void finish(struct dhcp6_server *s, const struct dhcp6_msg *r, struct dhcp6_reply *out)
{
	int n = dhcp6_build(r, out->msg, sizeof(out->msg));

	if (n < 0)
		return;
	out->send = true;
	out->type = r->type;
	out->len = (size_t)n;
	if (r->type == DHCP6_ADVERTISE)
		s->st.advertise++;
	else
		s->st.reply++;
}

/* An IA with one address and this server's times (§21.4: T1 0.5, T2 0.8
 * of the lifetime). */
static void give(const struct dhcp6_server *s, struct dhcp6_ia *ia, const uint8_t a[16], uint32_t lifetime)
{
	struct dhcp6_iaaddr *x = &ia->addr[ia->naddr++];

	memcpy(x->addr, a, 16);
	x->preferred = x->valid = lifetime;
	ia->t1 = lifetime ? s->cfg.lease_time / 2 : 0;
	ia->t2 = lifetime ? (uint32_t)((uint64_t)s->cfg.lease_time * 4 / 5) : 0;
}

static void note(struct dhcp6_reply *out, const char *what, const uint8_t a[16], const char *name)
{
	char text[INET6_ADDRSTRLEN];
	size_t n = strlen(out->log);

	inet_ntop(AF_INET6, a, text, sizeof(text));
	snprintf(out->log + n, sizeof(out->log) - n, "%s%s %s%s%s", n ? ", " : "", what, text, name && name[0] ? " " : "",
		 name ? name : "");
}

/* §18.3.1 (Solicit; rapid commit, §21.14) and §18.3.2 (Request): one
 * address per IA_NA, or NoAddrsAvail in that IA. Returns how many IAs got
 * one. */
static unsigned assign(struct dhcp6_server *s, const struct dhcp6_msg *m, bool commit, time_t now,
		       struct dhcp6_msg *r, struct dhcp6_reply *out)
{
	unsigned given = 0;

	for (unsigned i = 0; i < m->nia; i++) {
		const struct dhcp6_ia *ia = &m->ia[i];
		struct dhcp6_ia *o = &r->ia[r->nia++];
		struct dhcp6_lease *l = NULL;
		uint8_t a[16];

		o->iaid = ia->iaid;
		if (!choose(s, &m->client_id, ia, now, a) || (commit && !(l = bind_ia(s, a, &m->client_id, ia->iaid, now)))) {
			set_status(&o->status, DHCP6_NO_ADDRS_AVAIL, "no address left for this IA");
			out->exhausted = true;
			continue;
		}
		give(s, o, a, s->cfg.lease_time);
		note(out, commit ? "bound" : "offered", a, l ? l->name : NULL);
		given++;
	}
	out->commit = commit && given;
	return given;
}

static void on_solicit(struct dhcp6_server *s, const struct dhcp6_msg *m, time_t now, struct dhcp6_reply *out)
{
	struct dhcp6_msg r;
	bool rapid = m->rapid_commit;

	start(s, m, rapid ? DHCP6_REPLY : DHCP6_ADVERTISE, &r);
	if (!assign(s, m, rapid, now, &r, out)) {
		/* §18.3.1: no address for any IA: an Advertise with only the
		 * status NoAddrsAvail, never a rapid-commit Reply. */
		rapid = false;
		start(s, m, DHCP6_ADVERTISE, &r);
		set_status(&r.status, DHCP6_NO_ADDRS_AVAIL, "no addresses available");
		out->exhausted = true;
	}
	if (out->exhausted) {
		s->st.exhausted++;
		snprintf(out->log + strlen(out->log), sizeof(out->log) - strlen(out->log), "%sNoAddrsAvail",
			 out->log[0] ? ", " : "");
	}
	r.rapid_commit = rapid;
	r.has_preference = r.type == DHCP6_ADVERTISE;
	r.preference = DHCP6_PREFERENCE;
	put_config(s, m, false, &r);
	finish(s, &r, out);
}

static void on_request(struct dhcp6_server *s, const struct dhcp6_msg *m, time_t now, struct dhcp6_reply *out)
{
	struct dhcp6_msg r;

	start(s, m, DHCP6_REPLY, &r);
	assign(s, m, true, now, &r, out);
	if (out->exhausted)
		s->st.exhausted++;
	put_config(s, m, false, &r);
	finish(s, &r, out);
}

/* §18.3.4 Renew, §18.3.5 Rebind: a binding is extended; addresses the
 * client lists that are no longer its own go back with lifetimes 0. With
 * no binding (a lost lease file), an address still free for it is bound
 * again (both sections allow it); an off-link one gets lifetimes 0 and
 * anything else NoBinding. */
static void extend_ia(struct dhcp6_server *s, const struct dhcp6_msg *m, const struct dhcp6_ia *ia, time_t now,
		      struct dhcp6_ia *o, struct dhcp6_reply *out)
{
	struct dhcp6_lease *b = binding_of(s, &m->client_id, ia->iaid, now);

	o->iaid = ia->iaid;
	for (unsigned i = 0; !b && i < ia->naddr; i++)
		if (addr_ok(s, ia->addr[i].addr, &m->client_id, ia->iaid, now))
			b = bind_ia(s, ia->addr[i].addr, &m->client_id, ia->iaid, now);
	if (b) {
		b->expires = now + (time_t)s->cfg.lease_time;
		s->dirty = out->commit = true;
		give(s, o, b->addr, s->cfg.lease_time);
		note(out, "extended", b->addr, b->name);
	}
	for (unsigned i = 0; i < ia->naddr && o->naddr < DHCP6_IA_ADDRS_MAX; i++)
		if ((!b && !on_link(s, ia->addr[i].addr)) || (b && memcmp(b->addr, ia->addr[i].addr, 16)))
			give(s, o, ia->addr[i].addr, 0);
	if (!b) {
		o->t1 = o->t2 = 0;
		if (!o->naddr)
			set_status(&o->status, DHCP6_NO_BINDING, "no binding for this IA");
	}
}

static void on_renew(struct dhcp6_server *s, const struct dhcp6_msg *m, time_t now, struct dhcp6_reply *out)
{
	struct dhcp6_msg r;

	start(s, m, DHCP6_REPLY, &r);
	for (unsigned i = 0; i < m->nia; i++)
		extend_ia(s, m, &m->ia[i], now, &r.ia[r.nia++], out);
	put_config(s, m, false, &r);
	finish(s, &r, out);
}

/* §18.3.7 Release, §18.3.8 Decline: the client's addresses are freed
 * (a declined one quarantined for DHCP6_DECLINE_HOLD_S); an IA with none
 * of them bound to it gets NoBinding; the Reply says Success. */
static void drop(struct dhcp6_server *s, const struct dhcp6_msg *m, bool decline, time_t now,
		 struct dhcp6_reply *out)
{
	struct dhcp6_msg r;

	start(s, m, DHCP6_REPLY, &r);
	for (unsigned i = 0; i < m->nia; i++) {
		const struct dhcp6_ia *ia = &m->ia[i];
		struct dhcp6_lease *b = binding_of(s, &m->client_id, ia->iaid, now);
		bool found = false;

		for (unsigned j = 0; b && !found && j < ia->naddr; j++)
			found = !memcmp(ia->addr[j].addr, b->addr, 16);
		if (!found) {
			struct dhcp6_ia *o = &r.ia[r.nia++];

			o->iaid = ia->iaid;
			set_status(&o->status, DHCP6_NO_BINDING, "no binding for this IA");
			continue;
		}
		note(out, decline ? "declined" : "released", b->addr, b->name);
		b->state = decline ? DHCP6_DECLINED : DHCP6_FREE;
		b->expires = now + DHCP6_DECLINE_HOLD_S;
		s->dirty = out->commit = true;
	}
	set_status(&r.status, DHCP6_SUCCESS, decline ? "declined" : "released");
	finish(s, &r, out);
}

/* §18.3.3: with no address to check, no reply; otherwise Success if every
 * address is on the lab's link, else NotOnLink. */
static void on_confirm(struct dhcp6_server *s, const struct dhcp6_msg *m, struct dhcp6_reply *out)
{
	struct dhcp6_msg r;
	unsigned n = 0;
	bool ok = true;

	for (unsigned i = 0; i < m->nia; i++)
		for (unsigned j = 0; j < m->ia[i].naddr; j++, n++)
			ok &= on_link(s, m->ia[i].addr[j].addr);
	if (!n)
		return;
	start(s, m, DHCP6_REPLY, &r);
	set_status(&r.status, ok ? DHCP6_SUCCESS : DHCP6_NOT_ON_LINK, ok ? "all addresses on link" : "not on link");
	snprintf(out->log, sizeof(out->log), "%s", ok ? "on link" : "NotOnLink");
	finish(s, &r, out);
}

/* §18.3.6: configuration only. */
static void on_inform(struct dhcp6_server *s, const struct dhcp6_msg *m, struct dhcp6_reply *out)
{
	struct dhcp6_msg r;

	start(s, m, DHCP6_REPLY, &r);
	put_config(s, m, true, &r);
	finish(s, &r, out);
}

/* §16: which messages a server must discard, by type: whether a Client
 * Identifier is required (1) and a Server Identifier required (1),
 * forbidden (-1) or optional but then ours (0). */
static bool acceptable(const struct dhcp6_server *s, const struct dhcp6_msg *m)
{
	static const struct {
		int8_t client, server;
	} rule[] = {
		[DHCP6_SOLICIT] = { 1, -1 }, [DHCP6_REQUEST] = { 1, 1 }, [DHCP6_CONFIRM] = { 1, -1 },
		[DHCP6_RENEW] = { 1, 1 },    [DHCP6_REBIND] = { 1, -1 }, [DHCP6_RELEASE] = { 1, 1 },
		[DHCP6_DECLINE] = { 1, 1 },  [DHCP6_INFORMATION_REQUEST] = { 0, 0 },
	};

	if ((rule[m->type].client && !m->client_id.len) || (rule[m->type].server == -1 && m->server_id.len) ||
	    (rule[m->type].server == 1 && !m->server_id.len))
		return false;
	/* §16.12: an Information-request asks for no address */
	if (m->type == DHCP6_INFORMATION_REQUEST && m->nia)
		return false;
	return !m->server_id.len || dhcp6_duid_equal(&m->server_id, &s->duid);
}

void dhcp6_handle(struct dhcp6_server *s, const struct dhcp6_msg *m, time_t now, struct dhcp6_reply *out)
{
	out->send = out->commit = out->exhausted = false;
	out->type = 0;
	out->len = 0;
	out->log[0] = '\0';
	s->st.received++;
	if (m->type == DHCP6_ADVERTISE || m->type == DHCP6_REPLY || m->type == DHCP6_RECONFIGURE || !m->type ||
	    m->type > DHCP6_INFORMATION_REQUEST || !acceptable(s, m)) {
		s->st.ignored++; /* another server's business, or a client's reply */
		return;
	}
	switch (m->type) {
	case DHCP6_SOLICIT: on_solicit(s, m, now, out); break;
	case DHCP6_REQUEST: on_request(s, m, now, out); break;
	case DHCP6_CONFIRM: on_confirm(s, m, out); break;
	case DHCP6_RENEW:
	case DHCP6_REBIND: on_renew(s, m, now, out); break;
	case DHCP6_RELEASE: drop(s, m, false, now, out); break;
	case DHCP6_DECLINE: drop(s, m, true, now, out); break;
	default: on_inform(s, m, out); break;
	}
}

bool dhcp6_server_restore(struct dhcp6_server *s, const struct dhcp6_lease *l, time_t now)
{
	struct dhcp6_lease *b;

	if (!addr_ok(s, l->addr, &l->duid, l->iaid, now) || !(b = bind_ia(s, l->addr, &l->duid, l->iaid, now)))
		return false;
	b->expires = l->expires;
	return true;
}

unsigned dhcp6_expire(struct dhcp6_server *s, time_t now)
{
	unsigned n = 0;

	for (size_t i = 0; i < DHCP6_LEASES_MAX; i++) {
		struct dhcp6_lease *l = &s->lease[i];

		if (l->state != DHCP6_FREE && l->expires <= now) {
			s->dirty |= l->state == DHCP6_BOUND;
			memset(l, 0, sizeof(*l));
			n++;
		}
	}
	return n;
}

unsigned dhcp6_count(const struct dhcp6_server *s, enum dhcp6_lease_state st)
{
	unsigned n = 0;

	for (size_t i = 0; i < DHCP6_LEASES_MAX; i++)
		n += s->lease[i].state == st;
	return n;
}
