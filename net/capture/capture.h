/* Packet capture to a pcap file (no tcpdump on the lab host): every frame
 * an interface sends and receives, both directions, from an AF_PACKET
 * socket, written as it arrives. Every cap is explicit: packets, seconds,
 * octets per packet and octets in the file. It prints nothing: what it did
 * comes back in struct capture_result, and the command (labinit capture,
 * or a labctl built on it) says it.
 *
 * No fuzz target: capture parses nothing it receives; it copies frames
 * into records and reads only the lengths and timestamp the kernel gives. */
#ifndef LAB_CAPTURE_H
#define LAB_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define CAPTURE_DEFAULT_COUNT 100000u
#define CAPTURE_MAX_COUNT 10000000u
#define CAPTURE_DEFAULT_SECONDS 60u
#define CAPTURE_MAX_SECONDS 86400u   /* a day */
#define CAPTURE_DEFAULT_SNAPLEN 65535u
#define CAPTURE_MAX_SNAPLEN 262144u  /* PCAP_MAX_SNAPLEN: what readers accept */
#define CAPTURE_DEFAULT_MAX_BYTES (256u << 20) /* 256 MiB, header included */
#define CAPTURE_MAX_MAX_BYTES (1u << 30)

struct capture_config {
	const char *ifname;
	/* The output: a new file created at path (an existing regular file
	 * is replaced, never written through; a symlink, device or FIFO
	 * there is refused with -EEXIST), owned by uid:gid with mode 0644;
	 * or, with path NULL, fd, open for writing, which stays the
	 * caller's. */
	const char *path;
	int fd;
	/* Caps; 0 takes the default (CAPTURE_DEFAULT_*). The capture ends
	 * at the first one reached; a packet that would take the file past
	 * max_bytes is not written. */
	uint32_t count;
	uint32_t seconds;
	uint32_t snaplen;     /* octets kept of each frame */
	uint32_t max_bytes;
	bool nsec;            /* nanosecond timestamps (magic 0xa1b23c4d) */
	/* The user and group to become once the socket and file are open,
	 * before any packet is read (sandbox_enter: for good, so a caller
	 * that must stay root runs capture_run in a child). 0: stay. */
	uid_t uid;
	gid_t gid;
	/* Optional (-1: none): the capture stops, with a complete file, as
	 * soon as this fd is readable (the command's signalfd of SIGINT and
	 * SIGTERM, or a pipe). An fd, not a flag: it wakes the wait. */
	int stop_fd;
};

enum capture_stop {
	CAPTURE_STOP_NONE,     /* did not start: an error */
	CAPTURE_STOP_COUNT,
	CAPTURE_STOP_SECONDS,
	CAPTURE_STOP_SIZE,
	CAPTURE_STOP_STOP_FD,
	CAPTURE_STOP_ERROR,    /* an error after the start; the file holds whole records */
};

struct capture_result {
	uint64_t packets;          /* records written */
	uint64_t bytes;            /* the file's length, header included */
	uint64_t kernel_drops;     /* PACKET_STATISTICS tp_drops: the socket's queue was full */
	uint64_t elapsed_ms;       /* from the socket's bind to the stop */
	enum capture_stop stop;
	const char *step;          /* on an error: what was being done */
};

/* Checks the config: 0, or -EINVAL with res->step naming the bad field. */
int capture_config_check(const struct capture_config *c, struct capture_result *res);

/* Opens the socket and the output (as root), becomes uid:gid, writes the
 * file header (the file's 24 octets say the socket is bound: a reader can
 * wait for them), then one record per frame until a cap or the stop fd.
 * Each record is one write(2) of header and data: the file ends at a
 * record's end whatever happens to the process. 0, or -errno with
 * res->step set (-ENODEV: no such interface; -EPROTONOSUPPORT: not an
 * Ethernet interface); res is filled in both cases. */
int capture_run(const struct capture_config *c, struct capture_result *res);

#endif
