/* uevent_parse on messages laid out as kobject_uevent_env() sends them
 * (a USB mass-storage interface, a SCSI disk, a remove), then malformed ones. */
#include <errno.h>
#include <string.h>

#include "init/modules/uevent.h"
#include "t.h"

#define MSG(s) s, sizeof(s) - 1 /* keep the embedded NULs, drop the literal's own */

static void test_usb_interface_add(void)
{
	static const char m[] =
		"add@/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:1.0\0"
		"ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:1.0\0"
		"SUBSYSTEM=usb\0DEVTYPE=usb_interface\0PRODUCT=46f4/1/0\0TYPE=0/0/0\0INTERFACE=8/6/80\0"
		"MODALIAS=usb:v46F4p0001d0000dc00dsc00dp00ic08isc06ip50in00\0SEQNUM=1234\0";
	struct uevent ev;

	CHECK(uevent_parse(MSG(m), &ev) == 0);
	CHECK(!strcmp(ev.action, "add"));
	CHECK(!strcmp(ev.subsystem, "usb"));
	CHECK(!strcmp(ev.modalias, "usb:v46F4p0001d0000dc00dsc00dp00ic08isc06ip50in00"));
	CHECK(ev.seqnum == 1234);
}

static void test_scsi_and_remove(void)
{
	static const char scsi[] =
		"add@/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:1.0/host0/target0:0:0/0:0:0:0\0"
		"ACTION=add\0DEVPATH=/devices/x\0SUBSYSTEM=scsi\0DEVTYPE=scsi_device\0MODALIAS=scsi:t-0x00\0SEQNUM=9\0";
	/* The last string without its NUL: the end of the buffer ends it. */
	static const char rm[] = "remove@/devices/virtual/net/tap0\0ACTION=remove\0SUBSYSTEM=net\0SEQNUM=10";
	struct uevent ev;

	CHECK(uevent_parse(MSG(scsi), &ev) == 0 && !strcmp(ev.modalias, "scsi:t-0x00") && ev.seqnum == 9);
	CHECK(uevent_parse(MSG(rm), &ev) == 0 && !strcmp(ev.action, "remove") && !ev.modalias[0] &&
	      !strcmp(ev.subsystem, "net") && ev.seqnum == 10);
}

static void test_malformed(void)
{
	static const char long_alias[] = "add@/devices/x\0ACTION=add\0MODALIAS=";
	char big[sizeof(long_alias) + UEVENT_MODALIAS_MAX + 8];
	struct uevent ev;

	CHECK(uevent_parse("", 0, &ev) == -EBADMSG);
	CHECK(uevent_parse(MSG("libudev\0ACTION=add\0"), &ev) == -EBADMSG); /* udev's, not the kernel's */
	CHECK(uevent_parse(MSG("add@\0ACTION=add\0"), &ev) == -EBADMSG);
	CHECK(uevent_parse(MSG("@/devices/x\0ACTION=\0"), &ev) == -EBADMSG);
	CHECK(uevent_parse(MSG("add@/devices/x\0SUBSYSTEM=pci\0"), &ev) == -EBADMSG);   /* no ACTION= */
	CHECK(uevent_parse(MSG("add@/devices/x\0ACTION=remove\0"), &ev) == -EBADMSG);   /* header disagrees */
	CHECK(uevent_parse(MSG("averyveryverylongaction@/devices/x\0ACTION=a\0"), &ev) == -E2BIG);
	CHECK(uevent_parse(MSG("add@/devices/x\0ACTION=add\0SUBSYSTEM=0123456789012345678901234567890123\0"),
			   &ev) == -E2BIG);
	memcpy(big, long_alias, sizeof(long_alias) - 1);
	memset(big + sizeof(long_alias) - 1, 'a', sizeof(big) - sizeof(long_alias) + 1);
	CHECK(uevent_parse(big, sizeof(big), &ev) == -E2BIG);
	/* Exactly the longest value that fits, and a key that only starts like one. */
	memset(big + sizeof(long_alias) - 1, 'a', UEVENT_MODALIAS_MAX - 1);
	CHECK(uevent_parse(big, sizeof(long_alias) - 1 + UEVENT_MODALIAS_MAX - 1, &ev) == 0 &&
	      strlen(ev.modalias) == UEVENT_MODALIAS_MAX - 1);
	CHECK(uevent_parse(MSG("add@/devices/x\0ACTION=add\0MODALIASX=pci:v1\0MODALIAS\0"), &ev) == 0 &&
	      !ev.modalias[0]);
}

int main(void)
{
	test_usb_interface_add();
	test_scsi_and_remove();
	test_malformed();
	return T_DONE();
}
