/* The request table's lookup; see dispatch.h. */
#include "init/control/dispatch.h"

#include <stdio.h>
#include <string.h>

void ctl_dispatch(const struct ctl_command *table, size_t n, void *data, int argc, char **argv, char *reply,
		  size_t size)
{
	for (size_t i = 0; i < n; i++) {
		const struct ctl_command *c = &table[i];

		if (strcmp(argv[0], c->name))
			continue;
		if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
			snprintf(reply, size, "error: \"%s\" takes %d to %d argument%s (labctl help)\n", c->name,
				 c->min_args, c->max_args, c->max_args == 1 ? "" : "s");
			return;
		}
		c->fn(data, c, argc, argv, reply, size);
		return;
	}
	snprintf(reply, size, "error: unknown request \"%s\" (labctl help)\n", argv[0]);
}
