/* The multi-call entry: PID 1 when the pid is 1, labctl when invoked under
 * that name, otherwise a subcommand. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/cmd/commands.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "check-config", cmd_check_config, "check-config [--cmdline STR] FILE  validate a profile, print every error" },
	{ "print-config", cmd_print_config, "print-config [--defaults] [--cmdline STR] [FILE]  the effective configuration" },
	{ "up", cmd_up, "up --config FILE  bring the lab network up here (idempotent)" },
	{ "down", cmd_down, "down --config FILE  remove what labinit set up, nothing else" },
	{ "dhcpc", cmd_dhcpc, "dhcpc IFNAME [--hostname NAME]  the uplink's DHCP client, in the foreground" },
	{ "dhcpd", cmd_dhcpd, "dhcpd --config FILE  the DHCP (and DNS) worker for the guests, in the foreground" },
	{ "tftpd", cmd_tftpd, "tftpd --config FILE [--net NAME|N]  the lab's TFTP server alone, in the foreground" },
	{ "netboot", cmd_netboot, "netboot --config FILE --dir DIR  write the netboot menus into DIR, list the TFTP exports" },
	{ "dns", cmd_dns, "dns --config FILE  the lab's DNS server on its own, in the foreground" },
	{ "boot", cmd_boot, "boot --config FILE [--hotplug]  PID 1's one-shot boot (\"stage 2\"); PID 1 starts it" },
	{ "labdata-label", cmd_labdata_label, "labdata-label DEVICE  the filesystem label boot looks for (LABDATA)" },
	{ "modules", cmd_modules,
	  "modules [--list | --boot | --order [--root DIR] [--kver RELEASE] [NAME...]]  load the boot's kernel "
	  "modules (--boot: then hotplug, as PID 1's service), list them, or order them" },
	{ "conlog", cmd_conlog,
	  "conlog RUN_DIR [--size KIB] [--crashes DIR [--vmlinux PATH]] [--serve]  a guest's console logger: "
	  "RUN_DIR/console.fifo (--serve: also fd 3, served on RUN_DIR/console.sock) into console.log, "
	  "console.log.1 and console.oops under KIB, and its crash reports into DIR; PID 1 starts it" },
	{ "impair", cmd_impair,
	  "impair IFNAME [SPEC | off]  a link's impairments (netem: delay=20ms,jitter=5ms,loss=1%,duplicate=0.5%,"
	  "reorder=25%,rate=10mbit,limit=N): set, remove (off) or show" },
	{ "capture", cmd_capture,
	  "capture IFNAME FILE [--count N] [--seconds S] [--snaplen N] [--user UID[:GID]]  both directions of "
	  "IFNAME into a pcap file, as UID (default 65534), until N packets (100000), S seconds (60), 256 MiB or "
	  "SIGINT/SIGTERM" },
	{ "agent", cmd_agent,
	  "agent [--control] [--port PATH] [--wait S]  the guest agent (in a guest): runs `labctl run`'s commands "
	  "sent over the virtio-serial port org.labinit.agent or the line labinit_agent.port= names (UML); "
	  "--control: the appliance's, labctl only, on org.labinit.control" },
	{ "agent-relay", cmd_agent_relay,
	  "agent-relay RUN_DIR  a UML guest's agent line (fd 3) served on RUN_DIR/agent.sock for `labctl run`; "
	  "PID 1 starts it" },
	{ "results", cmd_results,
	  "results --out FILE [--suite NAME] [--property K=V]... {--run RUN.json --name NAME [--stdout F] "
	  "[--stderr F]}...  JUnit XML of labctl run --json's objects (make test-kernel)" },
	{ "accel", cmd_accel, "accel  kvm or tcg: what guests get here (the KVM probe runs a vCPU)" },
	{ "version", cmd_version, "version  print the version" },
};

static int usage(FILE *f)
{
	fprintf(f, "usage: labinit COMMAND [ARGS]\n"
		   "       labctl COMMAND   (the control client; labctl help)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].help);
	return f == stderr ? 2 : 0;
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("labinit %s\n", LABINIT_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	if (!strcmp(base, "labctl"))
		return labctl_main(argc, argv);
	if (getpid() == 1)
		return pid1_main(argc, argv);
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "labinit: unknown command \"%s\"\n", argv[1]);
	return usage(stderr);
}
