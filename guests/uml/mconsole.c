/* The mconsole client: see mconsole.h. Our socket is autobound to an
 * abstract address (bind with the family alone, unix(7)): the kernel
 * needs an address to reply to, and an abstract one leaves no file. */
#include "guests/uml/mconsole.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* the kernel's own byte order: the host's */
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

int uml_mc_encode(const char *cmd, uint8_t *buf, size_t size)
{
	size_t n = strlen(cmd);

	/* the kernel refuses len >= 512: it NUL-terminates data[len] */
	if (n >= UML_MC_MAX_DATA || size < UML_MC_HEADER + n)
		return -E2BIG;
	put32(buf, UML_MC_MAGIC);
	put32(buf + 4, UML_MC_VERSION);
	put32(buf + 8, (uint32_t)n);
	memcpy(buf + UML_MC_HEADER, cmd, n);
	return (int)(UML_MC_HEADER + n);
}

int uml_mc_decode(const uint8_t *buf, size_t len, struct uml_mc_reply *out)
{
	uint32_t n;

	memset(out, 0, sizeof(*out));
	if (len < UML_MC_HEADER)
		return -EBADMSG;
	n = get32(buf + 8);
	if (n > UML_MC_MAX_DATA || n > len - UML_MC_HEADER)
		return -EBADMSG;
	out->error = get32(buf) != 0;
	out->more = get32(buf + 4) != 0;
	memcpy(out->text, buf + UML_MC_HEADER, n);
	out->text[n ? n - 1 : 0] = '\0'; /* n counts the kernel's NUL: ours, whatever came */
	return 0;
}

static int open_client(int timeout_ms)
{
	struct sockaddr_un self = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&self, sizeof(sa_family_t)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

int uml_mc_command(const char *path, const char *cmd, int timeout_ms, struct uml_mc_reply *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t req[UML_MC_HEADER + UML_MC_MAX_DATA], rep[UML_MC_HEADER + UML_MC_MAX_DATA];
	int len = uml_mc_encode(cmd, req, sizeof(req)), fd, r;
	ssize_t n;

	if (len < 0)
		return len;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if ((fd = open_client(timeout_ms)) < 0)
		return fd;
	if (sendto(fd, req, (size_t)len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = -errno;
	else if ((n = recv(fd, rep, sizeof(rep), 0)) < 0)
		r = -errno;
	else if ((r = uml_mc_decode(rep, (size_t)n, out)) == 0 && out->error)
		r = -EREMOTEIO;
	close(fd);
	return r;
}
