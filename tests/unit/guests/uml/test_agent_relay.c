/* The UML agent relay's gate (guests/uml/agent_relay.c, uml_relay_scan):
 * what it drops before the agent's HELLO (an echo of the probe as a cooked
 * tty prints it, an old command's output, a frame cut short), what it
 * keeps (an incomplete frame, what follows the HELLO). */
#include <string.h>

#include "guests/uml/agent_relay.h"
#include "t.h"

static struct agent_msg m;
static uint8_t buf[4 * AGENT_FRAME_MAX];

/* The agent's HELLO after an old STDOUT frame: both dropped, the gate
 * opens, the EXIT behind it stays for the client. */
static void test_hello_after_output(void)
{
	bool hello;
	size_t n = 0, out, want;

	n += (size_t)agent_build_data(buf + n, sizeof(buf) - n, AGENT_STDOUT, 3, "old\n", 4);
	n += (size_t)agent_build_hello(buf + n, sizeof(buf) - n, "labinit 0.1; Linux");
	want = n;
	n += (size_t)agent_build_exit(buf + n, sizeof(buf) - n, 1, AGENT_EXITED, 0);
	out = uml_relay_scan(buf, n, &m, &hello);
	CHECK(hello && out == want);
}

/* A cooked tty's echo of the probe: "LA^A^@..." (ECHOCTL) is never a
 * frame; it is dropped byte by byte, the HELLO after it found. */
static void test_echo_then_hello(void)
{
	static const char echo[] = "LA^A^@^@^@^@^X^@^A^@^Slabinit agent-relay";
	bool hello;
	size_t n = sizeof(echo) - 1, out, want;

	memcpy(buf, echo, n);
	n += (size_t)agent_build_hello(buf + n, sizeof(buf) - n, "x");
	want = n;
	out = uml_relay_scan(buf, n, &m, &hello);
	CHECK(hello && out == want);
}

/* No HELLO yet: whole frames and junk dropped, a frame's start kept;
 * a HELLO cut short is not one. An ERROR (the agent refusing a mangled
 * probe) does not open the gate. */
static void test_no_hello_yet(void)
{
	bool hello;
	size_t n, e, out;

	e = (size_t)agent_build_error(buf, sizeof(buf), 0, "malformed frame");
	n = e + (size_t)agent_build_hello(buf + e, sizeof(buf) - e, "labinit");
	out = uml_relay_scan(buf, n - 1, &m, &hello);
	CHECK(!hello && out == e);
	out = uml_relay_scan(buf, 5, &m, &hello);   /* an ERROR's header, incomplete */
	CHECK(!hello && out == 0);
	memcpy(buf, "\r\nxyz", 5);
	out = uml_relay_scan(buf, 5, &m, &hello);
	CHECK(!hello && out == 5);
	out = uml_relay_scan(buf, 0, &m, &hello);
	CHECK(!hello && out == 0);
}

/* A frame with a good header and a bad payload (a HELLO of version 2 is
 * still a HELLO; an empty HELLO payload is not): dropped, not taken for
 * the agent's answer. */
static void test_bad_payload(void)
{
	static const uint8_t bad[] = { 'L', 'A', 1, 0, 0, 0, 0, 0 };
	bool hello;
	size_t out;

	memcpy(buf, bad, sizeof(bad));
	out = uml_relay_scan(buf, sizeof(bad), &m, &hello);
	CHECK(!hello && out == sizeof(bad));
}

int main(void)
{
	test_hello_after_output();
	test_echo_then_hello();
	test_no_hello_yet();
	test_bad_payload();
	return T_DONE();
}
