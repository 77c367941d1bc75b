/* Finding the lab's files at boot. Superblock offsets: ext2/3/4 keep the
 * magic 0xEF53 at 1024+56 and the volume name at 1024+120 (16 bytes); FAT
 * keeps "FAT" in its type field and an 11-byte label at 43 (FAT12/16) or
 * 71 (FAT32), after an 0x55AA boot signature. */
#include "init/boot/labdata.h"

#include "init/modules/modules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\0'))
		s[--n] = '\0';
}

static int ext_label(const unsigned char *sb, char label[17])
{
	if (sb[56] != 0x53 || sb[57] != 0xef)
		return -ENOENT;
	memcpy(label, sb + 120, 16);
	label[16] = '\0';
	trim(label);
	return 0;
}

static int fat_label(const unsigned char *boot, char label[17])
{
	int at;

	if (boot[510] != 0x55 || boot[511] != 0xaa)
		return -ENOENT;
	if (!memcmp(boot + 82, "FAT32", 5))
		at = 71;
	else if (!memcmp(boot + 54, "FAT", 3))
		at = 43;
	else
		return -ENOENT;
	memcpy(label, boot + at, 11);
	label[11] = '\0';
	trim(label);
	return 0;
}

int labdata_read_label(int fd, char label[17], const char **fstype)
{
	unsigned char buf[2048];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);

	label[0] = '\0';
	if (n < (ssize_t)sizeof(buf))
		return -ENOENT;
	if (ext_label(buf + 1024, label) == 0) {
		*fstype = "ext4"; /* the ext4 driver mounts ext2 and ext3 too */
		return 0;
	}
	if (fat_label(buf, label) == 0) {
		*fstype = "vfat";
		return 0;
	}
	return -ENOENT;
}

/* A virtio 9p device advertises its tag in sysfs. */
static int mount_9p(const char *dir)
{
	DIR *d = opendir("/sys/bus/virtio/devices");
	struct dirent *e;
	int r = -ENOENT;

	while (d && (e = readdir(d)) && r == -ENOENT) {
		char path[300], tag[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/mount_tag", e->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(tag, sizeof(tag), f) && !strncmp(tag, LABDATA_TAG, strlen(LABDATA_TAG)) &&
		    (tag[3] == '\0' || tag[3] == '\n')) {
			mkdir(dir, 0755);
			r = mount(LABDATA_TAG, dir, "9p", 0, "trans=virtio,version=9p2000.L,msize=524288") < 0 ? -errno : 0;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return r;
}

static int mount_labeled(const char *dir, char *what, size_t size)
{
	DIR *d = opendir("/sys/class/block");
	struct dirent *e;
	int r = -ENOENT;

	while (d && (e = readdir(d)) && r == -ENOENT) {
		const char *fstype;
		char dev[300], label[17];
		int fd;

		if (e->d_name[0] == '.' || !strncmp(e->d_name, "loop", 4) || !strncmp(e->d_name, "ram", 3))
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", e->d_name);
		if ((fd = open(dev, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (labdata_read_label(fd, label, &fstype) == 0 && !strcmp(label, LABDATA_LABEL)) {
			static const char *const ext4[] = { "ext4", NULL },
					  *const vfat[] = { "vfat", "nls_cp437", "nls_ascii", "nls_iso8859_1", NULL };

			/* the "modules" service loads these after the boot's own */
			modules_ensure(strcmp(fstype, "vfat") ? ext4 : vfat);
			mkdir(dir, 0755);
			r = mount(dev, dir, fstype, 0, NULL) < 0 ? -errno : 0;
			snprintf(what, size, "%s (%s, label %s)", dev, fstype, label);
		}
		close(fd);
	}
	if (d)
		closedir(d);
	return r;
}

int labdata_mount(const char *dir, char *what, size_t size)
{
	int r;

	if ((r = mount_9p(dir)) != -ENOENT) {
		snprintf(what, size, "9p share \"%s\"", LABDATA_TAG);
		return r;
	}
	return mount_labeled(dir, what, size);
}
