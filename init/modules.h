/* Kernel modules at boot, loaded the way modprobe would but without it: the
 * drivers the devices present ask for (coldplug), then the modules the lab's
 * features need, each after its dependencies from modules.dep. */
#ifndef LAB_MODULES_H
#define LAB_MODULES_H

/* After the early mounts: loads from /lib/modules/$(uname -r). Without a
 * modules.dep there (the PID-1 tests' namespaces) it logs that and returns.
 * Every failure is one warning; it never stops the boot. */
void modules_load_boot(void);

#endif
