/* libFuzzer target: arbitrary bytes as a guest's kernel file and initrd
 * through MACHINE=auto's readers (guests/qemu/microvm.c): the ELF notes
 * and symbol names of a vmlinux, a bzImage's setup header, the newc
 * headers of an initrd. They read through a file descriptor: a memfd. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guests/qemu/microvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[160];
	int fd = memfd_create("fuzz_microvm", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		(void)qemu_microvm_probe_boot(fd, why, sizeof(why));
		(void)qemu_microvm_probe_builtin(fd);
		(void)qemu_microvm_probe_initrd(fd, why, sizeof(why));
	}
	close(fd);
	return 0;
}
