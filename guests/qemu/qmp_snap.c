/* Snapshot reset over QMP (CONFIG_GUESTn_RESET=snapshot, `labctl reset`).
 * Chosen: QEMU 7.2's snapshot-save / snapshot-load jobs, in the running
 * QEMU, with the vmstate in a qcow2 file of the guest's run directory
 * that QEMU itself creates and attaches at run time (blockdev-create,
 * blockdev-add). Against `migrate` to a file and `-incoming` on a new
 * QEMU: a load needs no new process, no new sockets (the console, QMP
 * and agent clients stay connected to the same QEMU), no round through
 * PID 1's supervisor, and QEMU under -sandbox spawn=deny could not run an
 * exec: migration anyway. Measured under TCG, 192 MiB demo guest, on a
 * bare QEMU: save 0.4-0.8 s, load 0.15-0.2 s; under labinit on a loaded
 * machine the load took 0.25-1.2 s (tests/bench/reset.sh).
 * Made at run time rather than given with -blockdev: a file from an
 * earlier QEMU (a restart, a rebuilt kernel) would hold a state of
 * another machine; a new QEMU has no node, so the next ready guest gets a
 * fresh snapshot. blockdev-create also spares the appliance qemu-img.
 * The replies are read as qmp_dump.c reads its own: QEMU's lines have
 * their keys in a fixed order, and only the keys needed are looked for. */
#include "guests/qemu/qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define POLL_MS 20

static const char *const job_ids[QMP_SNAP_STEPS] = {
	[QMP_SNAP_CREATE_FILE] = "labsnap-file", [QMP_SNAP_CREATE_QCOW2] = "labsnap-qcow2",
	[QMP_SNAP_SAVE] = "labsnap-save",         [QMP_SNAP_LOAD] = "labsnap-load",
};

const char *qmp_snap_job_id(enum qmp_snap_step step)
{
	return step < QMP_SNAP_STEPS && job_ids[step] ? job_ids[step] : "";
}

int qmp_snap_command(char *buf, size_t size, enum qmp_snap_step step, const char *run_dir)
{
	const char *id = qmp_snap_job_id(step);
	int n = -1;

	switch (step) {
	case QMP_SNAP_CREATE_FILE: /* size 0: the vmstate lives past the (empty) disk */
		n = snprintf(buf, size,
			     "{\"execute\":\"blockdev-create\",\"arguments\":{\"job-id\":\"%s\",\"options\":"
			     "{\"driver\":\"file\",\"filename\":\"%s/" QMP_SNAP_FILE "\",\"size\":0}}}\n",
			     id, run_dir);
		break;
	case QMP_SNAP_ADD_FILE:
		n = snprintf(buf, size,
			     "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"file\",\"node-name\":\"" QMP_SNAP_NODE
			     "-file\",\"filename\":\"%s/" QMP_SNAP_FILE "\"}}\n",
			     run_dir);
		break;
	case QMP_SNAP_CREATE_QCOW2:
		n = snprintf(buf, size,
			     "{\"execute\":\"blockdev-create\",\"arguments\":{\"job-id\":\"%s\",\"options\":"
			     "{\"driver\":\"qcow2\",\"file\":\"" QMP_SNAP_NODE "-file\",\"size\":0}}}\n",
			     id);
		break;
	case QMP_SNAP_ADD_QCOW2:
		n = snprintf(buf, size,
			     "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"" QMP_SNAP_NODE
			     "\",\"file\":\"" QMP_SNAP_NODE "-file\"}}\n");
		break;
	case QMP_SNAP_SAVE:
	case QMP_SNAP_LOAD: /* devices: the vmstate node only (validate_guests.c refuses guests with disks) */
		n = snprintf(buf, size,
			     "{\"execute\":\"%s\",\"arguments\":{\"job-id\":\"%s\",\"tag\":\"" QMP_SNAP_TAG
			     "\",\"vmstate\":\"" QMP_SNAP_NODE "\",\"devices\":[\"" QMP_SNAP_NODE "\"]}}\n",
			     step == QMP_SNAP_SAVE ? "snapshot-save" : "snapshot-load", id);
		break;
	default: return -EINVAL;
	}
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

/* The job objects of query-jobs hold no nested object: the one whose id
 * is ours runs from the '{' before its "id" to the next '}'. */
int qmp_snap_job_state(const char *reply, const char *id, char *err, size_t size)
{
	char key[64], obj[1024], status[24];
	const char *p, *start, *end;

	err[0] = '\0';
	snprintf(key, sizeof(key), "\"id\": \"%s\"", id);
	if (!(p = strstr(reply, key)))
		return -ENOENT;
	for (start = p; start > reply && *start != '{'; start--)
		;
	if (*start != '{' || !(end = strchr(p, '}')))
		return -ENOENT;
	snprintf(obj, sizeof(obj), "%.*s", (int)(end - start + 1), start);
	qmp_json_string(obj, "status", status, sizeof(status));
	if (strcmp(status, "concluded"))
		return 0;
	qmp_json_string(obj, "error", err, size);
	return err[0] ? -EIO : 1;
}

int qmp_snap_taken(const char *reply)
{
	if (strstr(reply, "\"name\": \"" QMP_SNAP_TAG "\""))
		return 2;
	return strstr(reply, "\"node-name\": \"" QMP_SNAP_NODE "\"") ? 1 : 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Polls query-jobs until the job concludes, then dismisses it (these
 * jobs are not auto-dismissed when they fail). */
static int wait_job(struct qmp_conn *c, const char *id)
{
	char reply[QMP_LINE_MAX], err[256], cmd[128];
	long long end = now_ms() + QMP_SNAP_JOB_MS;
	int r;

	for (;;) {
		if ((r = qmp_call(c, "{\"execute\":\"query-jobs\"}\n", -1, reply, sizeof(reply))) < 0)
			return r;
		if ((r = qmp_snap_job_state(reply, id, err, sizeof(err))) != 0)
			break;
		if (now_ms() >= end) {
			snprintf(c->error, sizeof(c->error), "job %s still running after %d s", id, QMP_SNAP_JOB_MS / 1000);
			return -ETIMEDOUT;
		}
		poll(NULL, 0, POLL_MS);
	}
	if (r == -ENOENT) {
		snprintf(c->error, sizeof(c->error), "job %s is not listed by query-jobs", id);
		return r;
	}
	snprintf(cmd, sizeof(cmd), "{\"execute\":\"job-dismiss\",\"arguments\":{\"id\":\"%s\"}}\n", id);
	(void)qmp_call(c, cmd, -1, reply, sizeof(reply));
	if (r == -EIO)
		snprintf(c->error, sizeof(c->error), "%s", err);
	return r < 0 ? r : 0;
}

static const char *const step_names[QMP_SNAP_STEPS] = {
	"creating " QMP_SNAP_FILE, "attaching " QMP_SNAP_FILE, "formatting " QMP_SNAP_FILE " (qcow2)",
	"attaching the qcow2 node", "snapshot-save", "snapshot-load",
};

static int step(struct qmp_conn *c, enum qmp_snap_step s, const char *run_dir)
{
	char cmd[512], reply[QMP_LINE_MAX];
	int r;

	if ((r = qmp_snap_command(cmd, sizeof(cmd), s, run_dir)) < 0)
		snprintf(c->error, sizeof(c->error), "the run directory's path is too long");
	else if ((r = qmp_call(c, cmd, -1, reply, sizeof(reply))) == 0 && qmp_snap_job_id(s)[0])
		r = wait_job(c, qmp_snap_job_id(s));
	if (r < 0 && r != -ENAMETOOLONG) {
		char e[sizeof(c->error)];

		snprintf(e, sizeof(e), "%s", c->error[0] ? c->error : strerror(-r));
		snprintf(c->error, sizeof(c->error), "%s: %.200s", step_names[s], e);
	}
	return r;
}

static int state(struct qmp_conn *c)
{
	char reply[QMP_LINE_MAX];
	int r = qmp_call(c, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}\n", -1, reply,
			 sizeof(reply));

	if (r < 0)
		snprintf(c->error, sizeof(c->error), "query-named-block-nodes: %s",
			 r == -EMSGSIZE ? "a reply over the line cap" : strerror(-r));
	return r < 0 ? r : qmp_snap_taken(reply);
}

static int finish(struct qmp_conn *c, int r, char *why, size_t size)
{
	if (r < 0)
		snprintf(why, size, "%s", c->error[0] ? c->error : strerror(-r));
	qmp_close(c);
	return r;
}

/* qmp_open, saying why into why when it fails. */
static int start(struct qmp_conn *c, const char *run_dir, char *why, size_t size)
{
	int r = qmp_open(c, run_dir);

	if (r < 0)
		snprintf(why, size, "%s", c->error);
	return r;
}

int qmp_snapshot_state(const char *run_dir, char *why, size_t size)
{
	struct qmp_conn c;
	int r;

	if ((r = start(&c, run_dir, why, size)) < 0)
		return r;
	return finish(&c, state(&c), why, size);
}

int qmp_snapshot_save(const char *run_dir, char *why, size_t size)
{
	struct qmp_conn c;
	int r;

	if ((r = start(&c, run_dir, why, size)) < 0)
		return r;
	if ((r = state(&c)) == 0)
		for (enum qmp_snap_step s = QMP_SNAP_CREATE_FILE; s <= QMP_SNAP_ADD_QCOW2 && r >= 0; s++)
			r = step(&c, s, run_dir);
	if (r >= 0)
		r = step(&c, QMP_SNAP_SAVE, run_dir);
	return finish(&c, r < 0 ? r : 0, why, size);
}

int qmp_snapshot_load(const char *run_dir, char *why, size_t size)
{
	struct qmp_conn c;
	int r;

	if ((r = start(&c, run_dir, why, size)) < 0)
		return r;
	if ((r = state(&c)) >= 0 && r != 2) {
		snprintf(c.error, sizeof(c.error), "no snapshot taken in this QEMU yet");
		r = -ENOENT;
	}
	if (r >= 0)
		r = step(&c, QMP_SNAP_LOAD, run_dir);
	return finish(&c, r < 0 ? r : 0, why, size);
}
