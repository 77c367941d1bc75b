/* Where labinit keeps its run-time files: everything under one directory
 * on /run (a tmpfs), named here once. */
#ifndef LAB_PATHS_H
#define LAB_PATHS_H

#define PATH_RUN_DIR      "/run/labinit"
#define PATH_CONTROL      PATH_RUN_DIR "/control"     /* PID 1's control socket */
#define PATH_GUESTS_DIR   PATH_RUN_DIR "/guests"      /* one directory per guest */
#define PATH_SMB_DIR      PATH_RUN_DIR "/smb"         /* smbd's private state */
#define PATH_HOSTS        PATH_RUN_DIR "/hosts"       /* bind-mounted on /etc/hosts */
/* The uplink client's files: resolv.IFNAME, dhcpc.IFNAME.log, its pid file;
 * a directory of its own, which the client, unprivileged, writes. */
#define PATH_DHCPC_DIR    PATH_RUN_DIR "/dhcpc"

#endif
