/* The seed on disk: the one part of guests/cloudinit/ that does I/O. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guests/agent/install.h"
#include "guests/cloudinit/seed.h"
#include "guests/model.h"
#include "lib/core/readfile.h"
#include "lib/core/writefile.h"

/* The agent's two files, read from labinit's own binary: NULL (why said)
 * when it cannot be read. */
static char *agent_binary(size_t *len, char *why, size_t wsize)
{
	char *bin = NULL;
	int r = read_whole_file("/proc/self/exe", SEED_MAX_FILE, &bin, len);

	if (r < 0)
		snprintf(why, wsize, "cloud-init seed: the guest agent, /proc/self/exe: %s", strerror(-r));
	return r < 0 ? NULL : bin;
}

static int save(const char *path, const uint8_t *iso, size_t len)
{
	int fd, r;

	/* The guest's QEMU owns run_dir and may have put anything at path. */
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return -errno;
	r = write_all(fd, iso, len);
	close(fd);
	if (r < 0)
		unlink(path);
	return r;
}

int seed_write(const struct guest_config *g, const char *run_dir, char *path, size_t psize, char *why,
	       size_t wsize)
{
	struct seed_config c = { .hostname = g->name, .domain = g->domain, .keys = g->ssh_keys, .agent = true };
	static char meta[1024], user[SEED_MAX_TEXT];
	struct seed_file files[4] = { { "meta-data", meta, 0 }, { "user-data", user, 0 },
				      { AGENT_BINARY_NAME, NULL, 0 }, { AGENT_UNIT_NAME, agent_unit_text, 0 } };
	uint8_t *iso = NULL;
	char *bin;
	long len;
	int r;

	snprintf(path, psize, "%s/cidata.iso", run_dir);
	if (!(bin = agent_binary(&files[2].len, why, wsize)))
		return -EIO;
	files[2].data = bin;
	files[3].len = strlen(agent_unit_text);
	if (!(iso = malloc(SEED_MAX_SIZE)) || seed_texts(&c, meta, sizeof(meta), user, sizeof(user)) < 0) {
		snprintf(why, wsize, "cloud-init seed: %s", iso ? "CONFIG_SSH_AUTHORIZED_KEYS is too long" : "out of memory");
		r = iso ? -E2BIG : -ENOMEM;
		goto out;
	}
	files[0].len = strlen(meta);
	files[1].len = strlen(user);
	if ((len = seed_iso(files, 4, SEED_LABEL, 0, iso, SEED_MAX_SIZE)) < 0) {
		snprintf(why, wsize, "cloud-init seed: %s", strerror((int)-len));
		r = (int)len;
		goto out;
	}
	if ((r = save(path, iso, (size_t)len)) < 0)
		snprintf(why, wsize, "%s: %s", path, strerror(-r));
out:
	free(iso);
	free(bin);
	return r;
}
