/* The console's devices: which tty the kernel's console is, and moving a
 * process's 0..2 onto CONFIG_CONSOLE. PID 1 and the boot both do it. */
#ifndef LAB_CONSOLE_H
#define LAB_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

/* The device behind /dev/console, e.g. "/dev/ttyS0"; "" if unknown. */
void console_kernel_device(char *path, size_t size);
/* Moves fds 0..2 to path unless it is /dev/console or the kernel's own
 * console device (that one stays /dev/console: a shell session ending on it
 * then cannot hang up the services' output). Returns whether it moved;
 * says why on failure and keeps the current console. */
bool console_switch(const char *path);

#endif
