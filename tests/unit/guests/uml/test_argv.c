/* User-Mode Linux's command line for a guest: golden argv, argument by
 * argument. */
#include <errno.h>
#include <string.h>

#include "guests/uml/uml.h"
#include "t.h"

static struct guest_config guest(void)
{
	struct guest_config g;

	memset(&g, 0, sizeof(g));
	g.name = "um1";
	g.kind = GUEST_KIND_UML;
	g.kernel = "/usr/bin/linux.uml";
	g.initrd = "/lab/guests/demo/initramfs.cpio.gz";
	g.append = "";
	g.memory_mib = 128;
	g.cpus = 1;
	memcpy(g.mac, "\x52\x54\x00\x12\x34\x56", 6);
	return g;
}

static struct uml_env env(void)
{
	return (struct uml_env){ .tap_fd = 3, .console_fd = 0, .run_dir = "/run/labinit/guests/um1" };
}

static void check_golden(const struct argv_buf *a, const char *const *want)
{
	unsigned n = 0;

	while (want[n])
		n++;
	CHECK_MSG(a->argc == n, "%u arguments, wanted %u", a->argc, n);
	for (unsigned i = 0; i < n && i < a->argc; i++)
		CHECK_MSG(!strcmp(a->argv[i], want[i]), "argv[%u] \"%s\", wanted \"%s\"", i, a->argv[i], want[i]);
	CHECK(a->argv[a->argc] == NULL);
}

/* The demo guest: kernel, initramfs, no disk. */
static void test_initrd_boot(void)
{
	static const char *const want[] = {
		"/usr/bin/linux.uml", "umid=um1", "uml_dir=/run/labinit/guests/um1", "mem=128M", "noreboot",
		"con=null", "ssl=null", "con0=fd:0,fd:0", "vec0:transport=fd,fd=3,vec=0,mac=52:54:00:12:34:56",
		"initrd=/lab/guests/demo/initramfs.cpio.gz", NULL,
	};
	struct guest_config g = guest();
	struct uml_env e = env();
	static struct argv_buf a;

	CHECK(uml_build_argv(&g, &e, &a) == 0);
	check_golden(&a, want);
}

/* A snapshot disk reads its image through a COW file; a persistent one is
 * written in place; the share is hostfs's root; APPEND is split into
 * words as the kernel splits them, a quoted value kept whole. */
static void test_disks_share_append(void)
{
	static const char *const want[] = {
		"/home/dev/linux/linux", "umid=um1", "uml_dir=/run/labinit/guests/um1", "mem=256M", "noreboot",
		"con=null", "ssl=null", "con0=fd:0,fd:0", "ubd0=/run/labinit/guests/um1/disk0.cow,/lab/root.img",
		"ubd1=/lab/scratch.img", "vec0:transport=fd,fd=3,vec=0,mac=52:54:00:12:34:56", "hostfs=/lab/share",
		"root=/dev/ubda", "lab.run=\"echo a  b; uname -r\"", "quiet", NULL,
	};
	struct guest_config g = guest();
	struct uml_env e = env();
	static struct argv_buf a;

	g.kernel = "/home/dev/linux/linux";
	g.initrd = "";
	g.memory_mib = 256;
	g.disks[0] = (struct guest_disk){ "/lab/root.img", GUESTHW_BUS_VIRTIO, false };
	g.disks[1] = (struct guest_disk){ "/lab/scratch.img", GUESTHW_BUS_VIRTIO, true };
	g.ndisks = 2;
	g.append = "  root=/dev/ubda\tlab.run=\"echo a  b; uname -r\" quiet ";
	e.cow[0] = "/run/labinit/guests/um1/disk0.cow";
	e.share_dir = "/lab/share";
	CHECK(uml_build_argv(&g, &e, &a) == 0);
	check_golden(&a, want);
}

/* The agent's line: ssl1 on the fd after the taps, and the hint that
 * tells the agent its tty; none without an fd. */
static void test_agent_line(void)
{
	static const char *const want[] = {
		"/usr/bin/linux.uml", "umid=um1", "uml_dir=/run/labinit/guests/um1", "mem=128M", "noreboot",
		"con=null", "ssl=null", "con0=fd:0,fd:0", "ssl1=fd:4,fd:4",
		"vec0:transport=fd,fd=3,vec=0,mac=52:54:00:12:34:56", "initrd=/lab/guests/demo/initramfs.cpio.gz",
		"labinit_agent.port=/dev/ttyS1", NULL,
	};
	struct guest_config g = guest();
	struct uml_env e = env();
	static struct argv_buf a;

	e.agent_fd = 4;
	CHECK(uml_build_argv(&g, &e, &a) == 0);
	check_golden(&a, want);
}

/* No tap: no NIC. Too many words: -E2BIG, never a cut command line. */
static void test_limits(void)
{
	static char append[4 * UML_MAX_ARGS + 1];
	struct guest_config g = guest();
	struct uml_env e = env();
	static struct argv_buf a;

	e.tap_fd = -1;
	CHECK(uml_build_argv(&g, &e, &a) == 0);
	for (unsigned i = 0; i < a.argc; i++)
		CHECK(strncmp(a.argv[i], "vec0:", 5) != 0);
	for (unsigned i = 0; i < UML_MAX_ARGS; i++)
		strcat(append, "x=1 ");
	g.append = append;
	CHECK(uml_build_argv(&g, &e, &a) == -E2BIG);
}

int main(void)
{
	test_initrd_boot();
	test_disks_share_append();
	test_agent_line();
	test_limits();
	return T_DONE();
}
