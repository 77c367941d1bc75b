/* Host and domain names (RFC 1123 §2.1, RFC 1035 §2.3.1): the one check
 * that the profile, the DHCP codec and the DNS server share. Lengths are
 * explicit: names from packets are not NUL-terminated and may hold NULs. */
#ifndef LAB_NAME_H
#define LAB_NAME_H

#include <stdbool.h>
#include <stddef.h>

#define NAME_LABEL_MAX 63   /* RFC 1035 §2.3.4 */

/* One label: 1..max octets (max <= NAME_LABEL_MAX) of letters, digits and
 * hyphens, not starting or ending with a hyphen. */
bool name_is_label(const char *s, size_t n, size_t max);
/* Labels joined by single dots, each a name_is_label of up to 63 octets. */
bool name_is_domain(const char *s, size_t n);

/* n octets equal but for ASCII case (RFC 4343 §2): names arrive in any
 * case, and a label from a packet may hold any octet, NUL included. */
bool name_equal(const void *a, const void *b, size_t n);

#endif
