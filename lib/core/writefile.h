/* Writing a whole buffer to an fd: the loop every file writer needs. */
#ifndef LAB_WRITEFILE_H
#define LAB_WRITEFILE_H

#include <stddef.h>

/* Writes all len bytes, again after a short write or EINTR: 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

#endif
