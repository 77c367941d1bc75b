/* Netlink in libmnl's idiom: requests built in a caller buffer with checked
 * attribute puts, NLM_F_ACK and a fresh sequence number on every request,
 * replies checked for sequence and port id, NLMSG_ERROR turned into -errno
 * plus the kernel's extended-ACK message. nfnetlink batches ride on the same
 * helpers. This file is the seam a static musl libmnl would replace. */
#ifndef LAB_NL_H
#define LAB_NL_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NL_BUF_SIZE 32768

struct nl_sock {
	int fd;
	uint32_t portid;
	uint32_t seq;
};

/* What the kernel said about a failed request. */
struct nl_error {
	int err;            /* negative errno */
	char msg[160];      /* extended ACK text, may be empty */
	char what[64];      /* the object a batch message was about */
};

int nl_open(struct nl_sock *s, int protocol);
void nl_close(struct nl_sock *s);

/* A message under construction; puts past the end set overflow instead. */
struct nl_msg {
	struct nlmsghdr *nlh;
	size_t size;
	bool overflow;
};

void nl_msg_init(struct nl_msg *m, void *buf, size_t size, uint16_t type, uint16_t flags);
void *nl_msg_put_header(struct nl_msg *m, size_t len);
void nl_attr_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_attr_put_u8(struct nl_msg *m, uint16_t type, uint8_t v);
void nl_attr_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_attr_put_be32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_attr_put_str(struct nl_msg *m, uint16_t type, const char *s);
struct nlattr *nl_nest_start(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m, struct nlattr *nest);

/* Attributes of a received message: tb[type] for type <= max, lengths
 * validated against the buffer. Unknown types above max are ignored. */
int nl_attr_parse(const void *data, size_t len, const struct nlattr **tb, unsigned max);
const void *nl_attr_data(const struct nlattr *a);
size_t nl_attr_len(const struct nlattr *a);
uint8_t nl_attr_u8(const struct nlattr *a);
uint32_t nl_attr_u32(const struct nlattr *a);
/* The attribute as a string if it is NUL-terminated within its length. */
const char *nl_attr_str(const struct nlattr *a);
/* Parse the attributes after a family header of hdrlen bytes. */
int nl_msg_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, unsigned max);

/* Called for each data message of the reply; a negative return aborts. */
typedef int (*nl_cb)(const struct nlmsghdr *nlh, void *data);

/* Sends m with NLM_F_REQUEST|NLM_F_ACK (dumps: NLM_F_DUMP, ended by
 * NLMSG_DONE) and reads the reply. Returns 0 or -errno, with e filled. */
int nl_request(struct nl_sock *s, struct nl_msg *m, nl_cb cb, void *data, struct nl_error *e);

/* A batch of messages sent in one sendmsg; each message gets its own
 * sequence number, and one with NLM_F_ACK its own answer, so an error is
 * reported with the object it was about. */
#define NL_BATCH_MAX 1024
struct nl_batch {
	struct nl_sock *sock;
	uint8_t *buf;
	size_t size, len;
	bool overflow;
	unsigned n;
	struct {
		uint32_t seq;
		size_t off;       /* where the message starts in buf */
		bool ack;
		char what[64];
	} item[NL_BATCH_MAX];
};

void nl_batch_init(struct nl_batch *b, struct nl_sock *s, void *buf, size_t size);
/* Starts the next message in the batch; finish it with nl_batch_add. */
void nl_batch_msg(struct nl_batch *b, struct nl_msg *m, uint16_t type, uint16_t flags);
void nl_batch_add(struct nl_batch *b, struct nl_msg *m, const char *what);
int nl_batch_send(struct nl_batch *b, struct nl_error *e);

#endif
