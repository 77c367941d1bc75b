/* The cloud-init NoCloud seed of a guest (CONFIG_GUESTn_CLOUD_INIT): an
 * ISO 9660 volume labelled "cidata" holding meta-data and user-data, and
 * the guest agent (labinit's binary) with its systemd unit, attached to
 * the guest as a read-only disk. cloud-init in a downloaded cloud image
 * finds it by its label, names the guest, installs the SSH keys and, at
 * every boot, the agent from the same volume (docs/AGENT.md); the instance id changes when what the seed says changes, so
 * cloud-init applies a new key on the next boot and nothing on a plain
 * restart. Pure: the caller writes the bytes. */
#ifndef LAB_SEED_H
#define LAB_SEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEED_LABEL "cidata"
/* Two small texts and, with the agent, labinit's binary (~2 MB) and its
 * systemd unit: the volume is 2048-byte sectors 0..16 (system area and
 * descriptors), the root directory, the files, padding to 128 KiB; 64 KiB
 * of text is far beyond a seed. */
#define SEED_MAX_TEXT (64u << 10)
#define SEED_MAX_FILE (16u << 20)
#define SEED_MAX_SIZE (SEED_MAX_FILE + SEED_MAX_TEXT * 3 + (256u << 10))

struct seed_config {
	const char *hostname;     /* the guest's name */
	const char *domain;       /* the lab's DNS domain, "" for none */
	const char *keys;         /* authorized_keys text: one key per line */
	bool agent;               /* the seed carries the guest agent: install and start it */
};

/* meta-data and user-data for c, NUL-terminated. Returns 0 or -E2BIG.
 * With c->agent, user-data's bootcmd installs the agent from the seed
 * (AGENT_BINARY_NAME and AGENT_UNIT_NAME beside user-data, see
 * guests/agent/install.h) and starts it, at every boot. */
int seed_texts(const struct seed_config *c, char *meta, size_t msize, char *user, size_t usize);

struct seed_file {
	const char *name;         /* lower case, as the guest reads it: "meta-data" */
	const void *data;
	size_t len;
};

/* An ISO 9660 volume labelled label holding files (at most 4, in the root
 * directory, names of at most 30 characters, each at most SEED_MAX_FILE
 * bytes) into out. Reproducible: every
 * date is the epoch given. Returns its size or -E2BIG / -EINVAL. */
long seed_iso(const struct seed_file *files, unsigned n, const char *label, int64_t epoch, uint8_t *out,
	      size_t size);



/* Writes the seed of guest g (with CONFIG_GUESTn_CLOUD_INIT) into run_dir
 * as cidata.iso, its path into path: 0, or -errno with why set. The run
 * directory belongs to the guest's QEMU: the file is created afresh
 * (never through a link left there), root's, and world-readable. */
struct guest_config;
int seed_write(const struct guest_config *g, const char *run_dir, char *path, size_t psize, char *why,
	       size_t wsize);
#endif
