/* libFuzzer target: arbitrary bytes as a kernel uevent message. */
#include <stdint.h>
#include <string.h>

#include "init/modules/uevent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uevent ev;

	if (uevent_parse((const char *)data, size, &ev) == 0) {
		/* Every field is a terminated string inside its array. */
		if (memchr(ev.action, '\0', sizeof(ev.action)) == NULL ||
		    memchr(ev.subsystem, '\0', sizeof(ev.subsystem)) == NULL ||
		    memchr(ev.modalias, '\0', sizeof(ev.modalias)) == NULL || !ev.action[0])
			__builtin_trap();
	}
	return 0;
}
