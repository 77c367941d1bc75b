/* The cloud-init seed: its texts byte for byte, and the ISO 9660 volume
 * read back by a reader written from ECMA-119 here (the e2e test mounts
 * the real thing with Linux's isofs). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guests/cloudinit/seed.h"
#include "t.h"

#define KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3oM5mNn2bNnhpHc2nKq2y0bX0f5nJ3Ykm5Fw1Zq1T"

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Both halves of a both-endian number agree; returns it. */
static uint32_t both32(const uint8_t *p)
{
	CHECK(le32(p) == be32(p + 4));
	return le32(p);
}

static void test_texts(void)
{
	char meta[256], user[1024], meta2[256], user2[1024];
	struct seed_config c = { .hostname = "cloud1", .domain = "lab",
				 .keys = "# mine\n" KEY " me@ws\n\n  from=\"10.0.0.1\" " KEY " it's\n" };

	CHECK(seed_texts(&c, meta, sizeof(meta), user, sizeof(user)) == 0);
	CHECK_MSG(!strcmp(user, "#cloud-config\nhostname: cloud1\nfqdn: cloud1.lab\nssh_authorized_keys:\n"
				"  - '" KEY " me@ws'\n  - 'from=\"10.0.0.1\" " KEY " it''s'\n"),
		  "%s", user);
	CHECK(!strncmp(meta, "instance-id: labinit-cloud1-", 28) && strstr(meta, "\nlocal-hostname: cloud1\n"));
	/* Same input, same id; another key, another id. */
	CHECK(seed_texts(&c, meta2, sizeof(meta2), user2, sizeof(user2)) == 0 && !strcmp(meta, meta2));
	c.keys = KEY;
	CHECK(seed_texts(&c, meta2, sizeof(meta2), user2, sizeof(user2)) == 0 && strcmp(meta, meta2));
	/* No keys, no domain: no empty list. */
	c.keys = "";
	c.domain = "";
	CHECK(seed_texts(&c, meta2, sizeof(meta2), user2, sizeof(user2)) == 0);
	CHECK(!strcmp(user2, "#cloud-config\nhostname: cloud1\n"));
	CHECK(seed_texts(&c, meta2, sizeof(meta2), user2, 20) == -E2BIG);
	/* The agent: installed from the seed and started at every boot. */
	c.agent = true;
	CHECK(seed_texts(&c, meta2, sizeof(meta2), user2, sizeof(user2)) == 0);
	CHECK_MSG(!strcmp(user2, "#cloud-config\nhostname: cloud1\nbootcmd:\n"
				 "  - [sh, -c, 'd=$(mktemp -d) && mount -o ro LABEL=cidata \"$d\" && "
				 "install -D -m 0755 \"$d/labinit-agent\" /usr/local/sbin/labinit-agent && "
				 "install -D -m 0644 \"$d/labinit-agent.service\" /etc/systemd/system/labinit-agent.service; "
				 "umount \"$d\"; rmdir \"$d\"; systemctl enable --now --no-block labinit-agent.service']\n"),
		  "%s", user2);
}

/* The file named id ("META-DATA.;1") in the root directory of iso. */
static const uint8_t *find_file(const uint8_t *iso, const char *id, uint32_t *len)
{
	const uint8_t *root = iso + 16 * 2048 + 156;
	const uint8_t *dir = iso + both32(root + 2) * 2048, *end = dir + both32(root + 10);

	for (const uint8_t *r = dir; r < end && r[0]; r += r[0])
		if (r[32] == strlen(id) && !memcmp(r + 33, id, r[32])) {
			*len = both32(r + 10);
			return iso + both32(r + 2) * 2048;
		}
	return NULL;
}

static void test_volume(void)
{
	static uint8_t iso[SEED_MAX_SIZE];
	static const char meta[] = "instance-id: x\n", user[] = "#cloud-config\n";
	struct seed_file f[2] = { { "user-data", user, sizeof(user) - 1 }, { "meta-data", meta, sizeof(meta) - 1 } };
	const uint8_t *pvd = iso + 16 * 2048, *data;
	long len = seed_iso(f, 2, SEED_LABEL, 0, iso, sizeof(iso));
	uint32_t n;

	CHECK(len == 64 * 2048); /* padded */
	CHECK(pvd[0] == 1 && !memcmp(pvd + 1, "CD001", 5) && pvd[6] == 1 && pvd[881] == 1);
	CHECK(!memcmp(pvd + 40, "cidata                          ", 32));
	CHECK(both32(pvd + 80) == (uint32_t)len / 2048);
	CHECK(pvd[128] == 0 && pvd[129] == 8 && pvd[130] == 8 && pvd[131] == 0); /* 2048, both orders */
	CHECK(iso[17 * 2048] == 255 && !memcmp(iso + 17 * 2048 + 1, "CD001", 5));
	CHECK(le32(pvd + 140) == 18 && be32(pvd + 148) == 19);
	CHECK((data = find_file(iso, "META-DATA.;1", &n)) && n == sizeof(meta) - 1 && !memcmp(data, meta, n));
	CHECK((data = find_file(iso, "USER-DATA.;1", &n)) && n == sizeof(user) - 1 && !memcmp(data, user, n));
	/* Sorted by identifier: META-DATA's record before USER-DATA's. */
	CHECK(find_file(iso, "META-DATA.;1", &n) < find_file(iso, "USER-DATA.;1", &n));
	CHECK(seed_iso(f, 2, SEED_LABEL, 0, iso, 63 * 2048) == -E2BIG);
	f[0].name = "User-Data";
	CHECK(seed_iso(f, 2, SEED_LABEL, 0, iso, sizeof(iso)) == -EINVAL);
}

/* Four files, one of them the size of labinit's binary (many sectors,
 * one extent), another past the cap. */
static void test_big_file(void)
{
	static uint8_t iso[SEED_MAX_SIZE];
	static const char unit[] = "[Unit]\n";
	size_t big = (2u << 20) + 12345;
	uint8_t *bin = malloc(big);
	struct seed_file f[4] = { { "meta-data", "m\n", 2 }, { "user-data", "u\n", 2 },
				  { "labinit-agent", bin, big }, { "labinit-agent.service", unit, sizeof(unit) - 1 } };
	const uint8_t *data;
	uint32_t n;
	long len;

	CHECK(bin != NULL);
	for (size_t i = 0; i < big; i++)
		bin[i] = (uint8_t)(i * 7 + (i >> 11));
	len = seed_iso(f, 4, SEED_LABEL, 0, iso, sizeof(iso));
	CHECK(len == (21 + 1 + 1 + (long)((big + 2047) / 2048) + 1) * 2048);
	CHECK((data = find_file(iso, "LABINIT-AGENT.;1", &n)) && n == big && !memcmp(data, bin, big));
	CHECK((data = find_file(iso, "LABINIT-AGENT.SERVICE;1", &n)) && n == sizeof(unit) - 1 && !memcmp(data, unit, n));
	CHECK((data = find_file(iso, "USER-DATA.;1", &n)) && n == 2 && !memcmp(data, "u\n", 2));
	f[2].len = SEED_MAX_FILE + 1;
	CHECK(seed_iso(f, 4, SEED_LABEL, 0, iso, sizeof(iso)) == -EINVAL);
	free(bin);
}

int main(void)
{
	test_texts();
	test_volume();
	test_big_file();
	return T_DONE();
}
