/* Snapshot reset's QMP, pure parts: each command as QEMU 7.2 takes it,
 * and the replies it read back (query-jobs, query-named-block-nodes, as
 * QEMU 7.2 wrote them in a run of the demo guest). */
#include <errno.h>
#include <string.h>

#include "guests/qemu/qmp.h"
#include "t.h"

#define DIR "/run/labinit/guests/vm1"

static void test_commands(void)
{
	char buf[512];

	CHECK(qmp_snap_command(buf, sizeof(buf), QMP_SNAP_CREATE_FILE, DIR) == (int)strlen(buf));
	CHECK(!strcmp(buf, "{\"execute\":\"blockdev-create\",\"arguments\":{\"job-id\":\"labsnap-file\",\"options\":"
			   "{\"driver\":\"file\",\"filename\":\"" DIR "/snapshot.qcow2\",\"size\":0}}}\n"));
	qmp_snap_command(buf, sizeof(buf), QMP_SNAP_ADD_FILE, DIR);
	CHECK(!strcmp(buf, "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"file\",\"node-name\":"
			   "\"labsnap-file\",\"filename\":\"" DIR "/snapshot.qcow2\"}}\n"));
	qmp_snap_command(buf, sizeof(buf), QMP_SNAP_CREATE_QCOW2, DIR);
	CHECK(!strcmp(buf, "{\"execute\":\"blockdev-create\",\"arguments\":{\"job-id\":\"labsnap-qcow2\",\"options\":"
			   "{\"driver\":\"qcow2\",\"file\":\"labsnap-file\",\"size\":0}}}\n"));
	qmp_snap_command(buf, sizeof(buf), QMP_SNAP_ADD_QCOW2, DIR);
	CHECK(!strcmp(buf, "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"qcow2\",\"node-name\":\"labsnap\","
			   "\"file\":\"labsnap-file\"}}\n"));
	qmp_snap_command(buf, sizeof(buf), QMP_SNAP_SAVE, DIR);
	CHECK(!strcmp(buf, "{\"execute\":\"snapshot-save\",\"arguments\":{\"job-id\":\"labsnap-save\",\"tag\":"
			   "\"labinit-ready\",\"vmstate\":\"labsnap\",\"devices\":[\"labsnap\"]}}\n"));
	qmp_snap_command(buf, sizeof(buf), QMP_SNAP_LOAD, DIR);
	CHECK(!strcmp(buf, "{\"execute\":\"snapshot-load\",\"arguments\":{\"job-id\":\"labsnap-load\",\"tag\":"
			   "\"labinit-ready\",\"vmstate\":\"labsnap\",\"devices\":[\"labsnap\"]}}\n"));
	CHECK(qmp_snap_command(buf, 60, QMP_SNAP_CREATE_FILE, DIR) == -ENAMETOOLONG);
	CHECK(qmp_snap_command(buf, sizeof(buf), QMP_SNAP_STEPS, DIR) == -EINVAL);
	CHECK(!strcmp(qmp_snap_job_id(QMP_SNAP_ADD_FILE), "") && !strcmp(qmp_snap_job_id(QMP_SNAP_LOAD), "labsnap-load"));
}

static void test_jobs(void)
{
	char err[128];

	CHECK(qmp_snap_job_state("{\"return\": [{\"current-progress\": 1, \"status\": \"concluded\", \"total-progress\": 1, "
				 "\"type\": \"snapshot-save\", \"id\": \"labsnap-save\"}]}",
				 "labsnap-save", err, sizeof(err)) == 1);
	CHECK(err[0] == '\0');
	CHECK(qmp_snap_job_state("{\"return\": [{\"current-progress\": 0, \"status\": \"running\", \"total-progress\": 1, "
				 "\"type\": \"snapshot-load\", \"id\": \"labsnap-load\"}]}",
				 "labsnap-load", err, sizeof(err)) == 0);
	CHECK(qmp_snap_job_state("{\"return\": [{\"current-progress\": 1, \"status\": \"concluded\", \"total-progress\": 1, "
				 "\"type\": \"snapshot-load\", \"id\": \"labsnap-load\", \"error\": \"Snapshot "
				 "'labinit-ready' does not exist in one or more devices\"}]}",
				 "labsnap-load", err, sizeof(err)) == -EIO);
	CHECK(!strcmp(err, "Snapshot 'labinit-ready' does not exist in one or more devices"));
	/* another job's state is not ours */
	CHECK(qmp_snap_job_state("{\"return\": [{\"status\": \"concluded\", \"id\": \"other\"}, {\"status\": \"running\", "
				 "\"id\": \"labsnap-save\"}]}",
				 "labsnap-save", err, sizeof(err)) == 0);
	CHECK(qmp_snap_job_state("{\"return\": []}", "labsnap-save", err, sizeof(err)) == -ENOENT);
}

static void test_taken(void)
{
	CHECK(qmp_snap_taken("{\"return\": [{\"iops_rd\": 0, \"image\": {\"snapshots\": [{\"vm-clock-nsec\": 680535023, "
			     "\"name\": \"labinit-ready\", \"id\": \"1\"}], \"virtual-size\": 0}, \"node-name\": "
			     "\"labsnap\", \"drv\": \"qcow2\"}, {\"node-name\": \"labsnap-file\", \"drv\": \"file\"}]}") == 2);
	CHECK(qmp_snap_taken("{\"return\": [{\"image\": {\"virtual-size\": 0}, \"node-name\": \"labsnap\"}, "
			     "{\"node-name\": \"labsnap-file\"}]}") == 1);
	CHECK(qmp_snap_taken("{\"return\": [{\"node-name\": \"labsnap-file\"}]}") == 0);
	CHECK(qmp_snap_taken("{\"return\": []}") == 0);
}

int main(void)
{
	test_commands();
	test_jobs();
	test_taken();
	return T_DONE();
}
