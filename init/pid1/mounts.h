/* The early filesystems PID 1 mounts, and their unmounting at shutdown. */
#ifndef LAB_MOUNTS_H
#define LAB_MOUNTS_H

#include <stdbool.h>

struct mount_result {
	const char *target;
	int err;        /* 0, or the -errno mount failed with */
	bool skipped;   /* already a mount point; left alone */
	double ms;
};

#define MOUNTS_MAX 8

/* Mounts what is missing; results[] describes each step for the boot log.
 * Returns the number of results. */
unsigned mounts_early(struct mount_result results[MOUNTS_MAX]);
/* Unmounts what mounts_early mounted, in reverse order. */
void mounts_unmount_all(void);

#endif
