/* The console's devices; see console.h. */
#include "lib/core/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/core/readfile.h"

/* The last name in /sys/class/tty/console/active: show_cons_active
 * (drivers/tty/tty_io.c) lists the preferred console last. */
void console_kernel_device(char *path, size_t size)
{
	char buf[128], *name;

	path[0] = '\0';
	if (read_first_line("/sys/class/tty/console/active", buf, sizeof(buf)) <= 0)
		return;
	name = strrchr(buf, ' ');
	name = name ? name + 1 : buf;
	if (*name && !strchr(name, '/'))
		snprintf(path, size, "/dev/%.32s", name);
}

static bool same_device(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && S_ISCHR(x.st_mode) && x.st_rdev == y.st_rdev;
}

bool console_switch(const char *path)
{
	char kcons[64];
	int fd;

	if (!strcmp(path, "/dev/console"))
		return false;
	console_kernel_device(kcons, sizeof(kcons));
	if (same_device(path, kcons)) {
		log_info("console %s: ok (the kernel's console: kept as /dev/console)", path);
		return false;
	}
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		log_err("console %s: %s; keeping the current one", path, strerror(errno));
		return false;
	}
	for (int i = 0; i <= 2; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
	log_info("console %s: ok", path);
	return true;
}
