/* init/boot/hosts.c's file: localhost, then the host name with its domain (or
 * without one) on 127.0.1.1; a name that does not fit is refused whole. */
#include <errno.h>
#include <string.h>

#include "init/boot/hosts.h"
#include "t.h"

int main(void)
{
	char buf[512], tiny[40];

	CHECK(hosts_format(buf, sizeof(buf), "lab", "lab") == (int)strlen(buf));
	CHECK(!strcmp(buf, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			   "127.0.1.1\tlab.lab lab\n"));
	CHECK(hosts_format(buf, sizeof(buf), "labtest", NULL) > 0);
	CHECK(!strcmp(buf, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tlabtest\n"));
	CHECK(hosts_format(buf, sizeof(buf), "box-7", "") > 0 && strstr(buf, "\n127.0.1.1\tbox-7\n"));
	CHECK(hosts_format(tiny, sizeof(tiny), "lab", "lab") == -ENOSPC);
	return T_DONE();
}
