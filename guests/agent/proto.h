/* The guest agent's wire protocol (docs/AGENT.md): length-prefixed binary
 * frames between `labctl run` on the lab host and `labinit agent` in a
 * guest, over a virtio-serial port. Pure codec: no I/O, no clocks, no
 * globals, so the unit test and tests/fuzz/fuzz_agent.c drive it directly.
 *
 * Frame: magic "LA" (2), type (1), reserved 0 (1), payload length (4, big
 * endian), payload. Every integer is big endian. A string is a 2-byte
 * length and that many bytes with no NUL inside. Rejected (-EBADMSG):
 * a wrong magic or reserved byte, an unknown type, a payload over
 * AGENT_PAYLOAD_MAX, a field that runs past the payload, bytes left over
 * after the last field, a string with a NUL or over its cap, more
 * arguments or environment entries than the caps, an exec without argv,
 * an exit of unknown kind. */
#ifndef LAB_AGENT_PROTO_H
#define LAB_AGENT_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* The highest version this side speaks; HELLO carries it both ways and a
 * session uses the lower of the two (agent_session_version). Version 2
 * added STDIN; a version 1 peer's command has /dev/null as its stdin. */
#define AGENT_VERSION       2
#define AGENT_VERSION_MIN   1
#define AGENT_PORT_NAME     "org.labinit.agent"
/* The appliance's own port under `make run` (docs/CONTROL.md): the same
 * protocol, served by `labinit agent --control`, which runs only labctl. */
#define AGENT_CONTROL_PORT_NAME "org.labinit.control"
#define AGENT_MAGIC0        'L'
#define AGENT_MAGIC1        'A'
#define AGENT_HDR_LEN       8
#define AGENT_PAYLOAD_MAX   (64 * 1024)
#define AGENT_FRAME_MAX     (AGENT_HDR_LEN + AGENT_PAYLOAD_MAX)
#define AGENT_CHUNK_MAX     (16 * 1024)    /* stdin/stdout/stderr bytes per frame */
#define AGENT_ARGS_MAX      256
#define AGENT_ENV_MAX       64
#define AGENT_STR_MAX       4096           /* one argument, env entry, cwd */
#define AGENT_TEXT_MAX      256            /* hello info, error text */
#define AGENT_TIMEOUT_MAX   (7 * 24 * 3600)

enum agent_type {
	AGENT_HELLO = 1,   /* both ways: version, info (host first, agent replies) */
	AGENT_EXEC = 2,    /* host → agent: id, timeout, cwd, argv, env */
	AGENT_STDOUT = 3,  /* agent → host: id, bytes */
	AGENT_STDERR = 4,  /* agent → host: id, bytes */
	AGENT_EXIT = 5,    /* agent → host: id, kind, value */
	AGENT_ERROR = 6,   /* either way: id (0: none), text */
	AGENT_STDIN = 7,   /* host → agent, version 2: id, bytes; 0 bytes closes the stdin */
};

enum agent_exit_kind {
	AGENT_EXITED = 0,    /* value: the exit status 0..255 */
	AGENT_SIGNALED = 1,  /* value: the signal number */
	AGENT_TIMEDOUT = 2,  /* killed at its timeout; value: 0 */
	AGENT_NOEXEC = 3,    /* could not be started; value: the errno */
};

/* One parsed frame. Strings are copied out of the frame, NUL-terminated,
 * into strbuf; argv/env point there and end with NULL (ready for execve). */
struct agent_msg {
	enum agent_type type;
	uint32_t id;
	uint16_t version;                  /* HELLO */
	uint32_t timeout_s;                /* EXEC; 0: none */
	enum agent_exit_kind exit_kind;    /* EXIT */
	int32_t exit_value;
	char text[AGENT_TEXT_MAX + 1];     /* HELLO info, ERROR text */
	char *cwd;                         /* EXEC: "" for the agent's default */
	char *argv[AGENT_ARGS_MAX + 1];
	char *env[AGENT_ENV_MAX + 1];
	unsigned argc, envc;
	size_t data_len;                   /* STDIN/STDOUT/STDERR */
	uint8_t data[AGENT_CHUNK_MAX];
	char strbuf[AGENT_PAYLOAD_MAX + AGENT_ARGS_MAX + AGENT_ENV_MAX + 1];
};

/* How many bytes the frame at buf[0..len) needs in all: 0 when fewer than
 * the header are there, -EBADMSG for a bad header or size. */
long agent_frame_len(const uint8_t *buf, size_t len);

/* Parses exactly one whole frame buf[0..len) into *m: 0 or -EBADMSG. */
int agent_parse(const uint8_t *buf, size_t len, struct agent_msg *m);

/* The version a session uses when the peer's HELLO says peer: the lower
 * of the two, or -EPROTO for a peer below AGENT_VERSION_MIN. */
int agent_session_version(unsigned peer);

/* Builders: write one frame into out[0..size) and return its length, or
 * -E2BIG (it does not fit, or over a cap) / -EINVAL (bad field). */
int agent_build_hello(uint8_t *out, size_t size, const char *info);
int agent_build_exec(uint8_t *out, size_t size, uint32_t id, uint32_t timeout_s, const char *cwd,
		     char *const argv[], char *const env[]);
/* STDIN, STDOUT or STDERR. */
int agent_build_data(uint8_t *out, size_t size, enum agent_type type, uint32_t id, const void *data, size_t n);
int agent_build_exit(uint8_t *out, size_t size, uint32_t id, enum agent_exit_kind kind, int32_t value);
int agent_build_error(uint8_t *out, size_t size, uint32_t id, const char *text);

#endif
