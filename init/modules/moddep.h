/* depmod's text files — modules.dep, modules.alias, modules.builtin — parsed
 * from buffers the caller read: a module by name, its load order
 * (dependencies first, as modprobe does), the modules a device's modalias
 * asks for. No I/O; bounded tables; a malformed line is counted and skipped. */
#ifndef LAB_MODDEP_H
#define LAB_MODDEP_H

#include <stdbool.h>
#include <stddef.h>

#define MODDEP_NAME_MAX 56          /* MODULE_NAME_LEN, include/linux/module.h */
#define MODDEP_TEXT_MAX (32u << 20) /* per file; Debian's whole modules.alias is 1.3 MB */
#define MODDEP_MODULES_MAX 16384
#define MODDEP_DEPS_MAX 262144
#define MODDEP_ALIASES_MAX 262144
#define MODDEP_ORDER_MAX 512

struct moddep_mod {
	const char *path;           /* as modules.dep has it, relative to /lib/modules/REL */
	char name[MODDEP_NAME_MAX]; /* the module's name: '-' in the file name becomes '_' */
	unsigned dep0, ndeps;       /* its dependencies' paths: deps[dep0 .. dep0 + ndeps) */
};

struct moddep_alias {
	const char *pattern, *module;
};

struct moddep {
	char *text[3];              /* our copies of the files, cut into strings */
	struct moddep_mod *mods;    /* sorted by name, then path */
	unsigned nmods;
	const char **deps;
	unsigned ndeps;
	struct moddep_alias *aliases;
	unsigned naliases;
	char (*builtin)[MODDEP_NAME_MAX]; /* sorted */
	unsigned nbuiltin;
	unsigned bad_lines;         /* malformed lines skipped, in all three files */
};

/* Modules in load order, each once: indices into md->mods. */
struct moddep_order {
	unsigned n;
	int mod[MODDEP_ORDER_MAX];
};

void moddep_init(struct moddep *md);
void moddep_free(struct moddep *md);
/* Each file once. 0, or -ENOMEM, -E2BIG (a table is full: what came before
 * it stays), -EALREADY (that file was parsed already). */
int moddep_parse_dep(struct moddep *md, const char *buf, size_t len);
int moddep_parse_alias(struct moddep *md, const char *buf, size_t len);
int moddep_parse_builtin(struct moddep *md, const char *buf, size_t len);

/* A module's name from its name or its path ("kernel/arch/x86/kvm/kvm-intel.ko"
 * → "kvm_intel"): 0, or -EINVAL when nothing usable is left or it is too long. */
int moddep_normalise(const char *name_or_path, char out[MODDEP_NAME_MAX]);
/* A .ko.xz, .ko.gz or .ko.zst, which finit_module() is asked to unpack. */
bool moddep_is_compressed(const char *path);
/* Index in md->mods, or -ENOENT. */
int moddep_find(const struct moddep *md, const char *name);
bool moddep_is_builtin(const struct moddep *md, const char *name);
/* Appends name and what it needs that o does not hold yet: the dependencies
 * listed in modules.dep visited from the last to the first, each before the
 * module (modprobe's order). Returns how many it added, or -ENOENT (not in
 * modules.dep), -EBADMSG (a dependency modules.dep does not list), -ELOOP
 * (dependencies in a cycle), -E2BIG (o is full); on error o is unchanged. */
int moddep_order_add(const struct moddep *md, const char *name, struct moddep_order *o);
/* Modules whose alias pattern matches modalias, each name once, in the order
 * of modules.alias: fills names[0..max) and returns how many it filled. */
unsigned moddep_match(const struct moddep *md, const char *modalias, const char **names, unsigned max);
/* fnmatch(3) without flags, as kmod matches aliases: '*', '?', '[a-z]',
 * '[!x]', '\' escapes; O(pattern × string) time, no recursion. */
bool moddep_glob(const char *pattern, const char *s);

#endif
