/* smbd's configuration: one share, guest access, bound to the bridge's
 * address (the firewall keeps the uplink out, net/nft/nft.c), every state
 * directory under /run/labinit/smb so nothing of the host's Samba is used,
 * and no root anywhere: smbd runs as "nobody". */
#include "guests/share/share.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/addr.h"
#include "lib/core/paths.h"

static const char *smbd_binary(void)
{
	static const char *const paths[] = { "/usr/sbin/smbd", "/sbin/smbd", "/usr/local/sbin/smbd", NULL };

	for (int i = 0; paths[i]; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* smbd runs as an unprivileged user (init/boot/creds.h), which cannot
 * become another: the guest account is that user, and guests' files in
 * the share are that user's. */
static int write_conf(const struct share_config *p, const char *path)
{
	char gw[16];
	const struct passwd *pw = getpwuid(p->uid);
	const char *user = pw ? pw->pw_name : "nobody";
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	addr_format_ip4(p->gateway, gw);
	fprintf(f, "[global]\n"
		   "  interfaces = %s/%u\n"
		   "  bind interfaces only = yes\n"
		   "  smb ports = 445\n"
		   "  disable netbios = yes\n"
		   "  server role = standalone server\n"
		   "  map to guest = bad user\n"
		   "  guest account = %s\n"
		   "  load printers = no\n"
		   "  printcap name = /dev/null\n"
		   "  disable spoolss = yes\n"
		   "  pid directory = %s\n  lock directory = %s\n  state directory = %s\n"
		   "  cache directory = %s\n  private dir = %s\n  ncalrpc dir = %s/ncalrpc\n"
		   "  log file = %s/log.smbd\n"
		   "[%s]\n"
		   "  path = %s\n"
		   "  guest ok = yes\n"
		   "  guest only = yes\n"
		   "  read only = no\n",
		gw, p->prefix_len, user, SHARE_SMB_DIR, SHARE_SMB_DIR, SHARE_SMB_DIR, SHARE_SMB_DIR, SHARE_SMB_DIR,
		SHARE_SMB_DIR, SHARE_SMB_DIR, SHARE_SMB_NAME, p->share_dir);
	return fclose(f) == 0 ? 0 : -errno;
}

int share_smb_prepare(const struct share_config *p, char *argv[8], char *buf, size_t size, char *why,
		      size_t why_size)
{
	const char *smbd = smbd_binary();
	int r, n;

	if (!smbd) {
		snprintf(why, why_size, "smbd is not installed (Debian package samba)");
		return -ENOENT;
	}
	mkdir(PATH_RUN_DIR, 0755);
	mkdir(SHARE_SMB_DIR, 0755);
	mkdir(p->share_dir, 0755);
	/* smbd's state directories, its own to write */
	if (chown(SHARE_SMB_DIR, p->uid, p->gid) < 0) {
		snprintf(why, why_size, "%s: %s", SHARE_SMB_DIR, strerror(errno));
		return -errno;
	}
	n = snprintf(buf, size, "%s/smb.conf", SHARE_SMB_DIR);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	if ((r = write_conf(p, buf)) < 0) {
		snprintf(why, why_size, "%s: %s", buf, strerror(-r));
		return r;
	}
	argv[0] = (char *)smbd;
	argv[1] = "--foreground";
	argv[2] = "--no-process-group";
	argv[3] = "--debug-stdout";
	argv[4] = "--configfile";
	argv[5] = buf;
	argv[6] = NULL;
	return 0;
}
