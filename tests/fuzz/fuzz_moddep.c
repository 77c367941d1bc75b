/* libFuzzer target: arbitrary bytes as modules.dep, modules.alias,
 * modules.builtin and modalias strings — four parts separated by form feeds
 * ('\f') — through the parsers, the load order and the alias matcher. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/modules/moddep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next part of the input, up to a '\f' or the end. */
static const char *part(const char **p, const char *end, size_t *len)
{
	const char *start = *p, *ff = start < end ? memchr(start, '\f', (size_t)(end - start)) : NULL;

	*len = (size_t)((ff ? ff : end) - start);
	*p = ff ? ff + 1 : end;
	return start;
}

static void match_all(const struct moddep *md, char *modaliases)
{
	char *save = NULL, *line;
	unsigned n = 0;

	for (line = strtok_r(modaliases, "\n", &save); line && n < 16; line = strtok_r(NULL, "\n", &save), n++) {
		const char *names[8];
		struct moddep_order o = { 0 };

		moddep_match(md, line, names, 8);
		(void)moddep_is_builtin(md, line);
		(void)moddep_order_add(md, line, &o);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *dep, *alias, *builtin, *rest;
	size_t ldep, lalias, lbuiltin, lrest;
	struct moddep md;
	struct moddep_order o = { 0 };
	char *aliases;

	dep = part(&p, end, &ldep);
	alias = part(&p, end, &lalias);
	builtin = part(&p, end, &lbuiltin);
	rest = part(&p, end, &lrest);
	moddep_init(&md);
	moddep_parse_dep(&md, dep, ldep);
	moddep_parse_alias(&md, alias, lalias);
	moddep_parse_builtin(&md, builtin, lbuiltin);
	for (unsigned i = 0; i < md.nmods && i < 64; i++)
		(void)moddep_order_add(&md, md.mods[i].name, &o);
	aliases = malloc(lrest + 1);
	if (aliases) {
		memcpy(aliases, rest, lrest);
		aliases[lrest] = '\0';
		match_all(&md, aliases);
		free(aliases);
	}
	moddep_free(&md);
	return 0;
}
