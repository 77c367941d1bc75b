/* Reading files whole; see readfile.h. */
#include "lib/core/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t read_first_line(const char *path, char *buf, size_t size)
{
	int fd;
	ssize_t n;

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return (ssize_t)strlen(buf);
}

/* Room for at least one more byte past n (and the NUL): 0, or -errno. */
static int make_room(char **buf, size_t *cap, size_t n)
{
	size_t want = *cap ? *cap * 2 : 4096;
	char *b;

	if (n < *cap)
		return 0;
	if (!(b = realloc(*buf, want + 1)))
		return -ENOMEM;
	*buf = b;
	*cap = want;
	return 0;
}

int read_whole_file(const char *path, size_t max, char **out, size_t *len)
{
	int fd, r = 0;
	size_t cap = 0, n = 0;
	char *buf = NULL;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	while ((r = make_room(&buf, &cap, n)) == 0) {
		ssize_t k = read(fd, buf + n, cap - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? -errno : 0;
			break;
		}
		if ((n += (size_t)k) > max) {
			r = -EFBIG;
			break;
		}
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

const char *read_kernel_cmdline(char *buf, size_t size)
{
	return read_first_line("/proc/cmdline", buf, size) < 0 ? NULL : buf;
}
