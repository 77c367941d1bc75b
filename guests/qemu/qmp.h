/* QMP (QEMU Machine Protocol) on a guest's qmp.sock. */
#ifndef LAB_QMP_H
#define LAB_QMP_H

#include <stddef.h>

/* Asks QEMU, over run_dir/qmp.sock, to power the guest down (ACPI). Blocks
 * up to 5 s a read: run it in a child process. 0 or -errno. */
int qmp_powerdown(const char *run_dir);

/* A memory dump (guests/qemu/qmp_dump.c). The pure parts first: what the
 * lab asks QEMU and how it reads the answers (unit-tested). */
#define QMP_LINE_MAX   8192
#define QMP_REPLY_MS   10000          /* a command's answer (not the dump) */

/* The dump format to ask for from query-dump-guest-memory-capability's
 * reply: "kdump-zlib" (compressed, read by crash, drgn and makedumpfile
 * alike) when offered, else "elf", else NULL. */
const char *qmp_dump_pick_format(const char *reply);
/* query-memory-size-summary's base-memory: 0 or -EINVAL. */
int qmp_base_memory(const char *reply, unsigned long long *bytes);
/* The dump-guest-memory command to the fd QEMU holds as fdname, detached
 * (QEMU answers at once and sends DUMP_COMPLETED at the end): its length,
 * or -ENAMETOOLONG. */
int qmp_dump_command(char *buf, size_t size, const char *fdname, const char *format);
/* A QMP line: 'r' a return, 'e' an error (desc copied), 'v' an event. */
int qmp_classify(const char *line, char *desc, size_t size);
/* A DUMP_COMPLETED event: 1 completed, -EIO failed (its error copied to
 * err), 0 another event. */
int qmp_dump_event(const char *line, char *err, size_t size);

/* A QMP conversation held open across the dump. */
struct qmp_conn {
	int fd;
	size_t len;
	char buf[QMP_LINE_MAX];
	char error[256];               /* the last error QEMU or the lab named */
};

/* Connects to run_dir/qmp.sock, greeting and capabilities done: 0 or
 * -errno (c->error says which step). */
int qmp_open(struct qmp_conn *c, const char *run_dir);
/* Sends cmd (with fd as SCM_RIGHTS when fd >= 0) and reads its answer into
 * reply (events met on the way are dropped): 0, -EIO with QEMU's error
 * in c->error, or -errno. */
int qmp_call(struct qmp_conn *c, const char *cmd, int fd, char *reply, size_t size);
/* The next line QEMU sends, waiting up to ms: 0, -ETIMEDOUT or -errno. */
int qmp_read_line(struct qmp_conn *c, char *line, size_t size, int ms);
void qmp_close(struct qmp_conn *c);

#endif
