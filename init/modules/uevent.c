/* Kernel uevent messages; see uevent.h. The kernel builds them in
 * kobject_uevent_env(): the header "ACTION@DEVPATH", then the environment
 * ACTION=, DEVPATH=, SUBSYSTEM=, SEQNUM=, and the bus's own keys such as
 * MODALIAS= (add_uevent_var), each string NUL-terminated. */
#include "init/modules/uevent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ucursor {
	const char *p, *end;
};

/* The next string and its length, up to a NUL or the end; NULL at the end. */
static const char *next_string(struct ucursor *c, size_t *len)
{
	const char *s = c->p, *nul;

	if (s >= c->end)
		return NULL;
	nul = memchr(s, '\0', (size_t)(c->end - s));
	*len = (size_t)((nul ? nul : c->end) - s);
	c->p = nul ? nul + 1 : c->end;
	return s;
}

/* Copies value[0..len) into out[size] if it fits with its NUL. */
static int copy_value(char *out, size_t size, const char *value, size_t len)
{
	if (len >= size)
		return -E2BIG;
	memcpy(out, value, len);
	out[len] = '\0';
	return 0;
}

/* "KEY=VALUE": the value if s starts with key and '='. */
static const char *value_of(const char *s, size_t len, const char *key, size_t *vlen)
{
	size_t k = strlen(key);

	if (len <= k || memcmp(s, key, k) != 0 || s[k] != '=')
		return NULL;
	*vlen = len - k - 1;
	return s + k + 1;
}

static int parse_var(struct uevent *ev, const char *s, size_t len)
{
	const char *v;
	size_t vlen;

	if ((v = value_of(s, len, "ACTION", &vlen))) {
		if (vlen != strlen(ev->action) || memcmp(v, ev->action, vlen) != 0)
			return -EBADMSG; /* the header said otherwise */
		return 1;
	}
	if ((v = value_of(s, len, "SUBSYSTEM", &vlen)))
		return copy_value(ev->subsystem, sizeof(ev->subsystem), v, vlen);
	if ((v = value_of(s, len, "MODALIAS", &vlen)))
		return copy_value(ev->modalias, sizeof(ev->modalias), v, vlen);
	if ((v = value_of(s, len, "SEQNUM", &vlen)) && vlen > 0 && vlen < 21) {
		char num[21];

		memcpy(num, v, vlen);
		num[vlen] = '\0';
		ev->seqnum = strtoull(num, NULL, 10);
	}
	return 0;
}

int uevent_parse(const char *buf, size_t len, struct uevent *ev)
{
	struct ucursor c = { buf, buf + len };
	const char *s, *at;
	size_t n;
	int r, have_action = 0;

	memset(ev, 0, sizeof(*ev));
	/* The header: what happened, '@', and a devpath under /sys. */
	if (!(s = next_string(&c, &n)) || !(at = memchr(s, '@', n)) || at + 1 >= s + n || at[1] != '/')
		return -EBADMSG;
	if ((r = copy_value(ev->action, sizeof(ev->action), s, (size_t)(at - s))) < 0 || !ev->action[0])
		return r < 0 ? r : -EBADMSG;
	while ((s = next_string(&c, &n)))
		if (n && (r = parse_var(ev, s, n)) != 0) {
			if (r < 0)
				return r;
			have_action = 1;
		}
	return have_action ? 0 : -EBADMSG;
}
