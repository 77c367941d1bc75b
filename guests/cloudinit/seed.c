/* The NoCloud seed: its two texts and the ISO 9660 (ECMA-119) volume that
 * carries them. The volume is the plainest one Linux's isofs and blkid
 * read: level 1 descriptors, one root directory, no Rock Ridge or Joliet.
 * File names are written as ISO identifiers, "META-DATA.;1"; isofs shows
 * them lower case without ".;1" (its default map=normal), which is the
 * name cloud-init opens.
 * Layout, in 2048-byte sectors: 0-15 system area (zero), 16 the primary
 * volume descriptor, 17 the set terminator, 18 and 19 the path table in
 * both byte orders, 20 the root directory, then each file from a sector
 * of its own, then zeros up to MIN_SECTORS. */
#include "guests/cloudinit/seed.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "guests/agent/install.h"
#include "lib/core/addr.h"

#define SECTOR 2048u
#define PVD_SECTOR 16u
#define PATH_L_SECTOR 18u
#define PATH_M_SECTOR 19u
#define ROOT_SECTOR 20u
#define FILES_SECTOR 21u
#define MAX_FILES 4u
/* The volume is padded to this many sectors (128 KiB): probers read
 * ahead of the descriptors (busybox's volume_id reads 68 KiB at once and
 * finds nothing on a shorter device), and mkisofs pads too. */
#define MIN_SECTORS 64u
#define NAME_MAX_LEN 30u

/* ---- the texts ---- */

/* The guest agent from the seed, the way NoCloud finds the seed (its
 * label). bootcmd, not runcmd: runcmd runs once per instance, and the
 * instance id follows user-data, not labinit's binary, so a guest would
 * keep the agent of the first labinit that seeded it; bootcmd copies the
 * lab's agent at every boot (2 MB), so the agent and labctl speak one
 * protocol version. systemctl's --no-block: bootcmd runs inside
 * cloud-init's own unit, which must not wait for another start job. */
#define AGENT_BOOTCMD                                                                                      \
	"bootcmd:\n"                                                                                       \
	"  - [sh, -c, 'd=$(mktemp -d) && mount -o ro LABEL=" SEED_LABEL " \"$d\" && "                     \
	"install -D -m 0755 \"$d/" AGENT_BINARY_NAME "\" " AGENT_INSTALL_PATH " && "                      \
	"install -D -m 0644 \"$d/" AGENT_UNIT_NAME "\" /etc/systemd/system/" AGENT_UNIT_NAME "; "          \
	"umount \"$d\"; rmdir \"$d\"; systemctl enable --now --no-block " AGENT_UNIT_NAME "']\n"

/* YAML single-quoted scalar: nothing inside is special but the quote,
 * which is doubled. A key line holds no control character (the caller
 * checked it with sshkey_line_ok). */
static int put_quoted(char *out, size_t size, size_t *at, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (*at + 3 > size)
			return -E2BIG;
		if (s[i] == '\'')
			out[(*at)++] = '\'';
		out[(*at)++] = s[i];
	}
	return 0;
}

static int put_text(char *out, size_t size, size_t *at, const char *s)
{
	size_t n = strlen(s);

	if (*at + n + 1 > size)
		return -E2BIG;
	memcpy(out + *at, s, n + 1);
	*at += n;
	return 0;
}

/* "  - 'KEY'\n" for every line of keys that is not blank or a comment. */
static int put_keys(char *out, size_t size, size_t *at, const char *keys)
{
	bool any = false;

	for (const char *line = keys; *line;) {
		size_t n = strcspn(line, "\n");
		const char *p = line;

		while (p < line + n && (*p == ' ' || *p == '\t'))
			p++;
		if (p < line + n && *p != '#') {
			if (!any && put_text(out, size, at, "ssh_authorized_keys:\n") < 0)
				return -E2BIG;
			any = true;
			if (put_text(out, size, at, "  - '") < 0 || put_quoted(out, size, at, p, (size_t)(line + n - p)) < 0 ||
			    put_text(out, size, at, "'\n") < 0)
				return -E2BIG;
		}
		line += n + (line[n] == '\n');
	}
	return 0;
}

int seed_texts(const struct seed_config *c, char *meta, size_t msize, char *user, size_t usize)
{
	size_t at = 0;
	char line[320];

	if (put_text(user, usize, &at, "#cloud-config\n") < 0)
		return -E2BIG;
	snprintf(line, sizeof(line), "hostname: %s\n", c->hostname);
	if (put_text(user, usize, &at, line) < 0)
		return -E2BIG;
	if (c->domain && c->domain[0]) {
		snprintf(line, sizeof(line), "fqdn: %s.%s\n", c->hostname, c->domain);
		if (put_text(user, usize, &at, line) < 0)
			return -E2BIG;
	}
	if (put_keys(user, usize, &at, c->keys ? c->keys : "") < 0)
		return -E2BIG;
	if (c->agent && put_text(user, usize, &at, AGENT_BOOTCMD) < 0)
		return -E2BIG;
	/* The instance id follows the user data: cloud-init runs its
	 * once-per-instance modules (keys, hostname) again only when it
	 * changes. */
	if (snprintf(meta, msize, "instance-id: labinit-%s-%08x\nlocal-hostname: %s\n", c->hostname,
		     addr_fnv1a(user), c->hostname) >= (int)msize)
		return -E2BIG;
	return 0;
}

/* ---- the volume ---- */

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void le32(uint8_t *p, uint32_t v) { le16(p, (uint16_t)v); le16(p + 2, (uint16_t)(v >> 16)); }
static void be32(uint8_t *p, uint32_t v) { be16(p, (uint16_t)(v >> 16)); be16(p + 2, (uint16_t)v); }
/* ECMA-119 §7.2.3 and §7.3.3: little-endian, then big-endian. */
static void both16(uint8_t *p, uint16_t v) { le16(p, v); be16(p + 2, v); }
static void both32(uint8_t *p, uint32_t v) { le32(p, v); be32(p + 4, v); }

static void pad(uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);

	memset(p, ' ', n);
	memcpy(p, s, l < n ? l : n);
}

/* §9.1.5: the 7-byte date of a directory record, UTC. */
static void dir_date(uint8_t *p, const struct tm *t)
{
	p[0] = (uint8_t)t->tm_year;
	p[1] = (uint8_t)(t->tm_mon + 1);
	p[2] = (uint8_t)t->tm_mday;
	p[3] = (uint8_t)t->tm_hour;
	p[4] = (uint8_t)t->tm_min;
	p[5] = (uint8_t)t->tm_sec;
	p[6] = 0;
}

/* §8.4.26.1: the 17-byte date of a volume descriptor. */
static void vol_date(uint8_t *p, const struct tm *t)
{
	char s[80];

	snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02d00", t->tm_year + 1900, t->tm_mon + 1, t->tm_mday,
		 t->tm_hour, t->tm_min, t->tm_sec);
	memcpy(p, s, 16);
	p[16] = 0;
}

/* §9.1: one directory record; returns its length (even). */
static size_t dir_record(uint8_t *p, uint32_t extent, uint32_t len, bool dir, const char *id, size_t idlen,
			 const struct tm *t)
{
	size_t n = 33 + idlen + (idlen % 2 == 0);

	memset(p, 0, n);
	p[0] = (uint8_t)n;
	both32(p + 2, extent);
	both32(p + 10, len);
	dir_date(p + 18, t);
	p[25] = dir ? 2 : 0;
	both16(p + 28, 1);
	p[32] = (uint8_t)idlen;
	memcpy(p + 33, id, idlen);
	return n;
}

static void path_table(uint8_t *p, bool big)
{
	p[0] = 1; /* the root's identifier: one byte, 0 */
	if (big) {
		be32(p + 2, ROOT_SECTOR);
		be16(p + 6, 1);
	} else {
		le32(p + 2, ROOT_SECTOR);
		le16(p + 6, 1);
	}
}

static void primary(uint8_t *p, const char *label, uint32_t sectors, const struct tm *t)
{
	p[0] = 1;
	memcpy(p + 1, "CD001", 5);
	p[6] = 1;
	pad(p + 8, 32, "LINUX");
	pad(p + 40, 32, label);
	both32(p + 80, sectors);
	both16(p + 120, 1);
	both16(p + 124, 1);
	both16(p + 128, SECTOR);
	both32(p + 132, 10);
	le32(p + 140, PATH_L_SECTOR);
	be32(p + 148, PATH_M_SECTOR);
	dir_record(p + 156, ROOT_SECTOR, SECTOR, true, "", 1, t);
	pad(p + 190, 128, "");
	pad(p + 318, 128, "");
	pad(p + 446, 128, "");
	pad(p + 574, 128, "LABINIT");
	pad(p + 702, 37 * 3, "");
	vol_date(p + 813, t);
	vol_date(p + 830, t);
	memcpy(p + 847, "0000000000000000", 16);
	memcpy(p + 864, "0000000000000000", 16);
	p[881] = 1;
}

/* "meta-data" -> "META-DATA.;1" (§7.5: a name, a dot, an extension, a
 * version; either part may be empty but the dot stays). */
static size_t iso_id(const char *name, char *id)
{
	size_t n = 0;

	for (const char *s = name; *s; s++)
		id[n++] = (char)toupper((unsigned char)*s);
	if (!strchr(name, '.'))
		id[n++] = '.';
	memcpy(id + n, ";1", 2);
	return n + 2;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_' && name[i] != '.')
			return false;
	return true;
}

long seed_iso(const struct seed_file *files, unsigned n, const char *label, int64_t epoch, uint8_t *out,
	      size_t size)
{
	const struct seed_file *order[MAX_FILES];
	uint32_t sector = FILES_SECTOR, total;
	time_t when = (time_t)epoch;
	struct tm t;
	size_t at;

	if (n > MAX_FILES || strlen(label) > 32)
		return -EINVAL;
	/* §9.3: the root's records in the order of their identifiers. */
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;

		if (!name_ok(files[i].name) || files[i].len > SEED_MAX_FILE)
			return -EINVAL;
		for (; j > 0 && strcmp(order[j - 1]->name, files[i].name) > 0; j--)
			order[j] = order[j - 1];
		order[j] = &files[i];
	}
	for (unsigned i = 0; i < n; i++)
		sector += (uint32_t)((files[i].len + SECTOR - 1) / SECTOR);
	if (sector < MIN_SECTORS)
		sector = MIN_SECTORS;
	if ((size_t)sector * SECTOR > size)
		return -E2BIG;
	gmtime_r(&when, &t);
	memset(out, 0, (size_t)sector * SECTOR);
	primary(out + PVD_SECTOR * SECTOR, label, sector, &t);
	out[(PVD_SECTOR + 1) * SECTOR] = 255;
	memcpy(out + (PVD_SECTOR + 1) * SECTOR + 1, "CD001", 5);
	out[(PVD_SECTOR + 1) * SECTOR + 6] = 1;
	path_table(out + PATH_L_SECTOR * SECTOR, false);
	path_table(out + PATH_M_SECTOR * SECTOR, true);

	total = sector;
	at = ROOT_SECTOR * SECTOR;
	at += dir_record(out + at, ROOT_SECTOR, SECTOR, true, "\0", 1, &t);
	at += dir_record(out + at, ROOT_SECTOR, SECTOR, true, "\1", 1, &t);
	sector = FILES_SECTOR;
	for (unsigned i = 0; i < n; i++) {
		char id[NAME_MAX_LEN + 4];
		size_t idlen = iso_id(order[i]->name, id);

		at += dir_record(out + at, sector, (uint32_t)order[i]->len, false, id, idlen, &t);
		memcpy(out + (size_t)sector * SECTOR, order[i]->data, order[i]->len);
		sector += (uint32_t)((order[i]->len + SECTOR - 1) / SECTOR);
	}
	return (long)total * SECTOR;
}
