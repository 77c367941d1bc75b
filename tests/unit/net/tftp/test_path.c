/* The path rules: cleaning (.., leading '/'), and opening beneath the root
 * by openat2 and by the fallback walk: a symlink inside is followed, one
 * out (absolute or by ..) is refused, a directory is refused. Runs in a
 * fresh directory under /tmp. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/tftp/path.h"
#include "t.h"

static void test_clean(void)
{
	char out[64];

	CHECK(tftp_path_clean("pxelinux.0", out, sizeof(out)) == 0 && !strcmp(out, "pxelinux.0"));
	CHECK(tftp_path_clean("/pxelinux.0", out, sizeof(out)) == 0 && !strcmp(out, "pxelinux.0"));
	CHECK(tftp_path_clean("//a/./b//c", out, sizeof(out)) == 0 && !strcmp(out, "a/b/c"));
	CHECK(tftp_path_clean("../etc/passwd", out, sizeof(out)) == -EACCES);
	CHECK(tftp_path_clean("a/../../etc/passwd", out, sizeof(out)) == -EACCES);
	CHECK(tftp_path_clean("a/..", out, sizeof(out)) == -EACCES);
	CHECK(tftp_path_clean("a/..b", out, sizeof(out)) == 0 && !strcmp(out, "a/..b"));
	CHECK(tftp_path_clean("/", out, sizeof(out)) == -ENOENT);
	CHECK(tftp_path_clean("./.", out, sizeof(out)) == -ENOENT);
	CHECK(tftp_path_clean("abcdef", out, 6) == -ENAMETOOLONG);
	CHECK(tftp_path_clean("abcde", out, 6) == 0);
}

static int content_is(int fd, const char *text)
{
	char buf[64] = { 0 };
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n >= 0 && !strcmp(buf, text);
}

static void test_open(int (*open_fn)(int, const char *), const char *dir)
{
	char p[512];
	int root;

	snprintf(p, sizeof(p), "%s/root", dir);
	root = open(p, O_RDONLY | O_DIRECTORY);
	CHECK(root >= 0);
	CHECK(content_is(open_fn(root, "file"), "in"));
	CHECK(content_is(open_fn(root, "sub/deep"), "deep"));
	CHECK(content_is(open_fn(root, "link-in"), "deep"));         /* sub/deep */
	CHECK(content_is(open_fn(root, "sub/up-in"), "in"));         /* ../file */
	CHECK(content_is(open_fn(root, "dirlink/deep"), "deep"));    /* dirlink -> sub */
	CHECK(open_fn(root, "missing") == -ENOENT);
	CHECK(open_fn(root, "sub/missing/x") == -ENOENT);
	CHECK(open_fn(root, "link-abs") == -EACCES);                 /* -> /etc/passwd */
	CHECK(open_fn(root, "link-out") == -EACCES);                 /* -> ../secret */
	CHECK(open_fn(root, "sub/link-out2") == -EACCES);            /* -> ../../secret */
	CHECK(open_fn(root, "dirlink-out/secret") == -EACCES);       /* -> .. */
	CHECK(open_fn(root, "sub") == -EISDIR);
	CHECK(open_fn(root, "fifo") == -EACCES);
	CHECK(open_fn(root, "loop") == -ELOOP);
	close(root);
}

int main(void)
{
	char dir[] = "/tmp/tftp-path-XXXXXX", p[512], cmd[600];

	test_clean();
	if (!mkdtemp(dir))
		return 1;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p root/sub && echo -n secret > secret && cd root && echo -n in > file && "
		 "echo -n deep > sub/deep && ln -s sub/deep link-in && ln -s ../file sub/up-in && ln -s sub dirlink && "
		 "ln -s /etc/passwd link-abs && ln -s ../secret link-out && ln -s ../../secret sub/link-out2 && "
		 "ln -s .. dirlink-out && mkfifo fifo && ln -s loop loop", dir);
	CHECK(system(cmd) == 0);
	test_open(tftp_open_beneath, dir);
	test_open(tftp_open_walk, dir);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	CHECK(system(p) == 0);
	return T_DONE();
}
