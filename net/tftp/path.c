/* See path.h. */
#include "net/tftp/path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#define WALK_MAX_DEPTH 64       /* directories deep */
#define WALK_MAX_LINKS 40       /* symlinks per lookup, as the kernel's MAXSYMLINKS */
#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

int tftp_path_clean(const char *name, char *out, size_t size)
{
	size_t n = 0;

	while (*name) {
		const char *end = strchrnul(name, '/');
		size_t len = (size_t)(end - name);

		if (len == 2 && name[0] == '.' && name[1] == '.')
			return -EACCES;
		if (len && !(len == 1 && name[0] == '.')) {
			if (n + !!n + len + 1 > size)
				return -ENAMETOOLONG;
			if (n)
				out[n++] = '/';
			memcpy(out + n, name, len);
			n += len;
		}
		name = *end ? end + 1 : end;
	}
	if (!n)
		return -ENOENT;
	out[n] = 0;
	return 0;
}

/* Only regular files: a FIFO would never end, a device is not a file. */
static int regular_only(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		st.st_mode = 0;
	if (!S_ISREG(st.st_mode)) {
		int r = S_ISDIR(st.st_mode) ? -EISDIR : -EACCES;

		close(fd);
		return r;
	}
	return fd;
}

/* The walk: a stack of directory fds from the root down, so that a ".."
 * in a symlink's target climbs back, and is refused at the root. */
struct walk {
	int dir[WALK_MAX_DEPTH + 1];
	unsigned depth, links;
	char path[2 * 4096];        /* what is left to walk */
};

static void walk_pop_all(struct walk *w)
{
	while (w->depth)
		close(w->dir[w->depth--]);
}

/* Replaces the link just met by its target: target + "/" + rest. */
static int walk_splice(struct walk *w, int dir, const char *name, const char *rest)
{
	char target[4096], tmp[sizeof(w->path)];
	ssize_t n = readlinkat(dir, name, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = 0;
	if (++w->links > WALK_MAX_LINKS)
		return -ELOOP;
	if (target[0] == '/')
		return -EACCES;     /* absolute: RESOLVE_BENEATH refuses it too */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s%s%s", target, *rest ? "/" : "", rest) >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(w->path, tmp, sizeof(tmp));
	return 0;
}

/* One step: name in the current directory, the last component or not. */
static int walk_step(struct walk *w, const char *name, const char *rest, bool last, int *fd)
{
	int cur = w->dir[w->depth];
	struct stat st;

	if (!strcmp(name, ".."))
		return w->depth ? (close(w->dir[w->depth--]), 0) : -EACCES;
	if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		int r = walk_splice(w, cur, name, rest);

		return r < 0 ? r : 1;   /* 1: walk the spliced path from here */
	}
	if (last) {
		/* O_NOFOLLOW: a symlink swapped in since fstatat fails here. */
		*fd = openat(cur, name, OPEN_FLAGS | O_NOFOLLOW);
		return *fd < 0 ? -errno : 0;
	}
	if (w->depth == WALK_MAX_DEPTH)
		return -ENAMETOOLONG;
	if ((w->dir[w->depth + 1] = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	w->depth++;
	return 0;
}

int tftp_open_walk(int dirfd, const char *rel)
{
	static struct walk w;   /* the server is one thread; 8 KiB off the stack */
	int r = 0, fd = -1;

	w.dir[0] = dirfd;
	w.depth = w.links = 0;
	if ((size_t)snprintf(w.path, sizeof(w.path), "%s", rel) >= sizeof(w.path))
		return -ENAMETOOLONG;
	while (fd < 0 && r >= 0) {
		char name[256], *p = w.path, *end;
		size_t len;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (!len) {
			r = -EISDIR;    /* the path ended on a directory */
			break;
		}
		if (len >= sizeof(name)) {
			r = -ENAMETOOLONG;
			break;
		}
		memcpy(name, p, len);
		name[len] = 0;
		while (*end == '/')
			end++;
		if (!strcmp(name, ".")) {
			memmove(w.path, end, strlen(end) + 1);
			continue;
		}
		r = walk_step(&w, name, end, !*end, &fd);
		if (r == 0 && fd < 0)
			memmove(w.path, end, strlen(end) + 1);
	}
	walk_pop_all(&w);
	if (fd < 0)
		return r < 0 ? r : -ENOENT;
	return regular_only(fd);
}

int tftp_open_beneath(int dirfd, const char *rel)
{
	struct open_how how = { .flags = OPEN_FLAGS, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) /* an old kernel, or a filter without it */
		return tftp_open_walk(dirfd, rel);
	if (fd < 0)
		return errno == EXDEV ? -EACCES : -errno;
	return regular_only((int)fd);
}
