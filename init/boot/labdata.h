/* Where the guests' files come from at boot when they are not in the
 * image: a 9p share of the outer hypervisor with mount tag "lab", or a disk
 * (or partition) whose filesystem label is LABDATA; mounted on FILES_DIR. */
#ifndef LAB_LABDATA_H
#define LAB_LABDATA_H

#include <stddef.h>

#define LABDATA_TAG "lab"
#define LABDATA_LABEL "LABDATA"

/* The label of the ext2/3/4 or FAT filesystem in fd, and its type for
 * mount(2) ("ext4" or "vfat"); -ENOENT if neither is recognised. */
int labdata_read_label(int fd, char label[17], const char **fstype);

/* Mounts the first of: the 9p tag "lab", a LABDATA filesystem, on dir.
 * Returns 0 when one was mounted, -ENOENT when there is none. */
int labdata_mount(const char *dir, char *what, size_t size);

#endif
