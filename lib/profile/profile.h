/* The lab profile: every CONFIG_ key of a .config, type-checked, with the
 * Kconfig defaults filled in, then parsed once into typed fields that the rest
 * of labinit reads. Loading validates everything before anything changes and
 * reports every error it finds. */
#ifndef LAB_PROFILE_H
#define LAB_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/core/addr.h"
#include "lib/core/diag.h"
#include "lib/core/guesthw.h"
#include "lib/core/netem.h"
#include "lib/profile/profile_keys.h"

enum key_type { KT_BOOL, KT_INT, KT_STR };

enum profile_key {
#define X(name, type, def, lo, hi) K_##name,
	PROFILE_GLOBAL_KEYS(X)
#undef X
	K_GLOBAL_COUNT
};

enum guest_field {
#define X(name, type, def, lo, hi) GF_##name,
	PROFILE_GUEST_KEYS(X)
#undef X
	GF_COUNT
};

enum net_field {
#define X(name, type, def, lo, hi) NF_##name,
	PROFILE_NET_KEYS(X)
#undef X
	NF_COUNT
};

#define K_GUESTS_END (K_GLOBAL_COUNT + PROFILE_GUEST_SLOTS * GF_COUNT)
#define K_COUNT (K_GUESTS_END + (PROFILE_NETS - 1) * NF_COUNT)
#define K_GUEST(slot, field) (K_GLOBAL_COUNT + (slot) * GF_COUNT + (field))
/* num: the network's number, 2..PROFILE_NETS */
#define K_NET(num, field) (K_GUESTS_END + ((num) - 2) * NF_COUNT + (field))

struct key_value {
	char *str;          /* the value as text (owned) */
	long num;           /* BOOL: 0/1, INT: the number */
	const char *source; /* file or "kernel command line"; NULL: the default */
	unsigned line;
};

#define PROFILE_MAX_SERVICES 16
#define PROFILE_MAX_ARGS 32
#define PROFILE_MAX_DNS 4
#define PROFILE_MAX_FORWARDS 32
#define PROFILE_MAX_PORTS 16

struct service_cfg {
	char name[32];
	char *argv[PROFILE_MAX_ARGS + 1]; /* point into buf */
	char buf[1024];
};

enum firmware_kind { FIRMWARE_KERNEL, FIRMWARE_BIOS, FIRMWARE_UEFI, FIRMWARE_UBOOT, FIRMWARE_FILE };
/* CONFIG_GUESTn_KIND: what runs the guest; a board is run by nobody here
 * (a real board, or a QEMU its user runs): the lab only serves it. */
enum guest_runner { RUNNER_QEMU, RUNNER_UML, RUNNER_BOARD };
/* CONFIG_GUESTn_MACHINE, in the order of its words. */
enum machine_kind { MACHINE_AUTO, MACHINE_MICROVM, MACHINE_PC };
enum restart_policy { RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_NEVER };

/* CONFIG_NET1_MODE / CONFIG_NETn_MODE: what a lab network promises. */
enum net_mode {
	NET_NAT,       /* forwarded out, masqueraded to the uplink (IPv4 and IPv6) */
	NET_ROUTED,    /* forwarded both ways, no masquerade */
	NET_ISOLATED,  /* the guests and the host, nothing forwarded */
	NET_PRIVATE,   /* the guests only: no host address unless DHCP is asked */
	NET_BRIDGE,    /* the public bridge: the uplink enslaved, guests on the LAN */
	NET_SPAN,      /* one L2 network over VXLAN across lab hosts; isolated towards the uplink */
};

/* A span network's VXLAN segment (CONFIG_NETn_SPAN_*). */
struct span_cfg {
	char dev[16];                  /* "vx" + the bridge's name */
	uint32_t vni;
	uint16_t port;                 /* UDP destination port */
	uint32_t group;                /* a multicast group, or 0: the peers */
	uint32_t peers[PROFILE_SPAN_PEERS];
	unsigned npeers;
};

/* A lab network: network 1 from the lab keys, 2..4 from CONFIG_NETn. */
struct net_cfg {
	unsigned num;                  /* 1..PROFILE_NETS */
	const char *name, *bridge_name;
	enum net_mode mode;
	uint8_t bridge_mac[6];
	bool host_addr;                /* the host has gateway in subnet here */
	struct ip4_prefix subnet;
	uint32_t gateway;
	unsigned mtu, forward_delay;
	bool stp, bridge_ipv6;
	bool ipv6;                     /* the lab's /64: RAs, AAAA, the v6 firewall */
	uint8_t prefix6[16], gateway6[16];
	bool dhcp;
	uint32_t range_start, range_end;
	bool dhcp6;                    /* stateful DHCPv6 in prefix6 */
	bool dns;
	const char *dns_domain;
	char lease_file[256];
	char domain_buf[256];          /* a derived DNS_DOMAIN */
	struct span_cfg span;          /* NET_SPAN's */
	/* BRIDGE_PORTS / NETn_PORTS: the host's NICs in the bridge */
	char ports[PROFILE_NET_PORTS][16];
	unsigned nports;
};

/* A NIC of a guest (CONFIG_GUESTn_NICS, or NIC and MAC alone). */
struct nic_cfg {
	unsigned net;                  /* index into profile.nets; unused for a macvtap NIC */
	bool macvtap;                  /* NET "macvtap": straight on the uplink (bridge mode), on the LAN */
	enum guesthw_nic model;
	uint8_t mac[6];
	char tap[16];                  /* the guest's name for its first NIC, NAME.k after */
	struct netem_cfg impair;       /* "@SPEC": netem on its tap (none: all zero) */
};

struct guest_cfg {
	unsigned slot;                 /* 1..PROFILE_GUEST_SLOTS */
	const char *name;
	enum guest_runner kind;
	enum guesthw_arch arch;
	enum machine_kind machine;
	char kernel[4096], initrd[4096];       /* resolved against files_dir */
	enum firmware_kind firmware;
	char firmware_file[4096];               /* FIRMWARE_FILE's */
	/* CONFIG_GUESTn_BOOT="network", or a board: its firmware boots
	 * KERNEL/INITRD/APPEND from the lab's netboot menus */
	bool boot_network;
	/* CONFIG_GUESTn_DISK (when set) first, then the EXTRA_DISKS */
	struct disk_cfg {
		char path[4096];                /* resolved against files_dir */
		enum guesthw_bus bus;
		bool persistent;
	} disks[1 + PROFILE_MAX_EXTRA_DISKS];
	unsigned ndisks;
	const char *append;
	unsigned memory_mib, cpus;
	enum guesthw_nic nic;          /* nics[0]'s */
	uint8_t mac[6];                /* nics[0]'s */
	struct nic_cfg nics[PROFILE_MAX_NICS];
	unsigned nnics;
	uint32_t ip;                   /* 0: dynamic; on nics[0]'s network */
	uint16_t gdb_port;
	bool gdb_wait, autostart;
	enum restart_policy restart;
	bool reset_snapshot;           /* CONFIG_GUESTn_RESET=snapshot (guests/qemu/qmp_snap.c) */
	bool cloud_init;               /* a NoCloud seed disk (guests/cloudinit/) */
	const char *qemu_args;         /* as written; split by lib/core/words */
	const char *boot_file;         /* CONFIG_GUESTn_BOOT_FILE: its first NIC's DHCP boot file; "" none */
};

/* CONFIG_BOOT_FILE_*: the DHCP boot file per loader ("" none), at most
 * the BOOTP 'file' field's 127 octets (RFC 951). */
#define PROFILE_BOOT_FILE_MAX 127
enum boot_loader { BOOT_BIOS, BOOT_UEFI_X64, BOOT_UEFI_ARM64, BOOT_UEFI_RISCV64, BOOT_IPXE, BOOT_UBOOT, BOOT_LOADERS };

struct port_forward {
	uint8_t proto;                 /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t host_port, guest_port;
	uint32_t guest_ip;
	char guest[32];                /* as written: a name or an address */
	/* "@ADDR": answered at that one address of the host only (IPv4, or
	 * IPv6 with bound6); none: at every address outside the lab */
	uint32_t bind4;
	bool bound6;
	uint8_t bind6[16];
};

/* Where a service of the host answers (GDB_LISTEN, ...): a set of bits. */
enum listen_on { LISTEN_BRIDGE = 1, LISTEN_UPLINK = 2, LISTEN_BOTH = 3 };

struct host_port {
	uint8_t proto;                 /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;
	enum listen_on on;
};

struct profile {
	struct key_value v[K_COUNT];
	char *source;                  /* the file name errors cite */

	/* general */
	const char *name, *description, *hostname, *console, *files_dir, *rescue_shell;
	bool console_shell;
	unsigned sandbox_uid;          /* see CONFIG_SANDBOX_UID */
	int log_level;
	unsigned stop_timeout, shutdown_timeout;
	unsigned console_log_kib;      /* each guest's console files, together */
	struct service_cfg services[PROFILE_MAX_SERVICES];
	unsigned nservices;
	/* uplink */
	const char *uplink_ifname;
	bool uplink_dhcp;
	struct ip4_prefix uplink_addr;
	uint32_t uplink_gateway;
	uint32_t uplink_dns[PROFILE_MAX_DNS];
	unsigned uplink_ndns;
	/* lab network */
	const char *bridge_name;
	uint8_t bridge_mac[6];
	struct ip4_prefix subnet;
	uint32_t gateway;
	unsigned mtu, forward_delay;
	bool stp, bridge_ipv6;
	/* IPv6 (CONFIG_LAB_IPV6): the lab's /64, configured or a ULA derived
	 * from the profile; the gateway is its ::1 */
	bool ipv6;
	uint8_t prefix6[16], gateway6[16];
	bool dhcp6;                    /* CONFIG_LAB_DHCPV6: stateful DHCPv6 too */
	/* dhcp, dns, nat */
	bool dhcp;
	uint32_t range_start, range_end;
	unsigned lease_time;
	const char *lease_file;
	/* CONFIG_TFTP_ROOT resolved against files_dir ("": no TFTP); served on
	 * every network whose worker serves DHCP */
	char tftp_root[4096];
	unsigned tftp_max_sessions;
	/* the netboot menus the workers write, overlaid on tftp_root:
	 * DHCP_LEASE_FILE's directory + "/netboot" */
	char netboot_dir[4096];
	bool dns;
	const char *dns_domain;
	uint32_t dns_upstreams[PROFILE_MAX_DNS];
	unsigned ndns_upstreams;
	bool dns_no_forward;           /* CONFIG_DNS_UPSTREAMS="none" */
	/* netboot (CONFIG_BOOT_*): the DHCP boot options */
	const char *boot_files[BOOT_LOADERS];
	uint32_t boot_next_server;     /* 0: each network's gateway */
	bool nat;
	struct port_forward forwards[PROFILE_MAX_FORWARDS];
	unsigned nforwards;
	/* host firewall */
	enum listen_on gdb_listen, smb_listen;
	struct host_port extra_ports[PROFILE_MAX_PORTS];
	unsigned nextra_ports;
	/* CONFIG_SSH_AUTHORIZED_KEYS: one key per line, read from the file
	 * it names or written inline (';' between keys) */
	char ssh_keys[PROFILE_SSH_KEYS_MAX];
	/* share */
	const char *share_dir, *share_9p_tag;
	bool share_9p, share_per_guest, share_smb;
	/* image */
	const char *image_kernel, *image_extra_files;
	bool image_embed_guests;
	/* the lab networks, enabled ones only, network 1 first */
	struct net_cfg nets[PROFILE_NETS];
	unsigned nnets;
	/* guests, enabled slots only, in slot order */
	struct guest_cfg guests[PROFILE_GUEST_SLOTS];
	unsigned nguests;
	/* Errors on a guest slot's own keys: bit (slot - 1) set, and their
	 * count. PID 1 boots without those guests when these are all there is. */
	unsigned broken_slots;
	unsigned guest_errors;
	/* Of those, guest files that do not exist (yet): a lab share or disk
	 * mounted on FILES_DIR at boot may bring them. */
	unsigned missing_files;
};

/* Loads path (NULL: defaults only) and then the labinit.KEY=VALUE overrides
 * of cmdline (NULL: none). Returns 0, or -EINVAL with every error in d.
 * On error *p still holds what could be read, for printing. */
int profile_load(struct profile *p, const char *path, const char *cmdline, struct diag *d);
/* The same from a buffer; source names it in errors. */
int profile_load_buf(struct profile *p, const char *buf, size_t len, const char *source,
		     const char *cmdline, struct diag *d);
void profile_free(struct profile *p);

/* The key's CONFIG_ name without the prefix, e.g. "GUEST3_NAME"; buf must
 * hold CONFIG_KEY_MAX bytes. */
const char *profile_key_name(unsigned key, char *buf);
enum key_type profile_key_type(unsigned key);
/* The default as text ("y", "n", a number, a string); never NULL. */
const char *profile_key_default(unsigned key, char *buf);

/* Writes every key in .config form (the effective values) to fd. */
void profile_write_config(const struct profile *p, int fd, bool defaults_only);

/* Drops the guests of broken_slots from guests[] (PID 1 starts the rest). */
void profile_drop_broken_guests(struct profile *p);

/* Marks an error on key as a guest's own, if it is a guest slot's key. */
void profile_note_error(struct profile *p, unsigned key);

/* Cross-field checks (lib/profile/validate.c): fills the typed fields. */
void profile_validate(struct profile *p, struct diag *d);

/* "nat", "routed", ... */
const char *profile_net_mode_name(enum net_mode m);
/* The index in p->nets of the network with that number or name, or -1. */
int profile_find_net(const struct profile *p, const char *name_or_num);

/* 52:54:00 plus three bytes hashed from the guest name (QEMU's OUI, as libvirt). */
void profile_guest_mac(const char *name, uint8_t mac[6]);

#endif
