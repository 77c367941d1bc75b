/* The QMP dump conversation's pure parts: the command built, the format
 * picked, the answers and events read (QEMU 7.2's own lines). */
#include <errno.h>
#include <string.h>

#include "guests/qemu/qmp.h"
#include "t.h"

static void test_command(void)
{
	char buf[256];
	int n = qmp_dump_command(buf, sizeof(buf), "labdump", "kdump-zlib");

	CHECK(n == (int)strlen(buf));
	CHECK(!strcmp(buf, "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":false,"
			   "\"protocol\":\"fd:labdump\",\"detach\":true,\"format\":\"kdump-zlib\"}}\n"));
	CHECK(qmp_dump_command(buf, 40, "labdump", "elf") == -ENAMETOOLONG);
}

static void test_format(void)
{
	CHECK(!strcmp(qmp_dump_pick_format("{\"return\": {\"formats\": [\"elf\", \"kdump-zlib\", \"kdump-lzo\", "
					   "\"kdump-snappy\", \"win-dmp\"]}}"), "kdump-zlib"));
	CHECK(!strcmp(qmp_dump_pick_format("{\"return\": {\"formats\": [\"elf\", \"win-dmp\"]}}"), "elf"));
	CHECK(qmp_dump_pick_format("{\"return\": {\"formats\": [\"win-dmp\"]}}") == NULL);
	CHECK(qmp_dump_pick_format("{\"return\": {}}") == NULL);
	/* a name outside the list does not count */
	CHECK(qmp_dump_pick_format("{\"return\": {\"formats\": []}, \"x\": \"kdump-zlib\"}") == NULL);
}

static void test_memory(void)
{
	unsigned long long b = 0;

	CHECK(qmp_base_memory("{\"return\": {\"base-memory\": 268435456}}", &b) == 0 && b == 268435456ull);
	CHECK(qmp_base_memory("{\"return\": {\"base-memory\": 201326592, \"plugged-memory\": 0}}", &b) == 0 &&
	      b == 201326592ull);
	CHECK(qmp_base_memory("{\"return\": {}}", &b) == -EINVAL);
	CHECK(qmp_base_memory("{\"return\": {\"base-memory\": -1}}", &b) == -EINVAL);
	CHECK(qmp_base_memory("{\"return\": {\"base-memory\": 12x}}", &b) == -EINVAL);
}

static void test_classify(void)
{
	char d[64];

	CHECK(qmp_classify("{\"return\": {}}", d, sizeof(d)) == 'r');
	CHECK(qmp_classify("{\"error\": {\"class\": \"GenericError\", \"desc\": \"No fd named 'x'\"}}", d,
			   sizeof(d)) == 'e' && !strcmp(d, "No fd named 'x'"));
	CHECK(qmp_classify("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}", d,
			   sizeof(d)) == 'v');
	CHECK(qmp_classify("{\"error\": {\"desc\": \"a \\\"quoted\\\" word and a long tail\"}}", d, 12) == 'e' &&
	      strlen(d) == 11);
}

static void test_event(void)
{
	char e[128];

	CHECK(qmp_dump_event("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"DUMP_COMPLETED\", "
			     "\"data\": {\"result\": {\"total\": 268435456, \"status\": \"completed\", "
			     "\"completed\": 268435456}}}", e, sizeof(e)) == 1);
	CHECK(qmp_dump_event("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"DUMP_COMPLETED\", "
			     "\"data\": {\"result\": {\"total\": 1, \"status\": \"failed\", \"completed\": 0}, "
			     "\"error\": \"dump: failed to save memory\"}}", e, sizeof(e)) == -EIO &&
	      !strcmp(e, "dump: failed to save memory"));
	CHECK(qmp_dump_event("{\"event\": \"DUMP_COMPLETED\", \"data\": {\"result\": {\"status\": \"failed\"}}}", e,
			     sizeof(e)) == -EIO && strstr(e, "\"failed\""));
	CHECK(qmp_dump_event("{\"timestamp\": {\"seconds\": 1}, \"event\": \"RESUME\"}", e, sizeof(e)) == 0);
}

int main(void)
{
	test_command();
	test_format();
	test_memory();
	test_classify();
	test_event();
	return T_DONE();
}
