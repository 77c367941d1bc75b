/* One line of an OpenSSH authorized_keys file, checked enough that a
 * typo (a private key, a key cut in two, a stray quote) is refused by the
 * profile instead of failing silently inside a guest: "[OPTIONS] TYPE
 * BASE64 [COMMENT]" with TYPE one of OpenSSH's key types and BASE64 the
 * key itself. The key's contents are not decoded. */
#ifndef LAB_SSHKEY_H
#define LAB_SSHKEY_H

#include <stdbool.h>
#include <stddef.h>

/* A line of n bytes (no newline). Blank lines and comments are not keys:
 * the caller skips them (sshkey_is_blank). On false, *why says what is
 * wrong (a static string). */
bool sshkey_line_ok(const char *s, size_t n, const char **why);
bool sshkey_is_blank(const char *s, size_t n);
/* Each line of text (lines end with '\n' or sep) passes; the first that
 * does not is reported as its 1-based number in *bad_line. */
bool sshkey_text_ok(const char *text, char sep, unsigned *bad_line, const char **why);

#endif
