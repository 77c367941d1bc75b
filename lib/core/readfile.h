/* Reading files whole: small ones from /proc and /sys (one line), and text
 * files such as profiles and module tables (malloc'd, bounded). */
#ifndef LAB_READFILE_H
#define LAB_READFILE_H

#include <stddef.h>
#include <sys/types.h>

/* The first line of path, without its newline, NUL-terminated in buf (at
 * most size - 1 bytes of the file are read): its length, or -errno. */
ssize_t read_first_line(const char *path, char *buf, size_t size);

/* The whole of path in a malloc'd buffer, NUL-terminated, *len bytes long:
 * 0, or -errno (-EFBIG when it holds more than max bytes). The caller frees
 * *out. Works on /proc files too (no size is trusted up front). */
int read_whole_file(const char *path, size_t max, char **out, size_t *len);

/* The kernel command line (/proc/cmdline) in buf: the labinit.KEY=VALUE
 * overrides of the profile come from there. NULL when it cannot be read. */
const char *read_kernel_cmdline(char *buf, size_t size);

#endif
