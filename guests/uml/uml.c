/* User-Mode Linux's command line (Documentation/virt/uml/
 * user_mode_linux_howto_v2.rst; `linux.uml --help`). Choices, each for a
 * reason:
 *  umid=NAME uml_dir=RUN_DIR: the pid file and the mconsole socket (stop)
 *   land in RUN_DIR/NAME/, beside the guest's other run-time files;
 *  noreboot: a reboot inside the guest ends the process, as QEMU's
 *   -no-reboot, and the supervisor's restart policy decides;
 *  con=null ssl=null con0=fd:IN,fd:OUT: the one console is a socket whose
 *   other end the guest's console logger holds; it logs what comes and
 *   serves console.sock, as QEMU does for its guests (guests/conlog/);
 *  ssl1=fd:N,fd:N labinit_agent.port=/dev/ttyS1: the guest agent's line,
 *   a socket whose other end the agent relay holds (agent_relay.h). A
 *   serial line and not a second console: consoles are where the kernel
 *   and getty print. fd: and not pts:/port:, which need a host tty or
 *   telnetd. The hint tells the agent its line: a name with a dot, which
 *   the guest's kernel keeps from its init's arguments and environment,
 *   and not labinit.*, which a labinit in the guest would read as a
 *   profile override;
 *  vec0:transport=fd,fd=N,vec=0: the tap labinit opened, inherited. UML's
 *   other ways to a tap need privileges or a device set up for them: the
 *   legacy eth0=tuntap and vec's transport=tap open /dev/net/tun and
 *   attach by name (a persistent tap owned by the guest's user), hybrid
 *   and raw open packet sockets (CAP_NET_RAW). vec=0 has the driver read
 *   and write the fd one frame at a time (recvmmsg needs a socket), and
 *   the tap carries no virtio-net header (tap_open_plain);
 *  ubdN=COW,FILE unless the disk is persistent: the image is only read,
 *   writes go to a copy-on-write file in the run directory;
 *  APPEND split into words as the kernel splits its command line: UML
 *   reads its own options (ubd1=, mem=...) one argument at a time. */
#include "guests/uml/uml.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guests/agent/port.h"
#include "guests/uml/agent_relay.h"
#include "lib/core/addr.h"

#define UML_MAX_UBD 8

static void add_machine(struct argv_buf *a, const struct guest_config *g, const struct uml_env *env)
{
	argv_add(a, "%s", g->kernel);
	argv_add(a, "umid=%s", g->name);
	argv_add(a, "uml_dir=%s", env->run_dir);
	argv_add(a, "mem=%uM", g->memory_mib);
	argv_add(a, "noreboot");
	argv_add(a, "con=null");
	argv_add(a, "ssl=null");
	argv_add(a, "con0=fd:%d,fd:%d", env->console_fd, env->console_fd);
	if (env->agent_fd > 0)
		argv_add(a, "ssl%d=fd:%d,fd:%d", UML_AGENT_LINE, env->agent_fd, env->agent_fd);
}

static int add_disks(struct argv_buf *a, const struct guest_config *g, const struct uml_env *env)
{
	if (g->ndisks > UML_MAX_UBD)
		return -EINVAL;
	for (unsigned i = 0; i < g->ndisks; i++) {
		if (g->disks[i].persistent || !env->cow[i])
			argv_add(a, "ubd%u=%s", i, g->disks[i].path);
		else
			argv_add(a, "ubd%u=%s,%s", i, env->cow[i], g->disks[i].path);
	}
	return 0;
}

static void add_net(struct argv_buf *a, const struct guest_config *g, const struct uml_env *env)
{
	char mac[18];

	if (env->tap_fd < 0)
		return;
	for (unsigned i = 0; i < (g->nnics ? g->nnics : 1); i++) {
		addr_format_mac(g->nnics ? g->nics[i].mac : g->mac, mac);
		argv_add(a, "vec%u:transport=fd,fd=%d,vec=0,mac=%s", i, env->tap_fd + (int)i, mac);
	}
}

/* The next word of s at *pos, split on blanks outside double quotes (the
 * kernel's next_arg()), the quotes kept: the guest's init reads them. */
static bool next_word(const char *s, size_t *pos, const char **word, int *len)
{
	size_t i = *pos, start;
	bool quoted = false;

	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
		i++;
	if (!s[i])
		return false;
	for (start = i; s[i] && (quoted || (s[i] != ' ' && s[i] != '\t' && s[i] != '\n')); i++)
		if (s[i] == '"')
			quoted = !quoted;
	*word = s + start;
	*len = (int)(i - start);
	*pos = i;
	return true;
}

static void add_boot(struct argv_buf *a, const struct guest_config *g, const struct uml_env *env)
{
	const char *w;
	size_t pos = 0;
	int len;

	if (g->initrd[0])
		argv_add(a, "initrd=%s", g->initrd);
	if (env->share_dir)
		argv_add(a, "hostfs=%s", env->share_dir);
	if (env->agent_fd > 0)
		argv_add(a, AGENT_HINT "=" UML_AGENT_TTY);
	while (next_word(g->append, &pos, &w, &len))
		argv_add(a, "%.*s", len, w);
}

int uml_build_argv(const struct guest_config *g, const struct uml_env *env, struct argv_buf *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	out->max = UML_MAX_ARGS;
	add_machine(out, g, env);
	if ((r = add_disks(out, g, env)) < 0)
		return r;
	add_net(out, g, env);
	add_boot(out, g, env);
	return out->overflow ? -E2BIG : 0;
}
