/* What a TFTP file name may open: a regular file beneath a root directory
 * and nothing else. The name is cleaned first (tftp_path_clean): leading
 * slashes are stripped, so "/pxelinux.0" is the root's pxelinux.0 (as
 * tftp-hpa's -s, which chroots, and what PXE ROMs and U-Boot send), "."
 * and empty components are dropped, and a ".." component anywhere refuses
 * the name. Then the file is opened beneath a directory fd opened before
 * the process dropped its privileges: openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) where the kernel has it (5.6), else a walk of one
 * component at a time with O_NOFOLLOW that follows only relative symlinks
 * that stay beneath. Either way a symlink that leads out of the root, or
 * any absolute symlink, is refused; one that stays inside is followed. */
#ifndef LAB_TFTP_PATH_H
#define LAB_TFTP_PATH_H

#include <stddef.h>

/* 0 and the cleaned relative name in out; -EACCES for a ".." component,
 * -ENOENT for a name with nothing left, -ENAMETOOLONG when out is short. */
int tftp_path_clean(const char *name, char *out, size_t size);

/* A read-only fd of the regular file rel (a cleaned name) beneath dirfd;
 * -ENOENT, -EACCES (leaves the root, a symlink out, not a regular file),
 * -ELOOP (too many symlinks) or another -errno. */
int tftp_open_beneath(int dirfd, const char *rel);
/* The same by the component walk only (the fallback; for tests). */
int tftp_open_walk(int dirfd, const char *rel);

#endif
