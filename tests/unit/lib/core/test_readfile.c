/* lib/core/readfile.c on real files: a first line without its newline, a line
 * cut at the buffer, files read whole across the growth steps, the bound,
 * a /proc file (no size up front), and a missing file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/readfile.h"
#include "t.h"

static char tmp[] = "/tmp/test_readfile.XXXXXX";

static void write_tmp(const char *data, size_t len)
{
	FILE *f = fopen(tmp, "w");

	CHECK(f && fwrite(data, 1, len, f) == len);
	if (f)
		fclose(f);
}

static void whole_of_size(size_t size)
{
	char *data = malloc(size), *got = NULL;
	size_t len = 1;

	for (size_t i = 0; i < size; i++)
		data[i] = (char)('a' + i % 26);
	write_tmp(data, size);
	CHECK_MSG(read_whole_file(tmp, size, &got, &len) == 0 && len == size && !memcmp(got, data, size) &&
			  got[len] == '\0', "%zu bytes", size);
	free(got);
	CHECK_MSG(!size || read_whole_file(tmp, size - 1, &got, &len) == -EFBIG, "%zu bytes, bound one less", size);
	free(data);
}

int main(void)
{
	char buf[8], *got;
	size_t len;
	int fd = mkstemp(tmp);

	CHECK(fd >= 0);
	close(fd);
	write_tmp("ttyS0 tty0\nsecond\n", 18);
	CHECK(read_first_line(tmp, buf, sizeof(buf)) == 7 && !strcmp(buf, "ttyS0 t"));
	write_tmp("abc\ndef", 7);
	CHECK(read_first_line(tmp, buf, sizeof(buf)) == 3 && !strcmp(buf, "abc"));
	write_tmp("", 0);
	CHECK(read_first_line(tmp, buf, sizeof(buf)) == 0 && !buf[0]);
	CHECK(read_first_line("/nonexistent/x", buf, sizeof(buf)) == -ENOENT && !buf[0]);

	whole_of_size(0);
	whole_of_size(1);
	whole_of_size(4096);
	whole_of_size(4097);
	whole_of_size(100000);
	CHECK(read_whole_file("/nonexistent/x", 10, &got, &len) == -ENOENT && !got);
	CHECK(read_whole_file("/proc/self/status", 1 << 20, &got, &len) == 0 && len > 0 && strstr(got, "Pid:"));
	free(got);
	unlink(tmp);
	return T_DONE();
}
