/* The KVM check: create a VM with one page holding HLT, run its vCPU in
 * real mode, expect KVM_EXIT_HLT. Any failure on the way means QEMU would
 * fail too, and the guests run under TCG instead. */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

struct kvm_fds {
	int kvm, vm, vcpu;
	void *mem, *run;
	size_t run_size;
};

static void release(struct kvm_fds *k)
{
	if (k->run && k->run != MAP_FAILED)
		munmap(k->run, k->run_size);
	if (k->mem && k->mem != MAP_FAILED)
		munmap(k->mem, 4096);
	if (k->vcpu >= 0)
		close(k->vcpu);
	if (k->vm >= 0)
		close(k->vm);
	if (k->kvm >= 0)
		close(k->kvm);
}

static int fail(char *reason, size_t size, const char *what)
{
	int r = -errno;

	snprintf(reason, size, "%s: %s", what, strerror(errno));
	return r ? r : -EIO;
}

static int setup_vm(struct kvm_fds *k, char *reason, size_t size)
{
	struct kvm_userspace_memory_region region = { 0 };

	if ((k->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
		return fail(reason, size, "/dev/kvm");
	if (ioctl(k->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(reason, size, "KVM API version is not %d", KVM_API_VERSION);
		return -ENOTSUP;
	}
	if ((k->vm = ioctl(k->kvm, KVM_CREATE_VM, 0)) < 0)
		return fail(reason, size, "KVM_CREATE_VM");
	k->mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (k->mem == MAP_FAILED)
		return fail(reason, size, "mmap");
	((unsigned char *)k->mem)[0] = 0xf4; /* hlt */
	region.guest_phys_addr = 0x1000;
	region.memory_size = 4096;
	region.userspace_addr = (unsigned long)k->mem;
	if (ioctl(k->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail(reason, size, "KVM_SET_USER_MEMORY_REGION");
	return 0;
}

static int run_vcpu(struct kvm_fds *k, char *reason, size_t size)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	int n;

	if ((k->vcpu = ioctl(k->vm, KVM_CREATE_VCPU, 0)) < 0)
		return fail(reason, size, "KVM_CREATE_VCPU");
	if ((n = ioctl(k->kvm, KVM_GET_VCPU_MMAP_SIZE, 0)) <= 0)
		return fail(reason, size, "KVM_GET_VCPU_MMAP_SIZE");
	k->run_size = (size_t)n;
	k->run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, k->vcpu, 0);
	if (k->run == MAP_FAILED)
		return fail(reason, size, "mmap kvm_run");
	if (ioctl(k->vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail(reason, size, "KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	regs.rip = 0x1000;
	regs.rflags = 2;
	if (ioctl(k->vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(k->vcpu, KVM_SET_REGS, &regs) < 0)
		return fail(reason, size, "KVM_SET_REGS");
	if (ioctl(k->vcpu, KVM_RUN, 0) < 0)
		return fail(reason, size, "KVM_RUN");
	if (((struct kvm_run *)k->run)->exit_reason != KVM_EXIT_HLT) {
		snprintf(reason, size, "KVM_RUN exit reason %u, not HLT", ((struct kvm_run *)k->run)->exit_reason);
		return -ENOTSUP;
	}
	return 0;
}

int kvm_check(char *reason, size_t size)
{
	struct kvm_fds k = { -1, -1, -1, NULL, NULL, 0 };
	int r = setup_vm(&k, reason, size);

	if (r == 0)
		r = run_vcpu(&k, reason, size);
	if (r == 0)
		snprintf(reason, size, "a test vCPU ran");
	release(&k);
	return r;
}
