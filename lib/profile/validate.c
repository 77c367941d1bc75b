/* Profile validation: parses each value once into the typed fields of
 * struct profile and checks what spans keys (addresses inside the subnet,
 * duplicates, files that must exist). Every error names the key and where it
 * was set; nothing stops at the first. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/name.h"
#include "lib/profile/config.h"
#include "lib/profile/profile.h"
#include "lib/profile/validate_priv.h"

void vc_error(struct vctx *c, unsigned key, const char *fmt, ...)
{
	const struct key_value *v = &c->p->v[key];
	char name[CONFIG_KEY_MAX], msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	profile_note_error(c->p, key);
	if (v->source)
		diag_add(c->d, v->source, v->line, profile_key_name(key, name), "%s", msg);
	else
		diag_add(c->d, c->p->source ? c->p->source : "defaults", 0,
			 profile_key_name(key, name), "%s (default value)", msg);
}

const char *vc_str(struct vctx *c, unsigned key)
{
	return c->p->v[key].str;
}

long vc_num(struct vctx *c, unsigned key)
{
	return c->p->v[key].num;
}

/* The services PID 1 runs itself (init/pid1/pid1.c): guests and extra services
 * are services under their own names, so these are taken. */
bool vc_reserved_service(const char *name)
{
	static const char *const own[] = { "modules", "boot", "dhcpd", "uplink-dhcp", "rescue", "console", "smbd" };

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (!strcmp(name, own[i]))
			return true;
	return !strncmp(name, "dhcpd-", 6); /* the other networks' workers */
}

/* One word for menus and file names: letters, digits, '_', '-', '.'. */
bool vc_valid_word(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n;
}

/* Linux accepts any name below IFNAMSIZ (16) without '/', ':' or spaces. */
void vc_check_ifname(struct vctx *c, unsigned key)
{
	const char *s = vc_str(c, key);

	if (!*s)
		vc_error(c, key, "an interface name is required");
	else if (strlen(s) > 15)
		vc_error(c, key, "\"%s\" is %zu characters; interface names have at most 15 (IFNAMSIZ)",
			  s, strlen(s));
	else if (strpbrk(s, "/: \t") || !strcmp(s, ".") || !strcmp(s, ".."))
		vc_error(c, key, "\"%s\" is not a valid interface name", s);
}

void vc_check_abs_path(struct vctx *c, unsigned key, bool required)
{
	const char *s = vc_str(c, key);

	if (!*s && !required)
		return;
	if (s[0] != '/')
		vc_error(c, key, "\"%s\": expected an absolute path", s);
}

/* A path that ends up inside another program's syntax: QEMU's -virtfs
 * option list (',' separates its options) and smb.conf's lines (a line
 * break starts another setting, '%' is a Samba substitution). */
void vc_check_quoted_path(struct vctx *c, unsigned key)
{
	const char *s = vc_str(c, key);

	for (const char *p = s; *p; p++) {
		if (*p == ',' || *p == '%' || (unsigned char)*p < 0x20 || *p == 0x7f) {
			vc_error(c, key, "\"%s\": a ',', a '%%' or a control character would change the meaning of "
				 "the QEMU option or smb.conf line this path goes into", s);
			return;
		}
	}
}

bool vc_parse_ip(struct vctx *c, unsigned key, uint32_t *out)
{
	if (addr_parse_ip4(vc_str(c, key), out) == 0)
		return true;
	vc_error(c, key, "\"%s\" is not an IPv4 address (e.g. 10.77.0.1)", vc_str(c, key));
	return false;
}

/* A list of up to max IPv4 addresses separated by spaces or commas. */
static unsigned parse_ip_list(struct vctx *c, unsigned key, uint32_t *out, unsigned max)
{
	char buf[CONFIG_LINE_MAX], *tok, *save = NULL;
	unsigned n = 0;

	snprintf(buf, sizeof(buf), "%s", vc_str(c, key));
	for (tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		if (n == max) {
			vc_error(c, key, "more than %u addresses", max);
			break;
		}
		if (addr_parse_ip4(tok, &out[n]) < 0)
			vc_error(c, key, "\"%s\" is not an IPv4 address", tok);
		else
			n++;
	}
	return n;
}

bool vc_is_host_in(uint32_t a, const struct ip4_prefix *p)
{
	uint32_t m = addr_mask(p->len);

	if (!addr_in_prefix(a, p))
		return false;
	return p->len >= 31 || ((a & ~m) != 0 && (a & ~m) != ~m);
}

static void validate_general(struct vctx *c)
{
	struct profile *p = c->p;

	p->name = vc_str(c, K_PROFILE_NAME);
	/* It names the lab in boot menus (image/bootmedia.sh quotes nothing) */
	if (!vc_valid_word(p->name, 32))
		vc_error(c, K_PROFILE_NAME, "\"%s\" is not a profile name (1-32 letters, digits, '_', '-', '.')",
			  p->name);
	p->description = vc_str(c, K_PROFILE_DESCRIPTION);
	p->hostname = vc_str(c, K_HOSTNAME);
	if (!name_is_label(p->hostname, strlen(p->hostname), 63))
		vc_error(c, K_HOSTNAME, "\"%s\" is not a host name (1-63 letters, digits, '-')",
			  p->hostname);
	p->console = vc_str(c, K_CONSOLE);
	if (strncmp(p->console, "/dev/", 5) != 0)
		vc_error(c, K_CONSOLE, "\"%s\": expected a device under /dev", p->console);
	p->log_level = (int)vc_num(c, K_LOG_LEVEL);
	p->files_dir = vc_str(c, K_FILES_DIR);
	vc_check_abs_path(c, K_FILES_DIR, true);
	p->stop_timeout = (unsigned)vc_num(c, K_STOP_TIMEOUT);
	p->shutdown_timeout = (unsigned)vc_num(c, K_SHUTDOWN_TIMEOUT);
	p->rescue_shell = vc_str(c, K_RESCUE_SHELL);
	vc_check_abs_path(c, K_RESCUE_SHELL, true);
	p->console_shell = vc_num(c, K_CONSOLE_SHELL);
	p->sandbox_uid = (unsigned)vc_num(c, K_SANDBOX_UID);
}

/* "NAME=COMMAND ARGS; NAME2=..." */
static void parse_service(struct vctx *c, char *entry)
{
	struct profile *p = c->p;
	struct service_cfg *s;
	char *eq = strchr(entry, '='), *tok, *save = NULL;
	unsigned argc = 0;

	if (!eq) {
		vc_error(c, K_EXTRA_SERVICES, "\"%.60s\": expected NAME=COMMAND", entry);
		return;
	}
	*eq = '\0';
	if (!name_is_label(entry, strlen(entry), 31)) {
		vc_error(c, K_EXTRA_SERVICES, "\"%s\" is not a service name (letters, digits, '-')", entry);
		return;
	}
	for (unsigned i = 0; i < p->nservices; i++)
		if (!strcmp(p->services[i].name, entry)) {
			vc_error(c, K_EXTRA_SERVICES, "service \"%s\" is listed twice", entry);
			return;
		}
	if (vc_reserved_service(entry)) {
		vc_error(c, K_EXTRA_SERVICES, "\"%s\" is the name of one of labinit's own services", entry);
		return;
	}
	if (p->nservices == PROFILE_MAX_SERVICES) {
		vc_error(c, K_EXTRA_SERVICES, "more than %d services", PROFILE_MAX_SERVICES);
		return;
	}
	s = &p->services[p->nservices];
	snprintf(s->name, sizeof(s->name), "%s", entry);
	snprintf(s->buf, sizeof(s->buf), "%s", eq + 1);
	for (tok = strtok_r(s->buf, " \t", &save); tok && argc < PROFILE_MAX_ARGS;
	     tok = strtok_r(NULL, " \t", &save))
		s->argv[argc++] = tok;
	s->argv[argc] = NULL;
	if (argc == 0 || s->argv[0][0] != '/') {
		vc_error(c, K_EXTRA_SERVICES, "service \"%s\": the command must start with an absolute path",
			  s->name);
		return;
	}
	p->nservices++;
}

static void validate_services(struct vctx *c)
{
	char buf[CONFIG_LINE_MAX], *entry, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", vc_str(c, K_EXTRA_SERVICES));
	for (entry = strtok_r(buf, ";", &save); entry; entry = strtok_r(NULL, ";", &save)) {
		while (*entry == ' ' || *entry == '\t')
			entry++;
		if (*entry)
			parse_service(c, entry);
	}
}

static void validate_uplink(struct vctx *c)
{
	struct profile *p = c->p;

	p->uplink_ifname = vc_str(c, K_UPLINK_IFNAME);
	vc_check_ifname(c, K_UPLINK_IFNAME);
	p->uplink_dhcp = vc_num(c, K_UPLINK_DHCP);
	if (vc_num(c, K_UPLINK_DHCP) == vc_num(c, K_UPLINK_STATIC))
		vc_error(c, K_UPLINK_STATIC, "exactly one of CONFIG_UPLINK_DHCP and CONFIG_UPLINK_STATIC must be y");
	if (!vc_num(c, K_UPLINK_STATIC))
		return;
	if (addr_parse_prefix(vc_str(c, K_UPLINK_ADDRESS), &p->uplink_addr) < 0) {
		vc_error(c, K_UPLINK_ADDRESS, "\"%s\": a static uplink needs ADDRESS/PREFIX (e.g. 192.168.1.50/24)",
			  vc_str(c, K_UPLINK_ADDRESS));
		p->uplink_addr.len = 0;
	}
	if (*vc_str(c, K_UPLINK_GATEWAY) && vc_parse_ip(c, K_UPLINK_GATEWAY, &p->uplink_gateway) &&
	    p->uplink_addr.len && !addr_in_prefix(p->uplink_gateway, &p->uplink_addr))
		vc_error(c, K_UPLINK_GATEWAY, "%s is not inside the uplink's %s",
			  vc_str(c, K_UPLINK_GATEWAY), vc_str(c, K_UPLINK_ADDRESS));
	p->uplink_ndns = parse_ip_list(c, K_UPLINK_DNS, p->uplink_dns, PROFILE_MAX_DNS);
}

static void validate_bridge_mac(struct vctx *c)
{
	struct profile *p = c->p;
	uint32_t h;

	if (!*vc_str(c, K_BRIDGE_MAC)) {
		/* Locally administered, unicast, stable for a given hostname. */
		h = addr_fnv1a(p->hostname);
		p->bridge_mac[0] = 0x02;
		p->bridge_mac[1] = 0x4c;
		memcpy(&p->bridge_mac[2], &h, 4);
		return;
	}
	if (addr_parse_mac(vc_str(c, K_BRIDGE_MAC), p->bridge_mac) < 0)
		vc_error(c, K_BRIDGE_MAC, "\"%s\" is not a MAC address (e.g. 52:54:00:12:34:56)",
			  vc_str(c, K_BRIDGE_MAC));
	else if (p->bridge_mac[0] & 1)
		vc_error(c, K_BRIDGE_MAC, "%s is a multicast address", vc_str(c, K_BRIDGE_MAC));
}

static void validate_subnet(struct vctx *c)
{
	struct profile *p = c->p;
	char net[16];

	if (addr_parse_prefix(vc_str(c, K_LAB_SUBNET), &p->subnet) < 0) {
		vc_error(c, K_LAB_SUBNET, "\"%s\" is not a subnet (e.g. 10.77.0.0/24)", vc_str(c, K_LAB_SUBNET));
		p->subnet.len = 0;
		return;
	}
	if (p->subnet.len < 8 || p->subnet.len > 30) {
		vc_error(c, K_LAB_SUBNET, "prefix /%u: the lab subnet must be /8 to /30", p->subnet.len);
		p->subnet.len = 0;
		return;
	}
	if (p->subnet.addr & ~addr_mask(p->subnet.len)) {
		addr_format_ip4(p->subnet.addr & addr_mask(p->subnet.len), net);
		vc_error(c, K_LAB_SUBNET, "%s has host bits set; did you mean %s/%u?",
			  vc_str(c, K_LAB_SUBNET), net, p->subnet.len);
		p->subnet.addr &= addr_mask(p->subnet.len);
	}
	if (vc_num(c, K_UPLINK_STATIC) && p->uplink_addr.len &&
	    addr_prefixes_overlap(&p->subnet, &p->uplink_addr))
		vc_error(c, K_LAB_SUBNET, "%s overlaps the uplink's %s", vc_str(c, K_LAB_SUBNET),
			  vc_str(c, K_UPLINK_ADDRESS));
}

/* An address the lab hands out or routes to: inside the subnet, not its
 * network or broadcast address. */
bool vc_check_lab_host(struct vctx *c, unsigned key, uint32_t a)
{
	if (!c->p->subnet.len)
		return false; /* already reported */
	if (vc_is_host_in(a, &c->p->subnet))
		return true;
	vc_error(c, key, "%s is not a host address inside the lab subnet %s", vc_str(c, key),
		  vc_str(c, K_LAB_SUBNET));
	return false;
}

/* A key the profile does not set follows the subnet: a lab moved to
 * 10.78.0.0/24 by CONFIG_LAB_SUBNET alone gets 10.78.0.1 as its gateway. */
static void follow_subnet(struct vctx *c, unsigned key, uint32_t host)
{
	struct key_value *v = &c->p->v[key];
	const struct ip4_prefix *sn = &c->p->subnet;
	uint32_t cur;
	char text[16], *copy;

	if (v->source || !sn->len || (addr_parse_ip4(v->str, &cur) == 0 && addr_in_prefix(cur, sn)))
		return;
	addr_format_ip4(sn->addr | host, text);
	if ((copy = strdup(text))) {
		free(v->str);
		v->str = copy;
	}
}

/* A unique local prefix (RFC 4193 §3.2) whose 40-bit global ID comes from
 * the bridge's MAC and name rather than from a clock: the same profile
 * gives the same prefix on every boot and every machine (so names and
 * firewall rules stay put), two labs with different bridge MACs differ.
 * The subnet ID is the network's number. */
void vc_derive_ula(const uint8_t mac[6], const char *bridge, unsigned subnet_id, uint8_t out[16])
{
	char seed[64];
	uint32_t h1, h2;

	snprintf(seed, sizeof(seed), "%02x%02x%02x%02x%02x%02x/%s", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
		 bridge);
	h1 = addr_fnv1a(seed);
	seed[0] ^= 0x20; /* a second, independent hash for the last byte */
	h2 = addr_fnv1a(seed);
	memset(out, 0, 16);
	out[0] = 0xfd;
	out[1] = (uint8_t)(h1 >> 24);
	out[2] = (uint8_t)(h1 >> 16);
	out[3] = (uint8_t)(h1 >> 8);
	out[4] = (uint8_t)h1;
	out[5] = (uint8_t)h2;
	out[6] = (uint8_t)(subnet_id >> 8);
	out[7] = (uint8_t)subnet_id;
}

/* A configured IPv6 prefix: a /64 (SLAAC needs one, RFC 4862 §5.5.3) of
 * global unicast or ULA space. */
bool vc_parse_prefix6(struct vctx *c, unsigned key, uint8_t out[16])
{
	const char *v = vc_str(c, key);
	char text[64], *slash;

	snprintf(text, sizeof(text), "%s", v);
	slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (!slash || strcmp(slash + 1, "64") || inet_pton(AF_INET6, text, out) != 1) {
		vc_error(c, key, "\"%s\": expected an IPv6 /64 prefix, e.g. fd00:1ab::/64", v);
		return false;
	}
	if (out[0] == 0xff || (out[0] == 0xfe && (out[1] & 0xc0) == 0x80) || !(out[0] & 0xe0)) {
		vc_error(c, key, "%s: not a unicast prefix (use a ULA fd00::/8 or a global one)", v);
		return false;
	}
	if (memcmp(out + 8, "\0\0\0\0\0\0\0\0", 8)) {
		vc_error(c, key, "%s: the host bits (the last 64) must be zero", v);
		return false;
	}
	return true;
}

/* CONFIG_LAB_IPV6 and its prefix, for network 1. */
static void validate_ipv6(struct vctx *c)
{
	struct profile *p = c->p;

	p->ipv6 = vc_num(c, K_LAB_IPV6);
	memset(p->prefix6, 0, 16);
	memset(p->gateway6, 0, 16);
	if (!p->ipv6)
		return;
	if (!*vc_str(c, K_LAB_IPV6_PREFIX))
		vc_derive_ula(p->bridge_mac, p->bridge_name, 1, p->prefix6);
	else if (!vc_parse_prefix6(c, K_LAB_IPV6_PREFIX, p->prefix6))
		return;
	memcpy(p->gateway6, p->prefix6, 16);
	p->gateway6[15] = 1;
	p->bridge_ipv6 = true;
}

static void validate_lab(struct vctx *c)
{
	struct profile *p = c->p;

	p->bridge_name = vc_str(c, K_BRIDGE_NAME);
	vc_check_ifname(c, K_BRIDGE_NAME);
	if (!strcmp(p->bridge_name, p->uplink_ifname))
		vc_error(c, K_BRIDGE_NAME, "\"%s\" is also the uplink's name", p->bridge_name);
	validate_bridge_mac(c);
	validate_subnet(c);
	if (p->subnet.len) {
		uint32_t hosts = ~addr_mask(p->subnet.len);

		follow_subnet(c, K_LAB_GATEWAY, 1);
		follow_subnet(c, K_DHCP_RANGE_START, 2);
		follow_subnet(c, K_DHCP_RANGE_END, hosts - 1);
	}
	if (vc_parse_ip(c, K_LAB_GATEWAY, &p->gateway))
		vc_check_lab_host(c, K_LAB_GATEWAY, p->gateway);
	p->mtu = (unsigned)vc_num(c, K_LAB_MTU);
	if (p->mtu && p->mtu < 576)
		vc_error(c, K_LAB_MTU, "%u: use 0 (the kernel's default) or 576..65535", p->mtu);
	p->stp = vc_num(c, K_BRIDGE_STP);
	p->forward_delay = (unsigned)vc_num(c, K_BRIDGE_FORWARD_DELAY);
	if (p->stp && p->forward_delay < 2)
		vc_error(c, K_BRIDGE_FORWARD_DELAY, "%u: with STP on the kernel needs 2..30 seconds",
			  p->forward_delay);
	p->bridge_ipv6 = vc_num(c, K_BRIDGE_IPV6);
	validate_ipv6(c);
	p->dhcp6 = vc_num(c, K_LAB_DHCPV6);
	if (p->dhcp6 && !p->ipv6)
		vc_error(c, K_LAB_DHCPV6, "needs CONFIG_LAB_IPV6=y (DHCPv6 serves the lab's IPv6 /64)");
}

/* The DHCP server replaces its lease file by rename as an unprivileged
 * user, so the file's directory becomes that user's. A list of directories
 * to refuse would miss one (a link such as /var/run, /var/lib/misc), so
 * the rule says what is allowed: a directory named "dhcpd", which nothing
 * but the lab's DHCP server would use, reached without "." or "..". */
static void check_lease_dir(struct vctx *c)
{
	const char *path = vc_str(c, K_DHCP_LEASE_FILE), *file = strrchr(path, '/'), *dir;

	if (!file)
		return;
	for (dir = file; dir > path && dir[-1] != '/'; dir--)
		;
	if (strstr(path, "//") || strstr(path, "/./") || strstr(path, "/../") || (size_t)(file - dir) != 5 ||
	    strncmp(dir, "dhcpd", 5) || !file[1])
		vc_error(c, K_DHCP_LEASE_FILE, "\"%s\": the DHCP server gets the file's directory as its own: "
			 "put the file in a directory named dhcpd (e.g. /run/labinit/dhcpd/dhcp.leases)", path);
}

static void validate_dhcp(struct vctx *c)
{
	struct profile *p = c->p;
	bool ok;

	p->dhcp = vc_num(c, K_DHCP_SERVER);
	p->lease_time = (unsigned)vc_num(c, K_DHCP_LEASE_TIME);
	p->lease_file = vc_str(c, K_DHCP_LEASE_FILE);
	if (!p->dhcp)
		return;
	vc_check_abs_path(c, K_DHCP_LEASE_FILE, true);
	check_lease_dir(c);
	ok = vc_parse_ip(c, K_DHCP_RANGE_START, &p->range_start) &&
	     vc_check_lab_host(c, K_DHCP_RANGE_START, p->range_start);
	ok = vc_parse_ip(c, K_DHCP_RANGE_END, &p->range_end) &&
	     vc_check_lab_host(c, K_DHCP_RANGE_END, p->range_end) && ok;
	if (ok && p->range_start > p->range_end)
		vc_error(c, K_DHCP_RANGE_END, "%s is below the range start %s", vc_str(c, K_DHCP_RANGE_END),
			  vc_str(c, K_DHCP_RANGE_START));
}

/* CONFIG_TFTP_ROOT: relative to FILES_DIR, no "." or ".." components.
 * Whether it exists is the server's business at run time (FILES_DIR may be
 * a lab disk mounted at boot): a missing root costs the lab its TFTP, with
 * an error in the log, never its DHCP. */
static void validate_tftp(struct vctx *c)
{
	struct profile *p = c->p;
	const char *v = vc_str(c, K_TFTP_ROOT);

	const char *leases = vc_str(c, K_DHCP_LEASE_FILE), *slash = strrchr(leases, '/');

	p->tftp_max_sessions = (unsigned)vc_num(c, K_TFTP_MAX_SESSIONS);
	p->tftp_root[0] = 0;
	snprintf(p->netboot_dir, sizeof(p->netboot_dir), "%.*s/netboot", slash ? (int)(slash - leases) : 1,
		 slash ? leases : ".");
	if (!v[0])
		return;
	if (!strcmp(v, "..") || !strncmp(v, "../", 3) || strstr(v, "/../") || strstr(v, "/./") ||
	    (strlen(v) >= 3 && !strcmp(v + strlen(v) - 3, "/.."))) {
		vc_error(c, K_TFTP_ROOT, "\"%s\": write the directory without \".\" or \"..\"", v);
		return;
	}
	if ((size_t)snprintf(p->tftp_root, sizeof(p->tftp_root), v[0] == '/' ? "%s%s" : "%s/%s",
			     v[0] == '/' ? "" : p->files_dir, v) >= sizeof(p->tftp_root)) {
		vc_error(c, K_TFTP_ROOT, "\"%s\": too long", v);
		p->tftp_root[0] = 0;
	}
}

bool vc_valid_domain(const char *s)
{
	return strlen(s) <= 253 && name_is_domain(s, strlen(s));
}

static void validate_dns(struct vctx *c)
{
	struct profile *p = c->p;

	p->dns = vc_num(c, K_DNS);
	p->dns_domain = vc_str(c, K_DNS_DOMAIN);
	if (!p->dns)
		return;
	if (!vc_valid_domain(p->dns_domain))
		vc_error(c, K_DNS_DOMAIN, "\"%s\" is not a domain name (e.g. lab)", p->dns_domain);
	/* "none": answer for the lab only; empty: the uplink's resolvers. */
	p->dns_no_forward = !strcmp(vc_str(c, K_DNS_UPSTREAMS), "none");
	if (!p->dns_no_forward)
		p->ndns_upstreams = parse_ip_list(c, K_DNS_UPSTREAMS, p->dns_upstreams, PROFILE_MAX_DNS);
}

static void validate_share_image(struct vctx *c)
{
	struct profile *p = c->p;
	const char *tag = vc_str(c, K_SHARE_9P_TAG);

	p->share_dir = vc_str(c, K_SHARE_DIR);
	vc_check_abs_path(c, K_SHARE_DIR, true);
	vc_check_quoted_path(c, K_SHARE_DIR);
	p->share_9p = vc_num(c, K_SHARE_9P);
	p->share_9p_tag = tag;
	if (p->share_9p && (strlen(tag) > 31 || strspn(tag, "abcdefghijklmnopqrstuvwxyz"
					    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(tag) || !*tag))
		vc_error(c, K_SHARE_9P_TAG, "\"%s\": a mount tag is 1-31 letters, digits, '_' or '-'", tag);
	p->share_per_guest = vc_num(c, K_SHARE_PER_GUEST);
	p->share_smb = vc_num(c, K_SHARE_SMB);
	/* Its range (profile_keys.h) is checked where the value is parsed. */
	p->console_log_kib = (unsigned)vc_num(c, K_CONSOLE_LOG_SIZE);
	p->image_kernel = vc_str(c, K_IMAGE_KERNEL);
	p->image_extra_files = vc_str(c, K_IMAGE_EXTRA_FILES);
	p->image_embed_guests = vc_num(c, K_IMAGE_EMBED_GUESTS);
}

void profile_validate(struct profile *p, struct diag *d)
{
	struct vctx c = { p, d };

	validate_general(&c);
	validate_services(&c);
	validate_uplink(&c);
	validate_lab(&c);
	validate_dhcp(&c);
	validate_tftp(&c);
	validate_dns(&c);
	validate_share_image(&c);
	vc_boot(&c);
	vc_nets(&c);
	vc_guests(&c);
	if (p->nat)
		vc_forwards(&c);
	vc_firewall(&c);
}
