// SPDX-License-Identifier: GPL-2.0
/*
 * labcrash: a WARN and an Oops the labinit demo guest provokes on demand,
 * for the crash-triage tests (Debian's kernel has no LKDTM):
 *   echo warn > /proc/labcrash   WARN_ON(1) in labcrash_warn()
 *   echo oops > /proc/labcrash   a general protection fault (a write through
 *                                a non-canonical pointer) in labcrash_oops():
 *                                an Oops whose first line names it as one
 *   echo null > /proc/labcrash   a NULL dereference in labcrash_null(); x86
 *                                prints "BUG: kernel NULL pointer
 *                                dereference" before its "Oops:" line, so
 *                                triage files it as a BUG
 * An Oops kills the writing process; the kernel goes on (panic_on_oops=0).
 * Each sits in a noinline function of its own, called from the write
 * handler, so a report's first frames (the triage fingerprint) are the
 * same run after run. Built out of tree at `make demo-guest` time against
 * the demo kernel's linux-headers package (image/demo-guest.sh); /init
 * loads it only with lab.crash=1.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>

static noinline void labcrash_warn(void)
{
	WARN_ON(1);
}

/* volatile: a real access through the pointer, not a trap the compiler
 * puts in its place */
static noinline void labcrash_oops(void)
{
	int *volatile p = (int *)0xdead000000000100ul; /* LIST_POISON1: non-canonical */

	*p = 1;
}

static noinline void labcrash_null(void)
{
	int *volatile p = NULL;

	*p = 1;
}

static ssize_t labcrash_write(struct file *f, const char __user *buf, size_t n, loff_t *pos)
{
	char cmd[8] = "";

	if (copy_from_user(cmd, buf, min(n, sizeof(cmd) - 1)))
		return -EFAULT;
	if (sysfs_streq(cmd, "warn"))
		labcrash_warn();
	else if (sysfs_streq(cmd, "oops"))
		labcrash_oops();
	else if (sysfs_streq(cmd, "null"))
		labcrash_null();
	else
		return -EINVAL;
	return n;
}

static const struct proc_ops labcrash_ops = {
	.proc_write = labcrash_write,
};

static int __init labcrash_init(void)
{
	return proc_create("labcrash", 0200, NULL, &labcrash_ops) ? 0 : -ENOMEM;
}

static void __exit labcrash_exit(void)
{
	remove_proc_entry("labcrash", NULL);
}

module_init(labcrash_init);
module_exit(labcrash_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("labinit demo guest: a WARN and an Oops on demand");
