/* The server in one process with a client on loopback (the loop is run by
 * hand between the client's packets): the namespace's order (an export, the
 * generated dir over the root, the root), errors, a WRQ, and a transfer of
 * 65540 blocks of 8 octets in windows of 4, across the block number's
 * roll-over. Needs root (SO_BINDTODEVICE); skipped otherwise. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/core/loop.h"
#include "net/tftp/codec.h"
#include "net/tftp/tftpd.h"
#include "t.h"

static struct loop lp;
static int cl;
static struct sockaddr_in srv;
static struct tftpd *t_srv;

static void put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
}

/* Runs the server until it has sent something, then reads it. */
static ssize_t exchange(uint8_t *buf, size_t size, struct sockaddr_in *from)
{
	socklen_t alen = sizeof(*from);
	ssize_t n;

	for (int i = 0; i < 20; i++) {
		n = recvfrom(cl, buf, size, MSG_DONTWAIT, (struct sockaddr *)from, &alen);
		if (n >= 0)
			return n;
		loop_run_once(&lp);
	}
	return -1;
}

/* RRQ name (with opts): the file's octets in out, or -(TFTP error code)-1. */
static long fetch(const char *name, const struct tftp_opts *o, uint8_t *out, size_t size, uint64_t *blocks)
{
	static uint8_t pkt[TFTP_PACKET_MAX];
	struct sockaddr_in from;
	struct tftp_msg m;
	uint32_t blksize = o && o->has_blksize ? (uint32_t)o->blksize : 512;
	size_t got = 0;
	uint64_t idx = 0;
	int n = tftp_build_request(pkt, sizeof(pkt), TFTP_RRQ, name, "octet", o);
	ssize_t len;

	sendto(cl, pkt, (size_t)n, 0, (struct sockaddr *)&srv, sizeof(srv));
	for (;;) {
		if ((len = exchange(pkt, sizeof(pkt), &from)) < 0 || tftp_parse(pkt, (size_t)len, &m) < 0)
			return -100;
		if (m.op == TFTP_ERROR)
			return -(long)m.error - 1;
		if (m.op == TFTP_OACK) {
			n = tftp_build_ack(pkt, sizeof(pkt), 0);
			sendto(cl, pkt, (size_t)n, 0, (struct sockaddr *)&from, sizeof(from));
			continue;
		}
		if (m.op != TFTP_DATA || m.block != (uint16_t)(idx + 1) || got + m.data_len > size)
			return -101;
		memcpy(out + got, pkt + m.data_off, m.data_len);
		got += m.data_len;
		idx++;
		/* a window's last block, or the file's: ACK it */
		if (m.data_len < blksize || !o || !o->has_windowsize || idx % o->windowsize == 0) {
			n = tftp_build_ack(pkt, sizeof(pkt), m.block);
			sendto(cl, pkt, (size_t)n, 0, (struct sockaddr *)&from, sizeof(from));
		}
		if (m.data_len < blksize)
			break;
	}
	loop_run_once(&lp); /* the final ACK: the session ends */
	if (blocks)
		*blocks = idx;
	return (long)got;
}

static int fetch_is(const char *name, const char *want)
{
	uint8_t buf[256];
	long n = fetch(name, NULL, buf, sizeof(buf), NULL);

	return n == (long)strlen(want) && !memcmp(buf, want, (size_t)n);
}

static int error_of(const char *name, enum tftp_op op, const char *mode)
{
	uint8_t pkt[600];
	struct sockaddr_in from;
	struct tftp_msg m;
	int n = tftp_build_request(pkt, sizeof(pkt), op, name, mode, NULL);
	ssize_t len;

	sendto(cl, pkt, (size_t)n, 0, (struct sockaddr *)&srv, sizeof(srv));
	if ((len = exchange(pkt, sizeof(pkt), &from)) < 0 || tftp_parse(pkt, (size_t)len, &m) < 0)
		return -1;
	return m.op == TFTP_ERROR ? m.error : 100 + m.op;
}

/* The same RRQ twice from one port: one transfer, not two. */
static void test_duplicate(void)
{
	uint8_t pkt[600];
	struct sockaddr_in from;
	int n = tftp_build_request(pkt, sizeof(pkt), TFTP_RRQ, "a.txt", "octet", NULL);
	ssize_t len;

	sendto(cl, pkt, (size_t)n, 0, (struct sockaddr *)&srv, sizeof(srv));
	sendto(cl, pkt, (size_t)n, 0, (struct sockaddr *)&srv, sizeof(srv));
	len = exchange(pkt, sizeof(pkt), &from);
	CHECK(len == 4 + 6);                  /* both requests were read in one go */
	CHECK(t_srv->active == 1);
	n = tftp_build_ack(pkt, sizeof(pkt), 1);
	sendto(cl, pkt, (size_t)n, 0, (struct sockaddr *)&from, sizeof(from));
	loop_run_once(&lp);
	CHECK(t_srv->active == 0);
	CHECK(recv(cl, pkt, sizeof(pkt), MSG_DONTWAIT) < 0);   /* no second DATA 1 */
}

static void test_rollover(const char *dir)
{
	size_t size = 8 * 65540 + 3;
	uint8_t *data = malloc(size), *back = malloc(size + 8);
	struct tftp_opts o = { .has_blksize = true, .blksize = 8, .has_windowsize = true, .windowsize = 4 };
	char path[512];
	uint64_t blocks = 0;
	long n;

	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	snprintf(path, sizeof(path), "%s/root/wrap.bin", dir);
	put(path, (const char *)data, size);
	n = fetch("wrap.bin", &o, back, size + 8, &blocks);
	CHECK_MSG(n == (long)size, "got %ld", n);
	CHECK(blocks == 65541);
	CHECK(n == (long)size && !memcmp(data, back, size));
	free(data);
	free(back);
}

int main(void)
{
	char dir[] = "/tmp/tftpd-test-XXXXXX", p[512], cmd[700];
	static struct tftpd_config c;
	static struct tftpd t;
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { 2, 0 };
	uint16_t port = (uint16_t)(20000 + getpid() % 20000);
	char root[600], gen[600], kernel[600];

	if (geteuid() != 0) {
		printf("skipped: needs root\n");
		return 0;
	}
	log_set_level(LOG_LVL_WARN);
	if (!mkdtemp(dir))
		return 1;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/root/labinit %s/gen %s/host", dir, dir, dir);
	CHECK(system(cmd) == 0);
	snprintf(p, sizeof(p), "%s/root/a.txt", dir), put(p, "root a", 6);
	snprintf(p, sizeof(p), "%s/root/both.txt", dir), put(p, "root both", 9);
	snprintf(p, sizeof(p), "%s/gen/both.txt", dir), put(p, "gen both", 8);
	snprintf(p, sizeof(p), "%s/gen/menu.cfg", dir), put(p, "menu", 4);
	snprintf(p, sizeof(p), "%s/host/kernel", dir), put(p, "KERNEL", 6);
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(gen, sizeof(gen), "%s/gen", dir);
	snprintf(kernel, sizeof(kernel), "%s/host/kernel", dir);
	c.root = root;
	c.generated = gen;
	snprintf(c.exports[0].path, sizeof(c.exports[0].path), "labinit/guests/vm1/kernel");
	c.exports[0].file = kernel;
	snprintf(c.exports[1].path, sizeof(c.exports[1].path), "labinit/guests/vm2/kernel");
	c.exports[1].file = "/nonexistent/kernel";     /* logged and left out */
	c.nexports = 2;
	c.max_sessions = 2;
	c.bridge = "lo";
	c.port = port;

	CHECK(loop_init(&lp) == 0);
	CHECK(tftpd_open(&t, &c) == 0);
	CHECK(tftpd_start(&t, &lp) == 0);
	t_srv = &t;
	cl = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(bind(cl, (struct sockaddr *)&me, sizeof(me)) == 0);
	setsockopt(cl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	srv = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	CHECK(fetch_is("labinit/guests/vm1/kernel", "KERNEL"));      /* 1. the export */
	CHECK(fetch_is("/labinit/guests/vm1/kernel", "KERNEL"));     /* cleaned first */
	CHECK(fetch_is("both.txt", "gen both"));                     /* 2. generated over the root */
	CHECK(fetch_is("menu.cfg", "menu"));
	CHECK(fetch_is("a.txt", "root a"));                          /* 3. the root */
	CHECK(error_of("labinit/guests/vm2/kernel", TFTP_RRQ, "octet") == TFTP_ENOTFOUND);
	CHECK(error_of("missing", TFTP_RRQ, "octet") == TFTP_ENOTFOUND);
	CHECK(error_of("../gen/menu.cfg", TFTP_RRQ, "octet") == TFTP_EACCESS);
	CHECK(error_of("labinit", TFTP_RRQ, "octet") == TFTP_EACCESS);   /* a directory */
	CHECK(error_of("a.txt", TFTP_WRQ, "octet") == TFTP_EACCESS);
	CHECK(error_of("a.txt", TFTP_RRQ, "netascii") == TFTP_EBADOP);
	CHECK(error_of("a.txt", TFTP_RRQ, "mail") == TFTP_EBADOP);
	test_duplicate();
	test_rollover(dir);
	CHECK(t.active == 0);
	CHECK(t.st.done == 7 && t.st.refused == 7 && t.st.dropped == 1);

	tftpd_close(&t);
	loop_close(&lp);
	close(cl);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return T_DONE();
}
