/* The mconsole wire format (arch/um/drivers/mconsole.h), golden bytes both
 * ways, and a conversation with a stand-in for the UML kernel on a real
 * socket pair of datagram sockets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guests/uml/mconsole.h"
#include "t.h"

static void test_encode(void)
{
	static const uint8_t want[] = { 0xbe, 0xba, 0xfe, 0xca, 2, 0, 0, 0, 3, 0, 0, 0, 'c', 'a', 'd' };
	uint8_t buf[600];
	char big[UML_MC_MAX_DATA + 1];

	CHECK(uml_mc_encode("cad", buf, sizeof(buf)) == (int)sizeof(want)); /* little-endian host */
	CHECK(!memcmp(buf, want, sizeof(want)));
	memset(big, 'x', UML_MC_MAX_DATA);
	big[UML_MC_MAX_DATA] = '\0';
	CHECK(uml_mc_encode(big, buf, sizeof(buf)) == -E2BIG); /* the kernel refuses len >= 512 */
	CHECK(uml_mc_encode("halt", buf, 15) == -E2BIG);
}

static void test_decode(void)
{
	static const uint8_t ok[] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
	static const uint8_t err[] = { 1, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 'U', 'n', 'k', 'n', 'o', 'w', 'n', ' ',
				       'c', 'o', 'm', 'm', 'a', 'n', 'd', 0 };
	static const uint8_t lying[] = { 0, 0, 0, 0, 0, 0, 0, 0, 200, 0, 0, 0, 'a', 'b' };
	static const uint8_t unterminated[] = { 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 'o', 'k' };
	struct uml_mc_reply r;

	CHECK(uml_mc_decode(ok, sizeof(ok), &r) == 0 && !r.error && !r.more && !strcmp(r.text, ""));
	CHECK(uml_mc_decode(err, sizeof(err), &r) == 0 && r.error && !strcmp(r.text, "Unknown command"));
	CHECK(uml_mc_decode(lying, sizeof(lying), &r) == -EBADMSG);
	CHECK(uml_mc_decode(ok, 11, &r) == -EBADMSG);
	/* len counts a NUL the kernel always sends: ours is forced anyway */
	CHECK(uml_mc_decode(unterminated, sizeof(unterminated), &r) == 0 && r.more && !strcmp(r.text, "o"));
}

/* A stand-in kernel: answers one request, "" for cad, an error else. */
static void kernel_side(int fd)
{
	uint8_t req[600], rep[16] = { 0 };
	struct sockaddr_un from;
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(fd, req, sizeof(req), 0, (struct sockaddr *)&from, &flen);
	int bad = n != 15 || memcmp(req + 12, "cad", 3) != 0;

	rep[0] = (uint8_t)bad;
	rep[8] = 1;
	_exit(sendto(fd, rep, 13, 0, (struct sockaddr *)&from, flen) == 13 ? bad : 2);
}

static void test_conversation(void)
{
	char dir[] = "/tmp/mconsole-XXXXXX", path[108];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct uml_mc_reply r;
	int fd, status = -1;
	pid_t pid;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/mconsole", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	if ((pid = fork()) == 0)
		kernel_side(fd);
	CHECK(uml_mc_command(path, "cad", 5000, &r) == 0 && !r.error);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	unlink(path);
	CHECK(uml_mc_command(path, "cad", 500, &r) == -ENOENT); /* no UML there */
	rmdir(dir);
}

int main(void)
{
	test_encode();
	test_decode();
	test_conversation();
	return T_DONE();
}
