/* The boot's records to PID 1; see msg.h. The sender is our own child, but
 * PID 1 checks every record as if it were not: a bug there must not become
 * an out-of-bounds read in PID 1. */
#include "init/boot/msg.h"

#include "guests/model.h"

#include <errno.h>
#include <string.h>

int boot_msg_set_argv(struct boot_service *s, char *const argv[])
{
	size_t used = 0;

	s->nargs = 0;
	for (; argv[s->nargs]; s->nargs++) {
		size_t n = strlen(argv[s->nargs]) + 1;

		if (s->nargs == BOOT_MSG_ARGS_MAX || n > sizeof(s->argv) - used)
			return -E2BIG;
		memcpy(s->argv + used, argv[s->nargs], n);
		used += n;
	}
	return 0;
}

static size_t argv_used(const struct boot_service *s)
{
	size_t used = 0;

	for (unsigned i = 0; i < s->nargs && used < sizeof(s->argv); i++)
		used += strnlen(s->argv + used, sizeof(s->argv) - used) + 1;
	return used < sizeof(s->argv) ? used : sizeof(s->argv);
}

size_t boot_msg_size(const struct boot_msg *m)
{
	size_t head = offsetof(struct boot_msg, u);

	switch (m->type) {
	case BOOT_MSG_SETTINGS:
		return head + sizeof(m->u.settings);
	case BOOT_MSG_SERVICE:
		return head + offsetof(struct boot_service, argv) + argv_used(&m->u.service);
	case BOOT_MSG_RESCUE:
		return head + sizeof(m->u.rescue);
	default:
		return head;
	}
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static int check_service(const struct boot_service *s, size_t len)
{
	size_t used = 0;

	if (len < offsetof(struct boot_service, argv) || !terminated(s->name, sizeof(s->name)) || !s->name[0] ||
	    !terminated(s->run_dir, sizeof(s->run_dir)) || s->kind > BOOT_KIND_GUEST || s->guest_kind > GUEST_KIND_UML ||
	    (s->kind == BOOT_KIND_GUEST && (s->ntaps < 1 || s->ntaps > BOOT_MAX_TAPS)) || s->nargs == 0 ||
	    s->nargs > BOOT_MSG_ARGS_MAX || s->creds.ngroups > sizeof(s->creds.groups) / sizeof(s->creds.groups[0]))
		return -EBADMSG;
	len -= offsetof(struct boot_service, argv);
	for (unsigned i = 0; i < s->nargs; i++) {
		const char *end = used < len ? memchr(s->argv + used, '\0', len - used) : NULL;

		if (!end)
			return -EBADMSG;
		used = (size_t)(end - s->argv) + 1;
	}
	return used == len ? 0 : -EBADMSG;
}

int boot_msg_check(const struct boot_msg *m, size_t len)
{
	size_t head = offsetof(struct boot_msg, u);
	const struct boot_settings *st = &m->u.settings;

	if (len < head)
		return -EBADMSG;
	switch (m->type) {
	case BOOT_MSG_SETTINGS:
		if (len != head + sizeof(*st) || st->nnets > BOOT_MAX_NETS)
			return -EBADMSG;
		for (unsigned i = 0; i < st->nnets; i++)
			if (!terminated(st->nets[i].name, sizeof(st->nets[i].name)) ||
			    !terminated(st->nets[i].bridge, sizeof(st->nets[i].bridge)) ||
			    !terminated(st->nets[i].mode, sizeof(st->nets[i].mode)) ||
			    !terminated(st->nets[i].lease_file, sizeof(st->nets[i].lease_file)) ||
			    st->nets[i].prefix_len > 32)
				return -EBADMSG;
		return terminated(st->share_dir, sizeof(st->share_dir)) &&
			       terminated(st->profile_name, sizeof(st->profile_name)) &&
			       terminated(st->console, sizeof(st->console)) &&
			       terminated(st->rescue_shell, sizeof(st->rescue_shell)) &&
			       terminated(st->lease_file, sizeof(st->lease_file)) &&
			       terminated(st->lab_mount, sizeof(st->lab_mount)) ? 0 : -EBADMSG;
	case BOOT_MSG_SERVICE:
		return check_service(&m->u.service, len - head);
	case BOOT_MSG_RESCUE:
		return len == head + sizeof(m->u.rescue) &&
			       terminated(m->u.rescue.profile_name, sizeof(m->u.rescue.profile_name)) &&
			       terminated(m->u.rescue.rescue_shell, sizeof(m->u.rescue.rescue_shell)) ? 0 : -EBADMSG;
	case BOOT_MSG_READY:
		return len == head ? 0 : -EBADMSG;
	default:
		return -EBADMSG;
	}
}

void boot_msg_argv(struct boot_service *s, char **argv)
{
	size_t used = 0;

	for (unsigned i = 0; i < s->nargs; i++) {
		argv[i] = s->argv + used;
		used += strlen(argv[i]) + 1;
	}
	argv[s->nargs] = NULL;
}
