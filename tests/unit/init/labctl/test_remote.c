/* labctl --lab's pure pieces (init/labctl/remote.c): its options, the
 * lock file's name, and the exit status an EXIT frame stands for. */
#include <errno.h>
#include <string.h>

#include "init/labctl/labctl_priv.h"
#include "t.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static struct labctl_remote_opts o;

static void test_parse(void)
{
	char *plain[] = { "labctl", "--lab", "build/lab.sock", "run", "vm1", "--", "sh", "-c", "exit 3", NULL };
	char *opts[] = { "labctl", "--lab-timeout", "60", "--lab", "s", "--lab-wait", "5", "console", "vm2", NULL };
	char *after[] = { "labctl", "--lab", "s", "status", "--lab-timeout", "x", NULL };

	CHECK(labctl_remote_parse(ARGC(plain), plain, &o) == 0);
	CHECK(!strcmp(o.sock, "build/lab.sock") && o.argc == 6 && o.argv == plain + 3 && !o.console);
	CHECK(o.timeout_s == REMOTE_TIMEOUT_S && o.wait_s == REMOTE_WAIT_S);
	CHECK(labctl_remote_parse(ARGC(opts), opts, &o) == 0);
	CHECK(!strcmp(o.sock, "s") && o.timeout_s == 60 && o.wait_s == 5 && o.console && o.argc == 2);
	/* what follows COMMAND is the command's, even when it looks like ours */
	CHECK(labctl_remote_parse(ARGC(after), after, &o) == 0 && o.argc == 3 && !strcmp(o.argv[1], "--lab-timeout"));
}

static void test_parse_rejects(void)
{
	char *nocmd[] = { "labctl", "--lab", "s", NULL };
	char *nosock[] = { "labctl", "--lab-timeout", "5", "status", NULL };
	char *empty[] = { "labctl", "--lab", "", "status", NULL };
	char *zero[] = { "labctl", "--lab", "s", "--lab-timeout", "0", "status", NULL };
	char *junk[] = { "labctl", "--lab", "s", "--lab-wait", "5s", "status", NULL };
	char *unknown[] = { "labctl", "--lab", "s", "--labx", "1", "status", NULL };
	static char *many[AGENT_ARGS_MAX + 4] = { "labctl", "--lab", "s" };

	CHECK(labctl_remote_parse(ARGC(nocmd), nocmd, &o) == -EINVAL);
	CHECK(labctl_remote_parse(ARGC(nosock), nosock, &o) == -EINVAL);
	CHECK(labctl_remote_parse(ARGC(empty), empty, &o) == -EINVAL);
	CHECK(labctl_remote_parse(ARGC(zero), zero, &o) == -EINVAL);
	CHECK(labctl_remote_parse(ARGC(junk), junk, &o) == -EINVAL);
	CHECK(labctl_remote_parse(ARGC(unknown), unknown, &o) == -EINVAL);
	/* "labctl" and COMMAND ARGS in one EXEC: at most AGENT_ARGS_MAX */
	for (int i = 3; i < AGENT_ARGS_MAX + 3; i++)
		many[i] = "x";
	CHECK(labctl_remote_parse(AGENT_ARGS_MAX + 2, many, &o) == 0 && o.argc == AGENT_ARGS_MAX - 1);
	CHECK(labctl_remote_parse(AGENT_ARGS_MAX + 3, many, &o) == -EINVAL);
}

static void test_lock_path(void)
{
	char buf[32];

	CHECK(labctl_remote_lock_path("build/lab.sock", buf, sizeof(buf)) == 0 && !strcmp(buf, "build/lab.sock.lock"));
	CHECK(labctl_remote_lock_path("a-path-of-twenty-seven-chars", buf, sizeof(buf)) == -ENAMETOOLONG);
}

static void test_exit_code(void)
{
	struct agent_msg m = { .type = AGENT_EXIT };

	m.exit_kind = AGENT_EXITED, m.exit_value = 3;
	CHECK(labctl_remote_exit_code(&m) == 3);
	m.exit_value = 0;
	CHECK(labctl_remote_exit_code(&m) == 0);
	m.exit_kind = AGENT_SIGNALED, m.exit_value = 9;
	CHECK(labctl_remote_exit_code(&m) == 137);
	m.exit_kind = AGENT_NOEXEC, m.exit_value = ENOENT;
	CHECK(labctl_remote_exit_code(&m) == REMOTE_LAB_ERROR);
	m.exit_kind = AGENT_TIMEDOUT, m.exit_value = 0;
	CHECK(labctl_remote_exit_code(&m) == REMOTE_LAB_ERROR);
}

int main(void)
{
	test_parse();
	test_parse_rejects();
	test_lock_path();
	test_exit_code();
	return T_DONE();
}
