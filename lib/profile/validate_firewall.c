/* The host firewall's keys: where the gdb stubs and the SMB share answer
 * (GDB_LISTEN, SHARE_SMB_LISTEN) and the ports of the extra services
 * (EXTRA_SERVICES_PORTS). The lab host answers nothing else; see
 * net/nft/nft.c for the rules they become. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/profile/config.h"
#include "lib/profile/validate_priv.h"

static const char *const listen_names[] = {
	[LISTEN_BRIDGE] = "bridge",
	[LISTEN_UPLINK] = "uplink",
	[LISTEN_BOTH] = "both",
};

static int parse_listen(const char *s)
{
	for (unsigned i = LISTEN_BRIDGE; i <= LISTEN_BOTH; i++)
		if (!strcmp(s, listen_names[i]))
			return (int)i;
	return -1;
}

static enum listen_on listen_key(struct vctx *c, unsigned key)
{
	int on = parse_listen(vc_str(c, key));

	if (on < 0) {
		vc_error(c, key, "\"%s\": expected bridge, uplink or both", vc_str(c, key));
		return LISTEN_BRIDGE;
	}
	return (enum listen_on)on;
}

/* "tcp:22", "udp:69:both" */
static void parse_port_entry(struct vctx *c, char *tok)
{
	struct profile *p = c->p;
	struct host_port hp = { 0 };
	char *proto = tok, *port, *on, *end;
	unsigned long n;

	port = strchr(proto, ':');
	if (!port) {
		vc_error(c, K_EXTRA_SERVICES_PORTS, "\"%s\": expected PROTO:PORT[:WHERE] (e.g. tcp:22:uplink)", tok);
		return;
	}
	*port++ = '\0';
	if ((on = strchr(port, ':')))
		*on++ = '\0';
	hp.proto = !strcmp(proto, "tcp") ? IPPROTO_TCP : !strcmp(proto, "udp") ? IPPROTO_UDP : 0;
	n = strtoul(port, &end, 10);
	if (!hp.proto || !*port || *end || n < 1 || n > 65535) {
		vc_error(c, K_EXTRA_SERVICES_PORTS, "\"%s:%s\": protocol is tcp or udp, the port 1..65535", proto, port);
		return;
	}
	hp.port = (uint16_t)n;
	hp.on = LISTEN_BRIDGE;
	if (on) {
		int w = parse_listen(on);

		if (w < 0) {
			vc_error(c, K_EXTRA_SERVICES_PORTS, "\"%s:%s:%s\": WHERE is bridge, uplink or both", proto, port,
				 on);
			return;
		}
		hp.on = (enum listen_on)w;
	}
	for (unsigned i = 0; i < p->nextra_ports; i++)
		if (p->extra_ports[i].proto == hp.proto && p->extra_ports[i].port == hp.port) {
			vc_error(c, K_EXTRA_SERVICES_PORTS, "%s port %u is listed twice", proto, hp.port);
			return;
		}
	if (p->nextra_ports == PROFILE_MAX_PORTS) {
		vc_error(c, K_EXTRA_SERVICES_PORTS, "more than %d ports", PROFILE_MAX_PORTS);
		return;
	}
	p->extra_ports[p->nextra_ports++] = hp;
}

void vc_firewall(struct vctx *c)
{
	char buf[CONFIG_LINE_MAX], *tok, *save = NULL;

	c->p->gdb_listen = listen_key(c, K_GDB_LISTEN);
	c->p->smb_listen = listen_key(c, K_SHARE_SMB_LISTEN);
	c->p->nextra_ports = 0;
	snprintf(buf, sizeof(buf), "%s", vc_str(c, K_EXTRA_SERVICES_PORTS));
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		parse_port_entry(c, tok);
}
