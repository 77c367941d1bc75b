/* `labinit netboot --config FILE --dir DIR`: writes the netboot menus of the
 * profile's netbooting guests into DIR (net/netboot/), and lists the files
 * the TFTP server exports for them, one "TFTP-PATH HOST-FILE" a line. For
 * a TFTP server other than labinit's, and for the tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/cmd/commands.h"
#include "init/labcfg/labcfg.h"
#include "net/netboot/netboot.h"

int cmd_netboot(int argc, char **argv)
{
	static struct netboot_config c;
	struct profile *p = cmd_load_profile(argc, argv, "netboot");
	const char *dir = NULL;
	int r = 2;

	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--dir"))
			dir = argv[++i];
	if (p && !dir) {
		fprintf(stderr, "usage: labinit netboot --config FILE --dir DIR\n");
	} else if (p) {
		labcfg_netboot(p, &c);
		r = netboot_write(&c, dir) < 0 ? 1 : 0;
		for (unsigned i = 0; r == 0 && i < c.nexports; i++)
			printf("%s %s\n", c.exports[i].path, c.exports[i].file);
	}
	if (p)
		profile_free(p);
	free(p);
	return r;
}
