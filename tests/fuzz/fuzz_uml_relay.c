/* libFuzzer target: arbitrary bytes from a UML guest's agent line through
 * the relay's gate (guests/uml/agent_relay.c, uml_relay_scan). What it
 * drops never runs past the input; a HELLO it reports ends exactly where
 * it says and parses; what it keeps without a HELLO is empty or the start
 * of a frame (no junk held back, the scan always moves on). */
#include <stdlib.h>
#include <string.h>

#include "guests/uml/agent_relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct agent_msg m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool hello;
	size_t drop = uml_relay_scan(data, size, &m, &hello);
	long n;

	if (drop > size)
		abort();
	if (hello) {
		size_t i;

		/* the HELLO is the last whole frame before drop */
		for (i = 0; i < drop; i++)
			if ((n = agent_frame_len(data + i, drop - i)) > 0 && (size_t)n == drop - i &&
			    agent_parse(data + i, drop - i, &m) == 0 && m.type == AGENT_HELLO)
				break;
		if (i == drop)
			abort();
		return 0;
	}
	if (drop < size) {
		n = agent_frame_len(data + drop, size - drop);
		if (data[drop] != AGENT_MAGIC0 || n < 0 || (n > 0 && (size_t)n <= size - drop))
			abort();
	}
	return 0;
}
