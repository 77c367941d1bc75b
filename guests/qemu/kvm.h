/* Whether KVM can run a guest here: checked by running one, not guessed
 * from /dev/kvm's presence (some hosts expose a /dev/kvm that cannot). */
#ifndef LAB_KVM_H
#define LAB_KVM_H

#include <stddef.h>

/* 0 if a vCPU ran a HLT instruction; else -errno, and why in reason. */
int kvm_check(char *reason, size_t size);

/* kvm_check in a child process, given timeout_ms: a vCPU that never
 * stops (seen with nested KVM on QEMU's emulated SVM under TCG) costs
 * the caller, PID 1 among them, that long and no more. -ETIMEDOUT then. */
int kvm_check_within(unsigned timeout_ms, char *reason, size_t size);

/* The bound PID 1 and `labinit accel` give it: the probe takes milliseconds. */
#define KVM_CHECK_MS 10000

#endif
