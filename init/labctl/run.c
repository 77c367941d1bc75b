/* `labctl run GUEST [--timeout S] [--boot-timeout S] [--cwd DIR] [--json]
 * -- CMD ARGS...`: runs CMD in the guest through its agent (guests/agent/,
 * docs/AGENT.md) on RUN_DIR/agent.sock, QEMU's end of the virtio-serial
 * port or a UML guest's agent relay (guests/uml/agent_relay.h). Streams CMD's stdout and stderr to ours, exits with its status or
 * with one of the outcome codes below. One run per guest at a time: QEMU's
 * socket takes one client, so runs queue on a lock on the run directory.
 * The console log is scanned while waiting: a kernel panic ends the run
 * with its own outcome. Every wait is bounded except the command's own,
 * which --timeout bounds (the agent kills it; RUN_GRACE_MS later this
 * side gives up on the agent too). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "guests/agent/proto.h"
#include "guests/conlog/conlog.h"
#include "guests/guest.h"
#include "guests/qemu/qemu.h"
#include "init/cmd/commands.h"
#include "init/labctl/labctl_priv.h"
#include "lib/core/loop.h"

#define RUN_PANICKED 123
#define RUN_TIMEDOUT 124
#define RUN_LAB_ERROR 125
#define RUN_NO_BOOT 126
#define RUN_NOEXEC 127
#define RUN_BOOT_TIMEOUT_S 120
#define RUN_TICK_MS 250
#define RUN_GRACE_MS 15000    /* after --timeout, for the agent's EXIT */
#define RUN_GONE_MS 3000      /* the guest's socket closed: time for its panic to reach the log */
#define PANIC_TEXT "Kernel panic - not syncing"

enum outcome { PASSED, FAILED, TIMED_OUT, PANICKED, NO_BOOT, LAB_ERROR };
static const char *const outcome_names[] = { "passed", "failed", "timed_out", "panicked", "did_not_boot", "lab_error" };

struct run {
	const char *guest, *cwd, *json_error;
	char **argv;
	unsigned timeout_s, boot_timeout_s;
	bool json;
	char sock[108], log[200], error[256];
	int fd;
	uint8_t rx[AGENT_FRAME_MAX];
	size_t rxlen;
	struct agent_msg msg;
	off_t log_off;         /* console.log scanned up to here */
	char log_tail[32];     /* its last bytes, for a match across reads */
	bool panicked;
	enum outcome outcome;
	int status, signal, code;
	int version;           /* the session's protocol version */
	uint64_t t0, boot_ms;
	unsigned long crashes0, crashes;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: labctl run GUEST [--timeout S] [--boot-timeout S] [--cwd DIR] [--json] -- CMD [ARGS...]\n"
		"  runs CMD in GUEST through its agent, streams its stdout and stderr, exits with:\n"
		"  0..255  CMD's exit status (0: passed, else failed), except:\n"
		"  123     the guest panicked during the run\n"
		"  124     CMD outlived --timeout S and was killed (default: no timeout)\n"
		"  125     lab error (usage, no such guest, the agent or its socket failed)\n"
		"  126     the guest did not boot: no agent within --boot-timeout S (default %d); the console tail is shown\n"
		"  127     CMD could not be started in the guest (not found, not executable)\n"
		"  128+N   CMD was killed by signal N\n"
		"  --json: one summary object on stdout at the end {outcome, status, duration_ms, guest, ...}\n",
		RUN_BOOT_TIMEOUT_S);
	return RUN_LAB_ERROR;
}

static bool parse_secs(const char *s, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > AGENT_TIMEOUT_MAX)
		return false;
	*out = (unsigned)v;
	return true;
}

static int parse_args(struct run *r, int argc, char **argv)
{
	int i = 2;

	if (argc < 2 || argv[1][0] == '-')
		return -EINVAL;
	r->guest = argv[1];
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--json"))
			r->json = true;
		else if (i + 1 < argc && !strcmp(argv[i], "--timeout") && parse_secs(argv[i + 1], &r->timeout_s))
			i++;
		else if (i + 1 < argc && !strcmp(argv[i], "--boot-timeout") && parse_secs(argv[i + 1], &r->boot_timeout_s))
			i++;
		else if (i + 1 < argc && !strcmp(argv[i], "--cwd"))
			r->cwd = argv[++i];
		else
			return -EINVAL;
	}
	if (i + 1 >= argc)
		return -EINVAL;
	r->argv = argv + i + 1;
	return 0;
}

__attribute__((format(printf, 3, 4))) static void fail(struct run *r, enum outcome o, const char *fmt, ...)
{
	va_list ap;

	r->outcome = o;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

/* New console.log text since the last look: does it show a panic? A
 * shorter file was rotated (conlog.h): read it from its start. */
static void scan_console(struct run *r)
{
	char buf[8192 + sizeof(r->log_tail)];
	size_t keep = strlen(r->log_tail), len;
	int fd = open(r->log, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return;
	if (lseek(fd, 0, SEEK_END) < r->log_off)
		r->log_off = 0;
	while (!r->panicked && (n = pread(fd, buf + keep, sizeof(buf) - keep - 1, r->log_off)) > 0) {
		memcpy(buf, r->log_tail, keep);
		len = keep + (size_t)n;
		buf[len] = '\0';
		for (size_t i = 0; i < len; i++)  /* a NUL would hide what follows */
			if (!buf[i])
				buf[i] = ' ';
		r->panicked = strstr(buf, PANIC_TEXT) != NULL;
		r->log_off += n;
		keep = len < sizeof(r->log_tail) - 1 ? len : sizeof(r->log_tail) - 1;
		memcpy(r->log_tail, buf + len - keep, keep);
		r->log_tail[keep] = '\0';
	}
	close(fd);
}

static int send_all(int fd, const uint8_t *buf, int n)
{
	for (int done = 0; done < n;) {
		ssize_t w = send(fd, buf + done, (size_t)(n - done), MSG_NOSIGNAL);

		if (w < 0 && errno != EINTR)
			return -errno;
		done += w > 0 ? (int)w : 0;
	}
	return 0;
}

static int connect_agent(struct run *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t hello[64 + AGENT_HDR_LEN];
	int n = agent_build_hello(hello, sizeof(hello), "labctl " LABINIT_VERSION);

	memcpy(sa.sun_path, r->sock, sizeof(r->sock) < sizeof(sa.sun_path) ? sizeof(r->sock) : sizeof(sa.sun_path));
	r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->fd < 0 || connect(r->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || send_all(r->fd, hello, n) < 0) {
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		return -errno;
	}
	r->rxlen = 0;
	return 0;
}

/* The next frame into r->msg, waiting until deadline (ms) with the console
 * scanned each tick: 1 a frame, 0 the deadline or a panic, -EPIPE the
 * socket closed, -EBADMSG the agent sent something malformed. */
static int next_frame(struct run *r, uint64_t deadline)
{
	for (;;) {
		long want = agent_frame_len(r->rx, r->rxlen);
		struct pollfd p = { r->fd, POLLIN, 0 };
		ssize_t n;

		if (want < 0)
			return -EBADMSG;
		if (want > 0 && (size_t)want <= r->rxlen) {
			int e = agent_parse(r->rx, (size_t)want, &r->msg);

			memmove(r->rx, r->rx + want, r->rxlen - (size_t)want);
			r->rxlen -= (size_t)want;
			return e < 0 ? e : 1;
		}
		scan_console(r);
		if (r->panicked || loop_now_ms() >= deadline)
			return 0;
		if (poll(&p, 1, RUN_TICK_MS) <= 0)
			continue;
		n = recv(r->fd, r->rx + r->rxlen, sizeof(r->rx) - r->rxlen, 0);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return -EPIPE;
		r->rxlen += n > 0 ? (size_t)n : 0;
	}
}

/* Connects and waits for the agent's HELLO until the boot deadline,
 * reconnecting when QEMU is not there yet or goes away (a restart), and
 * when the agent stays silent: after RUN_HELLO_RETRY_MS, doubling up to
 * RUN_HELLO_RETRY_MAX_MS. QEMU tells the guest that a host is there when a
 * client connects (VIRTIO_CONSOLE_PORT_OPEN); a client that connected
 * while the guest booted was seen, under load, to get no hello at all
 * (for 300 s, with the guest up), where a new connection is answered; so
 * was, now and then, a client of a guest just reset from its snapshot
 * (labctl reset): 1 s first, since an agent that is up says hello within
 * a few hundred ms even under TCG. */
#define RUN_HELLO_RETRY_MS 1000
#define RUN_HELLO_RETRY_MAX_MS 32000

static int wait_hello(struct run *r)
{
	uint64_t deadline = r->t0 + (uint64_t)r->boot_timeout_s * 1000, retry = 0;
	unsigned backoff = RUN_HELLO_RETRY_MS;
	int e;

	while (loop_now_ms() < deadline && !r->panicked) {
		if (r->fd < 0) {
			if (connect_agent(r) < 0) {
				scan_console(r);
				poll(NULL, 0, RUN_TICK_MS);
				continue;
			}
			retry = loop_now_ms() + backoff;
			backoff = backoff * 2 > RUN_HELLO_RETRY_MAX_MS ? RUN_HELLO_RETRY_MAX_MS : backoff * 2;
		}
		e = next_frame(r, retry < deadline ? retry : deadline);
		if (e == 0 && !r->panicked && loop_now_ms() >= retry) {
			close(r->fd);  /* silent: a fresh connection */
			r->fd = -1;
			continue;
		}
		if (e == 1 && r->msg.type == AGENT_HELLO) {
			if ((r->version = agent_session_version(r->msg.version)) < 0) {
				r->outcome = LAB_ERROR;
				snprintf(r->error, sizeof(r->error), "the agent speaks protocol version %u, labctl %d..%d",
					 r->msg.version, AGENT_VERSION_MIN, AGENT_VERSION);
				return -EPROTO;
			}
			r->boot_ms = loop_now_ms() - r->t0;
			return 0;
		}
		if (e == -EPIPE || e == -EBADMSG) {  /* stale bytes or a gone QEMU: a fresh connection */
			close(r->fd);
			r->fd = -1;
			poll(NULL, 0, RUN_TICK_MS);
		}
	}
	if (r->panicked)
		fail(r, PANICKED, "the guest panicked before its agent said hello%s", "");
	else
		fail(r, NO_BOOT, "no agent in %s within the boot timeout", r->guest);
	return -ETIMEDOUT;
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w <= 0 && errno != EINTR)
			return;  /* our reader is gone: the run goes on */
		p += w > 0 ? w : 0;
		n -= w > 0 ? (size_t)w : 0;
	}
}

/* The EXIT frame into the outcome. */
static void finish(struct run *r, const struct agent_msg *m)
{
	switch (m->exit_kind) {
	case AGENT_EXITED:
		r->status = m->exit_value;
		r->outcome = r->status ? FAILED : PASSED;
		break;
	case AGENT_SIGNALED:
		r->signal = m->exit_value;
		r->status = 128 + m->exit_value;
		r->outcome = FAILED;
		break;
	case AGENT_TIMEDOUT:
		r->outcome = TIMED_OUT;
		break;
	case AGENT_NOEXEC:
		r->status = RUN_NOEXEC;
		r->outcome = FAILED;
		fail(r, FAILED, "cannot start the command in the guest: %s", strerror(m->exit_value));
		break;
	}
}

static int exec_cmd(struct run *r)
{
	static uint8_t frame[AGENT_FRAME_MAX];
	uint64_t deadline = r->timeout_s ? loop_now_ms() + (uint64_t)r->timeout_s * 1000 + RUN_GRACE_MS : UINT64_MAX;
	int n = agent_build_exec(frame, sizeof(frame), 1, r->timeout_s, r->cwd, r->argv, NULL), e;

	if (n < 0)
		return fail(r, LAB_ERROR, "the command does not fit a frame: %s", strerror(-n)), n;
	if ((e = send_all(r->fd, frame, n)) < 0)
		return fail(r, LAB_ERROR, "cannot send the command: %s", strerror(-e)), e;
	/* version 2 gives the command a stdin pipe: closed at once, so it
	 * reads end of file as it did from version 1's /dev/null */
	if (r->version >= 2 && (e = send_all(r->fd, frame, agent_build_data(frame, sizeof(frame), AGENT_STDIN, 1, "", 0))) < 0)
		return fail(r, LAB_ERROR, "cannot send the command's stdin: %s", strerror(-e)), e;
	while ((e = next_frame(r, deadline)) == 1) {
		if (r->msg.type == AGENT_STDOUT || r->msg.type == AGENT_STDERR)
			write_all(r->msg.type == AGENT_STDOUT ? 1 : 2, r->msg.data, r->msg.data_len);
		else if (r->msg.type == AGENT_EXIT)
			return finish(r, &r->msg), 0;
		else if (r->msg.type == AGENT_ERROR)
			return fail(r, LAB_ERROR, "the agent: %s", r->msg.text), -EPROTO;
	}
	if (e == 0 && !r->panicked)
		return fail(r, TIMED_OUT, "the agent did not report the command's end%s", ""), -ETIMEDOUT;
	if (e == -EPIPE) {  /* QEMU ended (a panic with -no-reboot?), or the port */
		for (uint64_t end = loop_now_ms() + RUN_GONE_MS; !r->panicked && loop_now_ms() < end; poll(NULL, 0, RUN_TICK_MS))
			scan_console(r);
	}
	if (r->panicked)
		return fail(r, PANICKED, "the guest panicked during the run%s", ""), -EIO;
	return fail(r, LAB_ERROR, e == -EPIPE ? "the guest's agent went away during the run%s"
					       : "the agent sent a malformed frame%s", ""), e;
}

/* The guest's console tail on stderr: why it did not boot. */
static void console_tail(const struct run *r)
{
	char buf[4096];
	int fd = open(r->log, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	off_t end = fd >= 0 ? lseek(fd, 0, SEEK_END) : 0;
	ssize_t n = fd >= 0 ? pread(fd, buf, sizeof(buf) - 1, end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0) : 0;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	fprintf(stderr, "labctl run: the last of %s:\n%s\n", r->log,
		buf[0] ? buf : "(empty: the guest printed nothing; did QEMU start? labctl status says)");
}

static void print_json(const struct run *r)
{
	printf("{\"outcome\": \"%s\", \"status\": %d, \"duration_ms\": %llu, \"guest\": \"%s\", \"boot_wait_ms\": %llu",
	       outcome_names[r->outcome], r->code, (unsigned long long)(loop_now_ms() - r->t0), r->guest,
	       (unsigned long long)r->boot_ms);
	if (r->signal)
		printf(", \"signal\": %d", r->signal);
	if (r->crashes > r->crashes0)
		printf(", \"crash\": {\"new_reports\": %lu, \"see\": \"labctl crashes %s\"}", r->crashes - r->crashes0, r->guest);
	if (r->error[0]) {
		printf(", \"error\": \"");
		for (const char *p = r->error; *p; p++)
			printf(*p == '"' || *p == '\\' ? "\\%c" : (unsigned char)*p < 0x20 ? "?" : "%c", *p);
		printf("\"");
	}
	printf("}\n");
}

static int exit_code(const struct run *r)
{
	static const int codes[] = { [TIMED_OUT] = RUN_TIMEDOUT, [PANICKED] = RUN_PANICKED, [NO_BOOT] = RUN_NO_BOOT,
				     [LAB_ERROR] = RUN_LAB_ERROR };

	return r->outcome == PASSED || r->outcome == FAILED ? r->status : codes[r->outcome];
}

static const struct labctl_guest *find_guest(const struct labctl_lab *lab, const char *name)
{
	for (unsigned i = 0; i < lab->nguests; i++)
		if (!strcmp(lab->guests[i].name, name))
			return &lab->guests[i];
	return NULL;
}

/* Waits (bounded by the boot timeout) for the guest's run lock: a file
 * beside its run directory, which a restart may make anew. */
int labctl_lock_guest(const char *name, uint64_t deadline)
{
	char path[160];
	int fd;

	if (snprintf(path, sizeof(path), "%s/.%s.run-lock", GUEST_RUN_DIR, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return -errno;

	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (loop_now_ms() >= deadline) {
			close(fd);
			return -EBUSY;
		}
		poll(NULL, 0, RUN_TICK_MS);
	}
	return fd;
}

static off_t log_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* A CONFIG_GUESTn_RESET=snapshot guest first ready: its snapshot is
 * taken with no client on the agent's port (init/labctl/reset.c), so a
 * reset returns to an agent that waits for a host, as a new client
 * expects (saved mid-session, a run right after a load at times got no
 * hello until its 4 s retry); then this run's session starts anew. */
static int snapshot_first(struct run *r, const char *run_dir)
{
	uint64_t boot_ms = r->boot_ms;
	int e;

	if (!labctl_snapshot_wanted(run_dir))
		return 0;
	close(r->fd);
	r->fd = -1;
	labctl_snapshot_take(run_dir, r->guest);
	e = wait_hello(r);
	r->boot_ms = boot_ms;
	return e;
}

static void run_guest(struct run *r, const char *path)
{
	static struct labctl_lab lab;
	const struct labctl_guest *g;
	int lock;

	if (labctl_lab(path, &lab))
		return fail(r, LAB_ERROR, "cannot read the lab's facts from %s", path);
	if (!(g = find_guest(&lab, r->guest)))
		return fail(r, LAB_ERROR, "no guest named \"%s\" in this lab", r->guest);
	if (!g->run_dir[0] || snprintf(r->sock, sizeof(r->sock), "%s/" QEMU_AGENT_SOCK, g->run_dir) >= (int)sizeof(r->sock))
		return fail(r, LAB_ERROR, "%s has no usable run directory", r->guest);
	snprintf(r->log, sizeof(r->log), "%s/%s", g->run_dir, CONLOG_LOG);
	if ((lock = labctl_lock_guest(g->name, r->t0 + (uint64_t)r->boot_timeout_s * 1000)) < 0)
		return fail(r, LAB_ERROR, "cannot take %s's run lock (another run still going?)", r->guest);
	r->crashes0 = labctl_crash_count(&lab, g);
	r->log_off = log_size(r->log);
	if (wait_hello(r) == 0 && snapshot_first(r, g->run_dir) == 0)
		exec_cmd(r);
	if (r->fd >= 0)
		close(r->fd);
	if (r->panicked)
		poll(NULL, 0, 2000);  /* the console logger files the report at the panic's end marker */
	r->crashes = labctl_crash_count(&lab, g);
	close(lock);
}

int labctl_run(const char *path, int argc, char **argv)
{
	static struct run r;

	r = (struct run){ .boot_timeout_s = RUN_BOOT_TIMEOUT_S, .fd = -1, .cwd = "" };
	if (parse_args(&r, argc, argv) < 0)
		return usage();
	r.t0 = loop_now_ms();
	run_guest(&r, path);
	r.code = exit_code(&r);
	if (r.outcome == NO_BOOT)
		console_tail(&r);
	if (r.error[0])
		fprintf(stderr, "labctl run: %s\n", r.error);
	else if (r.outcome == TIMED_OUT)
		fprintf(stderr, "labctl run: the command outlived --timeout %u s and was killed\n", r.timeout_s);
	if (r.crashes > r.crashes0)
		fprintf(stderr, "labctl run: %lu new crash report(s) in %s's console: labctl crashes %s\n",
			r.crashes - r.crashes0, r.guest, r.guest);
	if (r.json)
		print_json(&r);
	fflush(stdout);
	return r.code;
}
