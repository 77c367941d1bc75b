/* Helpers shared by the profile validator's files (lib/profile/validate*.c). */
#ifndef LAB_VALIDATE_PRIV_H
#define LAB_VALIDATE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/profile/profile.h"

struct vctx {
	struct profile *p;
	struct diag *d;
};

/* Reports an error on key, citing where its value came from. */
void vc_error(struct vctx *c, unsigned key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *vc_str(struct vctx *c, unsigned key);
long vc_num(struct vctx *c, unsigned key);
bool vc_valid_word(const char *s, size_t max);
bool vc_reserved_service(const char *name);
void vc_check_ifname(struct vctx *c, unsigned key);
void vc_check_abs_path(struct vctx *c, unsigned key, bool required);
void vc_check_quoted_path(struct vctx *c, unsigned key);
bool vc_parse_ip(struct vctx *c, unsigned key, uint32_t *out);
bool vc_check_lab_host(struct vctx *c, unsigned key, uint32_t a);

bool vc_is_host_in(uint32_t a, const struct ip4_prefix *p);
bool vc_valid_domain(const char *s);
bool vc_parse_prefix6(struct vctx *c, unsigned key, uint8_t out[16]);
void vc_derive_ula(const uint8_t mac[6], const char *bridge, unsigned subnet_id, uint8_t out[16]);

/* Every network (validate_nets.c): network 1 from the lab keys, then the
 * enabled CONFIG_NETn, into p->nets; sets p->nat. */
void vc_nets(struct vctx *c);
void vc_guests(struct vctx *c);
void vc_forwards(struct vctx *c);
void vc_firewall(struct vctx *c);
/* The netboot keys (validate_boot.c): CONFIG_BOOT_*, and a guest's BOOT_FILE. */
void vc_boot(struct vctx *c);
void vc_guest_machine(struct vctx *c, struct guest_cfg *g, unsigned slot);
void vc_guest_boot_file(struct vctx *c, struct guest_cfg *g, unsigned slot);

#endif
