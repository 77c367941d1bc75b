/* `labinit tftpd`: the lab's TFTP server on its own, in the foreground,
 * until SIGTERM or SIGINT; the DHCP worker embeds the same struct tftpd. */
#include <errno.h>
#include <string.h>

#include "lib/core/daemon.h"
#include "lib/core/log.h"
#include "lib/core/sandbox.h"
#include "net/tftp/tftpd.h"

int tftpd_main(const struct tftpd_config *c, uid_t uid, gid_t gid)
{
	static struct daemon dm;
	static struct tftpd t;
	char who[40];
	int r;

	log_set_prefix("labinit-tftpd");
	log_set_nonblocking();
	if ((r = daemon_init(&dm)) < 0) {
		log_err("tftp: event loop: %s", strerror(-r));
		return 1;
	}
	if ((r = tftpd_open(&t, c)) < 0 || (r = tftpd_start(&t, &dm.loop)) < 0 ||
	    (r = sandbox_enter(&(struct sandbox){ "tftpd", uid, gid, SANDBOX_NET_DAEMON, 0 })) < 0) {
		tftpd_close(&t);
		daemon_close(&dm);
		return 1;
	}
	sandbox_describe(who, sizeof(who));
	log_info("tftp: running as %s, seccomp", who);
	if ((r = daemon_run(&dm)) < 0)
		log_err("tftp: event loop: %s", strerror(-r));
	tftpd_close(&t);
	daemon_close(&dm);
	return r < 0 ? 1 : 0;
}
