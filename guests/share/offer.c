/* The guest agent offered on the debug share: labinit's own static binary
 * and a systemd unit in SHARE_DIR/agent/, rewritten at each boot, so any
 * guest that mounts the share can install the agent in two lines (README,
 * docs/AGENT.md). The share is a drop box every guest writes (mode 1777):
 * agent/ must be root's own directory, writable by nobody else, or a
 * guest could have left a binary there for the others to run; each file
 * is written beside its name and renamed over it, so a guest copying it
 * meanwhile gets the old one or the new one, never half. */
#include "guests/share/share.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guests/agent/install.h"
#include "lib/core/readfile.h"
#include "lib/core/writefile.h"

#define AGENT_MAX (64u << 20)   /* labinit is ~2 MB; a sanity bound on what is copied */

static int put(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	char tmp[64];
	int fd, r;

	snprintf(tmp, sizeof(tmp), ".%s.new", name);
	if (unlinkat(dirfd, tmp, 0) < 0 && errno != ENOENT)
		return -errno;
	if ((fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)) < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r == 0 && fchmod(fd, mode) < 0)  /* whatever the umask */
		r = -errno;
	close(fd);
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	return r;
}

/* SHARE_DIR/agent, made if missing; refused unless it is our own. */
static int open_dir(const char *share_dir, char *why, size_t size)
{
	char path[4096];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", share_dir, SHARE_AGENT_DIR);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		snprintf(why, size, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
		snprintf(why, size, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(why, size, "%s: not labinit's own directory (uid %u, mode %o): a guest may have made it; "
			 "remove it", path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	return fd;
}

int share_offer_agent(const char *share_dir, const char *self, char *why, size_t size)
{
	char *bin = NULL;
	size_t len = 0;
	int dirfd, r;

	if ((r = read_whole_file(self, AGENT_MAX, &bin, &len)) < 0) {
		snprintf(why, size, "%s: %s", self, strerror(-r));
		return r;
	}
	if ((dirfd = open_dir(share_dir, why, size)) < 0) {
		free(bin);
		return dirfd;
	}
	if ((r = put(dirfd, AGENT_BINARY_NAME, bin, len, 0755)) < 0)
		snprintf(why, size, "%s/%s/%s: %s", share_dir, SHARE_AGENT_DIR, AGENT_BINARY_NAME, strerror(-r));
	else if ((r = put(dirfd, AGENT_UNIT_NAME, agent_unit_text, strlen(agent_unit_text), 0644)) < 0)
		snprintf(why, size, "%s/%s/%s: %s", share_dir, SHARE_AGENT_DIR, AGENT_UNIT_NAME, strerror(-r));
	close(dirfd);
	free(bin);
	return r;
}
