/* Decoding a report's frames to file:line; see decode.h.
 * binutils' addr2line rather than gdb or elfutils' eu-addr2line: on
 * Debian 12 (binutils 2.40) it takes "symbol+0xoffset" as printed in the
 * report (no nm pass to find the symbol's address), it starts in a
 * fraction of gdb's time on a vmlinux, and binutils is already what the
 * tests use (nm). It runs in a child, bounded by DECODE_SECONDS, once per
 * new report (duplicates are not decoded again). */
#include "guests/triage/decode.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DECODE_SECONDS 60
#define OUT_MAX 2048
#define SHDR_MAX 512     /* section headers read; a vmlinux has ~100 */

static const char *find_addr2line(void)
{
	static const char *const paths[] = { "/usr/bin/addr2line", "/bin/addr2line", "/usr/local/bin/addr2line", NULL };

	for (int i = 0; paths[i]; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

static bool read_at(int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off) == (ssize_t)len;
}

/* Has the ELF64 file a .debug_info section? 1, 0, or -errno (-ENOEXEC:
 * not an ELF64 file). */
static int has_debug_info(const char *path)
{
	static Elf64_Shdr sh[SHDR_MAX];
	char names[65536], name[12];
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = -ENOEXEC;

	if (fd < 0)
		return -errno;
	if (read_at(fd, &eh, sizeof(eh), 0) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shnum <= SHDR_MAX && eh.e_shstrndx < eh.e_shnum &&
	    read_at(fd, sh, eh.e_shnum * sizeof(Elf64_Shdr), (off_t)eh.e_shoff)) {
		size_t nlen = sh[eh.e_shstrndx].sh_size < sizeof(names) ? sh[eh.e_shstrndx].sh_size : sizeof(names);

		r = 0;
		if (read_at(fd, names, nlen, (off_t)sh[eh.e_shstrndx].sh_offset))
			for (unsigned i = 0; i < eh.e_shnum && !r; i++)
				if (sh[i].sh_name + sizeof(name) <= nlen) {
					memcpy(name, names + sh[i].sh_name, sizeof(name));
					r = !memcmp(name, ".debug_info", sizeof(name));
				}
	}
	close(fd);
	return r;
}

/* The first "FN+0xOFF" or "FN.suffix+0xOFF" token of the text, for the
 * frame fn (as triage keeps it, suffix cut), into out. */
static bool frame_token(const struct triage_report *r, const char *fn, char *out, size_t size)
{
	size_t n = strlen(fn);

	for (const char *p = r->text, *end = r->text + r->len; (p = memmem(p, (size_t)(end - p), fn, n)); p += n) {
		const char *q = p + n, *e;

		if (p > r->text && (p[-1] != ' ' && p[-1] != ']'))
			continue;
		while (q < end && (*q == '.' || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_'))
			q++;
		if (end - q < 4 || strncmp(q, "+0x", 3))
			continue;
		for (e = q + 3; e < end && strchr("0123456789abcdef", *e); e++)
			;
		if ((size_t)(e - p) >= size)
			return false;
		memcpy(out, p, (size_t)(e - p));
		out[e - p] = '\0';
		return true;
	}
	return false;
}

/* Runs addr2line on the tokens; its output into out. The exit status, or -errno. */
static int run(const char *tool, const char *vmlinux, char tokens[][TRIAGE_FRAME_MAX + 24], unsigned n, char *out,
	       size_t size)
{
	char *argv[8 + TRIAGE_FRAMES] = { (char *)tool, "-f", "-i", "-p", "-e", (char *)vmlinux };
	int p[2], status = 0;
	size_t len = 0;
	ssize_t got;
	pid_t pid;

	for (unsigned i = 0; i < n; i++)
		argv[6 + i] = tokens[i];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL); /* the logger blocks its stop signals */
		dup2(p[1], 1);
		alarm(DECODE_SECONDS);                 /* survives the exec: a bound on addr2line */
		execv(tool, argv);
		_exit(127);
	}
	close(p[1]);
	while ((got = read(p[0], out + len, size - 1 - len)) > 0 || (got < 0 && errno == EINTR))
		if (got > 0)
			len += (size_t)got;
	out[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void put_lines(struct strbuf *o, const char *text)
{
	for (const char *p = text, *nl; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		strbuf_put(o, "decoded: %.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
	}
}

void triage_decode(const char *vmlinux, const struct triage_report *r, struct strbuf *o)
{
	char tokens[TRIAGE_FRAMES][TRIAGE_FRAME_MAX + 24], out[OUT_MAX];
	const char *tool = find_addr2line();
	unsigned n = 0;
	int d, st;

	if (!vmlinux || !vmlinux[0]) {
		strbuf_put(o, "decoded: not decoded: no vmlinux known for this guest\n");
		return;
	}
	if ((d = has_debug_info(vmlinux)) <= 0) {
		strbuf_put(o, "decoded: not decoded: %s: %s\n", vmlinux,
			   d == 0 ? "no debug info (a kernel built with CONFIG_DEBUG_INFO, not stripped)"
			   : d == -ENOEXEC ? "not an ELF64 vmlinux" : strerror(-d));
		return;
	}
	if (!tool) {
		strbuf_put(o, "decoded: not decoded: no addr2line (Debian package binutils)\n");
		return;
	}
	for (unsigned i = 0; i < r->nframes; i++)
		n += frame_token(r, r->frames[i], tokens[n], sizeof(tokens[n]));
	if (!n) {
		strbuf_put(o, "decoded: not decoded: the report has no stack frames\n");
		return;
	}
	if ((st = run(tool, vmlinux, tokens, n, out, sizeof(out))) != 0) {
		strbuf_put(o, "decoded: not decoded: addr2line failed (%s %d)\n", st < 0 ? "error" : "status",
			   st < 0 ? -st : st);
		return;
	}
	put_lines(o, out);
}
