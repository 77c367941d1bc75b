/* The lab subnet's overlap check and the free subnet it suggests. */
#include <errno.h>
#include <string.h>

#include "net/labnet/labnet.h"
#include "t.h"

static void use(struct labnet_used *u, uint32_t addr, uint8_t len)
{
	u->prefix[u->n].addr = addr & addr_mask(len);
	u->prefix[u->n].len = len;
	strcpy(u->what[u->n], "x");
	u->n++;
}

int main(void)
{
	static struct labnet_used u;
	struct ip4_prefix lab = { 0x0a4d0000, 24 }, out;

	CHECK(labnet_find_overlap(&u, &lab) == -1);
	use(&u, 0xc0a87a00, 24);              /* 192.168.122.0/24: libvirt's */
	use(&u, 0x0a000000, 16);              /* 10.0.0.0/16 */
	CHECK(labnet_find_overlap(&u, &lab) == -1);
	use(&u, 0x0a4d0005, 16);              /* 10.77.0.5/16 covers the lab */
	CHECK(labnet_find_overlap(&u, &lab) == 2);
	CHECK(labnet_suggest_subnet(&u, 24, &out) == 0);
	CHECK(out.addr == 0x0a4e0000 && out.len == 24); /* 10.78.0.0/24 */
	/* All of 10/8 taken: 192.168.100.0/24 next. */
	use(&u, 0x0a000000, 8);
	CHECK(labnet_suggest_subnet(&u, 24, &out) == 0 && out.addr == 0xc0a86400);
	/* A /16 does not fit 192.168.100+: 172.16.0.0/16. */
	CHECK(labnet_suggest_subnet(&u, 16, &out) == 0 && out.addr == 0xac100000 && out.len == 16);
	use(&u, 0xc0a80000, 16);
	use(&u, 0xac100000, 12);
	CHECK(labnet_suggest_subnet(&u, 24, &out) == -ENOENT);
	CHECK(labnet_suggest_subnet(&u, 31, &out) == -EINVAL);
	return T_DONE();
}
