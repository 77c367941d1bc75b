/* `labinit accel`: the accelerator this machine gives guests, by the same
 * probe PID 1 uses (guests/qemu/kvm.c), for scripts such as `make run`. */
#include <stdio.h>

#include "init/cmd/commands.h"
#include "guests/qemu/kvm.h"

int cmd_accel(int argc, char **argv)
{
	char why[256];

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: labinit accel\n");
		return 2;
	}
	if (kvm_check_within(KVM_CHECK_MS, why, sizeof(why)) == 0) {
		puts("kvm");
		fprintf(stderr, "accel: kvm (%s)\n", why);
	} else {
		puts("tcg");
		fprintf(stderr, "accel: tcg (KVM unusable: %s)\n", why);
	}
	return 0;
}
