/* libFuzzer target: arbitrary bytes as frames from a guest's agent (or a
 * host), through the codec both sides parse with (guests/agent/proto.c):
 * frames are cut with agent_frame_len as `labctl run` does; a parsed
 * message must respect every cap, and rebuilding it must give back the
 * same bytes (one encoding per message). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guests/agent/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct agent_msg m;
static uint8_t out[AGENT_FRAME_MAX];

static int rebuild(void)
{
	switch (m.type) {
	case AGENT_HELLO:
		return m.version == AGENT_VERSION ? agent_build_hello(out, sizeof(out), m.text) : -1;
	case AGENT_EXEC:
		return agent_build_exec(out, sizeof(out), m.id, m.timeout_s, m.cwd, m.argv, m.env);
	case AGENT_STDIN:
	case AGENT_STDOUT:
	case AGENT_STDERR:
		return agent_build_data(out, sizeof(out), m.type, m.id, m.data, m.data_len);
	case AGENT_EXIT:
		return agent_build_exit(out, sizeof(out), m.id, m.exit_kind, m.exit_value);
	case AGENT_ERROR:
		return agent_build_error(out, sizeof(out), m.id, m.text);
	}
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long n;

	while ((n = agent_frame_len(data, size)) > 0 && (size_t)n <= size) {
		if (agent_parse(data, (size_t)n, &m) == 0) {
			int r = rebuild();

			if (m.data_len > AGENT_CHUNK_MAX || m.argc > AGENT_ARGS_MAX || m.envc > AGENT_ENV_MAX ||
			    strlen(m.text) > AGENT_TEXT_MAX)
				abort();
			if (r >= 0 && (r != n || memcmp(out, data, (size_t)n)))
				abort();
		}
		data += n;
		size -= (size_t)n;
	}
	return 0;
}
