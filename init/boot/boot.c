/* The boot ("stage 2"); see boot.h. It runs as PID 1's child with the
 * signals' default actions, so a shutdown's SIGTERM ends its waits at once.
 * Each step logs its outcome; a step that fails is reported and the lab
 * starts without it, as PID 1 did when it ran these steps itself. */
#include "init/boot/boot.h"

#include <dirent.h>
#include <errno.h>
#include <linux/virtio_ids.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guests/guest.h"
#include "guests/qemu/kvm.h"
#include "guests/share/share.h"
#include "init/boot/creds.h"
#include "init/boot/hosts.h"
#include "init/boot/labdata.h"
#include "init/boot/msg.h"
#include "init/modules/modules.h"
#include "init/labcfg/labcfg.h"
#include "init/supervise/sv_table.h"
#include "lib/core/addr.h"
#include "lib/core/console.h"
#include "lib/core/log.h"
#include "lib/core/readfile.h"
#include "lib/profile/profile.h"
#include "net/labnet/labnet.h"

#define POLL_MS 250
#define CONTROL_WAIT_S "30"

struct boot {
	const struct boot_opts *o;
	struct profile *pr;
	bool lab_mounted;      /* the lab's files are a mount of ours on FILES_DIR */
	bool probing;          /* accel_thread runs pick_accel() */
	pthread_t accel_thread;
	enum qemu_accel accel; /* what it found */
	struct boot_msg m;     /* one record at a time: 33 KB, not on the stack */
};

/* One record to PID 1, with nfd fds (a guest's tap and console). */
static int send_record_fds(struct boot *b, const int *fds, unsigned nfd)
{
	char cbuf[CMSG_SPACE(BOOT_MAX_FDS * sizeof(int))] = { 0 };
	struct iovec iov = { &b->m, boot_msg_size(&b->m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (nfd) {
		mh.msg_control = cbuf;
		mh.msg_controllen = (__typeof__(mh.msg_controllen))CMSG_SPACE(nfd * sizeof(int)); /* musl: socklen_t */
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = (__typeof__(c->cmsg_len))CMSG_LEN(nfd * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfd * sizeof(int));
	}
	if (sendmsg(BOOT_FD, &mh, MSG_NOSIGNAL) < 0) {
		log_err("boot: PID 1 did not take a record: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* One record to PID 1, with fd when fd >= 0. */
static int send_record(struct boot *b, int fd)
{
	return send_record_fds(b, &fd, fd >= 0);
}

/* Polls present(arg) every POLL_MS for up to wait_s seconds (the profile's
 * DEVICE_WAIT) and returns whether it turned true; *waited says how long it
 * took. For devices that appear after boot: hotplug loads the drivers of a
 * USB stick or network adapter from uevents, and the disk or link comes a
 * second or more later (usb-storage's settle delay; much later on a loaded
 * host under TCG). A shutdown's SIGTERM ends the whole boot. */
static bool wait_for_device(bool (*present)(void *), void *arg, long wait_s, const char *what, double *waited)
{
	double t0 = log_uptime();

	*waited = 0;
	log_info("%s: not there yet; waiting up to %ld s (CONFIG_DEVICE_WAIT)", what, wait_s);
	while (*waited < (double)wait_s) {
		usleep(POLL_MS * 1000);
		*waited = log_uptime() - t0;
		if (present(arg))
			return true;
	}
	return false;
}

struct lab_files {
	const char *dir;
	char what[320];
	int r;
};

static bool lab_files_mounted(void *arg)
{
	struct lab_files *f = arg;

	f->r = labdata_mount(f->dir, f->what, sizeof(f->what));
	return f->r != -ENOENT;
}

/* The guests' files from the outer hypervisor's 9p share or a LABDATA
 * disk, when the image does not carry them. Returns 1 if it mounted one.
 * Only when the profile misses guest files is a late disk waited for. */
static int mount_lab_files(const char *files_dir, long wait_s, bool files_missing)
{
	struct lab_files f = { .dir = files_dir };
	double waited = 0;

	if (!files_dir || files_dir[0] != '/')
		return 0;
	if (!lab_files_mounted(&f) && files_missing && wait_s > 0)
		wait_for_device(lab_files_mounted, &f, wait_s, "lab files: 9p share \"lab\" or LABDATA disk", &waited);
	if (f.r == 0 && waited > 0)
		log_info("lab files: %s on %s (found after %.2f s)", f.what, files_dir, waited);
	else if (f.r == 0)
		log_info("lab files: %s on %s", f.what, files_dir);
	else if (f.r != -ENOENT)
		log_err("lab files: mounting %s on %s: %s", f.what, files_dir, strerror(-f.r));
	return f.r == 0;
}

static int load(struct boot *b, struct diag *d)
{
	static char cmdline[4096];
	const char *path = b->o->config_path;
	struct profile *pr = b->pr;
	int r = profile_load(pr, path, read_kernel_cmdline(cmdline, sizeof(cmdline)), d);

	/* FILES_DIR comes from the profile, and the guests' files checked in it
	 * may only appear once the lab's share or disk is mounted there. */
	if ((b->lab_mounted = mount_lab_files(pr->v[K_FILES_DIR].str, pr->v[K_DEVICE_WAIT].num,
					      pr->missing_files > 0 && b->o->hotplug))) {
		profile_free(pr);
		diag_free(d);
		diag_init(d);
		r = profile_load(pr, path, read_kernel_cmdline(cmdline, sizeof(cmdline)), d);
	}
	return r;
}

/* Returns 0 when the profile is usable; otherwise prints every error. */
static int load_profile(struct boot *b)
{
	const char *path = b->o->config_path;
	double t0 = log_uptime();
	struct diag d;
	int r;

	diag_init(&d);
	r = load(b, &d);
	if (r < 0) {
		log_err("profile %s: %u error%s:", path, d.count, d.count == 1 ? "" : "s");
		(void)!write(STDERR_FILENO, diag_text(&d), strlen(diag_text(&d)));
	}
	if (r < 0 && d.count == b->pr->guest_errors) {
		/* Only guests are wrong (a missing kernel file, say): the lab
		 * starts without them; a rescue shell would help nobody. */
		log_err("profile: the lab starts without the guests named in these errors");
		profile_drop_broken_guests(b->pr);
		r = 0;
	} else if (r == 0) {
		log_info("profile %s: ok (\"%s\", %u guest%s, %u extra service%s; %.2f ms)", path, b->pr->name,
			 b->pr->nguests, b->pr->nguests == 1 ? "" : "s", b->pr->nservices,
			 b->pr->nservices == 1 ? "" : "s", (log_uptime() - t0) * 1000.0);
	}
	diag_free(&d);
	return r;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static int send_settings(struct boot *b)
{
	const struct profile *pr = b->pr;
	struct boot_settings *s = &b->m.u.settings;

	memset(&b->m, 0, offsetof(struct boot_msg, u) + sizeof(*s));
	b->m.type = BOOT_MSG_SETTINGS;
	copy(s->profile_name, sizeof(s->profile_name), pr->name);
	copy(s->console, sizeof(s->console), pr->console);
	copy(s->rescue_shell, sizeof(s->rescue_shell), pr->v[K_RESCUE_SHELL].str);
	if (pr->dhcp)
		copy(s->lease_file, sizeof(s->lease_file), pr->lease_file);
	if (b->lab_mounted)
		copy(s->lab_mount, sizeof(s->lab_mount), pr->files_dir);
	s->prefix_len = pr->subnet.len;
	s->log_level = (uint8_t)pr->log_level;
	s->console_shell = pr->console_shell;
	s->stop_timeout_s = pr->stop_timeout;
	s->shutdown_timeout_s = pr->shutdown_timeout;
	copy(s->share_dir, sizeof(s->share_dir), pr->share_dir);
	for (unsigned i = 0; i < pr->nnets && i < BOOT_MAX_NETS; i++) {
		const struct net_cfg *n = &pr->nets[i];
		struct boot_net *o = &s->nets[s->nnets++];

		copy(o->name, sizeof(o->name), n->name);
		copy(o->bridge, sizeof(o->bridge), n->bridge_name);
		copy(o->mode, sizeof(o->mode), profile_net_mode_name(n->mode));
		o->num = (uint8_t)n->num;
		o->prefix_len = n->host_addr ? n->subnet.len : 0;
		o->gateway = n->gateway;
		o->ipv6 = n->ipv6;
		memcpy(o->prefix6, n->prefix6, 16);
		if (labcfg_net_worker(pr, i) && n->dhcp)
			copy(o->lease_file, sizeof(o->lease_file), n->lease_file);
	}
	return send_record(b, -1);
}

static int send_rescue(struct boot *b)
{
	memset(&b->m, 0, offsetof(struct boot_msg, u) + sizeof(b->m.u.rescue));
	b->m.type = BOOT_MSG_RESCUE;
	copy(b->m.u.rescue.profile_name, sizeof(b->m.u.rescue.profile_name), b->pr->name);
	copy(b->m.u.rescue.rescue_shell, sizeof(b->m.u.rescue.rescue_shell), b->pr->v[K_RESCUE_SHELL].str);
	return send_record(b, -1);
}

/* A service record's head; the caller adds argv and, for a guest, its data. */
static struct boot_service *service_head(struct boot *b, const char *name, enum sv_policy policy)
{
	struct boot_service *s = &b->m.u.service;

	memset(&b->m, 0, offsetof(struct boot_msg, u) + offsetof(struct boot_service, argv));
	b->m.type = BOOT_MSG_SERVICE;
	copy(s->name, sizeof(s->name), name);
	s->kind = BOOT_KIND_SERVICE;
	s->policy = (uint8_t)policy;
	s->autostart = true;
	s->stop_timeout_ms = b->pr->stop_timeout * 1000u;
	return s;
}

/* A service record, run as root unless creds says otherwise, with fd as
 * its fd 3 when fd >= 0. */
static int send_service_fd(struct boot *b, const char *name, char *const argv[], const struct boot_creds *creds,
			   int fd)
{
	struct boot_service *s = service_head(b, name, SV_RESTART_ALWAYS);

	if (creds)
		s->creds = *creds;
	if (boot_msg_set_argv(s, argv) < 0) {
		log_err("service %s: its command line is too long", name);
		return -E2BIG;
	}
	s->has_fd = fd >= 0;
	return send_record(b, fd);
}

static int send_service_as(struct boot *b, const char *name, char *const argv[], const struct boot_creds *creds)
{
	return send_service_fd(b, name, argv, creds, -1);
}

static int send_service(struct boot *b, const char *name, char *const argv[])
{
	return send_service_as(b, name, argv, NULL);
}

/* The new host name resolves from /etc/hosts: smbd looks itself up for
 * each session, and with an upstream DNS server that does not answer every
 * session would wait out the resolver's timeouts. */
static void publish_hostname(const struct profile *pr)
{
	const char *domain = pr->dns ? pr->dns_domain : NULL;
	int r = hosts_publish(pr->hostname, domain);

	if (r < 0)
		log_warn("/etc/hosts: %s is not listed: %s", pr->hostname, strerror(-r));
	else if (domain && domain[0])
		log_info("/etc/hosts: %s.%s and %s are %s", pr->hostname, domain, pr->hostname, HOSTS_SELF_ADDR);
	else
		log_info("/etc/hosts: %s is %s", pr->hostname, HOSTS_SELF_ADDR);
}

static void apply_general(const struct profile *pr)
{
	log_set_level(pr->log_level);
	console_switch(pr->console);
	if (sethostname(pr->hostname, strlen(pr->hostname)) < 0)
		log_err("hostname %s: %s", pr->hostname, strerror(errno));
	else
		log_info("hostname %s: ok", pr->hostname);
	publish_hostname(pr);
}

static bool uplink_present(void *ifname)
{
	return if_nametoindex(ifname) != 0;
}

/* An uplink behind a USB host controller gets its driver from hotplug, and
 * its link only after the adapter's probe: waited for, not reported
 * missing, while the "modules" service may still bring it. A DEVICE_WAIT
 * set in the profile or on the kernel command line also waits without
 * hotplug, for a link that something else brings (a veth moved in). */
static void wait_for_uplink(struct boot *b)
{
	const struct profile *pr = b->pr;
	const char *ifname = pr->uplink_ifname;
	long wait_s = pr->v[K_DEVICE_WAIT].num;
	bool asked = pr->v[K_DEVICE_WAIT].source != NULL;
	char what[64];
	double waited;

	if (!(b->o->hotplug || asked) || wait_s <= 0 || if_nametoindex(ifname))
		return;
	snprintf(what, sizeof(what), "uplink %s", ifname);
	if (wait_for_device(uplink_present, (void *)ifname, wait_s, what, &waited))
		log_info("uplink %s: appeared after %.2f s", ifname, waited);
}

/* What the "modules" service loads only after the boot has started: the
 * links a profile may not use. */
static void ensure_network_modules(const struct labnet_config *lab)
{
	static const char *const vxlan[] = { "vxlan", NULL }, *const macvtap[] = { "macvlan", "macvtap", NULL },
				 *const netem[] = { "sch_netem", NULL };
	bool span = false, mvt = false, impair = false;

	for (unsigned i = 0; i < lab->nnets; i++)
		span |= lab->nets[i].vxlan_dev != NULL;
	for (unsigned i = 0; i < lab->ntaps; i++) {
		mvt |= lab->taps[i].macvtap;
		impair |= !netem_is_off(&lab->taps[i].impair);
	}
	if (span)
		modules_ensure(vxlan);
	if (mvt)
		modules_ensure(macvtap);
	if (impair)
		modules_ensure(netem);
}

/* The lab network's steps, as `labinit up` runs them; a DHCP uplink gets a
 * supervised client, the guests' packets a supervised worker. A failure is
 * logged and the lab runs without the network. */
static void start_network(struct boot *b)
{
	const struct profile *pr = b->pr;
	char net[16], subnet[24], user[16];
	char *dhcpc[] = { "/proc/self/exe", "dhcpc", (char *)pr->uplink_ifname, "--hostname", (char *)pr->hostname,
			  "--lab-subnet", subnet, "--user", user, NULL };
	char net_arg[16], service[32];
	char *dhcpd[] = { "/proc/self/exe", "dhcpd", "--config", (char *)b->o->config_path, "--boot", "--net", net_arg, NULL };
	static struct labnet_config lab;

	wait_for_uplink(b);
	labcfg_labnet(pr, &lab);
	ensure_network_modules(&lab);
	addr_format_ip4(pr->subnet.addr, net);
	snprintf(subnet, sizeof(subnet), "%s/%u", net, pr->subnet.len);
	snprintf(user, sizeof(user), "%u", (unsigned)lab.uplink_client_uid);
	if (labnet_up(&lab, false) < 0) {
		log_err("network: not configured; the lab runs without it (errors above)");
		return;
	}
	if (pr->uplink_dhcp) {
		dhcpc[2] = (char *)labnet_l3_uplink(&lab); /* a bridge network's bridge has the address */
		send_service(b, "uplink-dhcp", dhcpc);
	}
	/* The workers that parse the guests' packets, one per network:
	 * outside PID 1, restarted when they die; their leases live in their
	 * lease files. */
	for (unsigned i = 0; i < pr->nnets; i++) {
		if (!labcfg_net_worker(pr, i))
			continue;
		snprintf(net_arg, sizeof(net_arg), "%u", pr->nets[i].num);
		snprintf(service, sizeof(service), i ? "dhcpd-%s" : "dhcpd", pr->nets[i].name);
		send_service(b, service, dhcpd);
	}
}

/* The guest agent for guests that mount the share (guests/share/offer.c). */
static void offer_agent(const char *share_dir)
{
	char why[512];

	if (share_offer_agent(share_dir, "/proc/self/exe", why, sizeof(why)) < 0)
		log_warn("share: the guest agent is not offered: %s", why);
	else
		log_info("share: the guest agent is in %s/" SHARE_AGENT_DIR "/", share_dir);
}

/* smbd for guests without 9p, after the bridge has its address. */
static void start_share(struct boot *b)
{
	static char conf[128];
	struct share_config c;
	struct boot_creds cr = { 0 };
	char *argv[8], why[256];
	int r;

	if ((b->pr->share_smb || (b->pr->share_9p && b->pr->nguests)) &&
	    (r = boot_share_dropbox(b->pr->share_dir)) < 0)
		log_warn("share: %s: mode 1777: %s; guests may not be able to write there", b->pr->share_dir,
			 strerror(-r));
	if (!b->pr->share_smb)
		return;
	if ((r = boot_creds_smbd(&cr)) < 0) {
		log_err("share: SMB: no unprivileged user \"nobody\" to run smbd as; not started");
		return;
	}
	labcfg_share(b->pr, &c);
	c.uid = cr.uid;
	c.gid = cr.gid;
	if (share_smb_prepare(&c, argv, conf, sizeof(conf), why, sizeof(why)) < 0) {
		log_err("share: SMB: %s; not started", why);
		return;
	}
	send_service_as(b, "smbd", argv, &cr);
}

static enum sv_policy policy_of(enum restart_policy r)
{
	return r == RESTART_ALWAYS ? SV_RESTART_ALWAYS : r == RESTART_NEVER ? SV_RESTART_NEVER : SV_RESTART_ON_FAILURE;
}

static enum qemu_accel pick_accel(void)
{
	static const char *const kvm[] = { "kvm_intel", "kvm_amd", NULL };
	char why[160];

	modules_ensure(kvm); /* the "modules" service loads it after the boot's own */
	if (kvm_check_within(KVM_CHECK_MS, why, sizeof(why)) == 0) {
		log_info("guests: accelerator kvm (%s)", why);
		return QEMU_KVM;
	}
	log_info("guests: accelerator tcg (KVM unusable: %s)", why);
	return QEMU_TCG;
}

static void log_guest(const struct guest_config *g)
{
	char gdb[40] = "", nics[128] = "";

	/* "virtio-net-pci", or "virtio-net-pci on vm1, e1000 on vm1.1" */
	for (unsigned i = 0; i < g->nnics && g->nnics > 1; i++)
		snprintf(nics + strlen(nics), sizeof(nics) - strlen(nics), "%s%s on %s", i ? ", " : "",
			 guesthw_nics[g->nics[i].model].name, g->nics[i].tap);
	if (!nics[0])
		snprintf(nics, sizeof(nics), "%s", guesthw_nics[g->nic].name);
	if (g->kind == GUEST_KIND_UML) {
		log_info("guest %s: UML kernel %s, %u MiB, " UML_IFNAME " on its tap", g->name, g->kernel,
			 g->memory_mib);
		return;
	}
	if (g->gdb_port)
		snprintf(gdb, sizeof(gdb), ", gdb stub on port %u%s", g->gdb_port, g->gdb_wait ? " (halted)" : "");
	log_info("guest %s: %s %s, %u MiB, %u CPU%s, %s%s", g->name, guesthw_archs[g->arch].name,
		 g->kernel[0] ? g->kernel : g->disks[0].path, g->memory_mib, g->cpus, g->cpus == 1 ? "" : "s",
		 nics, gdb);
}

/* The guest's console logger, "NAME.log" (a guest name has no dot, so no
 * guest or extra service has this name): always running, started before
 * its guest and so stopped after it, whatever the guest's autostart. */
static void send_console_logger(struct boot *b, const struct guest_cfg *g, struct guest_service *gs,
				const struct boot_creds *cr)
{
	char name[32];

	snprintf(name, sizeof(name), "%s.log", g->name);
	send_service_fd(b, name, gs->log_argv, cr, gs->log_fd);
}

/* A UML guest's agent relay, "NAME.agent" (guests/uml/agent_relay.h):
 * always running, started before its guest, as its logger. */
static void send_agent_relay(struct boot *b, const struct guest_cfg *g, struct guest_service *gs,
			     const struct boot_creds *cr)
{
	char name[32];

	if (gs->relay_fd < 0)
		return;
	snprintf(name, sizeof(name), "%s.agent", g->name);
	send_service_fd(b, name, gs->relay_argv, cr, gs->relay_fd);
}

/* One guest: its tap, run directory and QEMU or UML argv, handed to PID 1
 * with the tap (and UML's console), after its console logger. A guest
 * that cannot start is reported; the others still start. */
static void start_guest(struct boot *b, const struct guest_cfg *g, enum qemu_accel host_accel)
{
	enum qemu_accel accel;
	static struct guest_service gs;
	struct guest_config c;
	struct boot_service *s;
	struct boot_creds cr = { 0 };
	char why[256];
	int fds[BOOT_MAX_FDS];
	unsigned nfd = 0;

	memset(&gs, 0, sizeof(gs));
	labcfg_guest(b->pr, g, &c);
	accel = qemu_accel_for(&c, host_accel);
	boot_creds_guest(&c, accel == QEMU_KVM, labcfg_kvm_gid(b->pr), &cr);
	if (guest_prepare(&c, accel, &gs, why, sizeof(why)) < 0) {
		log_err("guest %s: %s; not started", g->name, why);
		return;
	}
	send_console_logger(b, g, &gs, &cr);
	send_agent_relay(b, g, &gs, &cr);
	s = service_head(b, g->name, policy_of(g->restart));
	s->creds = cr;
	s->kind = BOOT_KIND_GUEST;
	s->autostart = g->autostart;
	s->has_fd = true;
	s->has_console_fd = gs.console_fd >= 0;
	s->guest_kind = (uint8_t)c.kind;
	copy(s->run_dir, sizeof(s->run_dir), gs.run_dir);
	memcpy(s->mac, g->mac, sizeof(s->mac));
	s->ip = g->ip;
	s->gdb_port = g->gdb_port;
	for (unsigned i = 0; i < gs.ntaps; i++)
		fds[nfd++] = gs.tap_fds[i];
	s->ntaps = (uint8_t)gs.ntaps;
	if (gs.console_fd >= 0)
		fds[nfd++] = gs.console_fd;
	s->has_agent_fd = gs.agent_fd >= 0;
	if (gs.agent_fd >= 0)
		fds[nfd++] = gs.agent_fd;
	s->power_button = g->kind == RUNNER_UML || guesthw_archs[g->arch].power_button;
	if (boot_msg_set_argv(s, gs.cmd) < 0)
		log_err("guest %s: its command line is too long; not started", g->name);
	else if (send_record_fds(b, fds, nfd) == 0) {
		log_guest(&c);
		if (gs.machine_why[0]) /* MACHINE=auto's choice, with its reason */
			log_info("guest %s: machine %s", g->name, gs.machine_why);
	}
	guest_service_close(&gs);
}

static void *accel_probe(void *arg)
{
	struct boot *b = arg;

	b->accel = pick_accel();
	return NULL;
}

/* Loading KVM and running a test vCPU take the better part of a second
 * under TCG: done beside the network's setup, for QEMU guests only. */
static void start_accel_probe(struct boot *b)
{
	bool qemu = false;

	for (unsigned i = 0; i < b->pr->nguests; i++)
		qemu |= b->pr->guests[i].kind != RUNNER_BOARD && b->pr->guests[i].kind != RUNNER_UML;
	b->probing = qemu && pthread_create(&b->accel_thread, NULL, accel_probe, b) == 0;
}

static void start_guests(struct boot *b)
{
	enum qemu_accel accel;

	if (!b->pr->nguests)
		return;
	if (b->probing)
		pthread_join(b->accel_thread, NULL);
	accel = b->probing ? b->accel : pick_accel();
	for (unsigned i = 0; i < b->pr->nguests; i++) {
		const struct guest_cfg *g = &b->pr->guests[i];

		if (g->kind == RUNNER_BOARD) /* served (DHCP, DNS, netboot), never run */
			log_info("board %s: not started here; it netboots from the lab", g->name);
		else
			start_guest(b, g, accel);
	}
}

/* A virtio console device (VIRTIO_ID_CONSOLE, linux/virtio_ids.h): QEMU's
 * virtio-serial, which `make run` gives a port for the workstation. */
static bool virtio_console_present(void)
{
	DIR *d = opendir("/sys/bus/virtio/devices");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char path[300], id[16];

		if (e->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/device", e->d_name) >= (int)sizeof(path))
			continue;
		found = read_first_line(path, id, sizeof(id)) > 0 && strtoul(id, NULL, 16) == VIRTIO_ID_CONSOLE;
	}
	if (d)
		closedir(d);
	return found;
}

/* The control agent (docs/CONTROL.md): labctl for the workstation over
 * the virtio-serial port org.labinit.control, a service of its own, never
 * inside PID 1. The port's name comes a moment after the device, so the
 * agent looks for it itself (CONTROL_WAIT_S) and exits 0, not restarted,
 * on a virtio console without that port. */
static void start_control(struct boot *b)
{
	char *argv[] = { "/proc/self/exe", "agent", "--control", "--wait", CONTROL_WAIT_S, NULL };
	struct boot_service *s;

	if (!virtio_console_present())
		return;
	s = service_head(b, "control-agent", SV_RESTART_ON_FAILURE);
	if (boot_msg_set_argv(s, argv) == 0)
		(void)send_record(b, -1);
}

static void start_services(struct boot *b)
{
	const struct profile *pr = b->pr;

	for (unsigned i = 0; i < pr->nservices; i++)
		send_service(b, pr->services[i].name, pr->services[i].argv);
}

int boot_main(const struct boot_opts *o)
{
	static struct boot b;
	double t0 = log_uptime(), t[5];

	log_set_prefix("labinit-boot");
	b.o = o;
	b.pr = calloc(1, sizeof(*b.pr));
	if (!b.pr) {
		log_err("boot: out of memory");
		return 1;
	}
	if (load_profile(&b) < 0)
		return send_rescue(&b) < 0;
	if (send_settings(&b) < 0)
		return 1;
	t[0] = log_uptime();
	start_accel_probe(&b);
	apply_general(b.pr);
	start_control(&b);
	t[1] = log_uptime();
	start_network(&b);
	t[2] = log_uptime();
	start_share(&b);
	t[3] = log_uptime();
	start_guests(&b);
	t[4] = log_uptime();
	start_services(&b);
	log_info("boot: profile %.0f ms, network %.0f ms, share %.0f ms, guests %.0f ms, services %.0f ms",
		 (t[1] - t0) * 1000.0, (t[2] - t[1]) * 1000.0, (t[3] - t[2]) * 1000.0, (t[4] - t[3]) * 1000.0,
		 (log_uptime() - t[4]) * 1000.0);
	b.m.type = BOOT_MSG_READY;
	if (send_record(&b, -1) < 0)
		return 1;
	/* After "ready": a guest copies the agent once it has booted, seconds
	 * later; writing 2 MB over the 9p share took 0.4 s under TCG. */
	if (b.pr->share_smb || (b.pr->share_9p && b.pr->nguests))
		offer_agent(b.pr->share_dir);
	return 0;
}
