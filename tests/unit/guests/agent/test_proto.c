/* The guest agent's codec (guests/agent/proto.c): golden bytes of a HELLO,
 * a STDIN and an EXIT, a round trip of every message, each reject rule,
 * and the version a session settles on. */
#include <errno.h>
#include <string.h>

#include "guests/agent/proto.h"
#include "t.h"

static uint8_t buf[AGENT_FRAME_MAX + 16];
static struct agent_msg m;

static void test_golden(void)
{
	static const uint8_t hello[] = { 'L', 'A', 1, 0, 0, 0, 0, 6, 0, 2, 0, 2, 'h', 'i' };
	static const uint8_t hello1[] = { 'L', 'A', 1, 0, 0, 0, 0, 6, 0, 1, 0, 2, 'h', 'i' };
	static const uint8_t stdin_eof[] = { 'L', 'A', 7, 0, 0, 0, 0, 4, 0, 0, 0, 7 };
	static const uint8_t exit3[] = { 'L', 'A', 5, 0, 0, 0, 0, 9, 0, 0, 0, 7, 0, 0, 0, 0, 3 };

	CHECK(agent_build_hello(buf, sizeof(buf), "hi") == sizeof(hello) && !memcmp(buf, hello, sizeof(hello)));
	CHECK(agent_build_exit(buf, sizeof(buf), 7, AGENT_EXITED, 3) == sizeof(exit3) && !memcmp(buf, exit3, sizeof(exit3)));
	CHECK(agent_frame_len(exit3, 4) == 0 && agent_frame_len(exit3, sizeof(exit3)) == sizeof(exit3));
	CHECK(agent_parse(hello, sizeof(hello), &m) == 0 && m.type == AGENT_HELLO && m.version == 2 && !strcmp(m.text, "hi"));
	CHECK(agent_parse(hello1, sizeof(hello1), &m) == 0 && m.type == AGENT_HELLO && m.version == 1);
	CHECK(agent_build_data(buf, sizeof(buf), AGENT_STDIN, 7, "", 0) == sizeof(stdin_eof) &&
	      !memcmp(buf, stdin_eof, sizeof(stdin_eof)));
	CHECK(agent_parse(stdin_eof, sizeof(stdin_eof), &m) == 0 && m.type == AGENT_STDIN && m.id == 7 && m.data_len == 0);
	CHECK(agent_parse(exit3, sizeof(exit3), &m) == 0 && m.type == AGENT_EXIT && m.id == 7 &&
	      m.exit_kind == AGENT_EXITED && m.exit_value == 3);
}

static void test_exec_roundtrip(void)
{
	char *argv[] = { "sh", "-c", "echo hi; exit 3", "", NULL };
	char *env[] = { "A=1", "B=", NULL };
	int n = agent_build_exec(buf, sizeof(buf), 42, 30, "/tmp", argv, env);

	CHECK(n > AGENT_HDR_LEN && agent_frame_len(buf, (size_t)n) == n);
	CHECK(agent_parse(buf, (size_t)n, &m) == 0);
	CHECK(m.type == AGENT_EXEC && m.id == 42 && m.timeout_s == 30 && !strcmp(m.cwd, "/tmp"));
	CHECK(m.argc == 4 && !strcmp(m.argv[2], "echo hi; exit 3") && !strcmp(m.argv[3], "") && m.argv[4] == NULL);
	CHECK(m.envc == 2 && !strcmp(m.env[1], "B=") && m.env[2] == NULL);
	/* every shorter prefix is incomplete or, given as the whole frame, refused */
	for (int i = 0; i < n; i++)
		CHECK(agent_parse(buf, (size_t)i, &m) == -EBADMSG);
	CHECK(agent_build_exec(buf, sizeof(buf), 1, 0, NULL, (char *[]){ NULL }, NULL) == -EINVAL);
	CHECK(agent_build_exec(buf, sizeof(buf), 1, 0, NULL, argv, (char *[]){ "NOEQUALS", NULL }) == -EINVAL);
	CHECK(agent_build_exec(buf, 20, 1, 0, NULL, argv, NULL) == -E2BIG);
}

static void test_data_error(void)
{
	static uint8_t big[AGENT_CHUNK_MAX + 1];
	int n = agent_build_data(buf, sizeof(buf), AGENT_STDERR, 9, "err\0x", 5);

	CHECK(n == AGENT_HDR_LEN + 4 + 5 && agent_parse(buf, (size_t)n, &m) == 0);
	CHECK(m.type == AGENT_STDERR && m.id == 9 && m.data_len == 5 && !memcmp(m.data, "err\0x", 5));
	CHECK(agent_build_data(buf, sizeof(buf), AGENT_STDOUT, 9, big, sizeof(big)) == -E2BIG);
	CHECK(agent_build_data(buf, sizeof(buf), AGENT_EXIT, 9, big, 1) == -EINVAL);
	n = agent_build_data(buf, sizeof(buf), AGENT_STDIN, 9, "in\n", 3);
	CHECK(n > 0 && agent_parse(buf, (size_t)n, &m) == 0 && m.type == AGENT_STDIN && m.data_len == 3 &&
	      !memcmp(m.data, "in\n", 3));
	CHECK(agent_build_data(buf, sizeof(buf), AGENT_STDIN, 9, big, sizeof(big)) == -E2BIG);
	n = agent_build_error(buf, sizeof(buf), 0, "busy");
	CHECK(n > 0 && agent_parse(buf, (size_t)n, &m) == 0 && m.type == AGENT_ERROR && !strcmp(m.text, "busy"));
}

/* One valid frame, then each rule broken by a byte. */
static void test_rejects(void)
{
	int n = agent_build_exit(buf, sizeof(buf), 1, AGENT_SIGNALED, 9);
	uint8_t b[64];

	CHECK(n == 17 && agent_parse(buf, 17, &m) == 0);
#define BAD(i, v) (memcpy(b, buf, 17), b[i] = (v), agent_parse(b, 17, &m) == -EBADMSG)
	CHECK(BAD(0, 'X'));                   /* magic */
	CHECK(BAD(3, 1));                     /* reserved */
	CHECK(BAD(2, 0) && BAD(2, 8));        /* type */
	CHECK(BAD(12, 4));                    /* exit kind */
	CHECK(BAD(16, 0) && BAD(16, 65));     /* signal number */
	CHECK(BAD(7, 10) && BAD(7, 8));       /* payload length vs frame */
	memcpy(b, buf, 17);
	b[12] = AGENT_EXITED, b[15] = 1;      /* status 256 */
	CHECK(agent_parse(b, 17, &m) == -EBADMSG);
	memcpy(b, buf, 17);
	b[4] = 0x7f;                          /* over AGENT_PAYLOAD_MAX */
	CHECK(agent_frame_len(b, 17) == -EBADMSG);
	n = agent_build_hello(buf, sizeof(buf), "a b");
	memcpy(b, buf, (size_t)n);
	b[13] = '\0';                         /* a NUL in a string */
	CHECK(agent_parse(b, (size_t)n, &m) == -EBADMSG);
	b[13] = ' ', b[7]++, b[n] = 0;        /* a byte after the last field */
	CHECK(agent_parse(b, (size_t)n + 1, &m) == -EBADMSG);
}

/* Each side sends its highest version; the session speaks the lower. */
static void test_versions(void)
{
	CHECK(agent_session_version(1) == 1);
	CHECK(agent_session_version(AGENT_VERSION) == AGENT_VERSION);
	CHECK(agent_session_version(AGENT_VERSION + 1) == AGENT_VERSION);
	CHECK(agent_session_version(65535) == AGENT_VERSION);
	CHECK(agent_session_version(0) == -EPROTO);
}

int main(void)
{
	test_versions();
	test_golden();
	test_exec_roundtrip();
	test_data_error();
	test_rejects();
	return T_DONE();
}
