/* Entry points of the multi-call binary's commands. */
#ifndef LAB_COMMANDS_H
#define LAB_COMMANDS_H

int cmd_check_config(int argc, char **argv);
int cmd_print_config(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_dhcpc(int argc, char **argv);
int cmd_dns(int argc, char **argv);
int cmd_netboot(int argc, char **argv);
int cmd_dhcpd(int argc, char **argv);
int cmd_tftpd(int argc, char **argv);
int cmd_labdata_label(int argc, char **argv);
int cmd_boot(int argc, char **argv);
int cmd_modules(int argc, char **argv);
int cmd_accel(int argc, char **argv);
int cmd_conlog(int argc, char **argv);
int cmd_impair(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_agent_relay(int argc, char **argv);
int cmd_results(int argc, char **argv);
int labctl_run(const char *path, int argc, char **argv);
int labctl_main(int argc, char **argv);
int labctl_console(const char *name);
int pid1_main(int argc, char **argv);

struct profile;
/* The subcommands' common options (--config FILE, --cmdline STR, --boot):
 * the validated profile, or NULL after printing every error. */
struct profile *cmd_load_profile(int argc, char **argv, const char *verb);
/* --net NAME|N: the index of that network in p->nets (0 without the
 * option), or -1 after printing what is wrong. */
int cmd_net_arg(const struct profile *p, int argc, char **argv, const char *verb);

#endif
