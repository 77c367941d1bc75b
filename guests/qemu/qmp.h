/* QMP (QEMU Machine Protocol) on a guest's qmp.sock. */
#ifndef LAB_QMP_H
#define LAB_QMP_H

/* Asks QEMU, over run_dir/qmp.sock, to power the guest down (ACPI). Blocks
 * up to 5 s a read: run it in a child process. 0 or -errno. */
int qmp_powerdown(const char *run_dir);

#endif
