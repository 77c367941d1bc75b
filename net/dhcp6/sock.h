/* The DHCPv6 server's socket on the bridge. */
#ifndef LAB_DHCP6_SOCK_H
#define LAB_DHCP6_SOCK_H

/* UDP [::]:547 bound to ifname (SO_BINDTODEVICE), in the group
 * All_DHCP_Relay_Agents_and_Servers ff02::1:2 on ifindex (RFC 8415 §7.1),
 * non-blocking. Needs root for the device binding and the port: open it
 * before dropping privileges. The fd, or -errno. */
int dhcp6_server_socket(const char *ifname, int ifindex);

#endif
