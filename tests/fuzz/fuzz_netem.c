/* libFuzzer target: arbitrary bytes as an impairment spec (netem_parse)
 * and as netem's TCA_OPTIONS from the kernel (netem_decode). A spec that
 * parses formats into one that parses back to the same configuration; a
 * decoded configuration always formats within NETEM_SPEC_MAX. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/netlink/qdisc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void spec(const uint8_t *data, size_t size)
{
	char s[NETEM_SPEC_MAX + 2], err[160], buf[NETEM_SPEC_MAX];
	struct netem_cfg a, b;

	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	if (netem_parse(s, &a, err, sizeof(err)) < 0) {
		if (!memchr(err, '\0', sizeof(err)) || !err[0])
			abort();
		return;
	}
	if (netem_format(&a, buf, sizeof(buf)) <= 0 || netem_parse(buf, &b, err, sizeof(err)) < 0 ||
	    memcmp(&a, &b, sizeof(a)) != 0)
		abort();
}

static void options(const uint8_t *data, size_t size)
{
	/* aligned, as a netlink attribute's payload is */
	static uint32_t copy[1024];
	char buf[NETEM_SPEC_MAX];
	struct netem_cfg c;

	if (size > sizeof(copy))
		size = sizeof(copy);
	memcpy(copy, data, size);
	if (netem_decode(copy, size, &c) == 0 && netem_format(&c, buf, sizeof(buf)) <= 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	spec(data, size);
	options(data, size);
	return 0;
}
