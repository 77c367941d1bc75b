/* The profile's keys: name, type, default and range, in the order of the
 * Kconfig menus. Kconfig holds the prompts and help; this table is what the
 * binary knows at run time. tests/unit/kconfig-sync.sh checks that the two
 * agree on every name, type and default. */
#ifndef LAB_PROFILE_KEYS_H
#define LAB_PROFILE_KEYS_H

/* X(NAME, TYPE, DEFAULT, MIN, MAX) — MIN/MAX only matter for INT. */
#define PROFILE_GLOBAL_KEYS(X)                                   \
	X(PROFILE_NAME, STR, "custom", 0, 0)                     \
	X(PROFILE_DESCRIPTION, STR, "", 0, 0)                    \
	X(HOSTNAME, STR, "lab", 0, 0)                            \
	X(CONSOLE, STR, "/dev/console", 0, 0)                    \
	X(LOG_LEVEL, INT, "6", 0, 7)                             \
	X(FILES_DIR, STR, "/lab", 0, 0)                          \
	X(DEVICE_WAIT, INT, "30", 0, 300)                        \
	X(EXTRA_SERVICES, STR, "", 0, 0)                         \
	X(STOP_TIMEOUT, INT, "10", 1, 300)                       \
	X(SHUTDOWN_TIMEOUT, INT, "30", 1, 600)                   \
	X(RESCUE_SHELL, STR, "/bin/sh", 0, 0)                    \
	X(CONSOLE_SHELL, BOOL, "y", 0, 0)                        \
	X(SANDBOX_UID, INT, "64600", 1000, 2000000000)           \
	X(UPLINK_IFNAME, STR, "eth0", 0, 0)                      \
	X(UPLINK_DHCP, BOOL, "y", 0, 0)                          \
	X(UPLINK_STATIC, BOOL, "n", 0, 0)                        \
	X(UPLINK_ADDRESS, STR, "", 0, 0)                         \
	X(UPLINK_GATEWAY, STR, "", 0, 0)                         \
	X(UPLINK_DNS, STR, "", 0, 0)                             \
	X(BRIDGE_NAME, STR, "virbr0", 0, 0)                      \
	X(BRIDGE_MAC, STR, "", 0, 0)                             \
	X(LAB_SUBNET, STR, "10.77.0.0/24", 0, 0)                 \
	X(LAB_GATEWAY, STR, "10.77.0.1", 0, 0)                   \
	X(LAB_MTU, INT, "0", 0, 65535)                           \
	X(BRIDGE_STP, BOOL, "n", 0, 0)                           \
	X(BRIDGE_FORWARD_DELAY, INT, "0", 0, 30)                 \
	X(BRIDGE_IPV6, BOOL, "n", 0, 0)                          \
	X(BRIDGE_PORTS, STR, "", 0, 0)                           \
	X(LAB_IPV6, BOOL, "y", 0, 0)                             \
	X(LAB_DHCPV6, BOOL, "n", 0, 0)                           \
	X(LAB_IPV6_PREFIX, STR, "", 0, 0)                        \
	X(NET1_NAME, STR, "lab", 0, 0)                           \
	X(NET1_MODE, STR, "nat", 0, 0)                           \
	X(DHCP_SERVER, BOOL, "y", 0, 0)                          \
	X(DHCP_RANGE_START, STR, "10.77.0.2", 0, 0)              \
	X(DHCP_RANGE_END, STR, "10.77.0.254", 0, 0)              \
	X(DHCP_LEASE_TIME, INT, "3600", 60, 31536000)            \
	X(DHCP_LEASE_FILE, STR, "/run/labinit/dhcpd/dhcp.leases", 0, 0) \
	X(TFTP_ROOT, STR, "", 0, 0)                              \
	X(TFTP_MAX_SESSIONS, INT, "64", 1, 1024)                 \
	X(DNS, BOOL, "y", 0, 0)                                  \
	X(DNS_DOMAIN, STR, "lab", 0, 0)                          \
	X(DNS_UPSTREAMS, STR, "", 0, 0)                          \
	/* Netboot: the DHCP boot options (dhcpboot) */              \
	X(BOOT_FILE_BIOS, STR, "pxelinux.0", 0, 0)               \
	X(BOOT_FILE_UEFI_X64, STR, "grubnetx64.efi", 0, 0)       \
	X(BOOT_FILE_UEFI_ARM64, STR, "grubnetaa64.efi", 0, 0)    \
	X(BOOT_FILE_UEFI_RISCV64, STR, "grubnetriscv64.efi", 0, 0) \
	X(BOOT_FILE_IPXE, STR, "labinit/boot.ipxe", 0, 0)        \
	X(BOOT_FILE_UBOOT, STR, "", 0, 0)                        \
	X(BOOT_NEXT_SERVER, STR, "", 0, 0)                       \
	/* Netboot: end of the DHCP boot options */               \
	X(NAT, BOOL, "y", 0, 0)                                  \
	X(NAT_PORT_FORWARDS, STR, "", 0, 0)                      \
	X(GDB_LISTEN, STR, "bridge", 0, 0)                       \
	X(SHARE_SMB_LISTEN, STR, "bridge", 0, 0)                 \
	X(EXTRA_SERVICES_PORTS, STR, "", 0, 0)                   \
	X(SHARE_DIR, STR, "/lab/share", 0, 0)                    \
	X(SHARE_9P, BOOL, "y", 0, 0)                             \
	X(SHARE_9P_TAG, STR, "debug", 0, 0)                      \
	X(SHARE_PER_GUEST, BOOL, "n", 0, 0)                      \
	X(SHARE_SMB, BOOL, "n", 0, 0)                            \
	X(CONSOLE_LOG_SIZE, INT, "1024", 64, 1048576)            \
	X(SSH_AUTHORIZED_KEYS, STR, "", 0, 0)                    \
	X(IMAGE_KERNEL, STR, "", 0, 0)                           \
	X(IMAGE_KERNEL_MODULES, STR, "", 0, 0)                   \
	X(IMAGE_EXTRA_FILES, STR, "", 0, 0)                      \
	X(IMAGE_EMBED_GUESTS, BOOL, "y", 0, 0)

/* Per guest slot: CONFIG_GUEST<n> (enable) and CONFIG_GUEST<n>_<FIELD>.
 * A NULL default for NAME means "vm<n>". */
#define PROFILE_GUEST_KEYS(X)                  \
	X(ENABLE, BOOL, "n", 0, 0)             \
	X(NAME, STR, NULL, 0, 0)               \
	X(KIND, STR, "qemu", 0, 0)             \
	X(ARCH, STR, "x86_64", 0, 0)           \
	X(MACHINE, STR, "auto", 0, 0)          \
	X(FIRMWARE, STR, "kernel", 0, 0)       \
	X(BOOT, STR, "auto", 0, 0)             \
	X(KERNEL, STR, "", 0, 0)               \
	X(INITRD, STR, "", 0, 0)               \
	X(DISK, STR, "", 0, 0)                 \
	X(DISK_PERSISTENT, BOOL, "n", 0, 0)    \
	X(DISK_BUS, STR, "virtio", 0, 0)       \
	X(EXTRA_DISKS, STR, "", 0, 0)          \
	X(CLOUD_INIT, BOOL, "n", 0, 0)         \
	X(APPEND, STR, "", 0, 0)               \
	X(MEMORY, INT, "256", 32, 65536)       \
	X(CPUS, INT, "1", 1, 64)               \
	X(NIC, STR, "virtio-net", 0, 0)        \
	X(NICS, STR, "", 0, 0)                 \
	X(MAC, STR, "", 0, 0)                  \
	X(IP, STR, "", 0, 0)                   \
	X(GDB_PORT, INT, "0", 0, 65535)        \
	X(GDB_WAIT, BOOL, "n", 0, 0)           \
	X(AUTOSTART, BOOL, "y", 0, 0)          \
	X(RESTART, STR, "on-failure", 0, 0)    \
	X(RESET, STR, "reboot", 0, 0)          \
	X(QEMU_ARGS, STR, "", 0, 0)            \
	X(BOOT_FILE, STR, "", 0, 0)

/* Per network slot n = 2..PROFILE_NETS: CONFIG_NET<n> (enable) and
 * CONFIG_NET<n>_<FIELD>. Network 1 is the lab network of the keys above
 * (BRIDGE_NAME, LAB_SUBNET, ...) with NET1_NAME and NET1_MODE. NULL
 * defaults follow the slot: NAME "net<n>", BRIDGE "virbr<n-1>", SUBNET
 * "10.77.<n-1>.0/24", SPAN_VNI <n>. "auto": on in the nat, routed and
 * isolated modes, off in private, bridge and span. */
#define PROFILE_NET_KEYS(X)                    \
	X(ENABLE, BOOL, "n", 0, 0)             \
	X(NAME, STR, NULL, 0, 0)               \
	X(MODE, STR, "nat", 0, 0)              \
	X(BRIDGE, STR, NULL, 0, 0)             \
	X(BRIDGE_MAC, STR, "", 0, 0)           \
	X(SUBNET, STR, NULL, 0, 0)             \
	X(GATEWAY, STR, "", 0, 0)              \
	X(MTU, INT, "0", 0, 65535)             \
	X(STP, BOOL, "n", 0, 0)                \
	X(PORTS, STR, "", 0, 0)                \
	X(DHCP, STR, "auto", 0, 0)             \
	X(RANGE_START, STR, "", 0, 0)          \
	X(RANGE_END, STR, "", 0, 0)            \
	X(DNS, STR, "auto", 0, 0)              \
	X(DNS_DOMAIN, STR, "", 0, 0)           \
	X(IPV6, STR, "auto", 0, 0)             \
	X(IPV6_PREFIX, STR, "", 0, 0)          \
	X(DHCPV6, BOOL, "n", 0, 0)             \
	X(SPAN_VNI, INT, NULL, 1, 16777215)    \
	X(SPAN_PEERS, STR, "", 0, 0)           \
	X(SPAN_GROUP, STR, "", 0, 0)           \
	X(SPAN_PORT, INT, "4789", 1, 65535)

#define PROFILE_NETS 4
/* CONFIG_NETn_SPAN_PEERS: the other lab hosts of a span network. */
#define PROFILE_SPAN_PEERS 8
/* CONFIG_BRIDGE_PORTS / CONFIG_NETn_PORTS: a network's physical NICs. */
#define PROFILE_NET_PORTS 4
/* CONFIG_GUESTn_NICS: the NICs of one guest. */
#define PROFILE_MAX_NICS 4

#define PROFILE_GUEST_SLOTS 16
/* CONFIG_GUESTn_EXTRA_DISKS: disks besides CONFIG_GUESTn_DISK. */
#define PROFILE_MAX_EXTRA_DISKS 4
/* CONFIG_GUESTn_QEMU_ARGS: words appended to QEMU's command line. */
#define PROFILE_MAX_QEMU_ARGS 32
/* CONFIG_SSH_AUTHORIZED_KEYS: the keys, inline or read from a file. */
#define PROFILE_SSH_KEYS_MAX 16384

#endif
