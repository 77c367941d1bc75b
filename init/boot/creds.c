/* See creds.h. */
#include "init/boot/creds.h"

#include <errno.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOBODY 65534u
#define KVM_DEV "/dev/kvm"

static void add_group(struct boot_creds *s, uint32_t gid)
{
	if (gid == s->gid)
		return;
	for (unsigned i = 0; i < s->ngroups; i++)
		if (s->groups[i] == gid)
			return;
	if (s->ngroups < sizeof(s->groups) / sizeof(s->groups[0]))
		s->groups[s->ngroups++] = gid;
}

static void kvm_access(uint32_t kvm_gid, struct boot_creds *s)
{
	struct stat st;

	if (stat(KVM_DEV, &st) < 0 || (st.st_mode & 0006) == 0006)
		return;
	if ((st.st_mode & 0777) == 0600 && st.st_uid == 0 && st.st_gid == 0 && chown(KVM_DEV, 0, kvm_gid) == 0 &&
	    chmod(KVM_DEV, 0660) == 0)
		st.st_gid = kvm_gid;
	if ((st.st_mode & 0060) == 0060 || st.st_gid == kvm_gid)
		add_group(s, st.st_gid);
}

void boot_creds_guest(const struct guest_config *g, bool kvm, uint32_t kvm_gid, struct boot_creds *s)
{
	s->uid = g->uid;
	s->gid = g->gid;
	if (kvm && g->uid)
		kvm_access(kvm_gid, s);
}

int boot_creds_smbd(struct boot_creds *s)
{
	struct passwd *pw = getpwnam("nobody");

	s->uid = pw ? pw->pw_uid : NOBODY;
	s->gid = pw ? pw->pw_gid : NOBODY;
	if (!s->uid)
		return -EPERM; /* a "nobody" that is root is no sandbox */
	s->ambient_caps = 1ull << CAP_NET_BIND_SERVICE;
	return 0;
}

int boot_share_dropbox(const char *dir)
{
	if (mkdir(dir, 01777) < 0 && errno != EEXIST)
		return -errno;
	return chmod(dir, 01777) < 0 ? -errno : 0;
}
