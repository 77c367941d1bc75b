/* The seed on disk: the one part of guests/cloudinit/ that does I/O. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guests/cloudinit/seed.h"
#include "guests/model.h"
#include "lib/core/writefile.h"

int seed_write(const struct guest_config *g, const char *run_dir, char *path, size_t psize, char *why,
	       size_t wsize)
{
	struct seed_config c = { .hostname = g->name, .domain = g->domain, .keys = g->ssh_keys };
	static char meta[1024], user[SEED_MAX_TEXT];
	struct seed_file files[2] = { { "meta-data", meta, 0 }, { "user-data", user, 0 } };
	uint8_t *iso = malloc(SEED_MAX_SIZE);
	long len;
	int fd, r;

	snprintf(path, psize, "%s/cidata.iso", run_dir);
	if (!iso || seed_texts(&c, meta, sizeof(meta), user, sizeof(user)) < 0) {
		free(iso);
		snprintf(why, wsize, "cloud-init seed: %s", iso ? "CONFIG_SSH_AUTHORIZED_KEYS is too long" : "out of memory");
		return iso ? -E2BIG : -ENOMEM;
	}
	files[0].len = strlen(meta);
	files[1].len = strlen(user);
	if ((len = seed_iso(files, 2, SEED_LABEL, 0, iso, SEED_MAX_SIZE)) < 0) {
		free(iso);
		snprintf(why, wsize, "cloud-init seed: %s", strerror((int)-len));
		return (int)len;
	}
	/* The guest's QEMU owns run_dir and may have put anything at path. */
	if (unlink(path) < 0 && errno != ENOENT)
		r = -errno;
	else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		r = -errno;
	else {
		r = write_all(fd, iso, (size_t)len);
		close(fd);
		if (r < 0)
			unlink(path);
	}
	free(iso);
	if (r < 0)
		snprintf(why, wsize, "%s: %s", path, strerror(-r));
	return r;
}
