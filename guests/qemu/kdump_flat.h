/* makedumpfile's "flattened" format back into the file it stands for.
 * QEMU's dump-guest-memory writes its kdump-* formats flattened, because
 * it may write to a pipe (QEMU 8.2 added kdump-raw-* for seekable files;
 * Debian 12 has 7.2): a 4096-byte header, then records of big-endian
 * {int64 offset, int64 size} each followed by size bytes that belong at
 * offset, ended by a record of {-1, -1} (makedumpfile's print_info.h /
 * QEMU's dump.c write_start_flat_header, write_buffer,
 * write_end_flat_header). crash reads flattened files slowly, drgn
 * (libkdumpfile) and makedumpfile -R want the real one, so labctl puts the
 * bytes where they belong as they come. Pure: the caller's writer does the
 * I/O. */
#ifndef LAB_KDUMP_FLAT_H
#define LAB_KDUMP_FLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KFLAT_HEADER_SIZE 4096
#define KFLAT_MAX_RECORD  (64u << 20)     /* QEMU writes a page or a few */
#define KFLAT_MAX_OFFSET  (1ull << 40)    /* 1 TiB: no lab guest is larger */

enum qemu_kdump_state { KFLAT_HEADER, KFLAT_RECORD, KFLAT_DATA, KFLAT_END, KFLAT_BAD };

struct qemu_kdump {
	enum qemu_kdump_state state;
	uint8_t head[32];        /* the header's signature, type, version */
	size_t have;             /* bytes of the header or record head so far */
	uint64_t off, left;      /* where the next data byte goes; bytes to come */
	uint64_t size;           /* the reassembled file's size so far */
	const char *why;         /* set with KFLAT_BAD */
};

/* Puts n bytes at off of the output: 0 or -errno. */
typedef int (*qemu_kdump_write_fn)(void *ctx, uint64_t off, const uint8_t *p, size_t n);

/* Feeds n more bytes of the flattened stream (k zeroed to start). 0;
 * -EINVAL with k->why when the stream is not one (bad signature, a record
 * past the caps, bytes after the end); or the writer's error. */
int qemu_kdump_feed(struct qemu_kdump *k, const uint8_t *p, size_t n, qemu_kdump_write_fn w, void *ctx);

/* The stream ended with its end record. */
bool qemu_kdump_done(const struct qemu_kdump *k);

#endif
