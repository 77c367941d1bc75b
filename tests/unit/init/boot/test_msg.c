/* The boot's records to PID 1 (init/boot/msg.c): what the boot encodes
 * decodes to the same service, and PID 1's check refuses every record
 * that is cut short, too long, unterminated or of an unknown type. And
 * PID 1's request table (init/control/dispatch.c) by name and arity. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "init/boot/msg.h"
#include "init/control/dispatch.h"
#include "t.h"

static struct boot_msg M;

static size_t service(const char *name, char *const argv[])
{
	memset(&M, 0, sizeof(M));
	M.type = BOOT_MSG_SERVICE;
	snprintf(M.u.service.name, sizeof(M.u.service.name), "%s", name);
	M.u.service.kind = BOOT_KIND_GUEST;
	M.u.service.ntaps = 1;
	snprintf(M.u.service.run_dir, sizeof(M.u.service.run_dir), "/run/labinit/guests/%s", name);
	CHECK(boot_msg_set_argv(&M.u.service, argv) == 0);
	return boot_msg_size(&M);
}

static void test_service(void)
{
	char *argv[] = { "/usr/bin/qemu-system-x86_64", "-name", "vm1", "", "-S", NULL };
	char *out[BOOT_MSG_ARGS_MAX + 1];
	size_t len = service("vm1", argv);

	CHECK(len < sizeof(M)); /* only the argv bytes in use travel */
	CHECK(boot_msg_check(&M, len) == 0);
	boot_msg_argv(&M.u.service, out);
	for (unsigned i = 0; argv[i]; i++)
		CHECK(out[i] && !strcmp(out[i], argv[i]));
	CHECK(out[5] == NULL && M.u.service.nargs == 5);
	/* cut short, one byte too many, a string not terminated */
	CHECK(boot_msg_check(&M, len - 1) < 0);
	CHECK(boot_msg_check(&M, len + 1) < 0);
	CHECK(boot_msg_check(&M, 2) < 0);
	M.u.service.nargs = 6;
	CHECK(boot_msg_check(&M, len) < 0);
	M.u.service.nargs = 0;
	CHECK(boot_msg_check(&M, len) < 0);
	M.u.service.nargs = 5;
	memset(M.u.service.name, 'x', sizeof(M.u.service.name));
	CHECK(boot_msg_check(&M, len) < 0);
	service("vm1", argv);
	M.u.service.kind = 7;
	CHECK(boot_msg_check(&M, len) < 0);
}

static void test_limits(void)
{
	static char big[BOOT_MSG_ARGV_SIZE];
	char *many[BOOT_MSG_ARGS_MAX + 2], *two[] = { big, big, NULL };

	for (unsigned i = 0; i <= BOOT_MSG_ARGS_MAX; i++)
		many[i] = "x";
	many[BOOT_MSG_ARGS_MAX + 1] = NULL;
	CHECK(boot_msg_set_argv(&M.u.service, many) == -E2BIG);
	memset(big, 'a', sizeof(big) / 2);
	CHECK(boot_msg_set_argv(&M.u.service, two) == -E2BIG); /* never a cut command line */
}

static void test_other_types(void)
{
	memset(&M, 0, sizeof(M));
	M.type = BOOT_MSG_READY;
	CHECK(boot_msg_check(&M, boot_msg_size(&M)) == 0);
	CHECK(boot_msg_check(&M, boot_msg_size(&M) + 4) < 0);
	M.type = BOOT_MSG_SETTINGS;
	CHECK(boot_msg_check(&M, boot_msg_size(&M)) == 0);
	memset(M.u.settings.console, 'c', sizeof(M.u.settings.console));
	CHECK(boot_msg_check(&M, boot_msg_size(&M)) < 0);
	memset(&M, 0, sizeof(M));
	M.type = BOOT_MSG_RESCUE;
	CHECK(boot_msg_check(&M, boot_msg_size(&M)) == 0);
	M.type = 99;
	CHECK(boot_msg_check(&M, 4) < 0);
}

static int calls, last_arg;

static void handler(void *data, const struct ctl_command *c, int argc, char **argv, char *reply, size_t size)
{
	(void)data;
	(void)argc;
	(void)argv;
	calls++;
	last_arg = c->arg;
	snprintf(reply, size, "ok\n");
}

static void test_dispatch(void)
{
	static const struct ctl_command t[] = {
		{ "status", 0, 0, handler, 1 },
		{ "stop", 1, 1, handler, 2 },
		{ "poweroff", 0, 0, handler, 3 },
	};
	char reply[128], *stop[] = { "stop", "vm1", NULL }, *bad[] = { "stop", NULL }, *pw[] = { "poweroff", NULL },
			  *unknown[] = { "p", NULL };

	ctl_dispatch(t, 3, NULL, 2, stop, reply, sizeof(reply));
	CHECK(calls == 1 && last_arg == 2 && !strcmp(reply, "ok\n"));
	ctl_dispatch(t, 3, NULL, 1, bad, reply, sizeof(reply));
	CHECK(calls == 1 && strstr(reply, "error: \"stop\" takes 1 to 1 argument"));
	ctl_dispatch(t, 3, NULL, 1, pw, reply, sizeof(reply));
	CHECK(calls == 2 && last_arg == 3);
	ctl_dispatch(t, 3, NULL, 1, unknown, reply, sizeof(reply)); /* no prefix matching */
	CHECK(calls == 2 && strstr(reply, "unknown request \"p\""));
}

int main(void)
{
	test_service();
	test_limits();
	test_other_types();
	test_dispatch();
	return T_DONE();
}
