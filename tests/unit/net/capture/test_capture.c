/* net/capture: capture_run on the loopback of a network namespace of its
 * own (root only; skipped otherwise), in a child process each time (it
 * becomes the unprivileged user for good), with a sender of UDP datagrams
 * beside it: the file size cap stops before a record that would not fit,
 * the count is exact into a caller's fd, the stop fd and the time limit
 * end it, an unknown interface is -ENODEV; the file is whole records,
 * owned by the user, mode 0644. The refusals of the config without root.
 * KEEP=1 leaves the files in /tmp/labinit-capture-*. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net/capture/capture.h"
#include "net/capture/pcap.h"
#include "t.h"

#define UID 64996
#define PAYLOAD 200
#define FRAME (14 + 20 + 8 + PAYLOAD) /* Ethernet, IPv4, UDP on lo */
#define RECORD (PCAP_RECORD_HEADER_LEN + FRAME)

static char dir[] = "/tmp/labinit-capture-XXXXXX";
static struct capture_result *shared; /* the child's result, seen by the parent */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(fd, SIOCSIFFLAGS, &ifr);
}

/* Datagrams to 127.0.0.1:9 every 2 ms, until its parent (the capture) dies;
 * from 127.0.0.1:9, so a socket is there (no ICMP port unreachable). */
static void sender(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr = { htonl(INADDR_LOOPBACK) } };
	char buf[PAYLOAD] = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (fd < 0 || bind(fd, (struct sockaddr *)&to, sizeof(to)) < 0)
		_exit(1);
	for (int i = 0; i < 5000; i++) {
		sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&to, sizeof(to));
		sleep_ms(2);
	}
	_exit(0);
}

/* capture_run(c) in a child, in a new network namespace, with the sender
 * beside it when traffic is set: what it returned (the child's exit
 * status), its result in *shared. */
static int run(const struct capture_config *c, bool traffic)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0 || lo_up() < 0)
			_exit(100);
		if (traffic && fork() == 0)
			sender();
		_exit(-capture_run(c, shared));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1000;
	return -WEXITSTATUS(status);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The file's records: each FRAME octets, whole, up to the end. */
static unsigned records(const char *path, off_t *size)
{
	static uint8_t buf[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	size_t pos = PCAP_FILE_HEADER_LEN;
	unsigned k = 0;

	if (fd >= 0)
		close(fd);
	*size = n;
	if (n < PCAP_FILE_HEADER_LEN || get_le32(buf) != PCAP_MAGIC_USEC)
		return 1000;
	while (pos + PCAP_RECORD_HEADER_LEN <= (size_t)n) {
		uint32_t caplen = get_le32(buf + pos + 8), origlen = get_le32(buf + pos + 12);

		if (caplen != FRAME || origlen != FRAME || get_le32(buf + pos) == 0)
			return 2000;
		pos += PCAP_RECORD_HEADER_LEN + caplen;
		k++;
	}
	return pos == (size_t)n ? k : 3000;
}

static void test_size_cap(void)
{
	char path[64];
	struct capture_config c = { .ifname = "lo", .path = path, .fd = -1, .seconds = 10, .uid = UID, .gid = UID,
				    .stop_fd = -1, .max_bytes = PCAP_FILE_HEADER_LEN + 5 * RECORD + RECORD / 2 };
	struct stat st;
	off_t size;
	int r;

	snprintf(path, sizeof(path), "%s/size.pcap", dir);
	r = run(&c, true);
	CHECK_MSG(r == 0, "%d (%s)", r, shared->step ? shared->step : "");
	CHECK_MSG(shared->stop == CAPTURE_STOP_SIZE, "stop %d", shared->stop);
	CHECK(shared->packets == 5 && shared->bytes == PCAP_FILE_HEADER_LEN + 5 * RECORD);
	CHECK_MSG(records(path, &size) == 5, "%u records", records(path, &size));
	CHECK(size == PCAP_FILE_HEADER_LEN + 5 * RECORD);
	CHECK(stat(path, &st) == 0 && st.st_uid == UID && st.st_gid == UID && (st.st_mode & 07777) == 0644);
}

static void test_count_fd(void)
{
	char path[64];
	int fd;
	struct capture_config c = { .ifname = "lo", .path = NULL, .count = 3, .seconds = 10, .uid = UID, .gid = UID,
				    .stop_fd = -1 };
	off_t size;

	snprintf(path, sizeof(path), "%s/count.pcap", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	c.fd = fd;
	CHECK(run(&c, true) == 0);
	CHECK(shared->stop == CAPTURE_STOP_COUNT && shared->packets == 3);
	CHECK_MSG(records(path, &size) == 3, "%u records", records(path, &size));
	close(fd);
}

static void test_stop_fd(void)
{
	char path[64];
	int p[2];
	struct capture_config c = { .ifname = "lo", .path = path, .fd = -1, .seconds = 10, .uid = UID, .gid = UID };
	off_t size;
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s/stop.pcap", dir);
	CHECK(pipe(p) == 0);
	c.stop_fd = p[0];
	/* The stop comes from another process 300 ms in. */
	if ((pid = fork()) == 0) {
		sleep_ms(300);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	CHECK(run(&c, true) == 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK_MSG(shared->stop == CAPTURE_STOP_STOP_FD, "stop %d", shared->stop);
	CHECK(shared->packets > 0 && shared->elapsed_ms >= 100 && shared->elapsed_ms < 5000);
	CHECK(records(path, &size) == shared->packets);
	close(p[0]);
	close(p[1]);
}

static void test_seconds_and_errors(void)
{
	char path[64];
	struct capture_config c = { .ifname = "lo", .path = path, .fd = -1, .seconds = 1, .uid = UID, .gid = UID,
				    .stop_fd = -1 };
	off_t size;

	snprintf(path, sizeof(path), "%s/seconds.pcap", dir);
	CHECK(run(&c, false) == 0);
	CHECK(shared->stop == CAPTURE_STOP_SECONDS && shared->packets == 0);
	CHECK_MSG(shared->elapsed_ms >= 990 && shared->elapsed_ms < 3000, "%llu ms",
		  (unsigned long long)shared->elapsed_ms);
	CHECK(records(path, &size) == 0 && size == PCAP_FILE_HEADER_LEN);
	c.ifname = "nosuch0";
	snprintf(path, sizeof(path), "%s/none.pcap", dir);
	CHECK(run(&c, false) == -ENODEV);
	CHECK(shared->stop == CAPTURE_STOP_NONE && access(path, F_OK) < 0);
}

/* The caps, without root. */
static void test_check(void)
{
	struct capture_result res;
	struct capture_config c = { .ifname = "eth0", .path = "x", .fd = -1, .stop_fd = -1 };

	CHECK(capture_config_check(&c, &res) == 0);
	c.count = CAPTURE_MAX_COUNT + 1;
	CHECK(capture_config_check(&c, &res) == -EINVAL && !strcmp(res.step, "count"));
	c.count = 0;
	c.seconds = CAPTURE_MAX_SECONDS + 1;
	CHECK(capture_config_check(&c, &res) == -EINVAL && !strcmp(res.step, "seconds"));
	c.seconds = 0;
	c.snaplen = CAPTURE_MAX_SNAPLEN + 1;
	CHECK(capture_config_check(&c, &res) == -EINVAL && !strcmp(res.step, "snaplen"));
	c.snaplen = 0;
	c.max_bytes = PCAP_FILE_HEADER_LEN - 1;
	CHECK(capture_config_check(&c, &res) == -EINVAL && !strcmp(res.step, "max_bytes"));
	c.max_bytes = 0;
	c.ifname = "sixteen-chars-xx";
	CHECK(capture_config_check(&c, &res) == -EINVAL && !strcmp(res.step, "ifname"));
	c.ifname = "eth0";
	c.path = NULL;
	CHECK(capture_config_check(&c, &res) == -EINVAL && !strcmp(res.step, "output"));
}

int main(void)
{
	int r;

	test_check();
	if (geteuid() != 0) {
		printf("not root: capture_run is not run\n");
		return T_DONE();
	}
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED && mkdtemp(dir) != NULL);
	test_size_cap();
	test_count_fd();
	test_stop_fd();
	test_seconds_and_errors();
	r = T_DONE();
	for (const char *f = getenv("KEEP") ? "" : "size\0count\0stop\0seconds\0"; *f; f += strlen(f) + 1) {
		char path[64];

		snprintf(path, sizeof(path), "%s/%s.pcap", dir, f);
		unlink(path);
	}
	rmdir(dir);
	return r;
}
