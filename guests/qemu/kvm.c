/* The KVM check: create a VM with 64 KiB of memory, put its vCPU in 64-bit
 * long mode with paging (as a guest kernel runs), execute a locked
 * CMPXCHG16B (guest kernels use it early, and some nested hosts cannot
 * run it) and HLT; expect KVM_EXIT_HLT with the exchange done. Any failure
 * on the way means QEMU would fail too, and the guests run under TCG. */
#include "guests/qemu/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MEM_SIZE 0x10000
#define CODE 0x1000
#define PML4 0x2000
#define PDPT 0x3000
#define PD 0x4000
#define DATA 0x5000

/* Identity-mapped first 2 MiB (one large page), and the code. */
static void fill_memory(unsigned char *m)
{
	static const unsigned char code[] = {
		0xf0, 0x48, 0x0f, 0xc7, 0x0c, 0x25, DATA & 0xff, DATA >> 8, 0, 0, /* lock cmpxchg16b [DATA] */
		0xf4,                                                           /* hlt */
	};
	uint64_t *pml4 = (uint64_t *)(m + PML4), *pdpt = (uint64_t *)(m + PDPT), *pd = (uint64_t *)(m + PD);

	memcpy(m + CODE, code, sizeof(code));
	pml4[0] = PDPT | 3;
	pdpt[0] = PD | 3;
	pd[0] = 0x83; /* present, writable, 2 MiB page at 0 */
}

static void long_mode(struct kvm_sregs *sr)
{
	struct kvm_segment seg = { .base = 0, .limit = 0xffffffff, .present = 1, .s = 1, .g = 1 };

	seg.selector = 8;
	seg.type = 11; /* code: execute, read, accessed */
	seg.l = 1;
	sr->cs = seg;
	seg.selector = 16;
	seg.type = 3; /* data: read, write, accessed */
	seg.l = 0;
	seg.db = 1;
	sr->ds = sr->es = sr->fs = sr->gs = sr->ss = seg;
	sr->cr3 = PML4;
	sr->cr4 = 1u << 5;                 /* PAE */
	sr->cr0 = 0x80050033;              /* PG, WP, NE, ET, MP, PE */
	sr->efer = (1u << 8) | (1u << 10); /* LME, LMA */
}

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
		munmap(k->mem, MEM_SIZE);
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
	k->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (k->mem == MAP_FAILED)
		return fail(reason, size, "mmap");
	fill_memory(k->mem);
	region.guest_phys_addr = 0;
	region.memory_size = MEM_SIZE;
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
	long_mode(&sregs);
	regs.rip = CODE;
	regs.rsp = 0x8000;
	regs.rflags = 2;
	regs.rbx = 0x1111;
	regs.rcx = 0x2222;
	if (ioctl(k->vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(k->vcpu, KVM_SET_REGS, &regs) < 0)
		return fail(reason, size, "KVM_SET_REGS");
	if (ioctl(k->vcpu, KVM_RUN, 0) < 0)
		return fail(reason, size, "KVM_RUN");
	if (((struct kvm_run *)k->run)->exit_reason != KVM_EXIT_HLT) {
		snprintf(reason, size, "KVM_RUN exit reason %u, not HLT", ((struct kvm_run *)k->run)->exit_reason);
		return -ENOTSUP;
	}
	if (((uint64_t *)((unsigned char *)k->mem + DATA))[0] != 0x1111) {
		snprintf(reason, size, "the test vCPU's CMPXCHG16B did not store");
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

/* The child's answer on the pipe: the status, then the reason. */
struct kvm_answer {
	int r;
	char reason[200];
};

static void check_in_child(int fd)
{
	struct kvm_answer a = { 0 };

	a.r = kvm_check(a.reason, sizeof(a.reason));
	(void)!write(fd, &a, sizeof(a));
	_exit(0);
}

int kvm_check_within(unsigned timeout_ms, char *reason, size_t size)
{
	struct kvm_answer a = { .r = -ETIMEDOUT };
	struct pollfd pfd = { .events = POLLIN };
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return fail(reason, size, "pipe");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		check_in_child(p[1]);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return fail(reason, size, "fork");
	}
	pfd.fd = p[0];
	if (poll(&pfd, 1, (int)timeout_ms) > 0 && read(p[0], &a, sizeof(a)) == (ssize_t)sizeof(a))
		snprintf(reason, size, "%s", a.reason);
	else
		snprintf(reason, size, "the test vCPU did not stop within %u s", timeout_ms / 1000);
	close(p[0]);
	kill(pid, SIGKILL); /* gone already, unless it hangs in KVM_RUN */
	/* Not waited for without bound: a vCPU stuck in the kernel may not die
	 * at once, and PID 1's reaping collects it later. */
	for (int i = 0; i < 20 && waitpid(pid, NULL, WNOHANG) == 0; i++)
		usleep(10 * 1000);
	return a.r;
}
