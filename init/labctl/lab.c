/* PID 1's "lab" reply, parsed: one tab-separated line per fact (see
 * init/pid1/control.c). It comes from PID 1, but is read as strictly as
 * anything else: a field that does not parse drops its line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/labctl/labctl_priv.h"
#include "lib/core/addr.h"

static int split(char *line, char **f, int max)
{
	int n = 0;

	for (char *save = NULL, *t = strtok_r(line, "\t", &save); t && n < max; t = strtok_r(NULL, "\t", &save))
		f[n++] = t;
	return n;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static void parse_guest(struct labctl_lab *lab, char **f)
{
	struct labctl_guest *g = &lab->guests[lab->nguests];

	memset(g, 0, sizeof(*g));
	copy(g->name, sizeof(g->name), f[1]);
	copy(g->state, sizeof(g->state), f[2]);
	g->uptime_s = strtol(f[3], NULL, 10);
	g->restarts = (unsigned)strtoul(f[4], NULL, 10);
	g->gdb_port = (unsigned)strtoul(f[5], NULL, 10);
	if (addr_parse_mac(f[6], g->mac) < 0 || (strcmp(f[7], "-") && addr_parse_ip4(f[7], &g->ip) < 0))
		return;
	g->uml = !strcmp(f[8], "uml");
	g->pid = (int)strtol(f[9], NULL, 10);
	copy(g->run_dir, sizeof(g->run_dir), f[10]);
	lab->nguests++;
}

int labctl_lab(const char *path, struct labctl_lab *lab)
{
	char *reply, *save = NULL, *f[11];

	memset(lab, 0, sizeof(*lab));
	if (labctl_call(path, "lab", &reply))
		return 1;
	for (char *line = strtok_r(reply, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int n = split(line, f, 11);

		if (n == 3 && !strcmp(f[0], "leases")) {
			lab->have_leases = true;
			lab->prefix_len = (unsigned)strtoul(f[1], NULL, 10);
			copy(lab->lease_file, sizeof(lab->lease_file), f[2]);
		} else if (n == 2 && !strcmp(f[0], "share")) {
			copy(lab->share_dir, sizeof(lab->share_dir), f[1]);
		} else if (n == 8 && !strcmp(f[0], "net") && lab->nnets < LABCTL_MAX_NETS) {
			struct labctl_net *x = &lab->nets[lab->nnets++];

			x->num = (unsigned)strtoul(f[1], NULL, 10);
			copy(x->name, sizeof(x->name), f[2]);
			copy(x->mode, sizeof(x->mode), f[3]);
			copy(x->bridge, sizeof(x->bridge), f[4]);
			copy(x->addr, sizeof(x->addr), f[5]);
			copy(x->prefix6, sizeof(x->prefix6), f[6]);
			copy(x->lease_file, sizeof(x->lease_file), f[7]);
		} else if (n == 11 && !strcmp(f[0], "guest") && lab->nguests < SV_MAX) {
			parse_guest(lab, f);
		}
	}
	free(reply);
	return 0;
}
