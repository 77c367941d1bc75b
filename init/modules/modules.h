/* Kernel modules, loaded the way modprobe and udev would but without them:
 * the drivers the devices present ask for (coldplug), the modules the lab's
 * features need, each after its dependencies from modules.dep, then the
 * drivers of devices that appear later (hotplug, init/modules/hotplug.c). */
#ifndef LAB_MODULES_H
#define LAB_MODULES_H

#include <stdbool.h>
#include <stddef.h>

struct modload;

/* Whether this boot loads modules itself: not without a modules.dep for the
 * running kernel (the PID-1 tests' namespaces), nor in a child pid
 * namespace. Logs why not. */
bool modules_boot_wanted(void);

/* The running kernel's tables (/lib/modules/RELEASE): NULL after saying why. */
struct modload *modules_open_running(void);
/* Coldplug, then the features the boot needs to start (the lab network,
 * the 9p share); one summary line. Returns how many failed, each one
 * warning: it never stops the boot. */
unsigned modules_load_all(struct modload *ml);
/* The other features (KVM, ext4 and FAT, VXLAN, macvtap, netem), which the
 * boot needs later or never: loaded once the lab is ready. */
unsigned modules_load_later(struct modload *ml);
/* For the boot, right before it uses one of those: loads each named module
 * (a feature for a CPU without its flag is skipped) after its dependencies,
 * unless it is live already; one the "modules" service is loading at that
 * moment is waited for by the kernel. Nothing where this process does not
 * load modules (no modules.dep: the host's kernel loads its own). Returns
 * how many failed, each one warning. names ends with NULL. */
int modules_ensure(const char *const names[]);
/* The drivers one device's modalias asks for. Returns how many modules it
 * loaded; their names, space-separated, in names. */
int modules_device_added(struct modload *ml, const char *modalias, char *names, size_t size);
/* Coldplug again: after uevents were lost. */
void modules_rescan(struct modload *ml);
void modules_close(struct modload *ml);

/* `labinit modules --boot`, PID 1's service "modules": coldplug and features,
 * a readiness byte on fd 3 when it is a pipe, then hotplug until killed.
 * Returns only on failure (1). */
int modules_boot_service(void);

/* How many feature modules load at once (`--jobs N`; 1: one after the
 * other; default: the CPUs + 1, at most 8, but 1 under QEMU's TCG). */
void modules_set_jobs(unsigned n);

/* `labinit modules` without options: coldplug and features once; 1 if any
 * failed. */
int modules_load_running(void);
/* The lab's feature modules, one name a line (`labinit modules --list`). */
void modules_list_features(void);
/* The paths to load, in order, for the named modules or every feature, in
 * the tree under root for release kver (NULL: the running one); 1 if one
 * is missing (`labinit modules --order`). */
int modules_print_order(const char *root, const char *kver, char **names, int nnames);

#endif
