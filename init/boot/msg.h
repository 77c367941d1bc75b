/* What the boot ("stage 2", `labinit boot`) hands PID 1 over their socket
 * pair: one fixed-layout record per SOCK_SEQPACKET message. The boot does
 * everything that waits or talks to the kernel; PID 1 only decodes these,
 * size-checked, and supervises what they name. A guest's tap rides along
 * with its SERVICE record as SCM_RIGHTS. */
#ifndef LAB_BOOT_MSG_H
#define LAB_BOOT_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum boot_msg_type {
	BOOT_MSG_SETTINGS = 1, /* what PID 1 itself needs from the profile */
	BOOT_MSG_SERVICE,      /* supervise this, start it if autostart; up to two fds */
	BOOT_MSG_RESCUE,       /* the profile is broken: a rescue shell */
	BOOT_MSG_READY,        /* the lab is up */
};

enum boot_kind { BOOT_KIND_SERVICE, BOOT_KIND_GUEST };

#define BOOT_MSG_ARGS_MAX 96      /* QEMU's command line is the longest */
#define BOOT_MSG_ARGV_SIZE 32768  /* the argv strings, each NUL-terminated */
#define BOOT_MSG_PATH 256

#define BOOT_MAX_NETS 4

/* A lab network, for labctl networks/capture (the profile's struct net_cfg). */
struct boot_net {
	char name[16], bridge[16], mode[12];
	uint8_t num;
	uint8_t prefix_len;        /* 0: the host has no address there */
	uint32_t gateway;
	bool ipv6;
	uint8_t prefix6[16];
	char lease_file[BOOT_MSG_PATH]; /* "" without a DHCP server */
};

struct boot_settings {
	char profile_name[64];
	char console[64];          /* CONFIG_CONSOLE */
	char rescue_shell[BOOT_MSG_PATH];
	char lease_file[BOOT_MSG_PATH]; /* "" without a DHCP server */
	char lab_mount[BOOT_MSG_PATH];  /* the lab's files the boot mounted (LABDATA, 9p), or "" */
	uint8_t prefix_len;        /* the lab subnet's, for labctl leases */
	uint8_t log_level;
	bool console_shell;
	uint32_t stop_timeout_s, shutdown_timeout_s;
	char share_dir[BOOT_MSG_PATH];  /* where labctl capture writes */
	struct boot_net nets[BOOT_MAX_NETS];
	uint8_t nnets;
};

/* Who a service runs as: init/supervise's struct sv_creds; uid 0: root. */
struct boot_creds {
	uint32_t uid, gid;
	uint32_t groups[4];
	uint8_t ngroups;
	uint64_t ambient_caps;     /* 1 << CAP_* kept across exec */
};

#define BOOT_MAX_TAPS 4     /* a guest's NICs (CONFIG_GUESTn_NICS) */
#define BOOT_MAX_FDS (BOOT_MAX_TAPS + 2)  /* and UML's console and agent line */

struct boot_service {
	char name[32];
	uint8_t kind;              /* enum boot_kind */
	uint8_t policy;            /* enum sv_policy */
	bool autostart;
	bool has_fd;               /* a tap (a guest) or another fd (its fd 3) came with it */
	bool has_console_fd;       /* a guest's console came after its taps (UML: its fds 0-2) */
	bool has_agent_fd;         /* and its agent line after that (UML: its fd after the taps) */
	uint8_t ntaps;             /* a guest's taps, one per NIC, first (1..BOOT_MAX_TAPS) */
	uint8_t guest_kind;        /* enum guest_kind (guests/model.h) */
	uint32_t stop_timeout_ms;
	/* guests: what labctl shows and how PID 1 stops it */
	char run_dir[128];
	uint8_t mac[6];
	uint32_t ip;               /* a fixed address, or 0 */
	uint16_t gdb_port;
	bool power_button;         /* false: QMP system_powerdown reaches no guest (riscv64 virt) */
	struct boot_creds creds;
	uint16_t nargs;
	char argv[BOOT_MSG_ARGV_SIZE];
};

struct boot_rescue {
	char profile_name[64];     /* as far as it could be read */
	char rescue_shell[BOOT_MSG_PATH];
};

struct boot_msg {
	uint32_t type;             /* enum boot_msg_type */
	union {
		struct boot_settings settings;
		struct boot_service service;
		struct boot_rescue rescue;
	} u;
};

/* Fills s->argv from argv (NULL-terminated): 0, or -E2BIG. */
int boot_msg_set_argv(struct boot_service *s, char *const argv[]);
/* The record's bytes on the wire: the whole struct but for the unused tail
 * of a service's argv. */
size_t boot_msg_size(const struct boot_msg *m);
/* Checks a received record of len bytes: known type, the length its type
 * needs, strings NUL-terminated, argv holding exactly nargs strings.
 * 0 or -EBADMSG. */
int boot_msg_check(const struct boot_msg *m, size_t len);
/* Points argv[0..nargs-1] into s->argv, argv[nargs] = NULL; argv holds at
 * least BOOT_MSG_ARGS_MAX + 1 entries. After boot_msg_check only. */
void boot_msg_argv(struct boot_service *s, char **argv);

#endif
