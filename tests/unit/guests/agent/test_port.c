/* The agent's port hint on the kernel command line (guests/agent/port.c)
 * and its line set-up on a real pseudo-terminal: raw, no echo. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "guests/agent/port.h"
#include "t.h"

static void test_hint(void)
{
	char p[16];

	CHECK(agent_port_hint("mem=128M labinit_agent.port=/dev/ttyS1 quiet\n", p, sizeof(p)) == 0 &&
	      !strcmp(p, "/dev/ttyS1"));
	CHECK(agent_port_hint("labinit_agent.port=/dev/ttyS1", p, sizeof(p)) == 0 && !strcmp(p, "/dev/ttyS1"));
	CHECK(agent_port_hint("xlabinit_agent.port=/a labinit_agent.port= quiet", p, sizeof(p)) == -ENOENT);
	CHECK(agent_port_hint("labinit_agent.port=/dev/a-very-long-name", p, sizeof(p)) == -ENAMETOOLONG);
	CHECK(agent_port_hint("", p, sizeof(p)) == -ENOENT);
}

/* What the other side writes comes through byte for byte (no CR/LF
 * translation, no line buffering) and is not echoed back. */
static void test_raw_line(void)
{
	static const char msg[] = "LA\x01\x00\r\n\x03\x04\x7f";
	char got[32];
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave;
	struct pollfd p;
	ssize_t n;

	CHECK(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_NONBLOCK);
	CHECK(slave >= 0);
	CHECK(agent_port_setup(slave) == 0);
	CHECK(write(master, msg, sizeof(msg) - 1) == sizeof(msg) - 1);
	for (size_t have = 0; have < sizeof(msg) - 1; have += (size_t)n) {
		p = (struct pollfd){ slave, POLLIN, 0 };
		if (poll(&p, 1, 10000) != 1 || (n = read(slave, got + have, sizeof(got) - have)) <= 0) {
			CHECK_MSG(0, "%zu bytes of %zu came", have, sizeof(msg) - 1);
			break;
		}
	}
	CHECK(!memcmp(got, msg, sizeof(msg) - 1));
	p = (struct pollfd){ master, POLLIN, 0 };
	CHECK_MSG(poll(&p, 1, 200) == 0, "the line echoed");
	close(slave);
	close(master);
}

/* Not a tty (a virtio port, here a pipe): left as it is. */
static void test_not_a_tty(void)
{
	int fds[2];

	CHECK(pipe(fds) == 0);
	CHECK(agent_port_setup(fds[0]) == 0);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	test_hint();
	test_raw_line();
	test_not_a_tty();
	return T_DONE();
}
