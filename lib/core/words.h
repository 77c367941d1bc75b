/* A word list split the way a POSIX shell splits a simple command line,
 * without expansions: blanks separate words, '...' keeps everything up to
 * the next ' literally, "..." keeps everything but \" \\ \$ and \` (which
 * lose their backslash), and a backslash outside quotes takes the next
 * character literally. CONFIG_GUESTn_QEMU_ARGS is read this way, so the
 * value can be tried in a shell first. No character is special to us
 * otherwise: $ and ` are ordinary, since nothing is expanded. */
#ifndef LAB_WORDS_H
#define LAB_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/* Splits s into at most max words, copied NUL-terminated into buf and
 * pointed to by words[0..n-1] (words[n] is NULL; words has max + 1 room).
 * Returns the count, or -1 with *why set (a static message) on an
 * unterminated quote, a trailing backslash, a control character (which
 * no argument should carry), more than max words or more than size bytes. */
/* A kernel command line that every loader's script language passes on
 * unchanged (GRUB, iPXE, U-Boot's hush, syslinux): printable ASCII without
 * $ { } ; ' " \ ` (net/netboot writes it into their scripts). */
bool words_cmdline_plain(const char *s);
int words_split(const char *s, char *buf, size_t size, char **words, unsigned max, const char **why);

#endif
