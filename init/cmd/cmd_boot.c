/* `labinit boot` (PID 1's one-shot "stage 2": init/boot/) and
 * `labinit labdata-label`, what that boot sees on a disk: their arguments. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/boot/boot.h"
#include "init/boot/labdata.h"
#include "init/cmd/commands.h"

int cmd_boot(int argc, char **argv)
{
	struct boot_opts o = { .config_path = NULL };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			o.config_path = argv[++i];
		else if (!strcmp(argv[i], "--hotplug"))
			o.hotplug = true;
		else
			o.config_path = NULL, i = argc;
	}
	if (!o.config_path || fcntl(BOOT_FD, F_GETFD) < 0) {
		fprintf(stderr, "usage: labinit boot --config FILE [--hotplug]  (PID 1 runs it, with its socket on fd %d)\n",
			BOOT_FD);
		return 2;
	}
	return boot_main(&o);
}

/* labinit labdata-label DEVICE|FILE: what the boot would see on it. */
int cmd_labdata_label(int argc, char **argv)
{
	const char *fstype;
	char label[17];
	int fd, r;

	if (argc != 2) {
		fprintf(stderr, "usage: labinit labdata-label DEVICE\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "labinit: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	r = labdata_read_label(fd, label, &fstype);
	close(fd);
	if (r < 0) {
		fprintf(stderr, "labinit: %s: no ext2/3/4 or FAT filesystem\n", argv[1]);
		return 1;
	}
	printf("%s %s\n", fstype, label);
	return 0;
}
