/* The agent's port: see port.h. */
#include "guests/agent/port.h"

#include <errno.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "guests/agent/agent.h"
#include "guests/agent/proto.h"
#include "lib/core/readfile.h"

int agent_port_hint(const char *cmdline, char *path, size_t size)
{
	static const char key[] = AGENT_HINT "=";
	const char *s = cmdline;

	while (s && *s) {
		size_t len;

		s += strspn(s, " \t\n");
		len = strcspn(s, " \t\n");
		if (len > sizeof(key) - 1 && !strncmp(s, key, sizeof(key) - 1)) {
			len -= sizeof(key) - 1;
			if (len >= size)
				return -ENAMETOOLONG;
			memcpy(path, s + sizeof(key) - 1, len);
			path[len] = '\0';
			return 0;
		}
		s += len;
	}
	return -ENOENT;
}

int agent_port_find(int wait_ms, char *path, size_t size)
{
	char cmdline[4096];
	const char *c;

	if ((c = read_kernel_cmdline(cmdline, sizeof(cmdline))) && agent_port_hint(c, path, size) == 0)
		return 0;
	return agent_find_port(AGENT_PORT_NAME, wait_ms, path, size);
}

/* cfmakeraw(3), and VMIN 1 VTIME 0: a read returns what is there (the
 * port is non-blocking anyway). */
int agent_port_setup(int fd)
{
	struct termios t;

	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &t) < 0)
		return -errno;
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) < 0 || tcflush(fd, TCIFLUSH) < 0)
		return -errno;
	return 0;
}
