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
/* The JSON string after "key": in line into out ("" when absent;
 * escapes kept as written). */
void qmp_json_string(const char *line, const char *key, char *out, size_t size);
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

/* Snapshot reset (guests/qemu/qmp_snap.c, CONFIG_GUESTn_RESET=snapshot):
 * the guest's state saved once into a qcow2 file of its run directory that
 * QEMU creates and attaches at run time (QMP_SNAP_FILE, node QMP_SNAP_NODE),
 * and loaded back in the same QEMU. The pure parts first. */
#define QMP_SNAP_FILE  "snapshot.qcow2"
#define QMP_SNAP_NODE  "labsnap"
#define QMP_SNAP_TAG   "labinit-ready"
#define QMP_SNAP_JOB_MS 300000        /* a save or load job, bounded (TCG, large guests) */

enum qmp_snap_step {
	QMP_SNAP_CREATE_FILE,          /* blockdev-create job: the empty file */
	QMP_SNAP_ADD_FILE,             /* blockdev-add: its file node */
	QMP_SNAP_CREATE_QCOW2,         /* blockdev-create job: qcow2 on that node */
	QMP_SNAP_ADD_QCOW2,            /* blockdev-add: the qcow2 node the vmstate goes to */
	QMP_SNAP_SAVE,                 /* snapshot-save job */
	QMP_SNAP_LOAD,                 /* snapshot-load job */
	QMP_SNAP_STEPS
};

/* The command of a step for the guest whose run directory is run_dir:
 * its length, or -ENAMETOOLONG. */
int qmp_snap_command(char *buf, size_t size, enum qmp_snap_step step, const char *run_dir);
/* The job id a step runs as ("" for the steps that are no job). */
const char *qmp_snap_job_id(enum qmp_snap_step step);
/* A query-jobs reply, for job id: 1 concluded (its error, if any, copied
 * to err: then -EIO), 0 still going, -ENOENT not listed. */
int qmp_snap_job_state(const char *reply, const char *id, char *err, size_t size);
/* A query-named-block-nodes reply: 2 the snapshot is there, 1 only the
 * node (a save that failed), 0 neither. */
int qmp_snap_taken(const char *reply);

/* Whether the running QEMU holds the snapshot (0, 1, 2 as qmp_snap_taken),
 * or -errno with why. */
int qmp_snapshot_state(const char *run_dir, char *why, size_t size);
/* Takes the snapshot (the guest pauses while its memory is written) or
 * loads it back: 0, or -errno with why. Blocks up to QMP_SNAP_JOB_MS. */
int qmp_snapshot_save(const char *run_dir, char *why, size_t size);
int qmp_snapshot_load(const char *run_dir, char *why, size_t size);

#endif
